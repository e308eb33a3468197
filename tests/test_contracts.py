"""The architecture rules and the types, checked by the tools that declare them.

The import contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and are run here
one by one with ``lint-imports``; mypy runs with its ``[tool.mypy]`` configuration (strict
on the core). A failure shows the tool's own report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
CONTRACT_IDS = [c["id"] for c in CONFIG["tool"]["importlinter"]["contracts"]]


def run_tool(args: list[str], cwd: Path, package_root: Path) -> subprocess.CompletedProcess[str]:
    """Run a tool from this environment on the ``annotator`` package under ``package_root``
    (first on the path, so that an installed copy is not what gets checked)."""
    paths = [str(package_root), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def lint_imports(contract: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """``lint-imports --contract <id>`` with the ``pyproject.toml`` in ``cwd``."""
    code = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    args = ["-c", code, "--no-cache", "--no-logo", "--contract", contract]
    return run_tool(args, cwd, cwd)


def test_every_contract_has_an_id_and_the_list_is_the_expected_one():
    assert CONTRACT_IDS == [
        "qt-only-in-gui",
        "layers",
        "formats-not-export",
        "agreement-standalone",
        "store-internals",
        "no-cycles",
    ]


@pytest.mark.parametrize("contract", CONTRACT_IDS)
def test_import_contract_is_kept(contract):
    out = lint_imports(contract)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 kept, 0 broken" in out.stdout, out.stdout  # the contract really ran


# A module written into a copy of the package, and what the contract must then report.
BAD_MODULES = [
    ("qt-only-in-gui", "annotator/qtcore.py", "from PySide6.QtCore import QObject\n",
     "annotator.qtcore -> PySide6"),
    ("qt-only-in-gui", "annotator/formats/lazy.py", "def f():\n    import shiboken6\n",
     "annotator.formats.lazy -> shiboken6"),
    ("agreement-standalone", "annotator/agreement/reads.py", "from ..store import Store\n",
     "annotator.agreement.reads -> annotator.store"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("contract", "path", "source", "reported"), BAD_MODULES, ids=[m[1] for m in BAD_MODULES]
)
def test_a_contract_fails_on_a_module_that_breaks_it(tmp_path, contract, path, source, reported):
    """The contracts are not vacuous: a copy of the package that is kept becomes broken."""
    shutil.copytree(REPO / "annotator", tmp_path / "annotator", ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    assert lint_imports(contract, tmp_path).returncode == 0  # the copy keeps it
    (tmp_path / path).write_text(source, encoding="utf-8")
    out = lint_imports(contract, tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "0 kept, 1 broken" in out.stdout and reported in out.stdout, out.stdout


def test_mypy_is_clean_on_the_package():
    """``mypy`` as configured in pyproject.toml (files, strictness, overrides); its cache
    in ``.mypy_cache`` keeps a rerun fast."""
    out = run_tool(["-m", "mypy", "--no-color-output"], REPO, REPO)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Success: no issues found" in out.stdout


def import_cycles(package_root: Path) -> list[tuple[str, str]]:
    """Every direct import ``a -> b`` inside the package that lies on a cycle (``b`` leads
    back to ``a``), counting function-level and ``if TYPE_CHECKING:`` imports too: stricter
    than the ``no-cycles`` contract, which only compares the siblings of each package."""
    code = (
        "import grimp, json\n"
        "g = grimp.build_graph('annotator')\n"
        "print(json.dumps(sorted([a, b] for a in g.modules"
        " for b in g.find_modules_directly_imported_by(a)"
        " if g.chain_exists(importer=b, imported=a))))\n"
    )
    out = run_tool(["-c", code], package_root, package_root)
    assert out.returncode == 0, out.stderr
    return [tuple(edge) for edge in json.loads(out.stdout)]


def test_no_import_cycle_anywhere_in_the_package():
    assert import_cycles(REPO) == []


def test_the_cycle_check_sees_a_cycle_hidden_behind_type_checking(tmp_path):
    shutil.copytree(REPO / "annotator", tmp_path / "annotator", ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    assert import_cycles(tmp_path) == []
    queries = tmp_path / "annotator" / "store" / "queries.py"
    queries.write_text(
        queries.read_text(encoding="utf-8").replace(
            "if TYPE_CHECKING:\n", "if TYPE_CHECKING:\n    from .database import Store\n", 1
        ),
        encoding="utf-8",
    )
    assert ("annotator.store.queries", "annotator.store.database") in import_cycles(tmp_path)
