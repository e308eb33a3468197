"""The adjudication review window, driven with real key and mouse events.

Three coders (ana, ben, cy) with agreeing, partial and conflicting spans and fields;
every gold change is read back through a separate Store on the same file.
"""

from __future__ import annotations

import shutil

import pytest
from gui_helpers import EMOJI, drag_select, point_at, point_on_char
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from annotator.corpus import RawDocument
from annotator.gui.review_rejections import key_text
from annotator.ingest import import_documents
from annotator.store import GOLD, Store

K = Qt.Key
M = Qt.KeyboardModifier

TEXT = (
    "Kim Jong Un arrived in Moscow on Tuesday. Analysts warn the alliance could trigger"
    " a new arms race in Asia. Yet the partnership looks shaky: Beijing keeps its distance"
    " and mistrust runs deep. Washington must answer with tighter sanctions.\n\n"
    "Officials in Seoul said they were watching closely."
)
AGREED = "Officials in Seoul said they were watching closely."


def at(text: str, piece: str) -> tuple[int, int]:
    i = text.index(piece)
    return i, i + len(piece)


RACE = at(TEXT, "trigger a new arms race in Asia")  # all three: alarmist
SHAKY = at(TEXT, "Beijing keeps its distance")  # ana, ben: skeptical (partial)
MISTRUST = at(TEXT, "mistrust runs deep")  # ana: skeptical
AND_MISTRUST = at(TEXT, "and mistrust runs deep")  # cy: skeptical (other boundaries)
MUST = at(TEXT, "Washington must answer with tighter sanctions")  # ana, ben policy; cy alarmist

ALL = ("ana", "ben", "cy")


def label_doc(store: Store, d: int) -> None:
    for c in ALL:
        store.add_span(d, c, *RACE, "alarmist")
        store.set_doc_label(d, c, "frames_present", ["alarmist", "skeptical_of_alliance"])
    for c in ("ana", "ben"):
        store.add_span(d, c, *SHAKY, "skeptical_of_alliance")
        store.add_span(d, c, *MUST, "policy_prescription")
    store.add_span(d, "cy", *MUST, "alarmist")
    store.add_span(d, "ana", *MISTRUST, "skeptical_of_alliance")
    store.add_span(d, "cy", *AND_MISTRUST, "skeptical_of_alliance")
    store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
    store.set_doc_label(d, "ben", "dominant_frame", "alarmist")
    store.set_doc_label(d, "cy", "dominant_frame", "policy_prescription")


@pytest.fixture(scope="session")
def review_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("review") / "review.db"
    with Store(path) as s:
        docs = [
            RawDocument(AGREED, "agreed.txt", {"title": "Agreed"}),
            RawDocument(TEXT, "disputed.txt", {"title": "Disputed"}),
            RawDocument(EMOJI, "emoji.txt", {"title": "Emoji"}),
            RawDocument(TEXT + "\n\nA second copy.", "second.txt", {"title": "Second"}),
        ]
        import_documents(s, docs)
        ids = {d.title: d.id for d in s.list_documents()}
        for c in ALL:  # the first document: everyone agrees
            s.add_span(ids["Agreed"], c, 0, 18, "alarmist")
            s.set_doc_label(ids["Agreed"], c, "dominant_frame", "none")
        label_doc(s, ids["Disputed"])
        label_doc(s, ids["Second"])
        smile = EMOJI.index("party")
        s.add_span(ids["Emoji"], "ana", smile, smile + 5, "alarmist")
        s.add_span(ids["Emoji"], "ben", smile, smile + 5, "alarmist")
        s.add_span(ids["Emoji"], "ben", EMOJI.index("here"), EMOJI.index("here") + 4, "alarmist")
    return path


@pytest.fixture
def rdb(review_template, tmp_path):
    path = tmp_path / "review.db"
    shutil.copy(review_template, path)
    return path


@pytest.fixture
def ids(rdb):
    with Store(rdb) as s:
        return {d.title: d.id for d in s.list_documents()}


@pytest.fixture
def check(rdb):
    """A separate Store on the same file, to check what the window stored."""
    s = Store(rdb)
    yield s
    s.close()


@pytest.fixture
def review(qtbot, rdb):
    """``review(doc_id)`` -> a shown ReviewWindow on its own Store."""
    from annotator.gui.review import ReviewWindow

    made = []

    def make(doc_id=None, coders=None):
        store = Store(rdb)
        w = ReviewWindow(store, doc_id, coders)
        qtbot.addWidget(w)
        w.resize(1400, 850)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=2000)
        w.list.setFocus()
        made.append((w, store))
        return w

    yield make
    for w, store in made:
        w.close()
        store.close()


def gold_spans(s: Store, doc: int) -> dict[tuple[int, int, str], tuple[str, ...]]:
    src = s.gold_span_sources(doc)
    return {(g.start, g.end, g.label): src[g.id] for g in s.spans(doc, GOLD)}


def select(w, key) -> None:
    assert w.select_decision(key), key
    assert w.current_decision().key == key


def key(w, k, mods=M.NoModifier) -> None:
    from PySide6.QtTest import QTest

    QTest.keyClick(w.list, k, mods)


# -- the decisions --------------------------------------------------------------------


def test_decisions_classified_and_disagreements_first(review, ids):
    w = review(ids["Disputed"])
    rows = [(d.key, d.agreement, d.coders) for d in w.list.rows]
    spans = [r for r in rows if r[0][0] == "span"]
    assert (("span", *MUST, "alarmist"), "conflict", ("cy",)) in spans
    assert (("span", *MUST, "policy_prescription"), "conflict", ("ana", "ben")) in spans
    assert (("span", *MISTRUST, "skeptical_of_alliance"), "conflict", ("ana",)) in spans
    assert (("span", *SHAKY, "skeptical_of_alliance"), "partial", ("ana", "ben")) in spans
    assert (("span", *RACE, "alarmist"), "unanimous", ALL) in spans
    ranks = [{"conflict": 0, "partial": 1, "unanimous": 2}[a] for _, a, _ in rows]
    assert ranks == sorted(ranks)  # disagreements come first
    fields = {r[0]: r[1] for r in rows if r[0][0] == "field"}
    assert fields[("field", "dominant_frame", "alarmist")] == "conflict"
    assert fields[("field", "frames_present", ("alarmist", "skeptical_of_alliance"))] == (
        "unanimous"
    )
    # 6 spans + 3 field values; 5 span and 2 field rows disagree; nothing in gold yet.
    assert w.summary_label.text().startswith("9 decisions · 7 disagreements · 0 in gold")
    item = w.list.topLevelItem(
        w.list.rows.index(next(d for d in w.list.rows if d.key[1:3] == SHAKY))
    )
    assert item.text(3) == "ana, ben — 2 of 3"
    # Sorting by position instead (the check box, or D).
    key(w, K.Key_D)
    assert not w.disagreements_first.isChecked()
    starts = [d.start for d in w.list.rows if d.kind == "span"]
    assert starts == sorted(starts)


def test_accept_with_keyboard_records_sources_and_moves_on(review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    select(w, ("span", *SHAKY, "skeptical_of_alliance"))
    row = w.list.currentIndex().row()
    key(w, K.Key_A)
    assert gold_spans(check, doc) == {(*SHAKY, "skeptical_of_alliance"): ("ana", "ben")}
    assert w.list.currentIndex().row() == row + 1  # moved on to the next decision
    select(w, ("span", *MUST, "alarmist"))
    key(w, K.Key_Return)
    assert gold_spans(check, doc)[(*MUST, "alarmist")] == ("cy",)
    assert "2 in gold" in w.summary_label.text()
    item = w.list.topLevelItem(
        w.list.rows.index(next(d for d in w.list.rows if d.key[1:3] == SHAKY))
    )
    assert item.text(4) == "✓ gold"


def test_reject_removes_an_accepted_span_and_passes_over_others(review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    select(w, ("span", *SHAKY, "skeptical_of_alliance"))
    key(w, K.Key_A)
    assert len(gold_spans(check, doc)) == 1
    select(w, ("span", *SHAKY, "skeptical_of_alliance"))
    key(w, K.Key_R)
    assert gold_spans(check, doc) == {}
    # Rejecting what is not in gold changes nothing stored and moves on.
    select(w, ("span", *MUST, "alarmist"))
    row = w.list.currentIndex().row()
    key(w, K.Key_Delete)
    assert gold_spans(check, doc) == {}
    assert w.list.currentIndex().row() == row + 1
    assert w.list.topLevelItem(row).text(4) == "✗ rejected"
    # The rejection is stored: a new review window (another session) still shows it.
    assert check.rejected_decisions(doc)
    again = review(doc)
    keys = [again.list.topLevelItem(i).text(4) for i in range(again.list.topLevelItemCount())]
    assert "✗ rejected" in keys
    # Accepting it after all takes the rejection back.
    select(again, ("span", *MUST, "alarmist"))
    key(again, K.Key_A)
    assert not check.rejected_decisions(doc)


def shown(w):
    """The decision the adjudicator sees selected: the list's highlighted row, its
    outline in the article and the status bar's position, which must all agree."""
    item = w.list.currentItem()
    if item is None or not item.isSelected():
        assert w.view._current is None
        assert w.status_line.position_label.text().startswith("No decision selected")
        return None
    row = w.list.indexOfTopLevelItem(item)
    d = w.list.rows[row]
    assert w.status_line.position_label.text().startswith(f"Decision {row + 1} of ")
    if d.kind != "field":
        assert w.view._current == w.view.offsets.range_to_utf16(d.start, d.end)
    return d


def test_a_j_r_act_on_the_rows_the_reviewer_saw_selected(review, ids, check):
    """The issue's sequence: A, J, R. A moves to the next undecided decision (shown),
    J moves exactly one row from there, R rejects what J showed."""
    from annotator.decisions import ADVANCE_RULE

    doc = ids["Disputed"]
    w = review(doc)
    rows = list(w.list.rows)
    assert shown(w) == rows[0]  # opened on the first undecided decision
    # The rule is on screen: under the list and in the status bar.
    hints = w.decisions.findChild(type(w.summary_label), "keyHints")
    assert ADVANCE_RULE in hints.text()
    assert "A/R → next undecided" in w.status_line.position_label.text()
    first = shown(w)
    key(w, K.Key_A)
    assert gold_spans(check, doc) == {(first.start, first.end, first.label): first.coders}
    assert shown(w).key == rows[1].key  # the next undecided one, shown selected
    key(w, K.Key_J)
    target = shown(w)
    assert target.key == rows[2].key  # exactly one row further
    key(w, K.Key_R)
    assert check.rejected_decisions(doc) == {key_text(target.key)}
    assert gold_spans(check, doc) == {(first.start, first.end, first.label): first.coders}
    assert shown(w).key == rows[3].key


def test_after_a_key_the_selection_skips_decided_rows(review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    rows = [d.key for d in w.list.rows]
    select(w, rows[1])
    key(w, K.Key_A)
    select(w, rows[2])
    key(w, K.Key_R)
    select(w, rows[0])
    key(w, K.Key_A)
    assert shown(w).key == rows[3]  # rows 1 and 2 are decided: passed over
    # Going back with K is one row, decided or not.
    key(w, K.Key_K)
    assert shown(w).key == rows[2]
    # A key that changes nothing does not move.
    select(w, rows[1])
    key(w, K.Key_A)
    assert shown(w).key == rows[1]
    assert "Already in gold" in w.statusBar().currentMessage()


def test_undo_selects_the_decision_it_restores(review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    rows = [d.key for d in w.list.rows]
    select(w, rows[2])
    key(w, K.Key_A)
    assert shown(w).key == rows[3]
    key(w, K.Key_Z, M.ControlModifier)
    assert gold_spans(check, doc) == {}
    assert shown(w).key == rows[2]  # back on the decision the undo changed
    key(w, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert len(gold_spans(check, doc)) == 1
    assert shown(w).key == rows[2]
    # Passing over a decision is undone like any other key, on that decision.
    select(w, rows[4])
    key(w, K.Key_R)
    assert check.rejected_decisions(doc) == {key_text(rows[4])}
    assert shown(w).key == rows[5]
    key(w, K.Key_Z, M.ControlModifier)
    assert not check.rejected_decisions(doc) and len(gold_spans(check, doc)) == 1
    assert shown(w).key == rows[4]


def test_sort_change_keeps_the_selected_decision(review, ids):
    w = review(ids["Disputed"])
    race = ("span", *RACE, "alarmist")
    select(w, race)
    row = w.list.currentIndex().row()
    key(w, K.Key_D)  # by position: the row changes, the decision does not
    assert shown(w).key == race and w.list.currentIndex().row() != row


def test_a_decision_gone_on_rebuild_leaves_nothing_selected(review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    mistrust = ("span", *MISTRUST, "skeptical_of_alliance")
    select(w, mistrust)
    # Meanwhile ana deletes that span in another window; the list is rebuilt.
    [span] = [s for s in check.spans(doc, "ana") if (s.start, s.end) == MISTRUST]
    check.delete_span(span.id)
    w.refresh()
    assert shown(w) is None  # not the decision that took its row
    assert "gone" in w.statusBar().currentMessage()
    key(w, K.Key_A)
    key(w, K.Key_R)
    assert gold_spans(check, doc) == {} and not check.rejected_decisions(doc)
    assert "No decision selected" in w.statusBar().currentMessage()
    key(w, K.Key_J)  # J selects the first row again
    assert shown(w).key == w.list.rows[0].key


def test_edit_boundaries_from_a_text_selection(qtbot, review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    select(w, ("span", *MISTRUST, "skeptical_of_alliance"))
    view = w.view
    # Drag from inside "runs" to inside "deep": snaps to whole tokens "runs deep".
    runs = TEXT.index("runs deep")
    drag_select(qtbot, view, point_on_char(view, runs + 1), point_on_char(view, runs + 7))
    assert view.selection_cp() == (runs, runs + 9)
    key(w, K.Key_E)
    assert gold_spans(check, doc) == {(runs, runs + 9, "skeptical_of_alliance"): ("ana",)}
    # E, like A, moves on to the next undecided decision; K goes back to the edited one.
    assert w.current_decision().key != ("span", *MISTRUST, "skeptical_of_alliance")
    select(w, ("span", *MISTRUST, "skeptical_of_alliance"))
    d = w.current_decision()
    assert d.gold == "edited"
    # A keyboard selection that cuts words is snapped with the store's tokens.
    view.select_cp(TEXT.index("istrust"), TEXT.index("istrust") + 3)
    key(w, K.Key_E)
    assert gold_spans(check, doc) == {(*MISTRUST[:1], MISTRUST[0] + 8, "skeptical_of_alliance"): ("ana",)}  # fmt: skip
    assert len(check.spans(doc, GOLD)) == 1  # the gold span was moved, not duplicated


def test_alt_drag_keeps_exact_characters(qtbot, review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    select(w, ("span", *SHAKY, "skeptical_of_alliance"))
    view = w.view
    b = TEXT.index("Beijing")
    drag_select(qtbot, view, point_at(view, b + 1), point_at(view, b + 4), M.AltModifier)
    assert view.selection_cp() == (b + 1, b + 4)
    key(w, K.Key_E)
    assert gold_spans(check, doc) == {(b + 1, b + 4, "skeptical_of_alliance"): ("ana", "ben")}


def test_relabel_with_hotkey(review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    select(w, ("span", *MUST, "alarmist"))
    key(w, K.Key_3)  # accept cy's span as policy_prescription
    assert gold_spans(check, doc) == {(*MUST, "policy_prescription"): ("cy",)}
    # An accepted span is relabelled in place (same gold span, same sources).
    select(w, ("span", *RACE, "alarmist"))
    key(w, K.Key_A)
    [race] = [g for g in check.spans(doc, GOLD) if g.start == RACE[0]]
    select(w, ("span", *RACE, "alarmist"))
    key(w, K.Key_2)
    [after] = [g for g in check.spans(doc, GOLD) if g.start == RACE[0]]
    assert after.id == race.id and after.label == "skeptical_of_alliance"
    assert check.gold_span_sources(doc)[race.id] == ALL


def test_undo_redo_every_gold_change(review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    select(w, ("span", *SHAKY, "skeptical_of_alliance"))
    key(w, K.Key_A)
    select(w, ("span", *SHAKY, "skeptical_of_alliance"))
    key(w, K.Key_2)  # no change: already that label
    key(w, K.Key_R)
    select(w, ("field", "dominant_frame", "alarmist"))
    key(w, K.Key_A)
    assert gold_spans(check, doc) == {}
    assert check.doc_labels(doc, GOLD) == {"dominant_frame": "alarmist"}
    key(w, K.Key_Z, M.ControlModifier)  # the field
    assert check.doc_labels(doc, GOLD) == {}
    key(w, K.Key_Z, M.ControlModifier)  # the rejection: back, with its sources
    assert gold_spans(check, doc) == {(*SHAKY, "skeptical_of_alliance"): ("ana", "ben")}
    assert w.current_decision().key == ("span", *SHAKY, "skeptical_of_alliance")
    key(w, K.Key_Z, M.ControlModifier)  # the acceptance
    assert gold_spans(check, doc) == {}
    key(w, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert gold_spans(check, doc) == {(*SHAKY, "skeptical_of_alliance"): ("ana", "ben")}
    key(w, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    key(w, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert gold_spans(check, doc) == {}
    assert check.gold_label_sources(doc) == {"dominant_frame": ("ana", "ben")}


def test_undo_an_edit_restores_the_accepted_boundaries(review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    select(w, ("span", *AND_MISTRUST, "skeptical_of_alliance"))
    key(w, K.Key_A)
    select(w, ("span", *AND_MISTRUST, "skeptical_of_alliance"))
    w.view.select_cp(*MISTRUST)
    key(w, K.Key_E)
    assert gold_spans(check, doc) == {(*MISTRUST, "skeptical_of_alliance"): ("cy",)}
    # The gold span is cy's, edited, and also exactly ana's span.
    states = {d.key: d.gold for d in w.list.rows}
    assert states[("span", *AND_MISTRUST, "skeptical_of_alliance")] == "edited"
    assert states[("span", *MISTRUST, "skeptical_of_alliance")] == "accepted"
    key(w, K.Key_Z, M.ControlModifier)
    assert gold_spans(check, doc) == {(*AND_MISTRUST, "skeptical_of_alliance"): ("cy",)}


def test_accept_field_value_with_key_and_by_click(qtbot, review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    select(w, ("field", "dominant_frame", "policy_prescription"))
    key(w, K.Key_A)
    assert check.doc_labels(doc, GOLD) == {"dominant_frame": "policy_prescription"}
    assert check.gold_label_sources(doc) == {"dominant_frame": ("cy",)}
    # Click ben's value in the fields panel: gold from everyone who chose it.
    button = w.fields.boxes["dominant_frame"].value_buttons["ben"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert check.doc_labels(doc, GOLD) == {"dominant_frame": "alarmist"}
    assert check.gold_label_sources(doc) == {"dominant_frame": ("ana", "ben")}
    assert w.fields.boxes["dominant_frame"].combo.currentData() == "alarmist"
    # Reject the accepted value: the gold field is cleared.
    select(w, ("field", "dominant_frame", "alarmist"))
    key(w, K.Key_R)
    assert check.doc_labels(doc, GOLD) == {}


def test_multi_field_gold_subset(qtbot, review, ids, check):
    from gui_helpers import click_button

    doc = ids["Disputed"]
    w = review(doc)
    box = w.fields.boxes["frames_present"]
    click_button(qtbot, box.checks["alarmist"])
    assert check.doc_labels(doc, GOLD) == {"frames_present": ("alarmist",)}
    # Nobody chose exactly {alarmist}: the sources are the coders who chose it at all.
    assert check.gold_label_sources(doc) == {"frames_present": ALL}
    click_button(qtbot, box.checks["skeptical_of_alliance"])
    assert check.doc_labels(doc, GOLD) == {"frames_present": ("alarmist", "skeptical_of_alliance")}
    d = next(d for d in w.list.rows if d.key[1] == "frames_present")
    assert d.gold == "accepted"


def test_auto_accept_this_document(review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    key(w, K.Key_G)
    assert gold_spans(check, doc) == {(*RACE, "alarmist"): ALL}
    assert check.doc_labels(doc, GOLD) == {"frames_present": ("alarmist", "skeptical_of_alliance")}
    assert gold_spans(check, ids["Second"]) == {}  # only this document
    key(w, K.Key_Z, M.ControlModifier)  # one undo step for the lot
    assert gold_spans(check, doc) == {} and check.doc_labels(doc, GOLD) == {}


def test_layer_toggles_hide_and_show_a_coder(qtbot, review, ids):
    from gui_helpers import click_button

    w = review(ids["Disputed"])
    view = w.view
    layers = {x.layer for x in view.visible_spans()}
    assert layers == {"ana", "ben", "cy"}
    # cy alone marked "and mistrust": the only paint under "and" is cy's band.
    w.list.setFocus()
    key(w, K.Key_Escape)
    w.select_decision(("span", *RACE, "alarmist"))  # the current-decision outline elsewhere
    qtbot.wait(20)
    x = (point_on_char(view, AND_MISTRUST[0]).x() + point_on_char(view, AND_MISTRUST[0] + 1).x()) // 2  # fmt: skip
    band_y = _band_y(view, AND_MISTRUST[0], band=2)
    img = view.viewport().grab().toImage()
    assert _is_label_color(img.pixelColor(x, band_y), "#1f77b4")
    click_button(qtbot, w.layers.boxes["cy"])
    assert {x.layer for x in view.visible_spans()} == {"ana", "ben"}
    img = view.viewport().grab().toImage()
    assert not _is_label_color(img.pixelColor(x, band_y), "#1f77b4")
    key(w, K.Key_3, M.AltModifier)  # Alt+3: cy's layer back
    assert w.layers.boxes["cy"].isChecked()
    assert "cy" in {x.layer for x in view.visible_spans()}
    # Gold is its own layer.
    select(w, ("span", *SHAKY, "skeptical_of_alliance"))
    key(w, K.Key_A)
    assert any(x.layer == "gold" for x in view.visible_spans())
    key(w, K.Key_0, M.AltModifier)
    assert not any(x.layer == "gold" for x in view.visible_spans())


def _band_y(view, cp: int, band: int) -> int:
    from annotator.gui.review_view import LAYER_H

    rect = view.cursorRect(view._cursor_at(view.offsets.to_utf16(cp)))
    # The cursor rectangle spans the line's height; the baseline is a descent above its bottom.
    baseline = rect.y() + rect.height() - view.fontMetrics().descent()
    return round(view.band_top(baseline, band) + LAYER_H / 2 - 0.5)


def _is_label_color(c: QColor, hex_color: str) -> bool:
    want = QColor(hex_color)
    return (
        abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) < 60
    )


def test_clicking_a_span_in_the_text_selects_its_decision(qtbot, review, ids):
    w = review(ids["Disputed"])
    view = w.view
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, M.NoModifier,
        point_on_char(view, SHAKY[0] + 3),
    )  # fmt: skip
    assert w.current_decision().key == ("span", *SHAKY, "skeptical_of_alliance")
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, M.NoModifier,
        point_on_char(view, MUST[0] + 3),
    )  # fmt: skip
    first = w.current_decision().key
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, M.NoModifier,
        point_on_char(view, MUST[0] + 3),
    )  # fmt: skip
    second = w.current_decision().key
    assert {first, second} == {("span", *MUST, "alarmist"), ("span", *MUST, "policy_prescription")}


def test_navigation_between_disputed_documents(review, ids):
    w = review()  # None: the first document with a disagreement
    assert w.doc.id == ids["Disputed"]
    key(w, K.Key_J)
    assert w.list.currentIndex().row() == 1
    key(w, K.Key_K)
    assert w.list.currentIndex().row() == 0
    key(w, K.Key_N)  # skips the emoji document? no: ana and ben differ there
    assert w.doc.id == ids["Emoji"]
    key(w, K.Key_PageDown, M.ControlModifier)
    assert w.doc.id == ids["Second"]
    key(w, K.Key_N)
    assert w.doc.id == ids["Second"]  # no further disputed document
    key(w, K.Key_P)
    key(w, K.Key_P)
    assert w.doc.id == ids["Disputed"]
    key(w, K.Key_P)
    assert w.doc.id == ids["Disputed"]  # "Agreed" has no disagreement


def test_undo_after_changing_document_goes_back_to_it(review, ids, check):
    doc = ids["Disputed"]
    w = review(doc)
    select(w, ("span", *SHAKY, "skeptical_of_alliance"))
    key(w, K.Key_A)
    key(w, K.Key_N)
    assert w.doc.id != doc
    key(w, K.Key_Z, M.ControlModifier)
    assert w.doc.id == doc and gold_spans(check, doc) == {}


def test_emoji_before_a_span_keeps_exact_offsets(qtbot, review, ids, check):
    doc = ids["Emoji"]
    w = review(doc)
    party = EMOJI.index("party")
    select(w, ("span", party, party + 5, "alarmist"))
    # The text outline is drawn where the code points are.
    assert w.view._current == w.view.offsets.range_to_utf16(party, party + 5)
    key(w, K.Key_A)
    assert gold_spans(check, doc) == {(party, party + 5, "alarmist"): ("ana", "ben")}
    [g] = check.spans(doc, GOLD)
    assert EMOJI[g.start : g.end] == "party"
    # Edit with a mouse selection after the emoji: "friend" (past a no-break space).
    f = EMOJI.index("friend")
    view = w.view
    select(w, ("span", party, party + 5, "alarmist"))
    drag_select(qtbot, view, point_on_char(view, f + 1), point_on_char(view, f + 4))
    key(w, K.Key_E)
    [g] = check.spans(doc, GOLD)
    assert EMOJI[g.start : g.end] == "friend"
    here = EMOJI.index("here")
    select(w, ("span", here, here + 4, "alarmist"))
    key(w, K.Key_A)
    assert (here, here + 4, "alarmist") in gold_spans(check, doc)
    assert EMOJI[here : here + 4] == "here"


def test_coders_restricts_the_comparison(review, ids):
    w = review(ids["Disputed"], coders=["ana", "ben"])
    assert w.review.coders == ["ana", "ben"]
    d = next(d for d in w.list.rows if d.key == ("span", *SHAKY, "skeptical_of_alliance"))
    assert d.agreement == "unanimous"
    assert set(w.layers.boxes) == {"ana", "ben", "gold"}


def test_open_review_from_the_main_window(qtbot, rdb, ids, check):
    from PySide6.QtCore import QSettings

    from annotator.gui import main_window
    from annotator.gui.review import ReviewWindow, open_review

    mw = main_window(rdb, "ana", settings=QSettings())
    qtbot.addWidget(mw)
    mw.show()
    qtbot.waitExposed(mw)
    mw.open_document(ids["Agreed"])
    try:
        w = open_review(mw, None)
        assert isinstance(w, ReviewWindow) and w.isVisible() and w.isWindow()
        assert w.doc.id == ids["Disputed"]  # the first document with a disagreement
        qtbot.waitExposed(w)
        w.activateWindow()
        qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=2000)
        select(w, ("span", *SHAKY, "skeptical_of_alliance"))
        key(w, K.Key_A)
        assert gold_spans(check, ids["Disputed"]) == {
            (*SHAKY, "skeptical_of_alliance"): ("ana", "ben")
        }
        # Asking again reuses the open window.
        assert open_review(mw, ids["Second"]) is w and w.doc.id == ids["Second"]
        w.close()
        assert open_review(mw, ids["Emoji"]).doc.id == ids["Emoji"]
    finally:
        mw.close()
        mw.store.close()


def test_shortcuts_dialog_lists_the_review_keys(qtbot, review, ids):
    from PySide6.QtWidgets import QDialog, QTableWidget

    w = review(ids["Disputed"])
    key(w, K.Key_F1)
    dlg = w.findChild(QDialog, "shortcutsDialog")
    assert dlg is not None and dlg.isVisible()
    table = dlg.findChild(QTableWidget)
    actions = [table.item(r, 1).text() for r in range(table.rowCount())]
    assert "Accept" in actions and "Reject" in actions and "Accept as alarmist" in actions
    dlg.close()


def test_screenshot(qtbot, review, ids, tmp_path):
    """A representative state, saved for people to look at (not compared pixel by pixel)."""
    w = review(ids["Disputed"])
    select(w, ("span", *SHAKY, "skeptical_of_alliance"))
    key(w, K.Key_A)
    select(w, ("span", *AND_MISTRUST, "skeptical_of_alliance"))
    w.view.select_cp(*MISTRUST)
    key(w, K.Key_E)
    select(w, ("span", *MUST, "alarmist"))
    key(w, K.Key_R)
    select(w, ("span", *MUST, "policy_prescription"))
    qtbot.wait(50)
    shot = w.grab()
    assert shot.save(str(tmp_path / "review.png"))
    image = shot.toImage()
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 20  # text, bands and panes were painted, not a blank window


def test_the_review_window_fits_the_screen_and_remembers_its_size(qtbot, rdb, ids):
    """It opened at a fixed 1440×900, larger than the offscreen test screen (800×600) and
    than a 1366×768 laptop; now it fits the screen's available area, and a review window
    opened from the main window reopens at the size it was closed at."""
    from PySide6.QtCore import QSettings

    from annotator.gui import main_window
    from annotator.gui.layouts import SCREEN_MARGIN
    from annotator.gui.review import open_review

    mw = main_window(rdb, "ana", settings=QSettings())
    qtbot.addWidget(mw)
    mw.show()
    try:
        w = open_review(mw, ids["Disputed"])
        room = w.screen().availableGeometry()  # 800×800 offscreen; it needs 826 px wide
        least = w.minimumSizeHint()
        assert w.width() <= max(room.width() - SCREEN_MARGIN.width(), least.width())
        assert w.height() <= max(room.height() - SCREEN_MARGIN.height(), least.height())
        assert w.height() < 900  # the old fixed size
        w.resize(least.width(), least.height() + 40)  # (no room here for a wider one)
        size = (w.width(), w.height())
        w.close()
        assert mw.settings.value("review/size").height() == size[1]
        qtbot.waitUntil(lambda: mw.review_window is None)  # deleted on close: a new one next
        again = open_review(mw, ids["Second"])
        assert (again.width(), again.height()) == size
        again.close()
    finally:
        mw.close()
        mw.store.close()


def test_undoing_an_accept_brings_back_the_rejection_it_cleared(review, ids, check):
    """R on a decision, then A on it after all, then Ctrl+Z: the decision was left neither
    in gold nor rejected (the accept's undo removed the gold span, but the rejection it had
    cleared stayed gone). Accepting is now one step with the rejection it clears, for a
    span, an edited span (E) and a field; redo clears it again."""
    from PySide6.QtCore import QCoreApplication

    doc = ids["Disputed"]
    w = review(doc)
    must = ("span", *MUST, "alarmist")
    field = next(d.key for d in w.list.rows if d.kind == "field")
    for target, accept in ((must, K.Key_A), (must, K.Key_E), (field, K.Key_A)):
        select(w, target)
        key(w, K.Key_R)
        assert key_text(target) in check.rejected_decisions(doc)
        select(w, target)
        if accept == K.Key_E:
            w.view.select_cp(MUST[0], MUST[1] - 1)
        key(w, accept)
        QCoreApplication.processEvents()
        assert key_text(target) not in check.rejected_decisions(doc)
        assert gold_spans(check, doc) or check.doc_labels(doc, GOLD)
        key(w, K.Key_Z, M.ControlModifier)
        assert key_text(target) in check.rejected_decisions(doc), target  # back as it was
        assert not gold_spans(check, doc) and not check.doc_labels(doc, GOLD)
        key(w, K.Key_Z, M.ControlModifier | M.ShiftModifier)
        assert key_text(target) not in check.rejected_decisions(doc)
        key(w, K.Key_Z, M.ControlModifier)  # leave it rejected for the next case
        key(w, K.Key_Z, M.ControlModifier)  # and the rejection undone too
        assert key_text(target) not in check.rejected_decisions(doc)
