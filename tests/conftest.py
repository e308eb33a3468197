"""Shared fixtures. Qt runs offscreen so the suite needs no display.

Hypothesis profiles (loaded here, before any test module is imported, because a test's
``@settings`` take their unspecified values from the profile active at that moment):

* ``ci``, loaded when ``CI`` is set (CI runs with ``CI=true``): derandomised, so every CI
  run tries the same examples and a failure found once is found again; no deadline and
  no too-slow health check, so a slow machine cannot fail a run. (Recent Hypothesis has a
  built-in ``ci`` profile with these values; registering it here holds for every version
  pyproject allows.)
* ``deep``, loaded with ``HYPOTHESIS_PROFILE=deep``: a deliberate long search, random,
  at least 1000 examples per property and ten times each test's own ``max_examples``.
* otherwise Hypothesis's defaults (random, with the local ``.hypothesis/`` database).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from annotator.corpus import RawDocument  # noqa: E402
from annotator.ingest import import_documents  # noqa: E402
from annotator.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def running_in_ci() -> bool:
    """True under CI (``CI=true``, as CI services and ``.ci/run`` set it)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


DEEP_MIN_EXAMPLES = 1000
DEEP_FACTOR = 10
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "deep",
    max_examples=DEEP_MIN_EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "")
if HYPOTHESIS_PROFILE in ("ci", "deep"):
    settings.load_profile(HYPOTHESIS_PROFILE)
elif running_in_ci():
    settings.load_profile("ci")


def pytest_collection_modifyitems(config, items):
    """Under the deep profile, raise each property test's own ``max_examples`` too (a
    test's explicit value would otherwise win over the profile's)."""
    chosen = config.getoption("hypothesis_profile", None) or HYPOTHESIS_PROFILE
    if chosen != "deep":
        return
    for item in items:
        test = getattr(item, "obj", None)
        test = getattr(test, "__func__", test)
        own = getattr(test, "_hypothesis_internal_use_settings", None)  # set by @given
        if own is not None and getattr(test, "is_hypothesis_test", False):
            n = max(DEEP_MIN_EXAMPLES, own.max_examples * DEEP_FACTOR)
            test._hypothesis_internal_use_settings = settings(own, max_examples=n)


@pytest.fixture
def store(tmp_path):
    """A fresh database with the default scheme and no documents."""
    s = Store(tmp_path / "labels.db")
    yield s
    s.close()


@pytest.fixture
def make_doc(store):
    """Add a text to ``store`` and return its document id."""

    def add(text: str, **meta) -> int:
        report = import_documents(store, [RawDocument(text, "test", meta)])
        return (report.added or [store.document_by_hash(RawDocument(text, "").sha256).id])[0]

    return add


@pytest.fixture
def immutable():
    """``chattr +i``: what makes a file or folder read-only for root too (chmod does not).
    Call it with a path; undone at the end so the folder can be removed. Skips where the
    file system has no immutable flag."""
    done: list[Path] = []

    def make(path: Path) -> None:
        res = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if res.returncode != 0:
            pytest.skip(f"chattr +i is not available here: {res.stderr!r}")
        done.append(path)
        assert not os.access(path, os.W_OK)

    yield make
    for path in reversed(done):
        subprocess.run(["chattr", "-i", str(path)], check=False)


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    """Another process holds the database's write lock (``BEGIN IMMEDIATE``) until the
    block ends, then commits."""
    holder = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "print('locked', flush=True)\n"
        "sys.stdin.readline()\n"
        "c.execute('COMMIT')\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield
    finally:
        proc.communicate("go\n", timeout=30)
