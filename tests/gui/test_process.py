"""Tests that need a separate process: durability under SIGKILL, lazy spaCy import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.store import Store

HERE = Path(__file__).resolve().parent
N = 12


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_session_loses_nothing(db, doc_ids, tmp_path):
    doc = doc_ids["Simple"]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "kill_helper.py"), str(db), str(doc), str(tmp_path / "s")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    labelled = []
    try:
        for line in proc.stdout:
            if line.startswith("labelled"):
                _, n, s, e = line.split()
                labelled.append((int(s), int(e)))
                if int(n) == N:
                    break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert len(labelled) == N
    with Store(db) as store:
        stored = {(s.start, s.end) for s in store.spans(doc, "killme")}
    assert set(labelled) <= stored
    assert len(stored) in (N, N + 1)  # the one after the N-th may have made it too


def test_window_does_not_import_spacy_when_tokens_are_stored(db):
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtCore import QSettings\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "QSettings.setDefaultFormat(QSettings.Format.IniFormat)\n"
        f"QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, {str(db.parent / 'q')!r})\n"
        "from annotator.gui import main_window\n"
        f"w = main_window({str(db)!r}, 'alice', settings=QSettings())\n"
        "w.show()\n"
        "for _ in range(20): app.processEvents()\n"
        "w.view.tokenization()\n"
        "w.view.select_sentence()\n"
        "print('spacy' in sys.modules, any(m.startswith('spacy') for m in sys.modules))\n"
        "w.close()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False False"
