"""Export behaviour that surviving mutants showed no test pinned (see bench/mutation.md):
progress counts, the defaults of ``export``, its error messages, and what ``strict_meta``
reports for a key with a lone surrogate. Expected values are literal."""

from __future__ import annotations

import json

import pytest

from annotator.corpus import RawDocument, text_hash
from annotator.errors import AnnotatorError
from annotator.export import export, export_jsonl, strict_meta
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
