"""The core stays plain Python: no module outside annotator/gui imports Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import annotator

PACKAGE = Path(annotator.__file__).resolve().parent
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2", "qtpy")


def core_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "gui" not in p.relative_to(PACKAGE).parts]


def imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_source_never_imports_qt():
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(
            n for n in imported_names(p) if n.startswith(QT_MODULES)
        )
        for p in core_modules()
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(offenders) >= 8  # the scan really saw the core


def test_importing_every_core_module_loads_neither_qt_nor_spacy():
    mods = sorted(
        "annotator." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for p in core_modules()
        if p.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}: importlib.import_module(m.replace('.__init__', ''))\n"
        f"print(sorted(m for m in sys.modules if m.startswith({QT_MODULES!r} + ('spacy',))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_opening_a_current_database_needs_neither_sqlite_utils_nor_spacy(tmp_path):
    """Start-up cost: both take about half a second to import."""
    from annotator.store import Store

    Store(tmp_path / "x.db").close()  # created: migrations ran
    code = (
        "import sys; from annotator.store import Store; s = Store(sys.argv[1]);"
        "s.list_documents('ana'); print(sorted(m for m in ('sqlite_utils', 'spacy')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_the_scan_would_catch_a_qt_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtWidgets import QWidget\nimport shiboken6\n")
    assert {n for n in imported_names(bad) if n.startswith(QT_MODULES)} == {
        "PySide6.QtWidgets",
        "shiboken6",
    }
