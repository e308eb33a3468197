"""The store: schema, durability, validation, spans, document labels, status, snapping."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.errors import (
    AnnotatorError,
    DatabaseBusyError,
    DatabaseFullError,
    DatabaseReadOnlyError,
    DuplicateSpanError,
    NotFoundError,
    ValidationError,
)
from annotator.scheme import load_scheme, parse_scheme
from annotator.store import Store

from .conftest import write_lock_held

TEXT = "Russia and North Korea 😀 signed a pact.\nChina hesitates; Iran watches."


def count(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_new_database_has_schema_wal_foreign_keys_and_scheme(tmp_path):
    path = tmp_path / "labels.db"
    with Store(path) as s:
        assert s.created
        tables = set(s.db.table_names())
        assert {"documents", "annotators", "spans", "doc_labels", "status", "schemes"} <= tables
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        applied = [r[0] for r in s.conn.execute("SELECT name FROM _sqlite_migrations")]
        assert applied == [
            "m001_initial",
            "m002_gold_provenance",
            "m003_gold_rejections",
            "m004_binary_offsets",
            "m005_memos",
            "m006_study_design",
            "m007_fulltext",
            "m008_suggestions",
            "m009_codebook_history",
            "m010_text_history",
            "m011_suggestion_training",
        ]
        assert s.scheme.name == "alliance-framing"
        assert s.scheme_versions() == [1]
    with Store(path) as again:
        assert not again.created
        assert [r[0] for r in again.conn.execute("SELECT name FROM _sqlite_migrations")] == [
            "m001_initial",
            "m002_gold_provenance",
            "m003_gold_rejections",
            "m004_binary_offsets",
            "m005_memos",
            "m006_study_design",
            "m007_fulltext",
            "m008_suggestions",
            "m009_codebook_history",
            "m010_text_history",
            "m011_suggestion_training",
        ]


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("this is not sqlite " * 100)
    with pytest.raises(AnnotatorError, match="notes.db"):
        Store(bad)


def test_add_span_is_durable_and_exact(store, make_doc, tmp_path):
    doc = make_doc(TEXT)
    start = TEXT.index("signed")
    span = store.add_span(doc, "ana", start, start + len("signed a pact"), "alarmist", "strong")
    # A second, independent connection sees the span at once: it was committed.
    other = sqlite3.connect(tmp_path / "labels.db")
    row = other.execute("SELECT start, end, label, note, scheme_version FROM spans").fetchone()
    assert row == (span.start, span.end, "alarmist", "strong", 1)
    assert TEXT[span.start : span.end] == "signed a pact"
    assert store.spans(doc, "ana") == [span]
    assert store.status(doc, "ana") == "in_progress"


@pytest.mark.parametrize(
    "args, message",
    [
        ((0, 0, "alarmist"), "before end"),
        ((5, 3, "alarmist"), "before end"),
        ((-1, 3, "alarmist"), "outside"),
        ((0, len(TEXT) + 1, "alarmist"), "outside"),
        ((0, 3, "scary"), "not in scheme"),
        ((0.5, 3, "alarmist"), "integer"),
        ((True, 3, "alarmist"), "integer"),
    ],
)
def test_invalid_span_is_refused_and_nothing_written(store, make_doc, args, message):
    doc = make_doc(TEXT)
    with pytest.raises(ValidationError, match=message):
        store.add_span(doc, "ana", *args)
    assert count(store, "spans") == 0
    assert count(store, "annotators") == 0


def test_unknown_document_and_coder_name(store, make_doc):
    doc = make_doc(TEXT)
    with pytest.raises(NotFoundError, match="unknown document 999"):
        store.add_span(999, "ana", 0, 3, "alarmist")
    with pytest.raises(ValidationError, match="empty"):
        store.add_span(doc, "  ", 0, 3, "alarmist")
    with pytest.raises(NotFoundError):
        store.delete_span(12345)
    assert count(store, "spans") == 0


def test_overlaps_are_allowed(store, make_doc):
    doc = make_doc(TEXT)
    a = store.add_span(doc, "ana", 0, 22, "alarmist")
    b = store.add_span(doc, "ben", 0, 22, "alarmist")
    c = store.add_span(doc, "ana", 11, 30, "skeptical_of_alliance")
    assert {s.id for s in store.spans(doc)} == {a.id, b.id, c.id}
    assert [s.id for s in store.spans(doc, "ana")] == [a.id, c.id]


def test_title_can_be_edited_and_a_bad_title_writes_nothing(store, make_doc):
    doc = make_doc(TEXT)
    assert store.set_title(doc, "  The pact,\n  and its limits ") == "The pact, and its limits"
    assert store.document(doc).title == "The pact, and its limits"
    assert store.document(doc).text == TEXT
    for bad_doc, bad_title in ((doc, " \n\t"), (doc + 1, "x"), ("1", "x")):
        with pytest.raises(ValidationError):
            store.set_title(bad_doc, bad_title)
    assert store.document(doc).title == "The pact, and its limits"
    assert [d.title for d in store.list_documents()] == ["The pact, and its limits"]


def test_relabel_move_note_delete_restore(store, make_doc):
    doc = make_doc(TEXT)
    s = store.add_span(doc, "ana", 0, 6, "alarmist")
    s2 = store.relabel_span(s.id, "policy_prescription")
    assert s2.label == "policy_prescription" and s2.created_at == s.created_at
    with pytest.raises(ValidationError):
        store.relabel_span(s.id, "nope")
    assert store.span(s.id).label == "policy_prescription"
    s3 = store.move_span(s.id, 0, 22)
    assert (s3.start, s3.end) == (0, 22)
    with pytest.raises(ValidationError):
        store.move_span(s.id, 10, 5)
    assert store.set_span_note(s.id, "check with Ben").note == "check with Ben"
    gone = store.delete_span(s.id)
    assert store.spans(doc) == []
    store.restore_span(gone)
    assert store.spans(doc) == [gone]
    with pytest.raises(ValidationError, match="already exists"):
        store.restore_span(gone)


def test_doc_labels_single_multi_and_clear(store, make_doc):
    doc = make_doc(TEXT)
    store.set_doc_label(doc, "ana", "dominant_frame", "alarmist")
    store.set_doc_label(doc, "ana", "frames_present", ["policy_prescription", "alarmist"])
    assert store.doc_labels(doc, "ana") == {
        "dominant_frame": "alarmist",
        # stored in scheme order, whatever order they were given in
        "frames_present": ("alarmist", "policy_prescription"),
    }
    store.set_doc_label(doc, "ana", "dominant_frame", "none")
    store.set_doc_label(doc, "ana", "frames_present", [])
    assert store.doc_labels(doc, "ana") == {"dominant_frame": "none", "frames_present": ()}
    store.set_doc_label(doc, "ana", "dominant_frame", None)
    assert store.doc_labels(doc, "ana") == {"frames_present": ()}
    assert store.doc_labels(doc, "ben") == {}


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("tone", "alarmist", "not in scheme"),
        ("dominant_frame", "panic", "not an option"),
        ("dominant_frame", ["alarmist"], "not an option"),
        ("frames_present", "alarmist", "list of options"),
        ("frames_present", ["alarmist", "panic"], "not an option"),
    ],
)
def test_invalid_doc_label_is_refused(store, make_doc, field, value, message):
    doc = make_doc(TEXT)
    with pytest.raises(ValidationError, match=message):
        store.set_doc_label(doc, "ana", field, value)
    assert count(store, "doc_labels") == 0
    assert count(store, "status") == 0


def test_status_and_progress(store, make_doc):
    d1, d2, d3 = make_doc("one two three"), make_doc("four five six"), make_doc("seven eight")
    assert store.progress("ana").new == 3
    store.add_span(d1, "ana", 0, 3, "alarmist")
    store.set_status(d2, "ana", "done")
    store.add_span(d2, "ana", 0, 4, "alarmist")  # labelling a done document keeps it done
    store.add_time(d1, "ana", 12.5)
    p = store.progress("ana")
    assert (p.total, p.new, p.in_progress, p.done) == (3, 1, 1, 1)
    assert store.status(d3, "ana") == "new"
    assert store.progress("ben").new == 3
    with pytest.raises(ValidationError):
        store.set_status(d1, "ana", "finished")
    summaries = store.list_documents("ana")
    assert [(s.id, s.state, s.span_count) for s in summaries] == [
        (d1, "in_progress", 1),
        (d2, "done", 1),
        (d3, "new", 0),
    ]
    secs = store.conn.execute("SELECT seconds_spent FROM status WHERE document_id = ?", (d1,))
    assert secs.fetchone()[0] == 12.5


def test_snapping_uses_stored_offsets(store, make_doc):
    doc = make_doc(TEXT)
    i = TEXT.index("orth")
    assert store.snap_to_tokens(doc, i, i + 2) == (TEXT.index("North"), i + 4)
    s, e = store.snap_to_sentence(doc, TEXT.index("hesitates"), TEXT.index("hesitates") + 1)
    assert TEXT[s:e] == "China hesitates; Iran watches."
    s, e = store.snap_to_sentence(doc, 0, 2)
    assert TEXT[s:e] == "Russia and North Korea 😀 signed a pact."
    with pytest.raises(ValidationError):
        store.snap_to_tokens(doc, 0, 10_000)


def test_snapping_and_reading_do_not_import_spacy(tmp_path, make_doc, store):
    """Nor numpy: stored offsets decode with the standard library (the window's start-up)."""
    make_doc(TEXT)
    code = (
        "import sys; from annotator.store import Store; s = Store(sys.argv[1]);"
        "d = s.document_ids()[0]; s.snap_to_tokens(d, 1, 2); s.snap_to_sentence(d, 1, 2);"
        "s.add_span(d, 'ana', 0, 6, 'alarmist');"
        "print('spacy' in sys.modules or 'numpy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "labels.db")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


def test_second_process_waits_for_a_writer_instead_of_failing(tmp_path, make_doc, store):
    doc = make_doc(TEXT)
    holder = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"INSERT INTO annotators (name) VALUES ('holder')\")\n"
        "print('locked', flush=True)\n"
        "time.sleep(0.8)\n"
        "c.execute('COMMIT')\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder, str(tmp_path / "labels.db")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "locked"
    t0 = time.monotonic()
    with Store(tmp_path / "labels.db") as other:
        span = other.add_span(doc, "ben", 0, 6, "alarmist")
    waited = time.monotonic() - t0
    assert proc.wait(timeout=30) == 0
    assert waited >= 0.3  # it queued behind the other process's write
    assert store.span(span.id).coder == "ben"
    assert "holder" in store.coders()


def test_write_beyond_the_busy_timeout_is_a_one_line_busy_error(store, make_doc, tmp_path):
    """A second process holds the write lock: the write fails as DatabaseBusyError (retryable,
    one line naming the file), nothing of it is stored, and it works once the lock is gone."""
    doc = make_doc(TEXT)
    with write_lock_held(tmp_path / "labels.db"):
        store.set_busy_timeout(0.1)
        with pytest.raises(DatabaseBusyError) as info:
            store.add_span(doc, "ana", 0, 6, "alarmist")
        assert info.value.retryable
        assert str(info.value).startswith(str(store.path)) and "\n" not in str(info.value)
    assert store.spans(doc) == []
    assert store.add_span(doc, "ana", 0, 6, "alarmist").label == "alarmist"


def test_full_database_is_a_full_error_even_inside_a_transaction(store, make_doc):
    """A full database (page limit reached) inside a nested call reports "full", not the
    "no such savepoint" SQLite's own rollback would otherwise hide it behind."""
    doc = make_doc(TEXT)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count={pages}")
    with pytest.raises(DatabaseFullError, match="full"), store.transaction():
        for i in range(3000):
            store.add_span(doc, f"coder{i}", 0, 6, "alarmist", note="n" * 500)
    store.conn.execute("PRAGMA max_page_count=1073741823")
    assert store.spans(doc) == [] and store.coders() == []


def test_scheme_versions(tmp_path):
    base = load_scheme()
    v2_text = base.source_toml.replace("version = 1", "version = 2").replace(
        'name = "policy_prescription"', 'name = "policy"'
    )
    v2 = parse_scheme(v2_text, "v2.toml")
    with Store(tmp_path / "x.db") as s:
        s.record_scheme(base)  # same content again: no-op
        assert s.scheme_versions() == [1]
        s.record_scheme(v2)
        assert s.scheme.version == 2 and "policy" in s.scheme.label_names
        with pytest.raises(ValidationError, match="older"):
            s.record_scheme(base)
        changed = parse_scheme(v2_text.replace("#d62728", "#000000"), "v2b.toml")
        with pytest.raises(ValidationError, match="different content"):
            s.record_scheme(changed)
    with Store(tmp_path / "x.db") as s:
        assert s.scheme.version == 2
        assert "policy_prescription" in s.scheme_version_toml(1)


def test_new_database_takes_the_given_scheme(tmp_path):
    custom = parse_scheme(
        'name = "tiny"\nversion = 3\n[[span_labels]]\nname = "x"\nkey = "x"\ncolor = "#000000"\n',
        "tiny.toml",
    )
    with Store(tmp_path / "t.db", scheme=custom) as s:
        assert (s.scheme.name, s.scheme.version, s.scheme.label_names) == ("tiny", 3, ("x",))


def test_stats(store, make_doc):
    d = make_doc(TEXT)
    store.add_span(d, "ana", 0, 6, "alarmist")
    store.add_span(d, "ben", 0, 6, "alarmist")
    store.add_span(d, "ben", 7, 10, "policy_prescription")
    store.set_status(d, "ben", "done")
    st_ = store.stats()
    assert st_["documents"] == 1
    assert st_["annotators"] == ["ana", "ben"]
    assert st_["spans_per_label"] == {
        "alarmist": 2,
        "skeptical_of_alliance": 0,
        "policy_prescription": 1,
    }
    assert st_["done_per_annotator"] == {"ana": 0, "ben": 1}


unicode_text = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from(
            ["😀", "👩‍👩‍👧", "e\u0301", "ع", "ב", "\u00a0", "\u2028", "\r\n", " ", "\n"]
        ),
        st.sampled_from(["North", "Korea", "alliance", "Россия", "中国", "إيران"]),
    ),
    min_size=1,
    max_size=40,
).map("".join)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=unicode_text, data=st.data())
def test_spans_round_trip_exact_text_for_any_unicode(tmp_path_factory, text, data):
    from annotator.corpus import RawDocument, normalize_text
    from annotator.ingest import import_documents

    text = normalize_text(text)
    if not text.strip():
        return
    path = tmp_path_factory.mktemp("db") / "p.db"
    with Store(path) as s:
        doc = import_documents(s, [RawDocument(text, "h")]).added[0]
        assert s.document(doc).text == text
        wanted = []
        for _ in range(data.draw(st.integers(1, 4))):
            a = data.draw(st.integers(0, len(text) - 1))
            b = data.draw(st.integers(a + 1, len(text)))
            label = data.draw(st.sampled_from(s.scheme.label_names))
            s.add_span(doc, data.draw(st.sampled_from(["ana", "ben"])), a, b, label)
            wanted.append((a, b, label))
    with Store(path) as s:
        got = sorted((sp.start, sp.end, sp.label) for sp in s.spans(doc))
        assert got == sorted(wanted)
        stored = s.document(doc).text
        for sp in s.spans(doc):
            assert stored[sp.start : sp.end] == text[sp.start : sp.end]


def test_transaction_is_all_or_nothing(store, make_doc):
    doc = make_doc(TEXT)
    with pytest.raises(ValidationError), store.transaction():
        store.add_span(doc, "ana", 0, 6, "alarmist")
        store.set_doc_label(doc, "ana", "dominant_frame", "alarmist")
        store.add_span(doc, "ana", 0, 6, "no-such-label")
    assert store.spans(doc) == [] and store.doc_labels(doc, "ana") == {}
    assert store.coders() == []
    with store.transaction():
        store.add_span(doc, "ana", 0, 6, "alarmist")
        with pytest.raises(ValidationError):  # a failed inner call is undone alone
            store.add_span(doc, "ana", 0, 99_999, "alarmist")
        store.add_span(doc, "ana", 7, 10, "alarmist")
    assert [(s.start, s.end) for s in store.spans(doc, "ana")] == [(0, 6), (7, 10)]


def test_readonly_store_reads_and_refuses_writes(tmp_path, store, make_doc):
    doc = make_doc(TEXT)
    store.add_span(doc, "ana", 0, 6, "alarmist")
    before = (tmp_path / "labels.db").read_bytes()
    with Store(tmp_path / "labels.db", readonly=True) as ro:
        assert [s.label for s in ro.spans(doc)] == ["alarmist"]
        with pytest.raises(AnnotatorError, match="read-only"):
            ro.add_span(doc, "ana", 0, 6, "alarmist")
    assert (tmp_path / "labels.db").read_bytes() == before
    with pytest.raises(AnnotatorError, match="no such database"):
        Store(tmp_path / "missing.db", readonly=True)


def test_an_older_database_is_upgraded_by_the_pending_migrations(tmp_path):
    import sqlite_utils

    from annotator.store import migrations

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations().apply(db, stop_before="m002_gold_provenance")  # as version 0.1 left it
    db.close()
    with Store(path) as s:
        assert "gold_span_sources" in s.db.table_names()
    with pytest.raises(AnnotatorError, match="needs an upgrade"):
        db = sqlite_utils.Database(tmp_path / "older.db")
        migrations().apply(db, stop_before="m002_gold_provenance")
        db.close()
        Store(tmp_path / "older.db", readonly=True)


def test_an_older_database_with_unreadable_offsets_is_one_line_and_left_as_it_was(tmp_path):
    """An upgrade that meets stored data it cannot read (hand-edited token JSON) refuses in one
    line; the migration's transaction leaves the file as it was, still pending."""
    import sqlite_utils

    from annotator.store import migrations

    path = tmp_path / "v3.db"
    db = sqlite_utils.Database(path)
    migrations().apply(db, stop_before="m004_binary_offsets")
    db["documents"].insert(
        {
            "id": 1, "sha256": "h1", "title": "t", "source": "s", "text": "A pact.",
            "length": 7, "meta": "{}", "tokens": "{not json", "sentences": "[[0, 7]]",
            "pipeline": "blank:en", "added_at": "",
        }
    )  # fmt: skip
    db.close()

    def dump() -> list[str]:
        with sqlite3.connect(path) as c:
            return list(c.iterdump())

    before = dump()
    with pytest.raises(AnnotatorError, match="cannot upgrade the database") as info:
        Store(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    assert dump() == before


def test_json_offsets_of_an_older_database_become_blobs_with_labels_intact(tmp_path):
    """m004: offsets stored as JSON text (schema m001-m003) are packed; nothing else moves."""
    import sqlite_utils

    from annotator.nlp import tokenize
    from annotator.store import migrations

    texts = ["Moscow and Pyongyang.\nA pact.", "Iran \U0001f600 waits. Beijing hedges."]
    toks = list(tokenize(texts))
    path = tmp_path / "v3.db"
    db = sqlite_utils.Database(path)
    migrations().apply(db, stop_before="m004_binary_offsets")
    for i, (text, tok) in enumerate(zip(texts, toks, strict=True), start=1):
        tokens = {"start": list(tok.token_starts), "end": list(tok.token_ends)}
        pairs = [[a, b] for a, b in zip(tok.sentence_starts, tok.sentence_ends, strict=True)]
        db["documents"].insert(
            {
                "id": i, "sha256": f"h{i}", "title": "t", "source": "s", "text": text,
                "length": len(text), "meta": "{}", "tokens": json.dumps(tokens),
                "sentences": json.dumps(pairs), "pipeline": "blank:en", "added_at": "",
            }
        )  # fmt: skip
    db.execute("PRAGMA foreign_keys=ON")
    db["annotators"].insert({"id": 1, "name": "ana", "created_at": ""})
    db["spans"].insert(
        {"id": 1, "document_id": 2, "annotator_id": 1, "start": 0, "end": 4, "label": "alarmist"}
    )
    db["doc_labels"].insert(
        {"document_id": 1, "annotator_id": 1, "field": "dominant_frame", "value": '"none"'}
    )
    db.close()
    with Store(path) as s:
        for i, tok in enumerate(toks, start=1):
            assert s.tokenization(i) == tok
        assert [(x.start, x.end, x.label) for x in s.spans(2, "ana")] == [(0, 4, "alarmist")]
        assert s.doc_labels(1, "ana") == {"dominant_frame": "none"}
        cols = {c.name: c.type for c in s.db["documents"].columns}
        assert cols["tokens"] == cols["sentences"] == "BLOB"
        unique = [ix.columns for ix in s.db["documents"].indexes if ix.unique]
        assert ["sha256"] in unique
        types = s.conn.execute("SELECT DISTINCT typeof(tokens), typeof(sentences) FROM documents")
        assert types.fetchall() == [("blob", "blob")]
        assert s.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert s.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        fks = {(fk.column, fk.other_table) for fk in s.db["spans"].foreign_keys}
        assert ("document_id", "documents") in fks
        s.add_span(1, "ana", 0, 6, "alarmist")  # still writable
        with pytest.raises(ValidationError):  # and still checked
            s.add_span(99, "ana", 0, 6, "alarmist")


def test_gold_layer_keeps_provenance_and_is_not_a_coder(store, make_doc):
    doc = make_doc(TEXT)
    store.add_span(doc, "ana", 0, 6, "alarmist")
    store.add_span(doc, "ben", 0, 6, "alarmist")
    with pytest.raises(ValidationError, match="reserved"):
        store.add_span(doc, "gold", 0, 6, "alarmist")
    with pytest.raises(ValidationError, match="reserved|whitespace"):
        store.set_doc_label(doc, " gold ", "dominant_frame", "none")
    g = store.add_gold_span(doc, 0, 6, "alarmist", sources=["ben", "ana"])
    own = store.add_gold_span(doc, 7, 13, "skeptical_of_alliance", sources=[])
    store.set_gold_label(doc, "dominant_frame", "alarmist", sources=["ana"])
    assert store.coders() == ["ana", "ben"] and store.has_gold()
    assert store.gold_span_sources(doc) == {g.id: ("ana", "ben"), own.id: ()}
    assert store.gold_label_sources(doc) == {"dominant_frame": ("ana",)}
    assert [s.label for s in store.spans(doc, "gold")] == ["alarmist", "skeptical_of_alliance"]
    store.delete_span(g.id)  # its provenance goes with it
    assert store.gold_span_sources(doc) == {own.id: ()}
    assert count(store, "gold_span_sources") == 0
    with pytest.raises(NotFoundError):  # a source must be a known coder; nothing written
        store.add_gold_span(doc, 0, 6, "alarmist", sources=["zed"])
    assert len(store.spans(doc, "gold")) == 1
    store.set_gold_label(doc, "dominant_frame", None, sources=[])
    assert store.gold_label_sources(doc) == {}


def test_rejected_decisions_persist(tmp_path, store, make_doc):
    doc = make_doc(TEXT)
    store.reject_decision(doc, '["span", 0, 6, "alarmist"]')
    store.reject_decision(doc, '["span", 0, 6, "alarmist"]')  # idempotent
    with Store(tmp_path / "labels.db") as again:
        assert again.rejected_decisions(doc) == {'["span", 0, 6, "alarmist"]'}
        again.unreject_decision(doc, '["span", 0, 6, "alarmist"]')
    assert store.rejected_decisions(doc) == set()
    with pytest.raises(NotFoundError):
        store.reject_decision(999, "x")


# -- opening: foreign files, read-only databases, merge sources -------------------------


def run_cli(*args, cwd, **kw):
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, **kw,
    )  # fmt: skip


def one_line(res) -> str:
    assert res.returncode == 1, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    [line] = res.stderr.splitlines()
    return line


def listing(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_another_programs_sqlite_file_is_refused_unchanged(tmp_path):
    """Not initialised, not switched to WAL: byte for byte as it was, and no -wal beside
    it, whether in WAL or rollback mode, through the store or any command."""
    for mode in ("delete", "wal"):
        folder = tmp_path / mode
        folder.mkdir()
        path = folder / "other.db"
        c = sqlite3.connect(path)
        c.execute(f"PRAGMA journal_mode={mode}")
        c.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        c.execute("INSERT INTO notes (body) VALUES ('mine')")
        c.commit()
        c.close()
        before = path.read_bytes()
        with pytest.raises(AnnotatorError, match="other.db: not an annotator database"):
            Store(path)
        with pytest.raises(AnnotatorError, match="other.db: not an annotator database"):
            Store(path, readonly=True)
        for args in (["stats"], ["init"], ["import", str(tmp_path)], ["export", "-o", "x.jsonl"]):
            line = one_line(run_cli("--db", "other.db", *args, cwd=folder))
            assert line.startswith("Error: other.db: not an annotator database"), line
        assert path.read_bytes() == before
        assert listing(folder) == ["other.db"]


def test_an_empty_file_or_empty_sqlite_database_is_initialised(tmp_path):
    (tmp_path / "zero.db").touch()
    sqlite3.connect(tmp_path / "blank.db").execute("VACUUM").connection.close()
    for name in ("zero.db", "blank.db"):
        with Store(tmp_path / name) as s:
            assert s.created and s.scheme_versions() == [1]
    stamped = tmp_path / "stamped.db"  # another program's, even without tables yet
    sqlite3.connect(stamped).execute("PRAGMA application_id = 1234").connection.close()
    with pytest.raises(AnnotatorError, match="not an annotator database"):
        Store(stamped)


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_read_only_database_is_read_and_writes_say_read_only(tmp_path, immutable, what):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "labels.db"
    Store(db).close()
    res = run_cli("--db", str(db), "import", str(_seed_file(tmp_path)), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert run_cli("--db", str(db), "title", "1", "Old title", cwd=tmp_path).returncode == 0
    before = listing(folder)
    immutable(folder if what == "folder" else db)
    for args in (["stats"], ["export", "-o", "out.jsonl"], ["agreement", "--bootstrap", "0"]):
        res = run_cli("--db", str(db), *args, cwd=tmp_path)
        assert res.returncode == 0, (args, res.stderr)
    assert (tmp_path / "out.jsonl").exists()
    assert run_cli("--db", str(db), "title", cwd=tmp_path).stdout == "1\tOld title\n"
    assert run_cli("--db", str(db), "title", "1", cwd=tmp_path).stdout == "Old title\n"
    for args in (["title", "1", "New"], ["import", str(tmp_path)], ["init"], ["gold", "--auto"]):
        line = one_line(run_cli("--db", str(db), *args, cwd=tmp_path))
        assert "read-only" in line and "not a usable" not in line, (args, line)
    if what == "folder":
        assert listing(folder) == before
        line = one_line(run_cli("--db", str(folder / "new.db"), "stats", cwd=tmp_path))
        assert "folder" in line and "read-only" in line, line
    with Store(db, readonly=True) as s:
        assert s.document(1).title == "Old title"


def _seed_file(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def coder_file(path) -> None:
    from annotator.corpus import RawDocument
    from annotator.ingest import import_documents

    with Store(path) as s:
        [d] = import_documents(s, [RawDocument(TEXT, "t")], "blank:en").added
        s.add_span(d, "cleo", 0, 6, "alarmist")


def test_merging_a_coders_file_leaves_nothing_beside_it(tmp_path, store):
    """A cleanly closed coder's file in WAL mode: SQLite's read-only open would leave a
    -wal and -shm next to it; the merge reads it without creating either."""
    coder = tmp_path / "coder"
    coder.mkdir()
    coder_file(coder / "cleo.db")
    before = (listing(coder), (coder / "cleo.db").read_bytes())
    from annotator.merge import merge_database

    assert merge_database(store, coder / "cleo.db").spans_added == 1
    assert (listing(coder), (coder / "cleo.db").read_bytes()) == before
    res = run_cli("--db", "lead.db", "merge", str(coder / "cleo.db"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (listing(coder), (coder / "cleo.db").read_bytes()) == before


@pytest.mark.parametrize("name", ["cleo.db", "link.db"])
def test_merging_a_file_another_process_has_open_sees_its_wal_and_adds_nothing(
    tmp_path, store, name
):
    """The coder's window is open (its -wal holds labels not yet in the main file): the
    merge sees those labels, and the folder keeps exactly the files it had. Also through
    a symlink (link.db -> cleo.db), whose WAL SQLite names after the target: cleo.db-wal
    (before the fix, the merge looked for link.db-wal, read cleo.db alone and silently
    missed dora's label)."""
    coder = tmp_path / "coder"
    coder.mkdir()
    coder_file(coder / "cleo.db")
    (coder / "link.db").symlink_to("cleo.db")
    holder = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint=0')\n"
        "c.execute(\"INSERT INTO annotators (name) VALUES ('dora')\")\n"
        'c.execute("INSERT INTO spans (document_id, annotator_id, start, end, label)'
        " SELECT 1, id, 7, 10, 'alarmist' FROM annotators WHERE name = 'dora'\")\n"
        "print('open', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder, str(coder / "cleo.db")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout.readline().strip() == "open"
        before = listing(coder)
        assert "cleo.db-wal" in before
        from annotator.merge import merge_database

        merge_database(store, coder / name)
        assert listing(coder) == before
    finally:
        proc.communicate("done\n", timeout=30)
    assert sorted((s.coder, s.start) for s in store.spans(1)) == [("cleo", 0), ("dora", 7)]


def test_a_lock_held_at_open_is_one_line_busy_in_any_command(tmp_path, store):
    """Another process holds the database exclusively (or holds the write lock while this
    version must upgrade the file): every command says "busy" in one line."""
    holder = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA locking_mode=EXCLUSIVE')\n"
        "c.execute('BEGIN EXCLUSIVE')\n"
        "c.execute('SELECT count(*) FROM documents').fetchone()\n"
        "print('locked', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    store.close()
    proc = subprocess.Popen(
        [sys.executable, "-c", holder, "labels.db"],
        cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout.readline().strip() == "locked"
        for args in (["stats"], ["export", "-o", "-"], ["title"], ["init"], ["agreement"]):
            line = one_line(run_cli("--busy-timeout", "0.1", *args, cwd=tmp_path))
            assert line.startswith("Error: labels.db: the database is busy"), (args, line)
    finally:
        proc.communicate("done\n", timeout=30)
    assert not (tmp_path / "-").exists()


def test_a_lock_held_while_an_older_database_needs_its_upgrade_is_one_line(tmp_path):
    import sqlite_utils

    from annotator.store import migrations

    db = sqlite_utils.Database(tmp_path / "old.db")
    migrations().apply(db, stop_before="m002_gold_provenance")
    db.close()
    holder = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "print('locked', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder, "old.db"],
        cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout.readline().strip() == "locked"
        line = one_line(run_cli("--db", "old.db", "--busy-timeout", "0.1", "stats", cwd=tmp_path))
        assert line.startswith("Error: old.db: the database is busy"), line
    finally:
        proc.communicate("done\n", timeout=30)
    assert run_cli("--db", "old.db", "stats", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_a_databases_wal_or_shm_is_never_opened_as_a_database(tmp_path, store, suffix):
    """``--db labels.db-wal`` (one tab completion too far) while another process has
    labels.db open: its -wal is empty, so it was taken for "a new file" and initialised,
    writing a whole annotator database into the live write-ahead log (exit 0)."""
    store.close()
    holder = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('SELECT count(*) FROM documents').fetchone()\n"
        "print('open', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder, "labels.db"], cwd=tmp_path,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout.readline().strip() == "open"
        (tmp_path / "link").symlink_to(f"labels.db{suffix}")
        for name in [f"labels.db{suffix}", "link"]:
            before = (
                (tmp_path / f"labels.db{suffix}").read_bytes() if suffix != "-journal" else None
            )
            line = one_line(run_cli("--db", name, "stats", cwd=tmp_path))
            assert f"is the {suffix[1:]} file of the database" in line, line
            if before is not None:
                assert (tmp_path / f"labels.db{suffix}").read_bytes() == before
        assert not (tmp_path / "labels.db-journal").exists()
    finally:
        proc.communicate("done\n", timeout=30)
    with Store(tmp_path / "labels.db") as s:
        assert s.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_damaged_schema_with_bytes_that_are_not_utf8_is_one_line(tmp_path, store):
    """A damaged file whose table definition holds a byte that is not UTF-8: SQLite's
    error message quotes it, and Python failed to decode the message - a
    UnicodeDecodeError traceback from every command and from merge (found by flipping
    random bytes of a coder's file)."""
    store.close()
    with Store(tmp_path / "coder.db"):
        pass
    c = sqlite3.connect(tmp_path / "coder.db")
    c.execute("PRAGMA writable_schema=ON")
    [sql] = c.execute("SELECT sql FROM sqlite_master WHERE name = 'gold_rejections'").fetchone()
    bad = sql.replace("NULL", "N\udce4LL", 1).encode("utf-8", "surrogateescape")
    c.execute(
        "UPDATE sqlite_master SET sql = CAST(? AS TEXT) WHERE name = 'gold_rejections'", (bad,)
    )
    c.commit()
    c.close()
    before = (tmp_path / "coder.db").read_bytes()
    for args in (["--db", "coder.db", "stats"], ["--db", "labels.db", "merge", "coder.db"],
                 ["--db", "coder.db", "import-labels", "x.jsonl"]):  # fmt: skip
        line = one_line(run_cli(*args, cwd=tmp_path))
        assert line.startswith("Error: coder.db: not a usable SQLite database"), line
    assert (tmp_path / "coder.db").read_bytes() == before


def test_a_coder_an_earlier_version_named_keeps_working(store, make_doc):
    """Names an earlier version accepted ('a|b', 'Smith, J') are refused for new coders but
    an existing coder under such a name can still be read, labelled and exported."""
    doc = make_doc(TEXT)
    for name in ("a|b", "Smith, J"):
        with pytest.raises(ValidationError):
            store.add_coder(name)
        with store.transaction() as s:
            s.conn.execute("INSERT INTO annotators (name, created_at) VALUES (?, '')", (name,))
        span = store.add_span(doc, name, 0, 6, "alarmist")
        store.set_doc_label(doc, name, "dominant_frame", "alarmist")
        store.set_status(doc, name, "done")
        assert store.spans(doc, name) == [span]
        assert store.doc_labels(doc, name) == {"dominant_frame": "alarmist"}
        assert store.status(doc, name) == "done"
        assert store.progress(name).done == 1
    from annotator.export import records

    assert {r["_annotator_id"] for r in records(store)} == {"a|b", "Smith, J"}
    assert store.spans(doc, "nobody|else") == []  # an unknown name has no labels


def test_a_person_adding_the_same_span_twice_is_refused_and_nothing_written(store, make_doc):
    doc = make_doc(TEXT)
    first = store.add_span(doc, "ana", 0, 6, "alarmist", "a note", unique=True)
    store.set_status(doc, "ana", "done")
    with pytest.raises(DuplicateSpanError) as e:  # a note of its own makes no difference
        store.add_span(doc, "ana", 0, 6, "alarmist", "another note", unique=True)
    assert str(e.value) == "coder 'ana' already has the 'alarmist' span [0, 6) in document 1"
    assert isinstance(e.value, ValidationError) and e.value.existing == first.id
    assert count(store, "spans") == 1 and store.status(doc, "ana") == "done"
    # inside a transaction: the whole transaction is all or nothing
    with pytest.raises(DuplicateSpanError), store.transaction():
        store.add_span(doc, "ana", 7, 13, "alarmist", unique=True)
        store.add_span(doc, "ana", 0, 6, "alarmist", unique=True)
    assert count(store, "spans") == 1
    # another coder, another label, another range: no duplicate
    store.add_span(doc, "ben", 0, 6, "alarmist", unique=True)
    store.add_span(doc, "ana", 0, 6, "skeptical_of_alliance", unique=True)
    store.add_span(doc, "ana", 0, 7, "alarmist", unique=True)
    store.add_span(doc, "zoe", 0, 6, "alarmist", unique=True)  # a new coder
    assert count(store, "spans") == 5
    # a second connection (another process) sees the refusal the same way
    with Store(store.path) as other, pytest.raises(DuplicateSpanError):
        other.add_span(doc, "ben", 0, 6, "alarmist", unique=True)
    assert count(store, "spans") == 5


def test_without_unique_a_span_list_is_a_multiset_as_imports_and_merges_need(store, make_doc):
    doc = make_doc(TEXT)
    a = store.add_span(doc, "ana", 0, 6, "alarmist")
    b = store.add_span(doc, "ana", 0, 6, "alarmist")
    g = store.add_gold_span(doc, 0, 6, "alarmist", sources=["ana"])
    h = store.add_gold_span(doc, 0, 6, "alarmist", sources=[])
    assert [s.id for s in store.spans(doc, "ana")] == [a.id, b.id]
    assert [s.id for s in store.spans(doc, "gold")] == [g.id, h.id]


def test_the_same_gold_span_twice_is_refused_with_its_sources_unwritten(store, make_doc):
    doc = make_doc(TEXT)
    store.add_span(doc, "ana", 0, 6, "alarmist")
    store.add_span(doc, "ben", 0, 6, "alarmist")
    g = store.add_gold_span(doc, 0, 6, "alarmist", sources=["ana"], unique=True)
    with pytest.raises(DuplicateSpanError) as e:
        store.add_gold_span(doc, 0, 6, "alarmist", sources=["ben"], unique=True)
    assert str(e.value) == "gold already has the 'alarmist' span [0, 6) in document 1"
    assert e.value.existing == g.id
    assert store.gold_span_sources(doc) == {g.id: ("ana",)}
    assert count(store, "gold_span_sources") == 1
    # a coder's span is no duplicate of gold's, nor gold's of a coder's
    store.add_span(doc, "ana", 7, 13, "alarmist", unique=True)
    store.add_gold_span(doc, 7, 13, "alarmist", sources=["ana"], unique=True)
    assert len(store.spans(doc, "gold")) == 2


def test_one_error_for_an_unknown_coder_names_the_known_ones(store, make_doc):
    doc = make_doc(TEXT)
    with pytest.raises(NotFoundError) as e:
        store.resolve_coders(["ana"])
    assert str(e.value) == "unknown coder 'ana' (known: none)"
    store.add_span(doc, "ben", 0, 6, "alarmist")
    store.add_span(doc, "ana", 0, 6, "alarmist")
    assert store.resolve_coders(["ben", "ana"]) == ["ben", "ana"]
    assert store.resolve_coders([]) == []
    with pytest.raises(NotFoundError) as e:
        store.resolve_coders(["ana", "zed", "amy"])
    assert str(e.value) == "unknown coder 'zed' (known: ana, ben)"
    with pytest.raises(NotFoundError) as e:  # the gold layer is no coder
        store.resolve_coders(["gold"])
    assert str(e.value) == "unknown coder 'gold' (known: ana, ben)"
    with pytest.raises(NotFoundError) as e:  # a gold label's source is looked up the same way
        store.add_gold_span(doc, 0, 6, "alarmist", sources=["zed"])
    assert str(e.value) == "unknown coder 'zed' (known: ana, ben)"
    assert store.spans(doc, "gold") == []


@pytest.mark.parametrize("what", ["folder", "file"])
def test_the_window_and_the_command_line_open_a_database_the_same_way(tmp_path, immutable, what):
    from annotator.gui.app import open_store as window_open
    from annotator.project import open_database

    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "labels.db"
    with open_database(db) as s:
        assert s.created and not s.readonly
    with open_database(db, read_only_ok=True) as s:
        assert not s.created and not s.readonly
    immutable(folder if what == "folder" else db)
    with pytest.raises(DatabaseReadOnlyError, match="read-only"):
        open_database(db)  # a command that writes is refused in one line
    for opened in (open_database(db, read_only_ok=True), window_open(db)):
        with opened as s:  # a command that reads, and the window, read it
            assert s.readonly and s.scheme.name == "alliance-framing"
    with pytest.raises(DatabaseReadOnlyError):  # a new scheme to record: refused
        open_database(db, scheme=load_scheme(), read_only_ok=True)
    if what == "folder":  # nothing to read: the reason it cannot be created
        for open_new in (lambda p: open_database(p, read_only_ok=True), window_open):
            with pytest.raises(DatabaseReadOnlyError, match="cannot create the database"):
                open_new(folder / "new.db")


def test_document_titles_read_titles_only(store, make_doc):
    a = make_doc("Headline one\n\nBody of the first article.")
    b = make_doc("Second headline\n\nBody of the second.")
    store.set_title(b, "Edited title")
    assert store.document_titles([b, a, b, 999]) == {
        a: store.document(a).title,
        b: "Edited title",
    }
    assert store.document_titles([]) == {}


def test_an_in_list_longer_than_a_chunk_reads_every_value_once(store, make_doc):
    """``rows.rows_in`` asks ``IN (...)`` lists a chunk at a time (SQLite's limit on bound
    parameters): every value is asked, across chunk ends, duplicates once."""
    from annotator.store.rows import rows_in

    docs = [make_doc(f"Article number {i}.") for i in range(7)]
    asked = [*docs, 999, *docs[:3]]
    sql = "SELECT id FROM documents WHERE id IN ({})"
    for chunk in (1, 2, 3, 500):
        assert sorted(r[0] for r in rows_in(store.conn, sql, asked, chunk)) == docs
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        list(rows_in(store.conn, sql, asked, 3))
    finally:
        store.conn.set_trace_callback(None)
    assert len(seen) == 3  # 8 distinct values, 3 a statement
    assert store.document_titles(range(1, 2000)).keys() == set(docs)
