"""Export behaviour that surviving mutants showed no test pinned (see bench/mutation.md):
progress counts, the defaults of ``export``, its error messages, and what ``strict_meta``
reports for a key with a lone surrogate. Expected values are literal."""

from __future__ import annotations

import json

import pytest

from annotator.atomic import dumps_line
from annotator.corpus import RawDocument, text_hash
from annotator.errors import AnnotatorError
from annotator.export import (
    export,
    export_jsonl,
    hash32,
    record,
    records,
    strict_meta,
    token_records,
)
from annotator.ingest import import_documents
from annotator.store import Store

TEXT = "Three coders read this article."
UNLABELLED = "Nobody labelled this one."


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "export.db")
    import_documents(s, [RawDocument(TEXT, "src", {}), RawDocument(UNLABELLED, "src", {})])
    doc = s.document_id_by_hash(text_hash(TEXT))
    label = s.scheme.label_names[0]
    for coder in ("ana", "ben", "cy"):
        s.add_span(doc, coder, 0, 5, label)
    yield s
    s.close()


def test_export_jsonl_reports_progress_once_per_line(store, tmp_path):
    seen: list[int] = []
    assert export_jsonl(store, tmp_path / "out.jsonl", progress=seen.append) == 3
    assert seen == [1, 2, 3]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_reports_progress_once_per_record(store, tmp_path, fmt):
    seen: list[int] = []
    export(store, tmp_path / f"out.{fmt}", fmt=fmt, progress=seen.append)
    assert seen == [1, 2, 3]


def test_export_defaults_to_jsonl_of_labelled_documents_only(store, tmp_path):
    out = tmp_path / "out.jsonl"
    assert export(store, out) == 3
    lines = out.read_text("utf-8").splitlines()
    assert [json.loads(line)["_annotator_id"] for line in lines] == ["ana", "ben", "cy"]
    assert {json.loads(line)["text"] for line in lines} == {TEXT}


def test_export_errors_name_the_format(store, tmp_path):
    with pytest.raises(AnnotatorError) as err:
        export(store, tmp_path / "x", fmt="xml")
    assert str(err.value) == (
        "unknown export format 'xml' (choose from jsonl, prodigy, doccano, spacy, csv, brat)"
    )
    with pytest.raises(AnnotatorError) as err:
        export(store, "-", fmt="brat")
    assert str(err.value) == "brat export writes a folder; give -o FOLDER"


def test_strict_meta_names_a_key_with_a_lone_surrogate_readably():
    fixed, problems = strict_meta({"a\ud800": {"b": float("nan")}})
    assert fixed == {"a\ufffd": {"b": None}}
    assert problems == [
        "meta (a key) had a lone surrogate, written as U+FFFD",
        "meta.a\ufffd.b was NaN, written as null",
    ]


def test_hash32_is_the_first_four_bytes_of_sha256_signed_big_endian():
    # Expected values from `printf 'abc' | sha256sum` (ba7816bf...) and
    # `printf 'a\x1fb' | sha256sum` (f04cdced...), read as signed 32-bit big-endian.
    assert hash32("abc") == -1166534977
    assert hash32("a", "b") == -263398163


def test_one_record_field_by_field(tmp_path):
    """Every field of one record, literal. The hashes were computed outside Python:
    sha256("Hi, you.") = 0ad778a2...; _input_hash = sha256 of that hex string (0114661c...);
    _task_hash = sha256 of "18114076", the span list and the sorted doc labels joined by U+001F
    (abcb341a...)."""
    text = "Hi, you."
    with Store(tmp_path / "one.db") as s:
        import_documents(s, [RawDocument(text, "src", {"n": 1})])
        doc = s.document_id_by_hash(text_hash(text))
        s.add_span(doc, "ana", 0, 2, "alarmist", "a note")
        s.set_doc_label(doc, "ana", "dominant_frame", "alarmist")
        s.set_doc_label(doc, "ana", "frames_present", ["alarmist", "policy_prescription"])
        [rec] = records(s)
        # the task hash does not depend on the order the document labels come in
        [(d, tokens, coder, spans, labels)] = list(s.iter_labelled(None, False))
        assert [dl.field for dl in labels] == ["dominant_frame", "frames_present"]
        status = ("in_progress", 0.0)  # what the store records for ana here
        assert s.statuses(doc) == {"ana": status}
        again = record(d, tokens, coder, spans, labels[::-1], "alliance-framing", 1, None, status)
        assert again == rec  # tokens rebuilt from the offsets when not handed in
        # a record's scheme version is that of its labels, not the scheme's current one
        assert record(d, tokens, coder, spans, labels, "alliance-framing", 2)["scheme_version"] == 1
        assert record(d, tokens, coder, [], [], "alliance-framing", 2)["scheme_version"] == 2
    stamp = rec.pop("_timestamp")
    assert isinstance(stamp, int) and stamp > 1_700_000_000
    assert rec == {
        "text": text,
        "meta": {
            "n": 1,
            "doc_id": doc,
            "title": text,
            "source": "src",
            "sha256": "0ad778a225a3122055354f50779bc01f80bbaacd24598f1292449410d6682307",
        },
        "tokens": [
            {"text": "Hi", "start": 0, "end": 2, "id": 0, "ws": False},
            {"text": ",", "start": 2, "end": 3, "id": 1, "ws": True},
            {"text": "you", "start": 4, "end": 7, "id": 2, "ws": False},
            {"text": ".", "start": 7, "end": 8, "id": 3, "ws": False},
        ],
        "spans": [
            {
                "start": 0,
                "end": 2,
                "token_start": 0,
                "token_end": 0,
                "label": "alarmist",
                "text": "Hi",
                "note": "a note",
                "scheme_version": 1,
                "origin": "manual",
            }
        ],
        "doc_labels": {
            "dominant_frame": "alarmist",
            "frames_present": ["alarmist", "policy_prescription"],
        },
        "doc_label_origins": {"dominant_frame": "manual", "frames_present": "manual"},
        "memo": "",
        "answer": "accept",
        "_annotator_id": "ana",
        "_session_id": "alliance-framing-ana",
        "status": "in_progress",
        "seconds_spent": 0.0,
        "_input_hash": 18114076,
        "_task_hash": -1412746214,
        "scheme_version": 1,
    }


def test_json_that_cannot_be_strict_names_the_document_if_it_can():
    with pytest.raises(AnnotatorError) as err:
        dumps_line({"meta": {"doc_id": 5}, "x": float("nan")})
    assert str(err.value).startswith("document 5: cannot be written as strict JSON (")
    with pytest.raises(AnnotatorError) as err:
        dumps_line({"x": float("inf")})
    assert str(err.value).startswith("cannot be written as strict JSON (")
    with pytest.raises(AnnotatorError) as err:
        dumps_line([float("nan")])  # not a record at all: still one line, no traceback
    assert str(err.value).startswith("cannot be written as strict JSON (")


def test_an_unlabelled_document_has_no_coder_and_no_session(store, tmp_path):
    recs = list(records(store, include_unlabelled=True))
    unlabelled = [r for r in recs if r["text"] == UNLABELLED]
    assert [
        (r["_annotator_id"], r["_session_id"], r["spans"], r["scheme_version"]) for r in unlabelled
    ] == [(None, None, [], 1)]


def test_strict_meta_names_each_non_finite_number():
    fixed, problems = strict_meta(
        {"a": float("-inf"), "b": float("inf"), "c": float("nan"), "d": ["é", 0.0, -1.5]}
    )
    assert fixed == {"a": None, "b": None, "c": None, "d": ["é", 0.0, -1.5]}
    assert problems == [
        "meta.a was -Infinity, written as null",
        "meta.b was Infinity, written as null",
        "meta.c was NaN, written as null",
    ]
    assert strict_meta({"t": "é ü 😀"}) == ({"t": "é ü 😀"}, [])  # non-ASCII is fine


def test_a_stored_meta_that_is_not_strict_json_is_warned_about_once_per_document(store, capsys):
    doc = store.document_id_by_hash(text_hash(TEXT))
    # what versions before strict import stored (written the way they wrote it)
    store.conn.execute(
        "UPDATE documents SET meta = ? WHERE id = ?", ['{"a": NaN, "b": -Infinity}', doc]
    )
    store.conn.commit()
    recs = list(records(store))  # three coders, one document: one warning
    assert [r["meta"]["a"] for r in recs] == [None, None, None]
    assert capsys.readouterr().err == (
        f"warning: document {doc}: meta.a was NaN, written as null;"
        " meta.b was -Infinity, written as null\n"
    )


def test_gold_records_carry_the_coders_each_label_came_from(store):
    doc = store.document_id_by_hash(text_hash(TEXT))
    label = store.scheme.label_names[0]
    store.add_gold_span(doc, 0, 5, label, ["ben", "ana"])
    store.add_gold_span(doc, 6, 12, label, [])  # the adjudicator's own
    store.set_gold_label(doc, "dominant_frame", label, ["cy"])
    store.set_gold_label(doc, "frames_present", [label], [])
    [gold] = list(records(store, "gold"))
    assert [(s["start"], s["end"], s["sources"]) for s in gold["spans"]] == [
        (0, 5, ["ana", "ben"]),
        (6, 12, []),
    ]
    assert gold["doc_label_sources"] == {"dominant_frame": ["cy"], "frames_present": []}
    # other coders' records have neither field
    others = [r for r in records(store) if r["_annotator_id"] != "gold"]
    assert others and all("doc_label_sources" not in r for r in others)
    assert all("sources" not in s for r in others for s in r["spans"])


def test_token_records_of_a_text_without_tokens_and_of_adjacent_tokens():
    assert token_records("", [], []) == []
    assert token_records("ab.", [0, 2], [2, 3]) == [
        {"text": "ab", "start": 0, "end": 2, "id": 0, "ws": False},
        {"text": ".", "start": 2, "end": 3, "id": 1, "ws": False},
    ]
    assert token_records("ab . ", [0, 3], [2, 4]) == [
        {"text": "ab", "start": 0, "end": 2, "id": 0, "ws": True},
        {"text": ".", "start": 3, "end": 4, "id": 1, "ws": True},
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_refuses_to_write_over_its_own_database(store, tmp_path, fmt):
    db = tmp_path / "export.db"
    before = db.read_bytes()
    with pytest.raises(AnnotatorError) as err:
        export(store, db, fmt=fmt)
    assert str(err.value) == (
        f"{db}: refusing to write over the open database {db}; choose another output file"
    )
    assert db.read_bytes() == before
    assert len(store.spans(store.document_id_by_hash(text_hash(TEXT)))) == 3
