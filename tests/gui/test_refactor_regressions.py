"""What the issue-11 refactor broke outside the package and its tests (found in review)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_the_command_line_hands_a_new_seeded_database_to_the_window_and_closes_it(
    qtbot, tmp_path, monkeypatch
):
    """``annotator --db NEW.db`` (the real command, in this process) in a folder with
    ``seeds/``: the database is created and seeded once, the window codes on that very
    connection, and it is closed when the command ends."""
    import sqlite3

    from click.testing import CliRunner
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from annotator.cli import cli

    (tmp_path / "seeds").mkdir()
    for i, text in enumerate(("First seed article. It is short.", "Second seed article.")):
        (tmp_path / "seeds" / f"{i}.txt").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    seen: dict = {}

    def look_and_close() -> None:
        wins = [
            x
            for x in QApplication.topLevelWidgets()
            if x.objectName() == "mainWindow" and x.isVisible()  # not an earlier test's
        ]
        if not wins:
            QTimer.singleShot(20, look_and_close)
            return
        w = wins[0]
        seen["store"] = w.store
        seen["state"] = (w.store.readonly, w.store.document_count(), w.coder)
        seen["coders"] = w.store.coders()
        w.close()

    QTimer.singleShot(0, look_and_close)
    res = CliRunner().invoke(cli, ["--db", "new.db", "--annotator", "alice"])
    assert res.exit_code == 0, res.output
    assert seen["state"] == (False, 2, "alice")
    assert seen["coders"] == ["alice"]
    with pytest.raises(sqlite3.ProgrammingError):  # closed when the command ends
        seen["store"].conn.execute("SELECT 1")
