"""Real mouse and key events for the article view (imported by the GUI tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

SIMPLE = (
    "The quick brown fox jumps over the lazy dog. It was not amused at all.\n\n"
    "A second paragraph follows here. It has two sentences."
)
# Characters outside the BMP (two UTF-16 units each) before the spans, a no-break
# space and a line separator (which QTextDocument.toPlainText() would change).
EMOJI = "Smile 😀😀 please, 🇺🇦 now.\nThe 🎉 party\u00a0friend waits\u2028🐍 here for the anaconda."


def point_at(view, cp: int) -> QPoint:
    """Viewport point of the caret before code point ``cp``."""
    c = QTextCursor(view.document())
    c.setPosition(view.offsets.to_utf16(cp))
    return view.cursorRect(c).center()


def point_on_char(view, cp: int) -> QPoint:
    """Viewport point in the middle of the character at code point ``cp``."""
    a, b = point_at(view, cp), point_at(view, cp + 1)
    if b.y() != a.y():  # last character of a line
        return QPoint(a.x() + 3, a.y())
    return QPoint((a.x() + b.x()) // 2, a.y())


def drag_select(
    qtbot, view, start_pt: QPoint, end_pt: QPoint, modifier=Qt.KeyboardModifier.NoModifier
):
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, modifier, start_pt)
    mid = QPoint((start_pt.x() + end_pt.x()) // 2, (start_pt.y() + end_pt.y()) // 2)
    qtbot.mouseMove(vp, mid)
    qtbot.mouseMove(vp, end_pt)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, modifier, end_pt)


def click_char(qtbot, view, cp: int) -> None:
    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        point_on_char(view, cp),
    )


def click_button(qtbot, button) -> None:
    """Click a check box or radio button on its indicator."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def run_cli(db: Path, *args: str) -> str:
    """``annotator --db DB ARGS`` run by another process (this tree's package); its
    output. It must succeed."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), *args],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return out.stdout


def correct_in_another_process(db: Path, doc_id: int, new_text: str, folder: Path) -> None:
    """``annotator import --update`` run by another process: the document's text becomes
    ``new_text`` (a file named as its source, written in ``folder``)."""
    from annotator.store import Store

    with Store(db) as s:
        source = s.document(doc_id).source
    corrected = folder / source.replace("\\", "/").rsplit("/", 1)[-1]
    corrected.write_text(new_text, encoding="utf-8")
    run_cli(db, "import", "--update", str(corrected))
