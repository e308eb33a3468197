"""The core stays plain Python: no module outside annotator/gui imports Qt; no module
outside the annotator/store package runs SQL."""

from __future__ import annotations

import ast
import re
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


# What running SQL looks like in Python source: a statement given to a connection, a
# connection opened, sqlite-utils, or the store's own connection reached from outside.
SQL_TEXT = re.compile(
    r"^\s*(SELECT|INSERT|REPLACE|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT"
    r"|ROLLBACK|SAVEPOINT|RELEASE|VACUUM|ATTACH|WITH)\s"
)
SQL_CALLS = {"execute", "executemany", "executescript", "backup", "iterdump"}
SQL_MODULES = ("sqlite_utils", "apsw")


def sql_uses(path: Path) -> list[str]:
    """Places in ``path`` that run SQL or reach a connection, as ``line: what``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        what = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL_TEXT.match(node.value):
                what = f"SQL text {node.value.strip()[:30]!r}"
        elif isinstance(node, ast.Attribute):
            if node.attr in SQL_CALLS or node.attr in ("conn", "db"):  # a Store's connection
                what = f".{node.attr}"
            elif (
                node.attr == "connect"
                and isinstance(node.value, ast.Name)
                and node.value.id in ("sqlite3", *SQL_MODULES)  # not a Qt signal's connect
            ):
                what = f"{node.value.id}.connect"
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names]
            mods = names if isinstance(node, ast.Import) else [node.module or ""]
            if any(m.split(".")[0] in SQL_MODULES for m in mods):
                what = f"imports {', '.join(mods)}"
            elif (
                isinstance(node, ast.ImportFrom) and node.module == "sqlite3" and "connect" in names
            ):
                what = "imports sqlite3.connect"
        if what is not None:
            found.append(f"{node.lineno}: {what}")
    return sorted(found, key=lambda f: (int(f.split(":")[0]), f))


def test_no_module_outside_the_store_package_runs_sql():
    """One package owns SQL: annotator/store/. Catching ``sqlite3.Error`` elsewhere is fine."""
    store = PACKAGE / "store"
    outside = [p for p in PACKAGE.rglob("*.py") if store not in p.parents]
    offenders = {str(p.relative_to(PACKAGE)): sql_uses(p) for p in outside}
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(outside) >= 20  # the scan really saw the package, the window included
    inside = {p.name: sql_uses(p) for p in store.glob("*.py")}
    assert inside["database.py"] and inside["schema.py"]  # ... and sees the SQL there


def test_the_sql_scan_would_catch_sql_outside_the_store(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import sqlite3\n"
        "from sqlite_utils import Database\n"
        "def f(store, widget):\n"
        "    store.conn.execute('DELETE FROM spans')\n"
        "    c = sqlite3.connect('x.db')\n"
        '    q = """\n  SELECT id FROM documents"""\n'
        "    widget.clicked.connect(f)\n"  # a Qt signal is no SQL
        "    error = sqlite3.Error\n"  # nor is catching SQLite's errors
    )
    assert sql_uses(bad) == [
        "2: imports sqlite_utils",
        "4: .conn",
        "4: .execute",
        "4: SQL text 'DELETE FROM spans'",
        "5: sqlite3.connect",
        "6: SQL text 'SELECT id FROM documents'",
    ]
