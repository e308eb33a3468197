"""The search pane (Edit → Find in all articles…, Ctrl+Shift+F): live keyword-in-context
hits, opening a hit in the article, filters, Label all hits… as one undoable step, and
the lazy list."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import EMOJI
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QMessageBox
from test_unsaved import lock_held

from annotator.corpus import RawDocument
from annotator.ingest import import_documents
from annotator.search import find
from annotator.store import Store

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def open_pane(qtbot, w):
    qtbot.keyClick(w, Qt.Key.Key_F, CTRL_SHIFT)
    pane = w.search_pane
    assert pane is not None and pane.isVisible()
    qtbot.waitUntil(lambda: pane.query.hasFocus(), timeout=2000)
    return pane


def search(qtbot, pane, text: str) -> None:
    runs = pane.runs
    pane.query.selectAll()
    qtbot.keyClicks(pane.query, text)
    # live: the query runs after a short pause, and the count finishes in slices
    qtbot.waitUntil(lambda: pane.runs > runs and not pane.timer.isActive(), timeout=3000)
    settle(qtbot, pane)


def settle(qtbot, pane) -> None:
    """The worker has handed over the first page and finished counting."""
    qtbot.waitUntil(lambda: not pane.busy, timeout=10000)


def click_row(qtbot, pane, row: int) -> None:
    table = pane.table
    rect = table.visualRect(pane.model.index(row, 2))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def shown_hits(pane):
    return [pane.model.hit(r) for r in range(pane.model.rowCount())]


def test_ctrl_shift_f_opens_the_pane_and_typing_lists_the_hits(qtbot, open_window, db):
    w = open_window()
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "anaconda")
    hits = shown_hits(pane)
    assert [(h.text, h.right) for h in hits] == [("anaconda", ".")]
    assert hits[0].left.endswith("here for the ")
    assert pane.count.text() == "1 hit in 1 article"
    assert pane.model.index(0, 0).data() == "Emoji"
    first = pane.job  # each query has its worker; a new query stops the one before
    search(qtbot, pane, "the")
    assert first.cancelled and not first.thread.is_alive()
    with Store(db, readonly=True) as s:
        every = list(find(s, "the"))
    assert len(every) > 100  # more than one page
    assert all(h.text.lower() == "the" for h in shown_hits(pane))
    docs = len({h.doc_id for h in every})
    assert pane.count.text() == f"{len(every):,} hits in {docs:,} articles"
    assert pane.label_all.isEnabled()


def test_a_bad_query_says_so_in_one_line_under_the_box(qtbot, open_window):
    w = open_window()
    pane = open_pane(qtbot, w)
    search(qtbot, pane, '"axis of')
    assert "unterminated string" in pane.error.text()
    assert "\n" not in pane.error.text()
    assert pane.model.rowCount() == 0 and not pane.label_all.isEnabled()
    assert not [
        m for m in QApplication.topLevelWidgets() if isinstance(m, QMessageBox) and m.isVisible()
    ]
    pane.regex.setChecked(True)  # the same text as a regular expression is fine…
    search(qtbot, pane, "(unclosed")
    assert pane.error.text().startswith("regular expression '(unclosed'")
    search(qtbot, pane, "fox")  # …and a good query clears the error
    assert pane.error.text() == "" and pane.model.rowCount() == 1


def test_clicking_a_hit_opens_the_article_with_exactly_the_hit_selected(
    qtbot, open_window, doc_ids
):
    w = open_window()
    w.open_document(doc_ids["Simple"])
    pane = open_pane(qtbot, w)
    search(qtbot, pane, '"party friend" OR anaconda')  # after emoji, across a NBSP
    hits = shown_hits(pane)
    assert [h.text for h in hits] == ["party\u00a0friend", "anaconda"]
    for row in (1, 0):
        click_row(qtbot, pane, row)
        hit = hits[row]
        assert w.doc.id == doc_ids["Emoji"]
        assert w.view.selection_cp() == (hit.start, hit.end)
        assert EMOJI[hit.start : hit.end] == hit.text
        assert pane.table.hasFocus()  # the keys stay in the list


def test_keys_walk_the_hits_and_a_label_key_labels_the_selected_hit(
    qtbot, open_window, reader, doc_ids
):
    w = open_window()
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "fox OR anaconda")
    hits = shown_hits(pane)
    assert [h.text for h in hits] == ["fox", "anaconda"]
    qtbot.keyClick(pane.query, Qt.Key.Key_Down)  # into the list: the first hit opens
    assert pane.table.hasFocus()
    assert (w.doc.id, w.view.selection_cp()) == (hits[0].doc_id, (hits[0].start, hits[0].end))
    qtbot.keyClick(pane.table, Qt.Key.Key_Down)
    assert (w.doc.id, w.view.selection_cp()) == (doc_ids["Emoji"], (hits[1].start, hits[1].end))
    w.view.clear_selection()
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)  # Enter: the hit again
    assert w.view.selection_cp() == (hits[1].start, hits[1].end)
    qtbot.keyClick(pane.table, Qt.Key.Key_1)  # the scheme's key of "alarmist"
    spans = reader.spans(doc_ids["Emoji"], "alice")
    assert [(s.start, s.end, s.label) for s in spans] == [(hits[1].start, hits[1].end, "alarmist")]
    qtbot.keyClick(pane.table, Qt.Key.Key_Escape)  # Esc closes the pane, back to the article
    assert not pane.isVisible()
    assert w.view.hasFocus()


def test_label_all_hits_is_one_undoable_step(qtbot, open_window, reader, db):
    w = open_window()
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "the")
    with Store(db, readonly=True) as s:
        every = list(find(s, "the"))
    qtbot.mouseClick(pane.label_all, Qt.MouseButton.LeftButton)
    dlg = pane.label_dialog
    assert dlg is not None and dlg.isVisible()
    assert dlg.list.count() == len(every)
    first = dlg.list.item(0)
    assert first.checkState() == Qt.CheckState.Checked
    first.setCheckState(Qt.CheckState.Unchecked)
    dlg.chooser.setCurrentIndex(dlg.chooser.findData("policy_prescription"))
    assert dlg.summary.text().startswith(
        f"{len(every) - 1} hit(s) will be labelled policy_prescription"
    )
    qtbot.mouseClick(
        dlg.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )

    def labelled():
        return sorted(
            (s.document_id, s.start, s.end)
            for d in {h.doc_id for h in every}
            for s in reader.spans(d, "alice")
            if s.label == "policy_prescription"
        )

    want = sorted((h.doc_id, *reader.snap_to_tokens(h.doc_id, h.start, h.end)) for h in every[1:])
    assert labelled() == want
    assert w.undo_stack.count() == 1
    qtbot.keyClick(
        w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
    )  # one Ctrl+Z: all gone
    assert labelled() == []
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL_SHIFT)  # redo: all back
    assert labelled() == want
    # again: the labelled ones are skipped, and the dialog says how many
    qtbot.mouseClick(pane.label_all, Qt.MouseButton.LeftButton)
    dlg = pane.label_dialog
    dlg.chooser.setCurrentIndex(dlg.chooser.findData("policy_prescription"))
    assert dlg.summary.text() == (
        "1 hit(s) will be labelled policy_prescription in 1 article(s);"
        f" {len(every) - 1} already labelled policy_prescription will be skipped."
    )
    dlg.reject()


def test_filters_narrow_the_list(qtbot, open_window, db, doc_ids):
    with Store(db) as s:
        s.add_coder("alice")
        s.set_status(doc_ids["Simple"], "alice", "done")
        s.add_span(doc_ids["Emoji"], "alice", 0, 5, "alarmist")
    w = open_window()
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "the")
    everything = {h.doc_id for h in shown_hits(pane)}
    assert {doc_ids["Simple"], doc_ids["Emoji"]} <= everything
    pane.status.setCurrentIndex(pane.status.findData("done"))
    settle(qtbot, pane)
    assert {h.doc_id for h in shown_hits(pane)} == {doc_ids["Simple"]}
    assert pane.count.text() == "2 hits in 1 article"
    pane.status.setCurrentIndex(0)
    pane.labels.setCurrentIndex(pane.labels.findData("+alarmist"))
    settle(qtbot, pane)
    assert {h.doc_id for h in shown_hits(pane)} == {doc_ids["Emoji"]}
    pane.labels.setCurrentIndex(pane.labels.findData("-alarmist"))
    settle(qtbot, pane)
    assert {h.doc_id for h in shown_hits(pane)} == everything - {doc_ids["Emoji"]}


@pytest.fixture
def many_hits(tmp_path) -> Path:
    path = tmp_path / "many.db"
    with Store(path) as s:
        import_documents(
            s, [RawDocument("word " * 400 + f"end {i}", f"d{i}.txt", {}) for i in range(3)]
        )
    return path


def test_the_list_is_lazy(qtbot, open_window, many_hits):
    from annotator.gui.search_model import PAGE

    w = open_window(path=many_hits)
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "word")
    assert pane.count.text() == "1,200 hits in 3 articles"
    # the first page is the rows the list shows (one in part), then pages as it needs
    first = pane.screen_rows()
    assert 2 < first < PAGE
    view = pane.table.viewport().rect()
    shown = [
        r for r in range(first) if pane.table.visualRect(pane.model.index(r, 0)).intersects(view)
    ]
    assert shown == list(range(first - 1))  # every row in sight, and one below
    assert pane.model.rowCount() == first  # the first screen waited for no more
    pane.table.setFocus()
    pane.table.selectRow(first - 1)
    qtbot.keyClick(pane.table, Qt.Key.Key_Down)  # past the first screen: the next page
    qtbot.waitUntil(lambda: pane.model.rowCount() == first + PAGE, timeout=2000)
    before = pane.model.rowCount()
    pane.table.scrollToBottom()
    qtbot.waitUntil(lambda: pane.model.rowCount() > before, timeout=2000)
    while not pane.model.exhausted:  # scrolled to the end, page by page
        n = pane.model.rowCount()
        pane.table.scrollToBottom()
        qtbot.waitUntil(lambda n=n: pane.model.rowCount() > n or pane.model.exhausted, timeout=2000)
    with Store(many_hits, readonly=True) as s:
        assert shown_hits(pane) == list(find(s, "word"))  # no hit lost or shown twice


def label_all(qtbot, pane, label: str) -> None:
    qtbot.mouseClick(pane.label_all, Qt.MouseButton.LeftButton)
    dlg = pane.label_dialog
    dlg.chooser.setCurrentIndex(dlg.chooser.findData(label))
    qtbot.mouseClick(
        dlg.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )


def test_undo_of_label_all_hits_with_one_span_deleted_elsewhere_takes_back_the_rest(
    qtbot, open_window, reader, doc_ids
):
    """Another window deleted one of the labelled hits: Ctrl+Z says so, yet takes back
    every other hit (none is left half-undone), and Ctrl+Shift+Z brings them back."""
    w = open_window()
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "fox OR anaconda")
    hits = shown_hits(pane)
    assert len(hits) == 2
    label_all(qtbot, pane, "alarmist")

    def labelled():
        return sorted(
            (s.document_id, s.start, s.end)
            for d in {h.doc_id for h in hits}
            for s in reader.spans(d, "alice")
            if s.label == "alarmist"
        )

    assert len(labelled()) == 2
    gone = next(s for s in reader.spans(hits[1].doc_id, "alice") if s.label == "alarmist")
    reader.delete_span(gone.id)  # another window deletes the last hit's span
    errors: list[str] = []
    w.report_error = errors.append  # type: ignore[method-assign]
    qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert errors  # the coder is told
    assert labelled() == []  # the other hit is taken back all the same
    told = len(errors)
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL_SHIFT)  # redo: the hit still there comes back
    assert len(errors) == told
    assert [d for d, _, _ in labelled()] == [hits[0].doc_id]
    qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert labelled() == [] and len(errors) == told


def test_label_all_hits_undo_and_redo_while_another_process_holds_the_write_lock(
    qtbot, open_window, reader, db
):
    """The database is busy throughout: labelling, undo and redo are all kept pending and,
    once the lock is released, written in order: the hits end up labelled, none twice."""
    w = open_window()
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "fox OR anaconda")
    hits = shown_hits(pane)

    def labelled():
        return sorted(
            (s.document_id, s.start, s.end)
            for d in {h.doc_id for h in hits}
            for s in reader.spans(d, "alice")
            if s.label == "alarmist"
        )

    with lock_held(db):
        label_all(qtbot, pane, "alarmist")
        assert w.undo_stack.count() == 1
        assert w.pending  # kept, shown as unsaved
        qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL_SHIFT)
    w.flush_pending()
    qtbot.waitUntil(lambda: not w.pending, timeout=5000)
    assert len(labelled()) == 2
    qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert labelled() == []


MARKS = (
    "Le cafe\u0301 noir \U0001f469\u200d\U0001f469\u200d\U0001f467 est ici; שלום עולם 🇮🇱 x\u0308y."
)


@pytest.mark.parametrize(
    ("query", "regex", "want"),
    [
        ("cafe", False, "cafe\u0301"),
        ('"noir est"', False, "noir \U0001f469\u200d\U0001f469\u200d\U0001f467 est"),
        ("עולם", False, "עולם"),
        ("xy", False, "x\u0308y"),
        ("\u05e2\\w+ 🇮🇱", True, "עולם 🇮🇱"),
    ],
    ids=["combining", "emoji-zwj", "rtl", "diaeresis", "rtl-regex-flag"],
)
def test_a_hit_among_combining_marks_emoji_and_rtl_opens_at_its_code_points(
    qtbot, open_window, tmp_path, query, regex, want
):
    path = tmp_path / "marks.db"
    with Store(path) as s:
        import_documents(s, [RawDocument(MARKS, "marks.txt", {})])
    w = open_window(path=path)
    pane = open_pane(qtbot, w)
    pane.regex.setChecked(regex)
    runs = pane.runs
    pane.query.setText(query)  # QTest types ASCII only: the text as a paste would put it
    qtbot.waitUntil(lambda: pane.runs > runs and not pane.timer.isActive(), timeout=3000)
    settle(qtbot, pane)
    hits = shown_hits(pane)
    assert [h.text for h in hits] == [want]
    click_row(qtbot, pane, 0)
    assert w.view.selection_cp() == (hits[0].start, hits[0].end)
    assert MARKS[hits[0].start : hits[0].end] == want


def test_switching_coder_runs_the_query_again_with_the_new_coders_filters(
    qtbot, open_window, reader, doc_ids
):
    """ "Has my alarmist" means the new coder's labels once the coder is switched: the
    list and its count are the new coder's, not the last coder's."""
    w = open_window()
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "fox OR anaconda")
    hit = shown_hits(pane)[1]
    reader.add_span(hit.doc_id, "alice", hit.start, hit.end, "alarmist")
    pane.labels.setCurrentIndex(pane.labels.findData("+alarmist"))
    settle(qtbot, pane)
    assert [h.doc_id for h in shown_hits(pane)] == [hit.doc_id]
    runs = pane.runs
    w.switch_coder("bob")
    qtbot.waitUntil(lambda: pane.runs > runs, timeout=3000)
    settle(qtbot, pane)
    assert shown_hits(pane) == []
    assert pane.count.text() == "0 hits in 0 articles"


def test_switching_database_shows_the_new_databases_hits(qtbot, open_window, many_hits):
    w = open_window()
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "fox OR end")
    assert [h.text for h in shown_hits(pane)] == ["fox"]
    runs = pane.runs
    assert w.switch_database(many_hits)
    qtbot.waitUntil(lambda: pane.runs > runs, timeout=3000)
    settle(qtbot, pane)
    hits = shown_hits(pane)
    assert [h.text for h in hits] == ["end"] * 3
    assert pane.count.text() == "3 hits in 3 articles"
    click_row(qtbot, pane, 2)
    assert w.doc.id == hits[2].doc_id
    assert w.view.selection_cp() == (hits[2].start, hits[2].end)


def test_the_list_filter_follows_hits_labelled_while_the_database_was_busy(
    qtbot, open_window, db, doc_ids
):
    """The list shows articles without my alarmist; Label all hits… labels two of them
    while another process holds the write lock: once written, they leave the list."""
    from test_doc_filters_list import choose, count_line, open_popup

    w = open_window()
    w.open_document(doc_ids["Simple"])
    panel = open_popup(qtbot, w)
    choose(qtbot, panel.label, "alarmist")
    choose(qtbot, panel.has_label, "has not")
    qtbot.keyClick(panel, Qt.Key.Key_Escape)
    assert count_line(w) == "7 of 7 articles"
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "fox OR anaconda")
    with lock_held(db):
        label_all(qtbot, pane, "alarmist")
        assert w.pending
    w.flush_pending()
    qtbot.waitUntil(lambda: not w.pending, timeout=5000)
    qtbot.waitUntil(lambda: count_line(w) == "5 of 7 articles", timeout=3000)


def test_label_all_hits_right_after_typing_lists_the_query_it_names(qtbot, open_window):
    """Label all hits… clicked before the typed query ran: the dialog names the query
    whose hits it lists (the typed one), not the one the list still showed."""
    w = open_window()
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "fox")
    qtbot.keyClicks(pane.query, " OR anaconda")
    assert pane.timer.isActive()  # not run yet
    qtbot.mouseClick(pane.label_all, Qt.MouseButton.LeftButton)
    dlg = pane.label_dialog
    assert dlg is not None
    assert "'fox OR anaconda'" in dlg.findChildren(QLabel)[0].text()
    assert dlg.list.count() == 2
    dlg.reject()


def test_label_all_hits_twice_while_busy_labels_each_hit_once(qtbot, open_window, reader, db):
    """The first Label all hits… waits unsaved (another process holds the write lock):
    the second one counts those hits as already labelled, as it would once saved."""
    w = open_window()
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "fox OR anaconda")
    hits = shown_hits(pane)
    with lock_held(db):
        label_all(qtbot, pane, "alarmist")
        qtbot.mouseClick(pane.label_all, Qt.MouseButton.LeftButton)
        dlg = pane.label_dialog
        dlg.chooser.setCurrentIndex(dlg.chooser.findData("alarmist"))
        assert dlg.plan().add == []
        assert not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
        dlg.reject()
    w.flush_pending()
    qtbot.waitUntil(lambda: not w.pending, timeout=5000)
    spans = [
        (s.document_id, s.start, s.end)
        for d in {h.doc_id for h in hits}
        for s in reader.spans(d, "alice")
        if s.label == "alarmist"
    ]
    assert len(spans) == len(set(spans)) == 2


def test_articles_read_again_after_an_import_run_the_query_again(qtbot, open_window, reader):
    w = open_window()
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "fox")
    assert pane.count.text() == "1 hit in 1 article"
    import_documents(reader, [RawDocument("Another fox, late.", "late.txt", {})])
    runs = pane.runs
    w.reload_documents()  # what File → Import articles… does when it is done
    qtbot.waitUntil(lambda: pane.runs > runs, timeout=3000)
    settle(qtbot, pane)
    assert pane.count.text() == "2 hits in 2 articles"


def test_label_all_hits_undone_takes_the_articles_it_started_back_to_new(
    qtbot, open_window, db, doc_ids, reader
):
    """Hits in two articles, one already in progress (a span of the coder's own): the
    undo takes the other back to "new" (as a label key's undo does) and leaves that one
    in progress; redo starts it again."""
    started, fresh = doc_ids["Simple"], doc_ids["Emoji"]
    with Store(db) as s:
        s.add_coder("alice")
        s.add_span(started, "alice", 0, 3, "alarmist")
        s.set_status(started, "alice", "in_progress")
    w = open_window("alice")
    assert reader.status(fresh, "alice") == "new"
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "fox OR party")
    qtbot.mouseClick(pane.label_all, Qt.MouseButton.LeftButton)
    dlg = pane.label_dialog
    assert dlg is not None
    dlg.chooser.setCurrentIndex(dlg.chooser.findData("policy_prescription"))
    qtbot.mouseClick(
        dlg.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    labelled = {s.document_id for d in (started, fresh) for s in reader.spans(d, "alice")
                if s.label == "policy_prescription"}  # fmt: skip
    assert labelled == {started, fresh}
    assert reader.status(fresh, "alice") == "in_progress"
    w.undo_stack.undo()
    assert [s.label for s in reader.spans(fresh, "alice")] == []
    assert reader.status(fresh, "alice") == "new"
    assert reader.status(started, "alice") == "in_progress"
    w.undo_stack.redo()
    assert reader.status(fresh, "alice") == "in_progress"
