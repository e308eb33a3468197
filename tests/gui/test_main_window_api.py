"""The main window's public API: it keeps the windows it opens (and forgets a closed
review window), it switches databases only through ``switch_database``, and nothing in
``annotator.gui`` imports in a circle."""

from __future__ import annotations

import grimp

from annotator.store import Store


def test_the_window_keeps_the_review_window_until_it_is_closed(qtbot, open_window, doc_ids):
    w = open_window()
    assert w.review_window is None
    w.open_document(doc_ids["Simple"])
    assert w.current_document_id() == doc_ids["Simple"]
    rv = w.open_review()  # Tools → Review document…: the open article
    assert rv is not None and w.review_window is rv and rv.doc.id == doc_ids["Simple"]
    assert w.open_review(doc_ids["Emoji"]) is rv and rv.doc.id == doc_ids["Emoji"]  # reused
    rv.close()
    qtbot.waitUntil(lambda: w.review_window is None, timeout=5000)  # deleted on close
    again = w.open_review()
    assert again is not None and again is w.review_window and again.doc.id == doc_ids["Simple"]
    again.close()


def test_the_agreement_window_is_kept_and_reused(qtbot, open_window):
    w = open_window()
    assert w.agreement_window is None
    view = w.open_agreement()
    assert w.agreement_window is view
    qtbot.waitUntil(lambda: view.report is not None, timeout=60_000)
    view.close()  # hidden, kept: opening it again recomputes in the same window
    assert w.open_agreement() is view and view.isVisible()
    qtbot.waitUntil(lambda: view.worker.isFinished() and view.worker not in w.jobs, timeout=60_000)
    view.close()


def test_switch_database_opens_another_database_in_the_window(qtbot, open_window, db):
    w = open_window()
    other = db.with_name("other.db")
    Store(other).close()
    assert w.switch_database(other)
    assert w.store.path == other and w.current_document_id() is None
    assert "alice" in w.store.coders()
    assert w.switch_database(db.with_name("missing-folder") / "x.db") is False
    assert w.store.path == other  # the error is said; the open database stays
    assert w.windowTitle().endswith("(other.db)")


def test_no_import_cycle_in_the_gui():
    graph = grimp.build_graph("annotator")
    gui = {m for m in graph.modules if m.startswith("annotator.gui")}
    cycles = [
        (a, b)
        for a in gui
        for b in graph.find_modules_directly_imported_by(a)
        if b in gui and graph.chain_exists(importer=b, imported=a)
    ]
    assert cycles == []
