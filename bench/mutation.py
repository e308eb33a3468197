"""Mutation testing of the core modules where a wrong value is silent (mutmut 3).

    python bench/mutation.py packing            # one module
    python bench/mutation.py packing export     # several, one after the other
    python bench/mutation.py --list             # the modules and the tests each one runs

For each module the project (``annotator/``, ``tests/``, ``resources/``, ``seeds/`` and
``pyproject.toml``) is copied to ``<workdir>/<module>`` (default: a folder under the system's
temporary directory; ``--workdir`` to change it), the copy's ``[tool.mutmut]`` is replaced by
one that mutates only that module and runs only the test files listed for it below, and
``mutmut run --max-children 1`` runs there (one core: the machine is shared; ``--children``
to change it). The checkout itself is never touched. At the end it prints killed/total and
every surviving mutant's name; ``cd <workdir>/<module> && mutmut show NAME`` shows its diff.

Not part of CI (a module takes minutes to an hour). Needs ``pip install -e .[mutation]``.
Results are recorded by hand in ``bench/mutation.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# module -> (file(s) to mutate, test files that exercise it, optional mutant-name globs)
MODULES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "packing": (
        ["annotator/packing.py"],
        ["tests/test_packing.py", "tests/test_boundaries.py"],
        [],
    ),
    "export": (
        ["annotator/export.py", "annotator/atomic.py"],
        [
            "tests/test_export.py",
            "tests/test_outputs.py",
            "tests/test_formats.py",
            "tests/test_adjudication.py",
            "tests/test_boundaries.py",
            "tests/test_mutants_export.py",
        ],
        [],
    ),
    "gui-offsets": (
        ["annotator/gui/offsets.py"],
        ["tests/gui/test_offsets.py", "tests/test_boundaries.py"],
        [],
    ),
    "spans": (
        ["annotator/agreement/spans.py"],
        [
            "tests/test_agreement_spans.py",
            "tests/test_boundaries.py",
            "tests/test_agreement.py",
            "tests/test_agreement_streaming.py",
            "tests/test_mutants_agreement.py",
        ],
        [],
    ),
    "merge": (
        ["annotator/merge.py"],
        ["tests/test_merge.py", "tests/test_boundaries.py", "tests/test_mutants_merge.py"],
        [],
    ),
    "agreement": (
        [
            "annotator/agreement/nominal.py",
            "annotator/agreement/bootstrap.py",
            "annotator/agreement/per_document.py",
            "annotator/agreement/streaming.py",
            "annotator/agreement/result.py",
            "annotator/agreement/report.py",
        ],
        [
            "tests/test_agreement.py",
            "tests/test_agreement_streaming.py",
            "tests/test_agreement_spans.py",
            "tests/test_mutants_agreement.py",
        ],
        [],
    ),
    "formats": (
        ["annotator/formats/*.py"],
        ["tests/test_formats.py", "tests/test_roundtrip.py", "tests/test_mutants_formats.py"],
        [],
    ),
    "corpus": (
        ["annotator/corpus.py"],
        ["tests/test_corpus.py", "tests/test_ingest.py", "tests/test_mutants_corpus.py"],
        [],
    ),
    "labels-import": (
        ["annotator/labels_import.py"],
        ["tests/test_labels_import.py", "tests/test_mutants_labels_import.py"],
        [],
    ),
    "store-offsets": (
        [
            "annotator/models.py",
            "annotator/store/database.py",
            "annotator/store/queries.py",
            "annotator/store/schema.py",
        ],
        [
            "tests/test_models.py",
            "tests/test_store.py",
            "tests/test_boundaries.py",
            "tests/test_mutants_store.py",
        ],
        # only the offset and snapping code: Tokenization, and the store's wrappers around it
        [
            "annotator.models.xǁTokenizationǁ*",
            "annotator.store.database.xǁStoreǁsnap_to_*",
            "annotator.store.database.xǁStoreǁtokenization*",
            "annotator.store.database.xǁStoreǁ_check_range*",
            "annotator.store.database.xǁStoreǁword_tokens*",
            "annotator.store.queries.x_word_tokens*",
            "annotator.store.schema.x__offsets_from_json*",
        ],
    ),
}

# mutmut's exit codes (mutmut/stats.py): a failing test, a pytest error, a type check or a
# timeout kills a mutant; passing tests or no test at all let it survive.
KILLED = {1, 3, 36, 37, 24, -24, 152, 255}
SURVIVED = {0, 5, 33}


def _config(files: list[str], tests: list[str]) -> str:
    return (
        "[tool.mutmut]\n"
        'source_paths = ["annotator"]\n'
        'also_copy = ["resources", "seeds"]\n'
        f"only_mutate = {json.dumps(files)}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:randomly", "-q", "-x"]\n'
        "use_git_change_detection = false\n"
    )


def prepare(name: str, workdir: Path, exclude: list[str]) -> Path:
    files, tests, _ = MODULES[name]
    tests = [t for t in tests if (ROOT / t).exists() and t not in exclude]
    here = workdir / name
    if here.exists():
        shutil.rmtree(here)
    here.mkdir(parents=True)
    for part in ("annotator", "tests", "resources", "seeds"):
        if (ROOT / part).exists():
            shutil.copytree(ROOT / part, here / part, ignore=shutil.ignore_patterns("__pycache__"))
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", text)
    (here / "pyproject.toml").write_text(text + "\n" + _config(files, tests), "utf-8")
    return here


def summary(here: Path) -> tuple[int, int, list[str], list[str]]:
    """(killed, total, survivors, other) from mutmut's meta files."""
    killed = total = 0
    survivors: list[str] = []
    other: list[str] = []
    for meta in sorted((here / "mutants").rglob("*.meta")):
        data = json.loads(meta.read_text("utf-8"))
        for key, code in data.get("exit_code_by_key", {}).items():
            if code is None:
                continue
            total += 1
            if code in KILLED:
                killed += 1
            elif code in SURVIVED:
                survivors.append(key)
            else:
                other.append(f"{key} (exit code {code})")
    return killed, total, survivors, other


def run(name: str, workdir: Path, children: int, exclude: list[str], mutants: list[str]) -> int:
    here = prepare(name, workdir, exclude)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONPATH", None)  # mutmut puts its mutated copy first on sys.path
    mutmut = Path(sys.executable).with_name("mutmut")
    cmd = [str(mutmut), "run", "--max-children", str(children), *(mutants or MODULES[name][2])]
    print(f"== {name}: {' '.join(cmd)}  (in {here})", flush=True)
    proc = subprocess.run(cmd, cwd=here, env=env)
    killed, total, survivors, other = summary(here)
    pct = f"{100 * killed / total:.1f} %" if total else "-"
    print(f"== {name}: {killed}/{total} killed ({pct}); {len(survivors)} survived")
    for s in survivors:
        print(f"   survived: {s}")
    for s in other:
        print(f"   not killed: {s}")
    return proc.returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*", help=", ".join(MODULES))
    ap.add_argument("--list", action="store_true", help="list the modules and their tests")
    ap.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "annotator-mutation"
    )
    ap.add_argument("--children", type=int, default=1, help="parallel mutants (default 1)")
    ap.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="TEST_FILE",
        help="leave this test file out (e.g. to measure the score without a new test)",
    )
    ap.add_argument(
        "--mutants",
        nargs="+",
        default=[],
        metavar="NAME",
        help="only these mutants (names or globs, e.g. the survivors of an earlier run)",
    )
    args = ap.parse_args(argv)
    if args.list or not args.modules:
        for name, (files, tests, globs) in MODULES.items():
            only = f" (only {', '.join(globs)})" if globs else ""
            print(f"{name}: {', '.join(files)}{only}\n    tests: {' '.join(tests)}")
        return 0
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        ap.error(f"unknown module(s): {', '.join(unknown)}")
    status = 0
    for name in args.modules:
        status |= run(name, args.workdir, args.children, args.exclude, args.mutants)
    return status


if __name__ == "__main__":
    sys.exit(main())
