"""The coder name rule in the window: the prompt refuses with the reason and stays open;
a bad ``--annotator`` is one line in a message box. Driven with real key events."""

from __future__ import annotations

import shutil

import pytest
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
        ("source:patterns", "coder name 'source:patterns' begins with 'source:'"),
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
        (
            "source:model",  # the command line lets it through: it may be a coder already
            "--annotator: coder name 'source:model' begins with 'source:', which names a"
            " suggestion source in agreement reports",
        ),
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


# -- the coder per database ------------------------------------------------------------


class Prompts:
    """Answers the coder prompt with real keys, recording what each prompt said; with no
    answers left, a prompt is cancelled (Esc) and recorded, so an unwanted one fails."""

    def __init__(self, qtbot, answers=()):
        self.qtbot = qtbot
        self.answers = list(answers)
        self.seen: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def _poll(self) -> None:
        dlg = QApplication.activeModalWidget()
        if dlg is None or dlg.findChild(QLineEdit) is None or not dlg.isVisible():
            return
        if dlg in getattr(self, "_done", ()):
            return
        self._done = [*getattr(self, "_done", []), dlg]
        self.seen.append(prompt_text(dlg))
        if self.answers:
            type_name(self.qtbot, dlg, self.answers.pop(0))
        else:
            self.qtbot.keyClick(dlg.findChild(QLineEdit), K.Key_Escape)

    def stop(self) -> None:
        self.timer.stop()


def open_as(qtbot, path, coder=None, answers=()):
    """main_window on ``path`` (real settings file of the test): (window, prompts seen)."""
    from annotator.gui import main_window

    prompts = Prompts(qtbot, answers)
    try:
        w = main_window(path, coder, settings=QSettings())
    finally:
        prompts.stop()
    qtbot.addWidget(w)
    return w, prompts.seen


def close(w) -> None:
    w.close()
    w.store.close()


def highlighted(w) -> bool:
    return bool(w.coder_button.property("coderChanged")) and "fde68a" in (
        w.coder_button.styleSheet()
    )


@pytest.fixture
def two_dbs(db, tmp_path):
    """ana's own database (no coders yet) and the lead's project database (coder 'lead')."""
    from annotator.store import Store

    own = tmp_path / "ana.db"
    shutil.copy(db, own)
    project = tmp_path / "project.db"
    shutil.copy(db, project)
    with Store(project) as s:
        s.add_coder("lead")
    return own, project


def test_the_coder_is_remembered_per_database(qtbot, two_dbs):
    own, project = two_dbs
    w, seen = open_as(qtbot, own, answers=["ana"])
    assert w.coder == "ana" and len(seen) == 1
    assert not highlighted(w)  # the first start: nothing to compare with
    close(w)
    # The lead's database has another coder and none remembered for it: it asks,
    # listing its coders, instead of going straight in as ana.
    w, seen = open_as(qtbot, project, answers=["lead"])
    assert len(seen) == 1 and "Known coders: lead" in seen[0]
    assert w.coder == "lead" and "ana" not in w.store.coders()
    # Not the last session's coder: said in the status bar, the button highlighted.
    assert "Coding as lead in project.db, not ana as last time" in w.statusBar().currentMessage()
    assert highlighted(w) and "lead" in w.coder_button.text()
    w.coder_menu.aboutToShow.emit()  # the coder opened the Coder menu: seen
    assert not highlighted(w)
    close(w)
    # Each database opens as its own coder without asking again.
    w, seen = open_as(qtbot, own)
    assert w.coder == "ana" and seen == [] and highlighted(w)
    close(w)
    w, seen = open_as(qtbot, project)
    assert w.coder == "lead" and seen == []
    close(w)
    w, seen = open_as(qtbot, project)
    assert w.coder == "lead" and not highlighted(w)  # the same as last time: calm
    close(w)
    # --annotator still wins (and is remembered for that database).
    w, seen = open_as(qtbot, project, coder="ana")
    assert w.coder == "ana" and seen == [] and highlighted(w)
    close(w)
    w, seen = open_as(qtbot, project)
    assert w.coder == "ana" and seen == []
    close(w)


def test_a_source_named_coder_from_before_the_rule_is_remembered_too(qtbot, db, tmp_path):
    """A database from before ``source:NAME`` was refused for new coders may hold such a
    coder: their window opens as them again without asking each time."""
    import sqlite3
    from contextlib import closing

    old = tmp_path / "old.db"
    shutil.copy(db, old)
    with closing(sqlite3.connect(old)) as conn, conn:
        conn.execute("INSERT INTO annotators (name, created_at) VALUES ('source:x', '')")
        conn.execute("INSERT INTO annotators (name, created_at) VALUES ('ben', '')")
    w, seen = open_as(qtbot, old, coder="source:x")
    assert w.coder == "source:x" and seen == []
    close(w)
    w, seen = open_as(qtbot, old)
    assert w.coder == "source:x" and seen == []
    close(w)


def test_a_database_with_only_the_last_coder_or_none_does_not_ask(qtbot, db, tmp_path):
    from annotator.store import Store

    QSettings().setValue("coder/name", "ana")
    fresh = tmp_path / "fresh.db"
    shutil.copy(db, fresh)
    w, seen = open_as(qtbot, fresh)
    assert w.coder == "ana" and seen == []
    close(w)
    others = tmp_path / "others.db"
    shutil.copy(db, others)
    with Store(others) as s:
        s.add_coder("ben")
    w, seen = open_as(qtbot, others, answers=["ana"])  # asked: ben codes here
    assert w.coder == "ana" and len(seen) == 1 and "Known coders: ben" in seen[0]
    close(w)


def test_opening_another_database_in_the_window_uses_its_coder(qtbot, two_dbs):
    own, project = two_dbs
    w, _ = open_as(qtbot, own, coder="ana")
    try:
        prompts = Prompts(qtbot)  # cancels: the database stays as it was
        assert not w.switch_database(project)
        prompts.stop()
        assert len(prompts.seen) == 1 and w.store.path == own and w.coder == "ana"
        prompts = Prompts(qtbot, ["lead"])
        assert w.switch_database(project)
        prompts.stop()
        assert w.coder == "lead" and w.store.path == project and highlighted(w)
        assert "lead" in w.coder_label.text()
        prompts = Prompts(qtbot)
        assert w.switch_database(own)  # remembered: no prompt
        assert w.switch_database(project)
        prompts.stop()
        assert prompts.seen == [] and w.coder == "lead"
    finally:
        close(w)
