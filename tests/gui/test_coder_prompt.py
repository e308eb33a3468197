"""The coder name rule in the window: the prompt refuses with the reason and stays open;
a bad ``--annotator`` is one line in a message box. Driven with real key events."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox

K = Qt.Key


def prompt_text(dlg) -> str:
    """What the prompt shows (plain text: a refused name may hold a tag)."""
    [label] = [lab for lab in dlg.findChildren(QLabel) if lab.isVisible()]
    assert label.textFormat() == Qt.TextFormat.PlainText
    return label.text()


def is_accepted(dlg) -> bool:
    return dlg.result() == 1


def type_name(qtbot, dlg, name: str) -> None:
    edit = dlg.findChild(QLineEdit)
    qtbot.keyClick(edit, K.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, K.Key_Backspace)
    qtbot.keyClicks(edit, name)
    qtbot.keyClick(edit, K.Key_Return)


def test_the_prompt_refuses_reserved_and_bad_names_and_stays_open(qtbot):
    from annotator.gui.coder import CoderNameDialog

    dlg = CoderNameDialog(None, ["ana"])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    for name, reason in (
        ("gold", "coder name 'gold' is reserved (it names the adjudicated layer)"),
        ("unlabelled", "coder name 'unlabelled' is reserved"),
        ("<b>a</b>|b", "coder name '<b>a</b>|b' contains '|'"),
        (" ana", "begins or ends with whitespace"),
    ):
        type_name(qtbot, dlg, name)
        assert dlg.isVisible(), name  # still asking
        assert getattr(dlg, "name", None) is None
        shown = prompt_text(dlg)
        assert reason in shown and "Known coders: ana" in shown, shown
    type_name(qtbot, dlg, "zoe")
    assert not dlg.isVisible() and is_accepted(dlg)
    assert dlg.name == "zoe"


def test_the_first_start_asks_again_after_a_reserved_name(qtbot, db):
    """main_window without a coder: the prompt (modal, real keys) refuses 'unlabelled'
    with the reason, then takes a good name; the window opens with it."""
    from annotator.gui import main_window

    seen: list[str] = []

    def answer(names: list[str]) -> None:
        dlg = QApplication.activeModalWidget()
        if dlg is None or dlg.findChild(QLineEdit) is None:
            QTimer.singleShot(20, lambda: answer(names))
            return
        if seen:
            seen.append(prompt_text(dlg))
        else:
            seen.append("asked")
        type_name(qtbot, dlg, names[0])
        if names[1:]:
            QTimer.singleShot(20, lambda: answer(names[1:]))

    QTimer.singleShot(0, lambda: answer(["unlabelled", "carol"]))
    w = main_window(db, None, settings=QSettings())
    qtbot.addWidget(w)
    try:
        assert w.coder == "carol"
        assert "reserved" in seen[1]
        assert "unlabelled" not in w.store.coders()
        assert QSettings().value("coder/name") == "carol"
    finally:
        w.close()
        w.store.close()


def test_a_bad_coder_at_start_is_one_line_in_a_message_box(qtbot, db, capfd):
    from annotator.gui.app import run

    for name, reason in (
        ("gold", "--annotator: coder name 'gold' is reserved (it names the adjudicated layer)"),
        ("<b>x</b>|y", "--annotator: coder name '<b>x</b>|y' contains '|'"),
    ):
        seen: dict = {}

        def read_and_close(seen: dict = seen) -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(20, read_and_close)
                return
            label = box.findChild(QLabel, "qt_msgbox_label")
            seen["format"] = label.textFormat()
            seen["text"] = label.text()
            box.accept()

        QTimer.singleShot(0, read_and_close)
        assert run(db, name) == 1
        assert seen["format"] == Qt.TextFormat.PlainText  # the name is data, not HTML
        assert seen["text"] == reason
        assert "\n" not in seen["text"]
    assert "Traceback" not in capfd.readouterr().err
