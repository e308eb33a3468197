"""Outside predictions in (import-suggestions) and the suggestion layer out (export
--suggestions): all or nothing with file:line errors, hostile lines, a round trip."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.corpus import RawDocument
from annotator.errors import AnnotatorError
from annotator.ingest import import_documents
from annotator.store import Store
from annotator.suggestions_io import export_suggestions, import_suggestions

TEXT_A = "🙂 Sanctions must be tightened now. The alliance is fragile."
TEXT_B = "Line one.\nNuclear war looms; the pact is hollow."
POLICY = "policy_prescription"


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "labels.db") as s:
        import_documents(s, [RawDocument(TEXT_A, "a.txt"), RawDocument(TEXT_B, "b.txt")])
        yield s


def layer(store, source):
    """The layer of ``source`` as plain values (ids left out)."""
    return {
        d: (
            sorted((s.start, s.end, s.label, s.score) for s in store.suggestions(d, source)),
            sorted((x.field, x.value, x.score) for x in store.suggested_labels(d, source)),
        )
        for d in store.document_ids()
    }


def write(path, *lines):
    path.write_text(
        "".join(
            (ln if isinstance(ln, str) else json.dumps(ln, ensure_ascii=False)) + "\n"
            for ln in lines
        ),
        encoding="utf-8",
    )
    return path


def rec(text, spans=(), **extra):
    return {"text": text, "spans": list(spans), **extra}


def test_canonical_records_with_scores_are_stored(store, tmp_path):
    f = write(
        tmp_path / "s.jsonl",
        rec(TEXT_A, [{"start": 12, "end": 16, "label": POLICY, "score": 0.75}],
            doc_labels={"dominant_frame": "policy_prescription",
                        "frames_present": ["skeptical_of_alliance", "alarmist"]},
            doc_label_scores={"dominant_frame": 0.9}),
        rec(TEXT_B, [{"start": 10, "end": 21, "label": "alarmist"}]),
    )  # fmt: skip
    result = import_suggestions(store, f, "llm-1")
    assert result.ok and (result.records, result.documents, result.spans) == (2, 2, 2)
    assert result.field_values == 2
    assert layer(store, "llm-1") == {
        1: (
            [(12, 16, POLICY, 0.75)],
            [
                ("dominant_frame", "policy_prescription", 0.9),
                ("frames_present", ("alarmist", "skeptical_of_alliance"), None),
            ],
        ),
        2: ([(10, 21, "alarmist", None)], []),
    }
    assert TEXT_A[12:16] == "must"
    # importing it again changes nothing; a new file replaces the source on its documents
    import_suggestions(store, f, "llm-1")
    assert store.suggestion_sources() == [("llm-1", 2, 2)]
    import_suggestions(store, write(tmp_path / "t.jsonl", rec(TEXT_B)), "llm-1")
    assert layer(store, "llm-1")[2] == ([], []) and len(layer(store, "llm-1")[1][0]) == 1


def test_prodigy_records_choices_and_answers(store, tmp_path):
    f = write(
        tmp_path / "p.jsonl",
        {"text": TEXT_A, "spans": [{"start": 2, "end": 11, "label": POLICY}],
         "accept": ["dominant_frame:alarmist"], "answer": "accept"},
        {"text": TEXT_B, "spans": [{"start": 10, "end": 21, "label": "alarmist"}],
         "answer": "reject"},
    )  # fmt: skip
    result = import_suggestions(store, f, "prodigy-run")
    assert (result.format, result.records, result.skipped, result.documents) == ("prodigy", 1, 1, 1)
    assert layer(store, "prodigy-run")[1] == (
        [(2, 11, POLICY, None)],
        [("dominant_frame", "alarmist", None)],
    )


def test_a_crlf_text_matches_its_document_and_offsets_shift(store, tmp_path):
    crlf = TEXT_B.replace("\n", "\r\n")
    f = write(tmp_path / "c.jsonl", rec(crlf, [{"start": 11, "end": 22, "label": "alarmist"}]))
    assert import_suggestions(store, f, "x").ok
    assert layer(store, "x")[2][0] == [(10, 21, "alarmist", None)]
    assert TEXT_B[10:21] == "Nuclear war"


BAD = [
    ("not json", "{nope", "s.jsonl:2: not valid JSON"),
    ("NaN score", '{"text": "%A", "spans": [{"start": 0, "end": 1, "label": "alarmist", "score": NaN}]}',
     "s.jsonl:2: NaN is not allowed in JSON"),
    ("infinite score", '{"text": "%A", "spans": [{"start": 0, "end": 1, "label": "alarmist", "score": 1e999}]}',
     "s.jsonl:2: inf is not allowed in JSON"),
    ("score above 1", rec(TEXT_A, [{"start": 2, "end": 11, "label": POLICY, "score": 1.5}]),
     "s.jsonl:2: span 1 score must be a number from 0 to 1, got 1.5"),
    ("score a string", rec(TEXT_A, [{"start": 2, "end": 11, "label": POLICY, "score": "0.5"}]),
     "s.jsonl:2: span 1 score must be a number from 0 to 1, got '0.5'"),
    ("score true", rec(TEXT_A, [{"start": 2, "end": 11, "label": POLICY, "score": True}]),
     "s.jsonl:2: span 1 score must be a number from 0 to 1, got True"),
    ("huge offset", rec(TEXT_A, [{"start": 2, "end": 10**30, "label": POLICY}]),
     f"s.jsonl:2: span 1 ({POLICY}): [2, {10**30}) is outside the text (length 59)"),
    ("empty span", rec(TEXT_A, [{"start": 5, "end": 5, "label": POLICY}]),
     f"s.jsonl:2: span 1 ({POLICY}): start 5 is not before end 5"),
    ("label a number", rec(TEXT_A, [{"start": 0, "end": 1, "label": 3}]),
     "s.jsonl:2: span 1 label must be a string, got 3"),
    ("unknown label", rec(TEXT_A, [{"start": 0, "end": 1, "label": "nope"}]),
     "s.jsonl:2: span 1: label 'nope' is not in the scheme (alarmist, skeptical_of_alliance,"
     " policy_prescription)"),
    ("spans not a list", {"text": TEXT_A, "spans": "x"}, 's.jsonl:2: "spans" must be a list'),
    ("unknown text", rec("A text this database does not have."),
     "s.jsonl:2: its text is not a document of this database"),
    ("unknown option", rec(TEXT_A, doc_labels={"dominant_frame": "x"}),
     "s.jsonl:2: 'x' is not an option of field 'dominant_frame'"),
    ("unknown field", rec(TEXT_A, doc_labels={"mood": "x"}),
     "s.jsonl:2: document field 'mood' is not in the scheme"),
    ("two options of a single field", rec(TEXT_A, doc_labels={"dominant_frame": ["none", "alarmist"]}),
     "s.jsonl:2: field 'dominant_frame' takes one option"),
    ("score of no value", rec(TEXT_A, doc_label_scores={"dominant_frame": 0.5}),
     "s.jsonl:2: \"doc_label_scores\" names field 'dominant_frame', which has no value"),
    ("label score NaN-like", rec(TEXT_A, doc_labels={"dominant_frame": "none"},
                                 doc_label_scores={"dominant_frame": -0.1}),
     "s.jsonl:2: doc_label_scores[\"dominant_frame\"] must be a number from 0 to 1, got -0.1"),
    ("a list, not an object", "[1, 2]", "s.jsonl:2: not a JSON object"),
    ("trained_on not a boolean", rec(TEXT_A, trained_on="yes"),
     "s.jsonl:2: \"trained_on\" must be true or false, not \"yes\""),
    ("trained_on null", rec(TEXT_A, trained_on=None),
     "s.jsonl:2: \"trained_on\" must be true or false, not null"),
    ("a conflicting second record", rec(TEXT_B, doc_labels={"dominant_frame": "none"}),
     "s.jsonl:2: field 'dominant_frame' is 'none' here but 'alarmist' in the record of the same"
     " text on line 1"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_a_bad_line_refuses_the_whole_file_naming_file_and_line(store, tmp_path, case):
    _name, line, message = case
    if isinstance(line, str):
        line = line.replace("%A", TEXT_A)
    store.replace_suggestions("llm", [1], [(1, 0, 1, "alarmist", 0.5)])
    before = layer(store, "llm")
    first = rec(TEXT_B, [{"start": 10, "end": 21, "label": "alarmist"}],
                doc_labels={"dominant_frame": "alarmist"})  # fmt: skip
    f = write(tmp_path / "s.jsonl", first, line)
    result = import_suggestions(store, f, "llm")
    assert not result.ok and len(result.errors) == 1
    error = result.errors[0]
    assert error.startswith(str(tmp_path / message.split(":")[0]) + ":") and "\n" not in error
    assert message in error.replace(str(tmp_path) + "/", "")
    assert layer(store, "llm") == before  # nothing stored
    assert result.summary().endswith("nothing stored")


def test_files_that_cannot_be_read(store, tmp_path):
    empty = write(tmp_path / "e.jsonl")
    assert import_suggestions(store, empty, "x").errors == [f"{empty}: no JSON lines"]
    binary = tmp_path / "b.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert import_suggestions(store, binary, "x").errors == [
        f"{binary}: not UTF-8 but UTF-16 text (it starts with a UTF-16 byte-order mark);"
        " save it as UTF-8"
    ]
    latin = tmp_path / "l.jsonl"
    latin.write_bytes(b'{"text": "caf\xe9"}\n')
    assert import_suggestions(store, latin, "x").errors == [
        f"{latin}: not UTF-8 text (invalid byte at offset 13)"
    ]
    doccano = write(tmp_path / "d.jsonl", {"text": TEXT_A, "label": [[0, 1, "alarmist"]]})
    assert (
        "doccano lines are not read as suggestions"
        in import_suggestions(store, doccano, "x").errors[0]
    )
    with pytest.raises(AnnotatorError, match="source name"):
        import_suggestions(store, empty, "has space")
    with pytest.raises(AnnotatorError):
        import_suggestions(store, store.path, "x")  # never the open database
    assert store.suggestion_sources() == []


def test_export_writes_the_canonical_shape_and_reads_back_as_the_same_layer(store, tmp_path):
    store.replace_suggestions(
        "model-a",
        [1, 2],
        [(1, 2, 11, POLICY, 0.25), (1, 12, 16, POLICY, None), (2, 10, 21, "alarmist", 1.0)],
        [(1, "dominant_frame", "alarmist", 0.5), (2, "frames_present", ["alarmist"], None)],
    )
    store.replace_suggestions("patterns", [1], [(1, 12, 16, POLICY, None)])
    out = tmp_path / "out.jsonl"
    assert export_suggestions(store, out) == 3
    lines = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["meta"]["doc_id"], r["_annotator_id"]) for r in lines] == [
        (1, "suggest:model-a"), (1, "suggest:patterns"), (2, "suggest:model-a"),
    ]  # fmt: skip
    first = lines[0]
    assert first["text"] == TEXT_A
    assert first["spans"] == [
        {"start": 2, "end": 11, "token_start": 1, "token_end": 1, "label": POLICY,
         "text": "Sanctions", "score": 0.25},
        {"start": 12, "end": 16, "token_start": 2, "token_end": 2, "label": POLICY,
         "text": "must"},
    ]  # fmt: skip
    assert first["doc_labels"] == {"dominant_frame": "alarmist"}
    assert first["doc_label_scores"] == {"dominant_frame": 0.5}
    assert [(t["text"], t["start"], t["ws"]) for t in first["tokens"][:3]] == [
        ("🙂", 0, True), ("Sanctions", 2, True), ("must", 12, True),
    ]  # fmt: skip
    assert lines[2]["doc_labels"] == {"frames_present": ["alarmist"]}
    # one source's export, read into another database, is the same layer
    only = tmp_path / "a.jsonl"
    assert export_suggestions(store, only, source="model-a") == 2
    with Store(tmp_path / "other.db") as other:
        import_documents(other, [RawDocument(TEXT_A, "a.txt"), RawDocument(TEXT_B, "b.txt")])
        assert import_suggestions(other, only, "model-a").ok
        assert layer(other, "model-a") == layer(store, "model-a")
    with pytest.raises(AnnotatorError, match="no suggestions from source 'nope'"):
        export_suggestions(store, tmp_path / "n.jsonl", source="nope")
    with pytest.raises(AnnotatorError):
        export_suggestions(store, store.path)  # never over the database


offsets = st.integers(min_value=0, max_value=len(TEXT_A))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(offsets, offsets, st.sampled_from([POLICY, "alarmist"]),
                  st.one_of(st.none(), st.floats(0, 1))),
        max_size=8,
    )
)  # fmt: skip
def test_any_layer_round_trips_through_export_and_import(store, tmp_path, spans):
    rows = [(1, min(a, b), max(a, b), lab, sc) for a, b, lab, sc in spans if a != b]
    store.replace_suggestions("h", [1, 2], rows)
    store.delete_suggestions("h2")  # the store is shared by the examples
    if not rows:
        assert store.suggestions(1, "h") == []
        return
    out = tmp_path / "h.jsonl"
    export_suggestions(store, out, source="h")
    for line in out.read_text(encoding="utf-8").splitlines():
        for sp in json.loads(line)["spans"]:
            assert sp["text"] == TEXT_A[sp["start"] : sp["end"]]
    assert import_suggestions(store, out, "h2").ok
    want = {(s, e, lab, sc) for _d, s, e, lab, sc in rows}
    assert {(s.start, s.end, s.label, s.score) for s in store.suggestions(1, "h2")} == {
        max(((s, e, lab, sc) for s, e, lab, sc in want if (s, e, lab) == k[:3]),
            key=lambda x: -1 if x[3] is None else x[3])
        for k in want
    }  # fmt: skip


def test_a_span_given_twice_is_stored_once_with_its_best_score(store, tmp_path):
    span = {"start": 2, "end": 11, "label": POLICY}
    f = write(
        tmp_path / "d.jsonl",
        rec(TEXT_A, [span, {**span, "score": 0.0}, {**span, "end": 16, "score": 0.7}]),
        rec(TEXT_A, [{**span, "end": 16, "score": 0.3}, {**span, "end": 16}]),
        rec(TEXT_B, doc_label_scores=[]),
    )
    result = import_suggestions(store, f, "x")
    assert result.errors == [f'{f}:3: "doc_label_scores" must be an object {{field: score}}']
    f = write(tmp_path / "d.jsonl", *[json.loads(ln) for ln in f.read_text().splitlines()[:2]])
    assert import_suggestions(store, f, "x").ok
    assert layer(store, "x")[1] == ([(2, 11, POLICY, 0.0), (2, 16, POLICY, 0.7)], [])


def test_which_documents_a_model_was_trained_on_travels_through_the_files(store, tmp_path):
    """``trained_on`` (as ``annotator predict`` writes it) is kept on import, written by
    the export, and read back: ``agreement --with-source`` leaves those documents out."""
    f = write(
        tmp_path / "p.jsonl",
        rec(TEXT_A, [{"start": 12, "end": 16, "label": POLICY}], trained_on=True),
        rec(TEXT_B, trained_on=False),
    )
    assert import_suggestions(store, f, "model-a").ok
    assert store.trained_on("model-a") == {1}
    out = tmp_path / "out.jsonl"
    export_suggestions(store, out, source="model-a")
    lines = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["meta"]["doc_id"], r["trained_on"]) for r in lines] == [(1, True)]
    with Store(tmp_path / "other.db") as other:
        import_documents(other, [RawDocument(TEXT_A, "a.txt"), RawDocument(TEXT_B, "b.txt")])
        assert import_suggestions(other, out, "model-a").ok
        assert other.trained_on("model-a") == {1}
    # a file without it (or saying false) replaces what was recorded on its documents
    assert import_suggestions(store, write(tmp_path / "q.jsonl", rec(TEXT_A)), "model-a").ok
    assert store.trained_on("model-a") == set()


def test_a_trained_on_document_the_model_suggested_nothing_on_survives_the_round_trip(
    store, tmp_path
):
    """A document the model was trained on but suggested nothing on has a record in the
    export (no spans, ``trained_on``: true), so reading it back leaves it out of sample
    too (it had none, and the other database scored the model on its own training text)."""
    store.replace_suggestions("model-a", [1, 2], [(1, 12, 16, POLICY, 0.5)], [], trained_on=[1, 2])
    out = tmp_path / "out.jsonl"
    export_suggestions(store, out)
    lines = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["meta"]["doc_id"], len(r["spans"]), r["trained_on"]) for r in lines] == [
        (1, 1, True),
        (2, 0, True),
    ]
    with Store(tmp_path / "other.db") as other:
        import_documents(other, [RawDocument(TEXT_A, "a.txt"), RawDocument(TEXT_B, "b.txt")])
        assert import_suggestions(other, out, "model-a").ok
        assert other.trained_on("model-a") == {1, 2}
        assert layer(other, "model-a") == layer(store, "model-a")


def test_a_source_known_only_by_its_training_record_can_be_listed_exported_and_cleared(
    store, tmp_path
):
    """A model that suggested nothing anywhere still recorded the documents it was
    trained on: the source is known (``suggest --list`` shows it with no suggestions,
    its export keeps the record), and ``suggest --clear`` removes it."""
    from click.testing import CliRunner

    from annotator.cli import cli

    store.replace_suggestions("quiet", [1, 2], [], [], trained_on=[2])
    assert store.suggestion_sources() == [("quiet", 0, 0)]
    out = tmp_path / "out.jsonl"
    assert export_suggestions(store, out, source="quiet") == 1
    [line] = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
    assert (line["meta"]["doc_id"], line["spans"], line["trained_on"]) == (2, [], True)
    db = str(store.path)
    store.close()
    listed = CliRunner().invoke(cli, ["--db", db, "suggest", "--list"])
    assert listed.exit_code == 0 and "quiet\t0 span(s)\t0 field value(s)" in listed.output
    cleared = CliRunner().invoke(cli, ["--db", db, "suggest", "--clear", "quiet"])
    assert cleared.exit_code == 0, cleared.output
    assert cleared.output.strip() == (
        "Removed 0 suggestion(s) and the record of 1 document(s) its model was trained on"
        " from 'quiet'."
    )
    with Store(db) as again:
        assert again.suggestion_sources() == [] and again.training() == {}
