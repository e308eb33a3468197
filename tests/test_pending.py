"""The pending-edit queue (annotator/pending/): edits the database refuses for now are
kept in order, shown over the stored state, written once each when it can take them,
and can be written to a recovery file that import-labels restores.

Faults are real SQLite refusals: another connection holding ``BEGIN IMMEDIATE`` (a real
lock; the GUI tests use a second process) and ``PRAGMA max_page_count`` (a full
database).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator import pending as P
from annotator.corpus import RawDocument
from annotator.errors import DatabaseFullError, DuplicateSpanError
from annotator.ingest import import_documents
from annotator.labels_import import import_label_files
from annotator.store import GOLD, Store

TEXT = "Moscow signed a pact with Pyongyang.\nThe deal \u2028alarms 😀 Seoul and Tokyo alike."
LABELS = ["alarmist", "skeptical_of_alliance", "policy_prescription"]


@contextmanager
def locked(store: Store):
    """Another connection holds the write lock; ``store`` gives up at once."""
    other = sqlite3.connect(str(store.path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    store.set_busy_timeout(0)
    try:
        yield
    finally:
        other.execute("COMMIT")
        other.close()


def fill(store: Store, doc: int) -> None:
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count={pages}")
    for size in (4000, 400, 40, 0):
        try:
            for _ in range(2000):
                store.add_span(doc, "filler", 0, 3, "alarmist", note="x" * size)
        except DatabaseFullError:
            continue


def unfill(store: Store) -> None:
    store.conn.execute("PRAGMA max_page_count=1073741823")


def keys(spans) -> Counter:
    return Counter((s.start, s.end, s.label) for s in spans)


def test_refused_edits_queue_in_order_and_are_written_once_each(store, make_doc):
    doc = make_doc(TEXT)
    q = P.PendingEdits()
    saved = store.add_span(doc, "ana", 0, 6, "alarmist")
    with locked(store):
        h = q.new_handle()
        assert q.write(store, P.AddSpan(doc, "ana", 7, 13, "alarmist", h)) == (False, None)
        shape = P.AddSpan(doc, "ana", 7, 13, "alarmist", h).shape()
        q.write(store, P.RelabelSpan(doc, shape, "policy_prescription"))
        q.write(store, P.SetDocLabel(doc, "ana", "frames_present", ["alarmist"]))
        q.write(store, P.SetStatus(doc, "ana", "done"))
        q.write(store, P.AddTime(doc, "ana", 5.0))
        q.write(store, P.AddTime(doc, "ana", 7.0))  # joined with the one before
        assert len(q) == 5 and q.count() == 4
        assert q.summary() == "4 edits not saved — database busy, retrying"
        result = q.flush(store)
        assert result.written == 0 and result.error is not None and len(q) == 5
        # The window shows the stored state with the edits laid over it.
        spans, unsaved = q.spans(store.spans(doc, "ana"), doc, "ana")
        assert [(s.id, s.start, s.label) for s in spans] == [
            (saved.id, 0, "alarmist"),
            (h, 7, "policy_prescription"),
        ]
        assert unsaved == {h}
        assert q.fields({}, doc, "ana") == ({"frames_present": ("alarmist",)}, {"frames_present"})
        assert q.status("new", doc, "ana") == "done"
        assert q.spans([], doc, "ben") == ([], set())  # another coder's view is untouched
    result = q.flush(store)
    assert result.written == 5 and result.error is None and not q
    assert q.resolve(h) == q.visible_id(h) > saved.id
    [_, new] = store.spans(doc, "ana")
    assert (new.id, new.start, new.label) == (q.resolve(h), 7, "policy_prescription")
    assert store.doc_labels(doc, "ana") == {"frames_present": ("alarmist",)}
    assert store.statuses(doc)["ana"] == ("done", 12.0)


def test_an_edit_refused_for_good_is_dropped_with_one_line(store, make_doc):
    doc = make_doc(TEXT)
    q = P.PendingEdits()
    gone = store.add_span(doc, "ana", 0, 6, "alarmist")
    with locked(store):
        q.write(store, P.RelabelSpan(doc, gone, "policy_prescription"))
        q.write(store, P.AddSpan(doc, "ana", 7, 13, "alarmist", q.new_handle()))
    store.delete_span(gone.id)  # e.g. by another process
    result = q.flush(store)
    assert result.written == 1 and not q
    [line] = result.dropped
    assert "relabel span [0, 6)" in line and f"unknown span {gone.id}" in line
    assert "\n" not in line
    assert keys(store.spans(doc)) == Counter({(7, 13, "alarmist"): 1})


def test_edits_for_another_database_are_never_written_to_this_one(store, make_doc, tmp_path):
    doc = make_doc(TEXT)
    q = P.PendingEdits()
    with locked(store):
        q.write(store, P.AddSpan(doc, "ana", 0, 6, "alarmist", q.new_handle()))
    with Store(tmp_path / "other.db") as other:
        assert not q.belongs_to(other)
        result = q.flush(other)
        assert result.written == 0 and "no longer open" in str(result.error)
        assert q.reason() == "its database is no longer open"
    assert q.belongs_to(store) and q.flush(store).written == 1


# A random session of span edits with undo, the way the window makes them.
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 40), st.integers(1, 12), st.sampled_from(LABELS)),
        st.tuples(st.just("relabel"), st.integers(0, 20), st.sampled_from(LABELS)),
        st.tuples(st.just("delete"), st.integers(0, 20)),
        st.tuples(st.just("undo")),
    ),
    max_size=14,
)


def run_session(store: Store, q: P.PendingEdits, doc: int, ops, undo: list) -> None:
    """Apply ``ops`` through ``q`` on the spans as shown (stored + pending); ``undo`` is
    the undo stack (each step undoes the latest edit still on it, as Ctrl+Z does); a span
    already shown is not added again."""
    for op in ops:
        shown, _ = q.spans(store.spans(doc, "ana"), doc, "ana")
        if op[0] == "add":
            start = op[1]
            end = min(start + op[2], len(TEXT))
            if P.identical_span(shown, (start, end, op[3])) is not None:
                continue  # the window refuses it (the store would, too)
            edit = P.AddSpan(doc, "ana", start, end, op[3], q.new_handle())
            q.write(store, edit)
            undo.append(("add", edit.shape()))
        elif op[0] == "relabel" and shown:
            s = shown[op[1] % len(shown)]
            if s.label != op[2]:
                q.write(store, P.RelabelSpan(doc, s, op[2]))
                undo.append(("relabel", replace(s, label=op[2]), s.label))
        elif op[0] == "delete" and shown:
            s = shown[op[1] % len(shown)]
            edit = P.DeleteSpan(doc, s)
            q.write(store, edit)
            undo.append(("delete", s, edit))
        elif op[0] == "undo" and undo:
            kind, s, *rest = undo.pop()
            if kind == "add":
                q.write(store, P.DeleteSpan(doc, s))
            elif kind == "relabel":
                q.write(store, P.RelabelSpan(doc, s, rest[0]))
            else:
                q.write(store, P.RestoreSpan(doc, s, rest[0]))


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "labels.db"
    with Store(path) as s:
        import_documents(s, [RawDocument(TEXT, "t", {})])
    return path


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS, lock_after=st.integers(0, 14))
def test_a_session_written_late_ends_as_if_written_at_once(
    template, tmp_path_factory, ops, lock_after
):
    """The same edits, once written directly and once queued behind a lock (from any
    point of the session on) and flushed later, leave the same spans; while queued, the
    window shows exactly the state that will be written."""
    folder = tmp_path_factory.mktemp("session")
    shutil.copy(template, folder / "direct.db")
    shutil.copy(template, folder / "late.db")
    with Store(folder / "direct.db") as a, Store(folder / "late.db") as b:
        doc = a.document_ids()[0]
        run_session(a, P.PendingEdits(), doc, ops, [])
        q, history = P.PendingEdits(), []
        run_session(b, q, doc, ops[:lock_after], history)
        with locked(b):
            run_session(b, q, doc, ops[lock_after:], history)
            shown, _ = q.spans(b.spans(doc, "ana"), doc, "ana")
            assert keys(shown) == keys(a.spans(doc, "ana"))
        result = q.flush(b)
        assert not q and result.dropped == []
        assert keys(b.spans(doc, "ana")) == keys(a.spans(doc, "ana"))


def test_recovery_file_restores_the_intended_state_through_import_labels(store, make_doc, tmp_path):
    doc = make_doc(TEXT)
    other = make_doc("A second article about the pact.")
    q = P.PendingEdits()
    kept = store.add_span(doc, "ana", 0, 6, "alarmist")
    relabelled = store.add_span(doc, "ana", 7, 13, "alarmist")
    removed = store.add_span(doc, "ana", 14, 15, "alarmist")
    store.set_doc_label(doc, "ana", "dominant_frame", "none")
    fill(store, doc)
    for d in (doc, other):
        info = store.document(d)
        q.remember(d, P.DocInfo(info.text, info.title, info.sha256))
    h = q.new_handle()
    emoji = TEXT.index("😀")
    edits = [
        P.AddSpan(doc, "ana", emoji, emoji + 7, "skeptical_of_alliance", h),
        P.RelabelSpan(doc, relabelled, "policy_prescription"),
        P.DeleteSpan(doc, removed),
        P.SetDocLabel(doc, "ana", "dominant_frame", "alarmist"),
        P.SetDocLabel(doc, "ana", "frames_present", ("alarmist", "policy_prescription")),
        P.SetStatus(doc, "ana", "done"),
        P.AddTime(doc, "ana", 30.0),
        P.SetTitle(other, "A better title"),
        P.SetDocLabel(other, "ben", "dominant_frame", "none"),
    ]
    for e in edits:
        q.write(store, e)
    assert len(q) == len(edits) and isinstance(q.error, DatabaseFullError)
    path = tmp_path / "labels-unsaved.jsonl"
    rec = q.write_recovery(path, store.path)
    assert rec.lines == 2 and rec.path == path
    assert rec.command == f"annotator --db {store.path} import-labels {path}"
    assert not list(tmp_path.glob(".*.part"))
    text = path.read_text(encoding="utf-8")
    assert "\u2028" not in text and len(text.splitlines()) == 2  # one record per line
    lines = [json.loads(x) for x in text.splitlines()]
    assert [(r["meta"]["doc_id"], r["_annotator_id"]) for r in lines] == [
        (doc, "ana"),
        (other, "ben"),  # the title edit goes with the document's record
    ]
    assert "\n".join(rec.not_restored).count("by hand") == 2
    assert not any("mark the document" in x for x in rec.not_restored)  # restored now
    assert lines[0]["status"] == "done" and lines[1]["status"] is None
    assert any("coding time (30 s)" in x for x in rec.not_restored)
    assert any("A better title" in x for x in rec.not_restored)
    # The database never became writable for the window; the coder imports later.
    unfill(store)
    [result] = import_label_files(store, [path])
    assert result.ok, result.errors
    assert keys(store.spans(doc, "ana")) == Counter(
        {
            (0, 6, "alarmist"): 1,
            (7, 13, "alarmist"): 1,  # import-labels cannot drop the old label (listed)
            (7, 13, "policy_prescription"): 1,
            (14, 15, "alarmist"): 1,  # nor delete a stored span (listed)
            (emoji, emoji + 7, "skeptical_of_alliance"): 1,
        }
    )
    assert store.span(kept.id).label == "alarmist"
    assert store.doc_labels(doc, "ana") == {
        "dominant_frame": "alarmist",
        "frames_present": ("alarmist", "policy_prescription"),
    }
    assert store.doc_labels(other, "ben") == {"dominant_frame": "none"}
    assert store.status(doc, "ana") == "done"
    [again] = import_label_files(store, [path])
    assert again.ok and again.spans_added == 0 and again.doc_labels_set == 0
    assert again.statuses_updated == 0


def test_a_recovery_file_never_replaces_an_earlier_one(store, make_doc, tmp_path):
    """Two windows closing in the same second (a logout) get the same recovery name,
    labels-unsaved-<second>.jsonl: the second replaced the first, and with it every
    unsaved edit of the first window. Each now keeps its own file; both import."""
    doc = make_doc(TEXT)
    fill(store, doc)
    info = store.document(doc)
    path = P.recovery_path(store.path, datetime(2026, 1, 1, 12, 0, 0))
    written = []
    for coder, start in (("ana", 0), ("ben", 7)):
        q = P.PendingEdits()
        q.remember(doc, P.DocInfo(info.text, info.title, info.sha256))
        q.write(store, P.AddSpan(doc, coder, start, start + 6, "alarmist", q.new_handle()))
        assert len(q) == 1
        written.append(q.write_recovery(path, store.path).path)
    assert written == [path, path.with_name(f"{path.stem}-2{path.suffix}")]
    names = {p.name for p in tmp_path.iterdir() if "unsaved" in p.name or ".part" in p.name}
    assert names == {p.name for p in written}
    unfill(store)
    assert all(r.ok for r in import_label_files(store, written))
    spans = sorted((s.coder, s.start) for s in store.spans(doc) if s.coder != "filler")
    assert spans == [("ana", 0), ("ben", 7)]


def test_a_span_the_store_holds_already_is_refused_not_queued_or_duplicated(store, make_doc):
    """The window's AddSpan and the review's AddGoldSpan write with the store's unique
    rule: a span stored meanwhile (another process) is refused, nothing is written."""
    doc = make_doc(TEXT)
    theirs = store.add_span(doc, "ana", 0, 6, "alarmist")
    gold = store.add_gold_span(doc, 7, 13, "alarmist", ["ana"])
    q = P.PendingEdits()
    with pytest.raises(DuplicateSpanError) as e:
        q.write(store, P.AddSpan(doc, "ana", 0, 6, "alarmist", q.new_handle()))
    assert e.value.existing == theirs.id
    with pytest.raises(DuplicateSpanError) as e:
        q.write(store, P.AddGoldSpan(doc, (7, 13, "alarmist"), ("ana",), q.new_handle()))
    assert e.value.existing == gold.id
    assert not q
    assert [s.id for s in store.spans(doc, "ana")] == [theirs.id]
    assert [s.id for s in store.spans(doc, GOLD)] == [gold.id]


def test_refuse_identical_finds_a_pending_span_by_its_handle():
    shown = [P.AddSpan(1, "ana", 0, 6, "alarmist", -3).shape()]
    P.refuse_identical(shown, (0, 6, "policy_prescription"), "x")  # another label: fine
    with pytest.raises(DuplicateSpanError) as e:
        P.refuse_identical(shown, (0, 6, "alarmist"), "That span is already labelled so.")
    assert e.value.existing == -3 and str(e.value) == "That span is already labelled so."
