# Every test_*.py is imported, so that a new test module touches no shared file.
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    if _module.name.startswith("test_"):
        globals()[_module.name] = importlib.import_module(f"{__name__}.{_module.name}")
