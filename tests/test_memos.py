"""Per-coder document memos ("why I chose this dominant frame"): the store, the pending
edits and the recovery file, the exports, import-labels (also --replace) and merge."""

from __future__ import annotations

import pytest

from annotator.errors import AnnotatorError, NotFoundError, ValidationError
from annotator.pending import Overlay, PendingEdits, SetMemo
from annotator.store import GOLD, Store

TEXT = "Russia and North Korea 😀 signed a pact.\nChina hesitates; Iran watches."


# -- the store ------------------------------------------------------------------------


def test_a_memo_is_set_read_replaced_and_removed(store, make_doc):
    doc = make_doc(TEXT)
    assert store.memo(doc, "ana") == ""
    assert store.memos(doc) == {}
    store.set_memo(doc, "ana", "Alarmist: the pact is framed as a threat.\nSee ¶2.")
    store.set_memo(doc, "ben", "neutral")
    assert store.memo(doc, "ana") == "Alarmist: the pact is framed as a threat.\nSee ¶2."
    assert store.memos(doc) == {
        "ana": "Alarmist: the pact is framed as a threat.\nSee ¶2.",
        "ben": "neutral",
    }
    store.set_memo(doc, "ana", "  changed  ")
    assert store.memo(doc, "ana") == "  changed  "  # kept exactly as written
    store.set_memo(doc, "ana", " \n\t ")
    assert store.memo(doc, "ana") == ""
    assert store.memos(doc) == {"ben": "neutral"}
    rows = store.conn.execute("SELECT count(*) FROM memos").fetchone()[0]
    assert rows == 1  # the whitespace-only memo removed the row


def test_a_memo_is_one_row_per_document_and_coder(store, make_doc):
    a, b = make_doc(TEXT), make_doc("Another text.")
    store.set_memo(a, "ana", "one")
    store.set_memo(a, "ana", "two")
    store.set_memo(b, "ana", "three")
    assert store.memo(a, "ana") == "two"
    assert store.memo(b, "ana") == "three"
    rows = store.conn.execute(
        "SELECT document_id, annotator_id, text FROM memos ORDER BY document_id"
    ).fetchall()
    assert [(r[0], r[2]) for r in rows] == [(a, "two"), (b, "three")]
    assert all(r is not None for r in store.conn.execute("SELECT updated_at FROM memos"))


def test_a_memo_is_validated_and_a_refusal_writes_nothing(store, make_doc):
    doc = make_doc(TEXT)
    store.set_memo(doc, "ana", "kept")
    with pytest.raises(ValidationError, match="memo must be text"):
        store.set_memo(doc, "ana", 42)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="memo has a character"):
        store.set_memo(doc, "ana", "bad \ud800 surrogate")
    with pytest.raises(NotFoundError, match="unknown document"):
        store.set_memo(999, "ana", "x")
    with pytest.raises(ValidationError, match="reserved"):
        store.set_memo(doc, GOLD, "x")
    with pytest.raises(ValidationError):
        store.set_memo(doc, "a|b", "x")
    assert store.memos(doc) == {"ana": "kept"}
    assert store.coders() == ["ana"]


def test_removing_a_memo_nobody_wrote_is_a_no_op(store, make_doc):
    doc = make_doc(TEXT)
    store.set_memo(doc, "nobody", "")
    assert store.memos(doc) == {} and store.coders() == []


def test_a_read_only_store_refuses_a_memo(tmp_path, make_doc, store):
    doc = make_doc(TEXT)
    store.set_memo(doc, "ana", "first")
    store.close()
    with Store(tmp_path / "labels.db", readonly=True) as ro:
        assert ro.memo(doc, "ana") == "first"
        for text in ("second", ""):
            with pytest.raises(AnnotatorError, match="read-only"):
                ro.set_memo(doc, "ana", text)
    with Store(tmp_path / "labels.db") as s:
        assert s.memos(doc) == {"ana": "first"}


def test_a_memo_inside_a_failed_transaction_is_rolled_back(store, make_doc):
    doc = make_doc(TEXT)
    with pytest.raises(NotFoundError), store.transaction():
        store.set_memo(doc, "ana", "gone")
        store.set_memo(999, "ana", "boom")
    assert store.memos(doc) == {}


def test_an_older_database_gains_the_memos_table_with_its_labels_intact(tmp_path):
    """m005 on a database of schema m001-m004 with labels: an empty memos table, the
    labels as they were."""
    import sqlite_utils

    from annotator.nlp import tokenize
    from annotator.packing import pack
    from annotator.store import migrations

    (tok,) = tokenize([TEXT])
    path = tmp_path / "v4.db"
    db = sqlite_utils.Database(path)
    migrations().apply(db, stop_before="m005_memos")
    assert "memos" not in db.table_names()
    db["documents"].insert(
        {
            "id": 1, "sha256": "h1", "title": "t", "source": "s", "text": TEXT,
            "length": len(TEXT), "meta": "{}",
            "tokens": pack(tok.token_starts, tok.token_ends),
            "sentences": pack(tok.sentence_starts, tok.sentence_ends),
            "pipeline": "blank:en", "added_at": "",
        }
    )  # fmt: skip
    db["annotators"].insert({"id": 1, "name": "ana", "created_at": ""})
    db["spans"].insert(
        {"id": 1, "document_id": 1, "annotator_id": 1, "start": 0, "end": 6,
         "label": "alarmist", "note": "a span note"}
    )  # fmt: skip
    db["doc_labels"].insert(
        {"document_id": 1, "annotator_id": 1, "field": "dominant_frame", "value": '"none"'}
    )
    db.close()
    with Store(path) as s:
        applied = [r[0] for r in s.conn.execute("SELECT name FROM _sqlite_migrations")]
        assert applied[-1] == "m005_memos"
        assert [(x.start, x.end, x.label, x.note) for x in s.spans(1, "ana")] == [
            (0, 6, "alarmist", "a span note")
        ]
        assert s.doc_labels(1, "ana") == {"dominant_frame": "none"}
        assert s.memos(1) == {}
        cols = {c.name for c in s.db["memos"].columns}
        assert cols == {"document_id", "annotator_id", "text", "updated_at"}
        assert s.db["memos"].pks == ["document_id", "annotator_id"]
        s.set_memo(1, "ana", "after the upgrade")
    with Store(path, readonly=True) as s:
        assert s.memos(1) == {"ana": "after the upgrade"}


def test_a_read_only_open_of_a_database_without_memos_asks_for_an_upgrade(tmp_path):
    import sqlite_utils

    from annotator.errors import NeedsUpgradeError
    from annotator.store import migrations

    path = tmp_path / "v4.db"
    db = sqlite_utils.Database(path)
    migrations().apply(db, stop_before="m005_memos")
    db.close()
    with pytest.raises(NeedsUpgradeError, match="m005_memos"):
        Store(path, readonly=True)


# -- the pending edits ----------------------------------------------------------------


def test_a_pending_memo_shows_through_the_queue_and_the_overlay(store, make_doc):
    doc = make_doc(TEXT)
    store.set_memo(doc, "ben", "saved")
    q = PendingEdits()
    q.edits.append(SetMemo(doc, "ana", "unsaved memo"))
    q.edits.append(SetMemo(doc, "ben", ""))
    q.db_path = store.path.resolve()
    assert q.shown_memo(store, doc, "ana") == "unsaved memo"
    assert q.shown_memo(store, doc, "ben") == ""
    assert q.memo_unsaved(doc, "ana") and not q.memo_unsaved(doc, "cy")
    view = Overlay(store, q)
    assert view.memo(doc, "ana") == "unsaved memo"
    assert view.memos(doc) == {"ana": "unsaved memo"}
    assert view.unsaved_memos(doc) == {"ana", "ben"}
    assert store.memos(doc) == {"ben": "saved"}  # nothing written yet
    assert q.flush(store).written == 2
    assert store.memos(doc) == {"ana": "unsaved memo"}
    assert "memo" in SetMemo(doc, "ana", "x").describe()
    assert "removal" in SetMemo(doc, "ana", " ").describe()
