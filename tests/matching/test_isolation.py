"""registry/matching is pure: standard library and PyStemmer only."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "registry" / "matching"

# The app's registry/__init__.py imports Flask by design; the engine must not,
# so the check stands a bare `registry` package in its place.
PROBE = """
import importlib, json, sys, types
registry = types.ModuleType("registry")
registry.__path__ = [{registry!r}]
sys.modules["registry"] = registry
for name in {modules!r}:
    importlib.import_module(name)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug", "rank_bm25", "numpy"))
outside = sorted(m for m in sys.modules if m.startswith("registry.") and not m.startswith("registry.matching"))
print(json.dumps({{"heavy": heavy, "outside": outside}}))
"""


def test_matching_imports_neither_flask_nor_sqlalchemy():
    modules = ["registry.matching"] + [f"registry.matching.{p.stem}" for p in sorted(PACKAGE.glob("*.py")) if p.stem != "__init__"]
    assert len(modules) >= 5
    code = PROBE.format(registry=str(ROOT / "registry"), modules=modules)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {"heavy": [], "outside": []}
