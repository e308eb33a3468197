"""Per-coder document memos ("why I chose this dominant frame"): the store, the pending
edits and the recovery file, the exports, import-labels (also --replace) and merge."""

from __future__ import annotations

import sqlite3

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
        assert applied[-7:] == [
            "m005_memos",
            "m006_study_design",
            "m007_fulltext",
            "m008_suggestions",
            "m009_codebook_history",
            "m010_text_history",
            "m011_suggestion_training",
        ]
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


def test_the_recovery_file_carries_pending_memos_and_import_labels_restores_them(
    store, make_doc, tmp_path
):
    from annotator.errors import DatabaseBusyError
    from annotator.labels_import import import_label_files
    from annotator.pending import DocInfo

    doc, other = make_doc(TEXT), make_doc("A second article about the pact.")
    store.set_memo(other, "ana", "a saved memo the coder then removed")
    lock = sqlite3.connect(str(store.path), isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    store.set_busy_timeout(0)
    q = PendingEdits()
    for d in (doc, other):
        info = store.document(d)
        q.remember(d, DocInfo(info.text, info.title, info.sha256))
    memo = "Alarmist, because\nthe pact is a threat\u2028— ¶3 😀"
    for e in (
        SetMemo(doc, "ana", "first draft"),
        SetMemo(doc, "ana", memo),
        SetMemo(other, "ana", "  "),
    ):
        q.write(store, e)
    assert len(q) == 3 and isinstance(q.error, DatabaseBusyError)
    assert q.shown_memo(store, doc, "ana") == memo and store.memo(doc, "ana") == ""
    rec = q.write_recovery(tmp_path / "labels-unsaved.jsonl", store.path)
    assert rec.lines == 2
    assert rec.not_restored == [f"document {other}: remove the memo by hand"]
    lock.execute("COMMIT")
    lock.close()
    [result] = import_label_files(store, [rec.path])
    assert result.ok, result.errors
    assert result.memos_set == 1 and "1 memo(s) set" in result.summary()
    assert store.memo(doc, "ana") == memo
    assert store.memo(other, "ana") == "a saved memo the coder then removed"  # as listed


# -- exports ----------------------------------------------------------------------------


def _coded(store, make_doc):
    """Two documents: ana spans and a memo on the first, a memo only on the second
    (no label, status 'new'), ben labels without a memo."""
    a, b = make_doc(TEXT), make_doc("Beijing hedges. Tehran waits.")
    store.add_span(a, "ana", 0, 6, "alarmist", "span note\nline two")
    store.add_span(a, "ana", 11, 22, "skeptical_of_alliance")
    store.set_memo(a, "ana", "Dominant: alarmist.\n\tThe pact is a threat.")
    store.set_memo(b, "ana", "=No frame here; the text is a list.")
    store.add_span(a, "ben", 0, 6, "alarmist")
    return a, b


def test_the_canonical_export_has_each_coders_memo(store, make_doc):
    from annotator.export import records

    a, b = _coded(store, make_doc)
    got = {(r["meta"]["doc_id"], r["_annotator_id"]): r["memo"] for r in records(store)}
    assert got == {
        (a, "ana"): "Dominant: alarmist.\n\tThe pact is a threat.",
        (a, "ben"): "",
        (b, "ana"): "=No frame here; the text is a list.",  # a memo alone makes a record
    }
    [only] = [r for r in records(store, "ana") if r["meta"]["doc_id"] == b]
    assert only["spans"] == [] and only["doc_labels"] == {} and only["status"] == "new"
    assert isinstance(only["_timestamp"], int)  # the memo's time
    assert [r["memo"] for r in records(store, include_unlabelled=True)] == [
        "Dominant: alarmist.\n\tThe pact is a threat.",
        "",
        "=No frame here; the text is a list.",
    ]


def test_the_csv_export_has_a_memo_column_and_a_row_for_a_memo_without_spans(
    store, make_doc, tmp_path
):
    import csv

    from annotator.export import export

    a, b = _coded(store, make_doc)
    out = tmp_path / "labels.csv"
    assert export(store, out, "csv") == 4  # three spans and ana's memo on b
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [
        "doc_id", "title", "sha256", "coder", "label", "start", "end", "text", "note",
        "scheme_version", "memo", "origin",
    ]  # fmt: skip
    got = [(r["doc_id"], r["coder"], r["label"], r["start"], r["note"], r["memo"]) for r in rows]
    memo = "Dominant: alarmist.\n\tThe pact is a threat."
    assert got == [
        (str(a), "ana", "alarmist", "0", "span note\nline two", memo),
        (str(a), "ana", "skeptical_of_alliance", "11", "", memo),
        (str(a), "ben", "alarmist", "0", "", ""),
        (str(b), "ana", "", "", "", "'=No frame here; the text is a list."),  # OWASP quote
    ]
    export(store, out, "csv", csv_raw=True)
    with open(out, encoding="utf-8", newline="") as fh:
        assert list(csv.DictReader(fh))[-1]["memo"] == "=No frame here; the text is a list."


def test_the_brat_export_writes_each_memo_beside_its_pair(store, make_doc, tmp_path):
    import json

    from annotator.export import export

    a, b = _coded(store, make_doc)
    out = tmp_path / "brat"
    assert export(store, out, "brat") == 3
    coders = json.loads((out / "coders.json").read_text(encoding="utf-8"))
    assert coders == {"ana": "ana", "ben": "ben"}
    memo = (out / "ana" / f"doc{a:05d}.memo").read_bytes().decode("utf-8")
    assert memo == "Dominant: alarmist.\n\tThe pact is a threat."
    assert (out / "ana" / f"doc{b:05d}.memo").read_text(encoding="utf-8").startswith("=No")
    assert (out / "ana" / f"doc{b:05d}.ann").read_text(encoding="utf-8") == ""
    assert not (out / "ben" / f"doc{a:05d}.memo").exists()  # ben wrote none
    ann = (out / "ana" / f"doc{a:05d}.ann").read_text(encoding="utf-8")
    assert "AnnotatorNotes T1\tspan note line two" in ann  # a span note stays in the .ann
    assert sorted(p.name for p in (out / "ana").iterdir() if p.suffix == ".txt") == [
        f"doc{a:05d}.txt",
        f"doc{b:05d}.txt",
    ]  # brat lists .txt files as documents: a memo is never one


def test_doccano_carries_the_memo_and_reads_it_back_spacy_keeps_it(store, make_doc, tmp_path):
    from annotator.export import export
    from annotator.labels_import import import_label_files

    a, b = _coded(store, make_doc)
    out = tmp_path / "doccano"
    export(store, out, "doccano")
    with Store(tmp_path / "back.db") as back:
        results = import_label_files(back, sorted(out.glob("*.jsonl")), fmt="doccano")
        assert all(r.ok for r in results), [r.errors for r in results]
        ids = {back.document(d).sha256: d for d in back.document_ids()}
        a2, b2 = ids[store.document(a).sha256], ids[store.document(b).sha256]
        assert back.memos(a2) == {"ana": "Dominant: alarmist.\n\tThe pact is a threat."}
        assert back.memos(b2) == {"ana": "=No frame here; the text is a list."}
    from annotator.export import records
    from annotator.formats.writers import spacy_doc

    spacy = pytest.importorskip("spacy")
    vocab = spacy.blank("en").vocab
    for rec in records(store):
        rec["_cats"] = {}
        assert spacy_doc(rec, vocab).user_data.get("memo", "") == rec["memo"]


# -- import-labels: round trip, additive, --replace ---------------------------------------


def _export(store, path):
    from annotator.export import export

    export(store, path, "jsonl")
    return path


def test_the_canonical_jsonl_round_trips_memos_and_span_notes(store, make_doc, tmp_path):
    from annotator.labels_import import import_label_files

    a, b = _coded(store, make_doc)
    path = _export(store, tmp_path / "all.jsonl")
    with Store(tmp_path / "fresh.db") as fresh:
        [result] = import_label_files(fresh, [path])
        assert result.ok, result.errors
        assert result.memos_set == 2
        by_hash = {fresh.document(d).sha256: d for d in fresh.document_ids()}
        for d in (a, b):
            d2 = by_hash[store.document(d).sha256]
            assert fresh.memos(d2) == store.memos(d)
            notes = sorted((s.coder, s.start, s.note) for s in fresh.spans(d2))
            assert notes == sorted((s.coder, s.start, s.note) for s in store.spans(d))
        [again] = import_label_files(fresh, [path])  # idempotent
        assert again.ok and again.memos_set == 0 and again.spans_added == 0


def _memo_strategy():
    from hypothesis import strategies as st

    specials = st.sampled_from(
        ["\n", "\r\n", "\t", "\u2028", "\u2029", "\u05e9\u05dc\u05d5\u05dd", "\u200f", "😀",
         "👩🏽‍🔬", "\x00", "\\", '"', "\u0645\u0631\u062d\u0628\u0627"]
    )  # fmt: skip
    chars = st.characters(codec="utf-8", exclude_categories=["Cs"])
    return (
        st.lists(st.one_of(specials, st.text(chars, max_size=5)), min_size=1, max_size=12)
        .map("".join)
        .filter(lambda t: t.strip() != "")
    )


def test_memos_round_trip_through_the_canonical_jsonl_for_any_text(tmp_path_factory):
    """Export, then import into a fresh database: the same memos (and span notes), for
    text with line breaks, tabs, U+2028, right-to-left text, emoji, NUL."""
    from hypothesis import HealthCheck, given, settings

    from annotator.corpus import RawDocument
    from annotator.ingest import import_documents
    from annotator.labels_import import import_label_files

    src_dir = tmp_path_factory.mktemp("src")
    with Store(src_dir / "labels.db") as src:
        import_documents(src, [RawDocument(TEXT, "t", {})])
    n = iter(range(10**6))

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(memos=_memo_strategy().flatmap(lambda m: _memo_strategy().map(lambda m2: (m, m2))))
    def check(memos):
        i = next(n)
        memo_a, memo_b = memos
        with Store(src_dir / "labels.db") as src:
            doc = src.document_ids()[0]
            src.set_memo(doc, "ana", memo_a)
            src.set_memo(doc, "Chloé", memo_b)
            src.add_span(doc, "Chloé", 0, 6, "alarmist", memo_a)  # span notes: the same path
            path = _export(src, src_dir / f"out{i}.jsonl")
            want = src.memos(doc)
            notes = sorted(s.note for s in src.spans(doc))
        assert want == {"ana": memo_a, "Chloé": memo_b}
        with Store(src_dir / f"fresh{i}.db") as fresh:
            [result] = import_label_files(fresh, [path])
            assert result.ok, result.errors
            assert fresh.memos(fresh.document_ids()[0]) == want
            assert sorted(s.note for s in fresh.spans(fresh.document_ids()[0])) == notes

    check()


def test_an_additive_import_keeps_a_memo_written_after_the_file(store, make_doc, tmp_path):
    import json

    from annotator.labels_import import import_label_files

    doc = make_doc(TEXT)
    store.set_memo(doc, "ana", "old memo")
    path = _export(store, tmp_path / "old.jsonl")
    # the file's memo is older than what the database holds now (written later)
    store.set_memo(doc, "ana", "newer memo")
    store.conn.execute("UPDATE memos SET updated_at = '2999-01-01T00:00:00.000+00:00'")
    store.conn.commit()
    [result] = import_label_files(store, [path])
    assert result.ok and result.memos_kept == 1 and "1 memo(s) kept" in result.summary()
    assert store.memo(doc, "ana") == "newer memo"
    # a file written later than the stored memo wins
    [line] = path.read_text(encoding="utf-8").splitlines()
    rec = json.loads(line)
    rec["memo"], rec["_timestamp"] = "from a later file", 32503680000 + 3600  # after 2999
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    [result] = import_label_files(store, [later])
    assert result.ok and result.memos_set == 1
    assert store.memo(doc, "ana") == "from a later file"
    # an empty or absent memo removes nothing without --replace
    for memo in ("", None):
        rec["memo"] = memo
        if memo is None:
            del rec["memo"]
        later.write_text(json.dumps(rec) + "\n", encoding="utf-8")
        [result] = import_label_files(store, [later])
        assert result.ok and result.memos_set == result.memos_removed == 0
        assert store.memo(doc, "ana") == "from a later file"


def test_replace_sets_the_memo_to_exactly_what_the_file_says(store, make_doc, tmp_path):
    import json

    from annotator.labels_import import import_label_files

    a, b = make_doc(TEXT), make_doc("Beijing hedges. Tehran waits.")
    store.add_span(a, "ana", 0, 6, "alarmist", "a note")
    store.set_memo(a, "ana", "from the file")
    store.set_memo(b, "ana", "b from the file")
    path = _export(store, tmp_path / "ana.jsonl")
    store.set_memo(a, "ana", "changed since, replaced anyway")  # --replace: whatever the time
    store.set_memo(b, "ana", "")
    store.set_memo(a, "ben", "another coder: untouched")
    [result] = import_label_files(store, [path], replace=True)
    assert result.ok, result.errors
    assert result.memos_set == 2 and result.spans_present == 1
    assert store.memos(a) == {"ana": "from the file", "ben": "another coder: untouched"}
    assert store.memos(b) == {"ana": "b from the file"}
    assert [s.note for s in store.spans(a, "ana")] == ["a note"]
    recs = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    # "memo": "" removes the memo; a record without the key leaves it as it is
    recs[0]["memo"] = ""
    del recs[1]["memo"]
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    [result] = import_label_files(store, [path], replace=True)
    assert result.ok and result.memos_removed == 1 and "1 memo(s) removed" in result.summary()
    assert store.memos(a) == {"ben": "another coder: untouched"}
    assert store.memos(b) == {"ana": "b from the file"}


def test_replace_refused_by_another_file_writes_no_memo(store, make_doc, tmp_path):
    import json

    from annotator.labels_import import import_label_files

    doc = make_doc(TEXT)
    store.set_memo(doc, "ana", "stored")
    good = tmp_path / "good.jsonl"
    good.write_text(
        json.dumps({"text": TEXT, "_annotator_id": "ana", "memo": "from the file"}) + "\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": TEXT, "_annotator_id": "ana", "memo": 5}) + "\n")
    results = import_label_files(store, [good, bad], fmt="jsonl", replace=True)
    assert not any(r.ok for r in results)
    assert any('"memo" must be a string' in e for e in results[1].errors)
    assert store.memos(doc) == {"ana": "stored"}


def test_a_memo_needs_a_coder_and_gold_has_none(store, make_doc, tmp_path):
    import json

    from annotator.labels_import import import_label_files

    make_doc(TEXT)
    path = tmp_path / "x.jsonl"
    for rec, why in (
        ({"text": TEXT, "memo": "whose?"}, "no coder named"),
        ({"text": TEXT, "_annotator_id": GOLD, "memo": "m"}, "the gold layer has no memo"),
    ):
        path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
        [result] = import_label_files(store, [path], fmt="jsonl")
        assert not result.ok and why in result.errors[0], result.errors


# -- merge --------------------------------------------------------------------------------


def _laptop(tmp_path, name="laptop"):
    """A coder's own database with the same document."""
    from annotator.corpus import RawDocument
    from annotator.ingest import import_documents

    s = Store(tmp_path / f"{name}.db")
    import_documents(s, [RawDocument(TEXT, "test", {})])
    return s


def test_merge_adds_memos_and_an_identical_memo_is_nothing_to_do(store, make_doc, tmp_path):
    from annotator.merge import merge_database

    doc = make_doc(TEXT)
    with _laptop(tmp_path) as other:
        d = other.document_ids()[0]
        other.set_memo(d, "ana", "why alarmist\nsee ¶2")
        other.add_span(d, "ana", 0, 6, "alarmist", "note\twith tab")
        other.set_memo(d, "ben", "only a memo")
    report = merge_database(store, tmp_path / "laptop.db")
    assert report.memos_set == 2 and not report.conflicts
    assert "2 memo(s) added" in report.summary()
    assert store.memos(doc) == {"ana": "why alarmist\nsee ¶2", "ben": "only a memo"}
    assert [s.note for s in store.spans(doc, "ana")] == ["note\twith tab"]
    again = merge_database(store, tmp_path / "laptop.db")
    assert again.memos_set == 0 and not again.conflicts and again.spans_added == 0


def test_merge_of_a_different_memo_is_a_conflict_kept_beside(store, make_doc, tmp_path):
    from annotator.merge import MergeConflictError, conflict_line, merge_database

    doc = make_doc(TEXT)
    store.set_memo(doc, "ana", "mine")
    store.add_span(doc, "ana", 0, 6, "alarmist")
    with _laptop(tmp_path) as other:
        d = other.document_ids()[0]
        other.set_memo(d, "ana", "theirs")
        other.add_span(d, "ana", 0, 6, "alarmist")
    with pytest.raises(MergeConflictError):
        merge_database(store, tmp_path / "laptop.db", strict=True)
    assert store.memos(doc) == {"ana": "mine"}
    report = merge_database(store, tmp_path / "laptop.db")
    [c] = report.conflicts
    assert (c.coder, c.kept_as, c.new, c.memo) == ("ana", "ana@laptop", True, True)
    assert str(c).startswith(f"conflict: ana wrote a different memo on document {doc} (")
    assert "wrote a different memo on “" in conflict_line(c, "window")
    assert store.memos(doc) == {"ana": "mine", "ana@laptop": "theirs"}
    assert len(store.spans(doc, "ana@laptop")) == 1  # the whole other version
    [c2] = merge_database(store, tmp_path / "laptop.db").conflicts
    assert not c2.new and c2.memo
    assert store.memos(doc) == {"ana": "mine", "ana@laptop": "theirs"}


def test_merge_into_a_database_without_a_memo_takes_the_other_one(store, make_doc, tmp_path):
    """Our side has the labels and no memo, the other the same labels and a memo: not a
    conflict, the memo is added."""
    from annotator.merge import merge_database

    doc = make_doc(TEXT)
    store.add_span(doc, "ana", 0, 6, "alarmist")
    with _laptop(tmp_path) as other:
        d = other.document_ids()[0]
        other.add_span(d, "ana", 0, 6, "alarmist")
        other.set_memo(d, "ana", "theirs")
    report = merge_database(store, tmp_path / "laptop.db")
    assert not report.conflicts and report.memos_set == 1
    assert store.memos(doc) == {"ana": "theirs"}


def test_merge_of_an_older_database_without_memos(store, make_doc, tmp_path):
    """A coder's database from before m005 merges (its snapshot copy is upgraded)."""
    from annotator.merge import merge_database

    doc = make_doc(TEXT)
    store.set_memo(doc, "ana", "kept")
    with _laptop(tmp_path) as other:
        d = other.document_ids()[0]
        other.add_span(d, "ben", 0, 6, "alarmist")
    con = sqlite3.connect(tmp_path / "laptop.db")
    con.execute("DROP TABLE memos")
    con.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_memos'")
    con.commit()
    con.close()
    report = merge_database(store, tmp_path / "laptop.db")
    assert report.spans_added == 1 and not report.conflicts
    assert store.memos(doc) == {"ana": "kept"}


def test_the_command_line_exports_imports_and_merges_memos(store, make_doc, tmp_path):
    """The real commands: export, import-labels --replace into another database (its
    summary counts the memos), merge with a memo conflict (exit 1, the conflict line)."""
    from click.testing import CliRunner

    from annotator.cli import cli

    doc = make_doc(TEXT)
    store.set_memo(doc, "ana", "why: alarmist")
    store.close()
    db = str(tmp_path / "labels.db")
    out = tmp_path / "ana.jsonl"
    run = CliRunner().invoke
    res = run(cli, ["--db", db, "export", "-o", str(out), "--annotator", "ana"])
    assert res.exit_code == 0, res.output
    with _laptop(tmp_path) as other:
        other.set_memo(other.document_ids()[0], "ana", "a different memo")
    laptop = str(tmp_path / "laptop.db")
    res = run(cli, ["--db", laptop, "import-labels", "--replace", str(out)])
    assert res.exit_code == 0, res.output
    assert "1 memo(s) set" in res.output
    with Store(laptop) as other:
        assert other.memos(other.document_ids()[0]) == {"ana": "why: alarmist"}
        other.set_memo(other.document_ids()[0], "ana", "changed on the laptop")
    res = run(cli, ["--db", db, "merge", laptop])
    assert res.exit_code == 1
    assert f"conflict: ana wrote a different memo on document {doc} (" in res.output
    with Store(db) as s:
        assert s.memos(doc) == {"ana": "why: alarmist", "ana@laptop": "changed on the laptop"}
