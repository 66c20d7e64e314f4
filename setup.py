"""Invoicera for Odoo: `pip install .` puts the four addons in `odoo.addons`.

Like the OCA wheels, the addons are installed as the packages
``odoo.addons.invoicera_*``, where Odoo finds them without an addons path.
Odoo 18.0 itself is not on PyPI: install it from its source tree first.
"""

from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
ADDONS = [
    "invoicera_billing",
    "invoicera_timesheet",
    "invoicera_portal",
    "invoicera_gateways",
]


def requirements():
    lines = (HERE / "requirements.txt").read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def addon_packages():
    """Every Python package of the addons, mapped into the odoo.addons namespace."""
    packages, package_dir = [], {}
    for addon in ADDONS:
        for init in sorted((HERE / addon).rglob("__init__.py")):
            relative = init.parent.relative_to(HERE)
            name = "odoo.addons." + ".".join(relative.parts)
            packages.append(name)
            package_dir[name] = str(relative)
    return packages, package_dir


def addon_data():
    """Every non-Python file of an addon (views, data, i18n, static) goes along."""
    data = {}
    for addon in ADDONS:
        files = [
            str(path.relative_to(HERE / addon))
            for path in (HERE / addon).rglob("*")
            if path.is_file()
            and path.suffix not in (".py", ".pyc")
            and "__pycache__" not in path.parts
        ]
        data[f"odoo.addons.{addon}"] = files
    return data


PACKAGES, PACKAGE_DIR = addon_packages()

setup(
    name="invoicera-odoo",
    version="18.0.1.0.0",
    description="Invoicera for Odoo: billing, unbilled work, client portal and "
    "payment gateways for Odoo 18.0 Community",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    author="Invoicera for Odoo",
    license="LGPL-3",
    python_requires=">=3.10",
    packages=PACKAGES,
    package_dir=PACKAGE_DIR,
    package_data=addon_data(),
    include_package_data=False,
    install_requires=requirements(),
    zip_safe=False,
    classifiers=[
        "Framework :: Odoo",
        "Framework :: Odoo :: 18.0",
        "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
        "Programming Language :: Python :: 3",
    ],
)
