"""What the issue-11 refactor broke outside the package and its tests (found in review)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_switch_benchmark_still_runs_against_the_window():
    """bench/switch.py stopped the window's token preload through ``w._preload``, which
    moved to the Navigator (``w.navigator.preload``): the benchmark died with an
    AttributeError after its first switch to the large article."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "switch.py"), "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "switch to the 1 MB article" in out.stdout
