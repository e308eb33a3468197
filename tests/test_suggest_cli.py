"""`annotator suggest`, `import-suggestions` and `export --suggestions` as real processes,
and suggestions from a tiny spaCy pipeline trained here (not by `annotator train`)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from annotator import learn
from annotator.errors import AnnotatorError
from annotator.store import Store
from annotator.suggesting import suggest_model

from .conftest import ROOT

TEXTS = {
    "a.txt": "Sanctions must be tightened now. Washington should act, it needs to.",
    "b.txt": "Nuclear war looms; the pact MUST hold, critics say.",
}


def annotator(db, *args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), *map(str, args)],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture
def project(tmp_path):
    toml = (ROOT / "resources" / "labels.toml").read_text(encoding="utf-8")
    head = 'name = "policy_prescription"\n'
    assert toml.count(head) == 1
    toml = toml.replace(
        head,
        head + 'phrases = ["must", "should", "needs to"]\n'
        'patterns = [[{LOWER = "war"}, {LOWER = "looms"}]]\n',
    )
    (tmp_path / "scheme.toml").write_text(toml, encoding="utf-8")
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    db = tmp_path / "labels.db"
    res = annotator(db, "init", "--scheme", "scheme.toml", "--no-seeds", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    res = annotator(db, "import", "a.txt", "b.txt", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    return tmp_path, db


def one_error_line(res):
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 1 and len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    assert "Traceback" not in res.stderr
    return lines[0]


def test_patterns_list_export_import_and_clear(project):
    cwd, db = project
    res = annotator(db, "suggest", "--patterns", "--json", cwd=cwd)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == {
        "source": "patterns",
        "documents": 2,
        "spans": 5,
        "field_values": 0,
        "by_label": {"policy_prescription": 5},
        "by_field": {},
        "skipped_documents": [],
        "trained_on_documents": 0,
    }
    text = annotator(db, "suggest", "--patterns", cwd=cwd)
    assert text.stdout.strip() == (
        "Suggestions from 'patterns': 2 document(s), 5 span(s) (policy_prescription 5),"
        " 0 field value(s)."
    )
    out = cwd / "s.jsonl"
    res = annotator(db, "export", "--suggestions", "-o", out, cwd=cwd)
    assert res.returncode == 0 and "Wrote 2 line(s) of suggestions" in res.stderr
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["_annotator_id"] for r in recs] == ["suggest:patterns"] * 2
    assert [[s["text"] for s in r["spans"]] for r in recs] == [
        ["must", "should", "needs to"],
        ["war looms", "MUST"],
    ]
    res = annotator(db, "import-suggestions", out, "--source", "copy", "--json", cwd=cwd)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["spans"] == 5
    listed = annotator(db, "suggest", "--list", cwd=cwd)
    assert listed.stdout.splitlines() == [
        "copy\t5 span(s)\t0 field value(s)",
        "patterns\t5 span(s)\t0 field value(s)",
    ]
    cleared = annotator(db, "suggest", "--clear", "copy", cwd=cwd)
    assert cleared.stdout.strip() == "Removed 5 suggestion(s) from 'copy'."
    listed = annotator(db, "suggest", "--list", "--json", cwd=cwd)
    assert json.loads(listed.stdout) == {
        "sources": [{"source": "patterns", "spans": 5, "field_values": 0}]
    }


def test_refusals_are_one_line_and_store_nothing(project):
    cwd, db = project
    assert annotator(db, "suggest", cwd=cwd).returncode == 2
    assert annotator(db, "suggest", "--patterns", "--list", cwd=cwd).returncode == 2
    assert annotator(db, "suggest", "--patterns", "--source", "x", cwd=cwd).returncode == 2
    line = one_error_line(annotator(db, "suggest", "--clear", "nope", cwd=cwd))
    assert line == "Error: no suggestions from source 'nope' (sources: none)"
    line = one_error_line(annotator(db, "suggest", "--model", cwd / "missing", cwd=cwd))
    assert "not a spaCy pipeline folder" in line
    res = annotator(db, "export", "--suggestions", "--format", "csv", "-o", "x.csv", cwd=cwd)
    assert res.returncode == 2 and "canonical JSONL only" in res.stderr
    res = annotator(db, "export", "--source", "patterns", "-o", "x.jsonl", cwd=cwd)
    assert res.returncode == 2 and "--source goes with --suggestions" in res.stderr
    bad = cwd / "bad.jsonl"
    bad.write_text(
        json.dumps({"text": TEXTS["a.txt"], "spans": [{"start": 0, "end": 9, "label": "alarmist"}]})
        + "\n"
        + json.dumps({"text": "Not in the database.", "spans": []})
        + "\n",
        encoding="utf-8",
    )
    res = annotator(db, "import-suggestions", bad, "--source", "llm", cwd=cwd)
    assert res.returncode == 1
    assert res.stderr.splitlines() == [
        f"{bad}: refused (1 problem(s)); nothing stored",
        f"  {bad}:2: its text is not a document of this database (suggestions are stored"
        " only for imported documents; import the text first, or give --skip-missing)",
    ]
    line = one_error_line(annotator(db, "import-suggestions", bad, "--source", "a b", cwd=cwd))
    assert "source name" in line
    with Store(db) as store:
        assert store.suggestion_sources() == []
    assert not (cwd / "x.csv").exists() and not (cwd / "x.jsonl").exists()


def build_model(path, labels=("policy_prescription", "alarmist"), field="dominant_frame",
                options=("alarmist", "policy_prescription", "none"), name="tiny"):  # fmt: skip
    """A tiny pipeline laid out as learn.py describes, trained a few steps on 3 texts."""
    import spacy
    from spacy.training import Example

    nlp = spacy.blank("en")
    spancat = nlp.add_pipe("spancat", config={"spans_key": learn.SPANS_KEY})
    for lab in labels:
        spancat.add_label(lab)
    textcat = nlp.add_pipe("textcat", name=learn.textcat_name(field))
    for option in options:
        textcat.add_label(learn.cat_label(field, option))
    data = [
        ("Sanctions must be tightened now.", [(10, 14, labels[0])], options[1]),
        ("Nuclear war looms over the region.", [(0, 11, labels[-1])], options[0]),
        ("The weather was mild today.", [], options[-1]),
    ]
    examples = []
    for text, spans, chosen in data:
        cats = {learn.cat_label(field, o): float(o == chosen) for o in options}
        ref = {"spans": {learn.SPANS_KEY: spans}, "cats": cats}
        examples.append(Example.from_dict(nlp.make_doc(text), ref))
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(4):
        nlp.update(examples, sgd=optimizer)
    nlp.meta["name"] = name
    nlp.to_disk(path)
    return path


def test_suggest_model_through_the_command_line(project):
    cwd, db = project
    model = build_model(cwd / "model")
    res = annotator(db, "suggest", "--model", model, "--threshold", "0", "--json", cwd=cwd)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    # threshold 0: every candidate span the suggester proposes, and each document's best
    # option of the single field
    assert (data["source"], data["documents"], data["field_values"]) == ("tiny", 2, 2)
    assert data["by_field"] == {"dominant_frame": 2}
    assert set(data["by_label"]) == {"policy_prescription", "alarmist"} and data["spans"] > 0
    with Store(db) as store:
        assert (
            sum(len(store.suggestions(d, "tiny")) for d in store.document_ids()) == (data["spans"])
        )
        for doc_id in store.document_ids():
            text = store.document(doc_id).text
            for s in store.suggestions(doc_id, "tiny"):
                assert 0 <= s.start < s.end <= len(text) and 0.0 <= s.score <= 1.0
                assert text[s.start : s.end] == text[s.start : s.end].strip()
            (value,) = store.suggested_labels(doc_id, "tiny")
            assert value.field == "dominant_frame"
            assert value.value in ("alarmist", "policy_prescription", "none")
    res = annotator(db, "suggest", "--model", model, "--threshold", "1", "--source", "strict",
                    cwd=cwd)  # fmt: skip
    assert res.returncode == 0 and res.stdout.startswith("Suggestions from 'strict': 2 document(s)")
    line = one_error_line(annotator(db, "suggest", "--model", model, "--threshold", "2", cwd=cwd))
    assert line == "Error: threshold must be a number from 0 to 1, got 2.0"


def test_a_model_the_scheme_cannot_take_is_refused_naming_what(project):
    cwd, db = project
    wrong = build_model(cwd / "wrong", labels=("policy_prescription", "sarcasm"),
                        options=("alarmist", "maybe", "none"))  # fmt: skip
    with Store(db) as store, pytest.raises(AnnotatorError) as e:
        suggest_model(store, wrong)
    assert str(e.value) == (
        "the model predicts span label(s) 'sarcasm'; option(s) 'maybe' of field"
        " 'dominant_frame', which scheme 'alliance-framing' v1 does not have; train it on"
        " this database's scheme"
    )


def test_a_model_run_replaces_its_source_on_the_documents_it_covers(project):
    cwd, db = project
    model = build_model(cwd / "model")
    with Store(db) as store:
        first = suggest_model(store, model, threshold=0.0)
        again = suggest_model(store, model, threshold=0.0)
        assert first.to_dict() == again.to_dict()
        assert store.suggestion_sources() == [("tiny", first.spans, 2)]
        only = suggest_model(store, model, threshold=1.0, doc_ids=[1])
        assert (only.documents, only.spans) == (1, 0)
        assert store.suggestions(1, "tiny") == [] and store.suggestions(2, "tiny") != []
