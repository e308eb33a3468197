"""The Hypothesis profiles of tests/conftest.py: under CI every run tries the same
examples; the deep profile raises every property test's number of examples."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import DEEP_FACTOR, DEEP_MIN_EXAMPLES, ROOT

PROPERTY = """
import json, os
from hypothesis import given, settings, strategies as st

SEEN = []


@settings(max_examples=150)
@given(st.integers(), st.text())
def test_a_property(n, s):
    SEEN.append([n, s])


def test_z_report():
    own = test_a_property.hypothesis.inner_test  # noqa: F841 (the test exists)
    used = test_a_property._hypothesis_internal_use_settings
    with open(os.environ["REPORT"], "w", encoding="utf-8") as f:
        json.dump({"seen": SEEN, "derandomize": used.derandomize,
                   "max_examples": used.max_examples,
                   "profile": getattr(settings, "_current_profile", None)}, f)
"""


def run_property(tmp_path, name: str, **env) -> dict:
    """Run a small property test file under the project's conftest in a child pytest."""
    folder = tmp_path / name
    (folder / "tests").mkdir(parents=True)
    (folder / "tests" / "__init__.py").write_text("")
    (folder / "tests" / "conftest.py").write_text("from tests_root.conftest import *  # noqa\n")
    (folder / "tests" / "test_property.py").write_text(PROPERTY)
    (folder / "tests_root").symlink_to(ROOT / "tests")
    report = folder / "report.json"
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}
    environ.update(env, REPORT=str(report), PYTHONPATH=os.pathsep.join([str(folder), str(ROOT)]))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-p",
            "no:pytestqt",
            "tests/test_property.py",
        ],
        cwd=folder,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(report.read_text(encoding="utf-8"))


def test_ci_runs_try_the_same_examples_every_time(tmp_path):
    assert run_property(tmp_path, "local")["derandomize"] is False  # random without CI
    first = run_property(tmp_path, "one", CI="true")
    second = run_property(tmp_path, "two", CI="true")
    assert first["profile"] == "ci" and first["derandomize"] is True
    assert first["max_examples"] == 150
    assert len(first["seen"]) >= 150
    assert first["seen"] == second["seen"]


def test_deep_profile_multiplies_each_tests_own_examples(tmp_path):
    report = run_property(tmp_path, "deep", HYPOTHESIS_PROFILE="deep")
    assert report["profile"] == "deep"
    assert report["max_examples"] == 150 * DEEP_FACTOR > DEEP_MIN_EXAMPLES
    assert len(report["seen"]) >= 1500
