#!/usr/bin/env python3
"""Write each addon's README.rst from its readme/ fragments (as OCA's tooling does).

The fragments are Markdown kept to the part that reads the same in
reStructuredText (paragraphs, lists, **bold**, *italics*): Odoo renders the
README with docutils on the addon's page in Apps.

    python3 tools/gen_readme.py          # rewrite the READMEs
    python3 tools/gen_readme.py --check  # exit 1 if one is out of date
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = (
    "invoicera_billing",
    "invoicera_timesheet",
    "invoicera_portal",
    "invoicera_gateways",
)
SECTIONS = (("DESCRIPTION", None), ("CONFIGURE", "Configuration"), ("USAGE", "Usage"))


def render(addon):
    folder = ROOT / addon
    manifest = ast.literal_eval((folder / "__manifest__.py").read_text())
    title = manifest["name"]
    parts = [
        ".. Generated from the readme folder by tools/gen_readme.py: edit the fragments.",
        f"{'=' * len(title)}\n{title}\n{'=' * len(title)}",
        manifest["summary"] + ".",
    ]
    for fragment, heading in SECTIONS:
        path = folder / "readme" / f"{fragment}.md"
        if path.exists():
            if heading:
                parts.append(f"{heading}\n{'=' * len(heading)}")
            parts.append(path.read_text().strip())
    parts.append(
        f"Credits\n=======\n\n{manifest['author']}, {manifest['license']}. "
        "Part of Invoicera for Odoo: see the README at the root of the repository."
    )
    return "\n\n".join(parts) + "\n"


def main(argv):
    stale = []
    for addon in ADDONS:
        path = ROOT / addon / "README.rst"
        text = render(addon)
        if not path.exists() or path.read_text() != text:
            stale.append(addon)
            if "--check" not in argv:
                path.write_text(text)
    if "--check" in argv and stale:
        print("out of date:", ", ".join(stale), "(run python3 tools/gen_readme.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
