"""A coder's pack opened in the window (issue 13): it codes as the coder it was packed
for without asking (``--annotator`` wins), also through File → Open database; switching
to another coder asks first. A pack here is what ``annotator pack`` writes: a database
whose file settings name the coder and the round, its assignments without reliability
flags. Real files, real modal boxes answered with real key events."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from annotator.store import PACK_CODER, PACK_ROUND, Store

K = Qt.Key


def make_pack(path, ids, coder="ana", others=("ben",)):
    """Turn the database at ``path`` into a pack for ``coder``: round main with their
    queue (no reliability flags), the pack settings, and other coders known to it."""
    with Store(path) as s:
        for name in others:
            s.add_coder(name)
        s.create_round("main", 3, {})
        s.add_assignments("main", [(coder, d, None, p) for p, d in enumerate(ids, 1)])
        s.set_setting(PACK_CODER, coder)
        s.set_setting(PACK_ROUND, "main")


class Modals:
    """Watches for modal windows: each is recorded (its text) and answered with a real
    key from ``keys`` in order (Esc when none is left, so an unwanted one fails a test
    instead of hanging it)."""

    def __init__(self, qtbot, keys=()):
        self.qtbot = qtbot
        self.keys = list(keys)
        self.seen: list[str] = []
        self._answered: list = []
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def _poll(self) -> None:
        box = QApplication.activeModalWidget()
        if box is None or not box.isVisible() or box in self._answered:
            return
        self._answered.append(box)
        labels = [lab.text() for lab in box.findChildren(QLabel) if lab.isVisible()]
        self.seen.append(" | ".join(t for t in labels if t))
        if isinstance(box, QMessageBox):
            label = box.findChild(QLabel, "qt_msgbox_label")
            assert label.textFormat() == Qt.TextFormat.PlainText
        key = self.keys.pop(0) if self.keys else K.Key_Escape
        self.qtbot.keyClick(box.focusWidget() or box, key)

    def stop(self) -> None:
        self.timer.stop()


def open_main(qtbot, path, coder=None):
    from annotator.gui import main_window

    w = main_window(path, coder, settings=QSettings())
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.panel_ready, timeout=5000)
    return w


def test_a_pack_opens_as_its_coder_without_asking(qtbot, db, doc_ids):
    ids = sorted(set(doc_ids.values()))
    make_pack(db, [ids[2], ids[0]])
    QSettings().setValue("coder/name", "ben")  # the last session's coder elsewhere
    modals = Modals(qtbot)
    try:
        w = open_main(qtbot, db)
        assert modals.seen == []  # no prompt, though the file knows ana and ben
        assert w.coder == "ana"
        assert w.navigator.visible_ids() == [ids[2], ids[0]]  # her queue
        assert w.doc_list.queue_label.text() == "Round main · 0 of 2 done"
        w.close()
        w.store.close()
        w = open_main(qtbot, db, "ben")  # --annotator wins
        assert modals.seen == [] and w.coder == "ben"
        assert w.doc_list.queue_header is None  # ben has nothing assigned here
        w.close()
        w.store.close()
        w = open_main(qtbot, db)  # and the next start is ana again, not ben remembered
        assert modals.seen == [] and w.coder == "ana"
        w.close()
        w.store.close()
    finally:
        modals.stop()


def test_switching_coder_in_a_pack_asks_once(qtbot, db, doc_ids, tmp_path):
    ids = sorted(set(doc_ids.values()))
    make_pack(db, [ids[1], ids[3]])
    w = open_main(qtbot, db)
    assert w.coder == "ana"
    w.refresh_coder_menu()
    ben = next(a for a in w.coder_menu.actions() if a.objectName() == "coder_ben")
    modals = Modals(qtbot, [K.Key_Escape])  # the first time: cancelled
    try:
        ben.trigger()  # Coder → ben
        assert modals.seen == ["This file was packed for ana. Code as ben?"]
        assert w.coder == "ana"
        modals.keys = [K.Key_Y]  # Yes
        w.refresh_coder_menu()
        ben = next(a for a in w.coder_menu.actions() if a.objectName() == "coder_ben")
        ben.trigger()
        assert len(modals.seen) == 2 and w.coder == "ben"
        assert w.doc_list.queue_header.isHidden()  # ben's (empty) queue: the whole list
        w.switch_coder("ana")  # back to the pack's coder: no question
        assert len(modals.seen) == 2 and w.coder == "ana"
        assert w.navigator.visible_ids() == [ids[1], ids[3]]
    finally:
        modals.stop()
        w.close()
        w.store.close()


def test_a_pack_opened_with_file_open_codes_as_its_coder(qtbot, db, doc_ids, tmp_path):
    ids = sorted(set(doc_ids.values()))
    pack = tmp_path / "ana.db"
    shutil.copy(db, pack)
    make_pack(pack, [ids[4], ids[2], ids[0]])
    w = open_main(qtbot, db, "carol")
    modals = Modals(qtbot)
    try:
        assert w.switch_database(pack)  # File → Open database's own step
        assert modals.seen == []  # not asked who codes, though ana and ben are known
        assert w.coder == "ana"
        assert w.navigator.visible_ids() == [ids[4], ids[2], ids[0]]
        assert w.doc.id == ids[4]
        assert w.coder_label.text() == "Coder: ana · round main"
    finally:
        modals.stop()
        w.close()
        w.store.close()


def test_a_file_that_is_no_pack_asks_as_before(qtbot, db, doc_ids):
    with Store(db) as s:
        s.add_coder("ana")
        s.add_coder("ben")
    modals = Modals(qtbot, [K.Key_Escape])  # the prompt is cancelled: no window
    try:
        from annotator.errors import AnnotatorError
        from annotator.gui import main_window

        try:
            main_window(db, None, settings=QSettings())
        except AnnotatorError as e:
            assert str(e) == "no coder name given"
        else:
            raise AssertionError("the window opened without asking")
        assert len(modals.seen) == 1 and "Known coders: ana, ben" in modals.seen[0]
    finally:
        modals.stop()
