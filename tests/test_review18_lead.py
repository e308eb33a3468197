"""Review of the lead's commits of stop 18 (merge of odd inputs, import-labels of the
CSV export): real files, real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from annotator.store import Store

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_merge_of_an_empty_file_says_it_is_empty_not_that_there_is_no_such_database(tmp_path):
    Store(tmp_path / "labels.db").close()
    (tmp_path / "ana.db").write_bytes(b"")  # a coder's file that never got written
    res = _cli("--db", "labels.db", "merge", "ana.db", cwd=tmp_path)
    assert res.returncode == 1
    assert res.stderr.strip() == "Error: ana.db: an empty file, not a database"
    assert (tmp_path / "ana.db").read_bytes() == b""  # left as it was
    # a missing file is still one
    res = _cli("--db", "labels.db", "merge", "none.db", cwd=tmp_path)
    assert res.returncode == 1 and res.stderr.strip() == "Error: none.db: no such database"
