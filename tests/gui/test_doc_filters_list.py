"""Issue 14: the article list's Filters popup (label has / has not, mine or anyone's; a
document field's value or "not set"; coded by; full text), the count line, "Clear
filters", the coder's queue with a filter, and a malformed query said in one line.
Real database files, real key presses and clicks."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QToolButton

from annotator.gui.document_list import COL_POS, COL_TITLE
from annotator.store import Store

K, M = Qt.Key, Qt.KeyboardModifier
SEEDS = [
    "Is a New Alliance Emerging with North Korea, Iran, and China Supporting Russia’s War?",
    "Cracks in the New ‘Axis of Evil’: China, Russia, North Korea, Iran",
    "The Shifting Dynamics of Global Alliances: A New Coalition Emerges",
    "North Korea-Russia Military Ties: Potential Burden for China",
    "Nuclear Alliance: China, Russia, and North Korea Towards “The Holy Resolve”",
]
ALL = ["Simple", "Emoji", *SEEDS]


def titles(w) -> list[str]:
    proxy = w.doc_list.proxy
    return [proxy.index(r, COL_TITLE).data() for r in range(proxy.rowCount())]


def open_popup(qtbot, w):
    qtbot.keyClick(w.view, K.Key_L, M.ControlModifier | M.ShiftModifier)
    panel = w.doc_list.filter_panel
    assert panel is not None
    qtbot.waitUntil(panel.isVisible, timeout=2000)
    return panel


def choose(qtbot, box, text: str) -> None:
    """Pick ``text`` in a closed combo box with the arrow keys, as a keyboard user does."""
    box.setFocus()
    qtbot.keyClick(box, K.Key_Home)
    for _ in range(box.count()):
        if box.currentText() == text:
            return
        qtbot.keyClick(box, K.Key_Down)
    assert box.currentText() == text, [box.itemText(i) for i in range(box.count())]


def count_line(w) -> str:
    label = w.doc_list.findChild(QLabel, "filterCount")
    assert label is not None and label.isVisible()
    return label.text()


def query(qtbot, panel, text: str) -> None:
    panel.text.setFocus()
    panel.text.selectAll()
    qtbot.keyClicks(panel.text, text)
    qtbot.keyClick(panel.text, K.Key_Return)


def test_the_label_filter_mine_and_anyones_and_has_not(qtbot, open_window, db, doc_ids):
    with Store(db) as s:
        s.add_span(doc_ids["Simple"], "alice", 4, 9, "alarmist")
        s.add_span(doc_ids["Emoji"], "bob", 0, 5, "alarmist")
        s.add_span(doc_ids["Emoji"], "alice", 0, 5, "policy_prescription")
    w = open_window("alice")
    w.open_document(doc_ids["Simple"])
    assert w.doc_list.findChild(QLabel, "filterCount") is None  # nothing filtered yet
    panel = open_popup(qtbot, w)
    choose(qtbot, panel.label, "alarmist")
    assert titles(w) == ["Simple"]
    assert count_line(w) == "1 of 7 articles"
    choose(qtbot, panel.label_whose, "anyone's")
    assert titles(w) == ["Simple", "Emoji"]
    assert count_line(w) == "2 of 7 articles"
    choose(qtbot, panel.has_label, "has not")
    # nobody labelled the seeds alarmist; the open article stays listed, not counted
    assert titles(w) == ["Simple", *SEEDS]
    assert count_line(w) == "5 of 7 articles"
    assert w.doc_list.filters_button.text() == "Filters · 1"
    qtbot.keyClick(panel.has_label, K.Key_Escape)  # Esc closes the popup
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=2000)
    w.open_document(doc_ids[SEEDS[0]])  # another article: the open one that fails goes
    assert titles(w) == SEEDS
    assert count_line(w) == "5 of 7 articles"


def test_the_field_filter_value_and_not_set(qtbot, open_window, db, doc_ids):
    with Store(db) as s:
        s.set_doc_label(doc_ids["Emoji"], "alice", "dominant_frame", "none")
        s.set_doc_label(doc_ids[SEEDS[1]], "bob", "dominant_frame", "alarmist")
        s.set_doc_label(doc_ids[SEEDS[2]], "bob", "frames_present", ["alarmist", "none"][:1])
    w = open_window("alice")
    w.open_document(doc_ids["Emoji"])
    panel = open_popup(qtbot, w)
    assert not panel.value.isEnabled()
    choose(qtbot, panel.field, "dominant_frame")
    choose(qtbot, panel.value, "= none")
    assert titles(w) == ["Emoji"]
    choose(qtbot, panel.value, "= alarmist")
    choose(qtbot, panel.field_whose, "anyone's")
    assert titles(w) == ["Emoji", SEEDS[1]]  # Emoji: open, kept listed
    assert count_line(w) == "1 of 7 articles"
    choose(qtbot, panel.value, "not set")  # nobody set it (Emoji: alice did; open)
    assert titles(w) == ["Simple", "Emoji", SEEDS[0], SEEDS[2], SEEDS[3], SEEDS[4]]
    assert count_line(w) == "5 of 7 articles"
    choose(qtbot, panel.field_whose, "mine")
    assert titles(w) == ["Simple", "Emoji", *SEEDS]  # Emoji is open
    assert count_line(w) == "6 of 7 articles"
    choose(qtbot, panel.field, "frames_present")
    choose(qtbot, panel.value, "= alarmist")
    choose(qtbot, panel.field_whose, "anyone's")
    assert titles(w) == ["Emoji", SEEDS[2]]


def test_coded_by_and_text_combine_then_clear_filters(qtbot, open_window, db, doc_ids):
    with Store(db) as s:
        s.set_status(doc_ids[SEEDS[0]], "bob", "done")
        s.set_memo(doc_ids[SEEDS[3]], "bob", "a burden?")
        s.add_span(doc_ids["Simple"], "bob", 4, 9, "alarmist")
    w = open_window("alice")
    w.open_document(doc_ids["Simple"])
    panel = open_popup(qtbot, w)
    choose(qtbot, panel.coded_by, "bob")
    assert titles(w) == ["Simple", SEEDS[0]]  # a memo alone (SEEDS[3]) is not coding
    query(qtbot, panel, "Iran")
    assert titles(w) == ["Simple", SEEDS[0]]  # Simple: open, kept
    assert count_line(w) == "1 of 7 articles"
    assert w.doc_list.filters_button.text() == "Filters · 2"
    choose(qtbot, panel.coded_by, "anyone")
    assert titles(w) == ["Simple", *SEEDS[:3]]  # "Iran" is in the first three seeds
    # the title box still filters as before, on top
    qtbot.keyClick(panel, K.Key_Escape)
    qtbot.keyClicks(w.doc_list.filter, "cracks")
    assert titles(w) == [SEEDS[1]]
    assert count_line(w) == "1 of 7 articles"
    clear = w.doc_list.findChild(QToolButton, "clearFilters")
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert titles(w) == ALL
    assert w.doc_list.filter.text() == "" and w.doc_list.conditions == {}
    assert not w.doc_list.summary.isVisible()
    assert w.doc_list.filters_button.text() == "Filters"
    assert panel.coded_by.currentText() == "anyone" and panel.text.text() == ""


def test_a_malformed_query_is_one_line_under_the_filter(qtbot, open_window, doc_ids):
    w = open_window("alice")
    panel = open_popup(qtbot, w)
    choose(qtbot, panel.label, "alarmist")
    query(qtbot, panel, '"axis of')
    error = panel.findChild(QLabel, "filterQueryError")
    qtbot.waitUntil(error.isVisible, timeout=2000)
    assert error.text().startswith("search query '\"axis of'") and "\n" not in error.text()
    listed = w.doc_list.findChild(QLabel, "filterError")
    assert listed.isVisible() and listed.text() == error.text()
    open_id = w.current_document_id()
    assert titles(w) == [w.doc.title]  # the label condition still applies; nobody has it
    assert count_line(w) == "0 of 7 articles" and open_id is not None
    query(qtbot, panel, "fox")  # corrected: the line goes
    assert not error.isVisible() and not listed.isVisible()
    assert w.doc_list.filter_error == ""


def test_queue_mode_with_a_filter_keeps_the_real_positions(qtbot, open_window, db, doc_ids):
    queue = [doc_ids[SEEDS[4]], doc_ids["Simple"], doc_ids["Emoji"], doc_ids[SEEDS[0]]]
    with Store(db) as s:
        s.create_round("main", 1, {"coders": ["alice"]})
        s.add_assignments("main", [("alice", d, False, i) for i, d in enumerate(queue, 1)])
        s.add_span(doc_ids["Emoji"], "alice", 0, 5, "alarmist")
        s.add_span(doc_ids[SEEDS[1]], "alice", 0, 5, "alarmist")  # outside the queue
    w = open_window("alice")
    w.open_document(doc_ids["Emoji"])
    panel = open_popup(qtbot, w)
    choose(qtbot, panel.label, "alarmist")
    proxy = w.doc_list.proxy
    assert titles(w) == ["Emoji"]
    assert [proxy.index(r, COL_POS).data() for r in range(proxy.rowCount())] == ["3"]
    assert count_line(w) == "1 of 4 articles"  # of the queue
    qtbot.keyClick(panel, K.Key_Escape)
    box = w.doc_list.show_all
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert titles(w) == ["Emoji", SEEDS[1]]
    assert [proxy.index(r, COL_POS).data() for r in range(proxy.rowCount())] == ["3", ""]
    assert count_line(w) == "2 of 7 articles"


def test_filters_follow_edits_survive_articles_and_go_with_the_database(
    qtbot, open_window, template_db, doc_ids, tmp_path
):
    w = open_window("alice")
    w.open_document(doc_ids["Simple"])
    panel = open_popup(qtbot, w)
    choose(qtbot, panel.label, "alarmist")
    choose(qtbot, panel.has_label, "has not")
    qtbot.keyClick(panel, K.Key_Escape)
    assert titles(w) == ALL and count_line(w) == "7 of 7 articles"
    # label the open article with its key: it stays listed while open, goes after
    w.view.setFocus()
    w.view.select_cp(4, 9)  # "quick"
    qtbot.keyClick(w.view, K.Key_1)
    qtbot.waitUntil(lambda: count_line(w) == "6 of 7 articles", timeout=3000)
    assert titles(w) == ALL
    w.open_document(doc_ids["Emoji"])
    assert titles(w) == ["Emoji", *SEEDS]
    assert w.doc_list.conditions["label"] == "alarmist"  # survives switching articles
    other = tmp_path / "other.db"
    shutil.copy(template_db, other)
    assert w.switch_database(other)
    assert w.doc_list.conditions == {} and titles(w) == ALL
    assert not w.doc_list.summary.isVisible()
    assert panel.label.currentText() == "any label"


def test_the_popup_s_status_is_the_list_s_and_a_typed_query_runs_after_a_pause(
    qtbot, open_window, db, doc_ids
):
    with Store(db) as s:
        s.set_status(doc_ids["Emoji"], "alice", "done")
        s.set_status(doc_ids[SEEDS[2]], "alice", "done")
    w = open_window("alice")
    w.open_document(doc_ids["Emoji"])
    panel = open_popup(qtbot, w)
    assert panel.focusWidget() is panel.label  # the keys start at the first condition
    choose(qtbot, panel.status, "Done")
    assert w.doc_list.state.currentText() == "Done"  # one status, in both places
    assert titles(w) == ["Emoji", SEEDS[2]]
    assert count_line(w) == "2 of 7 articles"
    panel.text.setFocus()
    qtbot.keyClicks(panel.text, "shifting")  # no Enter: it runs once typing pauses
    assert titles(w) == ["Emoji", SEEDS[2]]
    qtbot.waitUntil(
        lambda: titles(w) == ["Emoji", SEEDS[2]] and count_line(w) == "1 of 7 articles",
        timeout=3000,
    )
    w.doc_list.state.setCurrentIndex(0)  # "All" above the list: the popup follows
    assert panel.status.currentText() == "All"
    assert titles(w) == ["Emoji", SEEDS[0], SEEDS[2]]  # "shifting" is in the text of both
    assert count_line(w) == "2 of 7 articles"
    close = panel.findChild(QPushButton, "filterClose")
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not panel.isVisible() and w.doc_list.view.hasFocus()
