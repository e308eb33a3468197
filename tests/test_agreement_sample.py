"""``annotator agreement --sample reliability [--round NAME]``: every statistic on the
designed sample only, checked against the plain report of a database holding only those
documents (an independent check); the design is stated in the text, HTML and JSON; without
the options the report is what it was."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.corpus import RawDocument
from annotator.errors import NotFoundError, ValidationError
from annotator.ingest import import_documents
from annotator.progress import NO_ASSIGNMENTS, NoAssignmentsError
from annotator.reliability import compute_agreement
from annotator.store import Store

# A: the reliability sample; B: the round's other documents; C: in no round.
SAMPLE = [f"Sample {i}: Kim visits Moscow to sign a pact; Xi watches warily." for i in range(6)]
OTHERS = [f"Round {i}: sanctions must follow and allies should coordinate." for i in range(4)]
OUTSIDE = [f"Outside {i}: the axis is fragile and driven by opportunism." for i in range(3)]
FRAMES = ["alarmist", "skeptical_of_alliance", "policy_prescription", "none"]


def add_docs(store, texts):
    report = import_documents(store, [RawDocument(t, "test", {}) for t in texts])
    assert len(report.added) == len(texts)
    return report.added


def code(store, docs, coders, rng):
    """Spans, field values and statuses drawn from ``rng`` (the same draws for the same
    documents whatever the database)."""
    for d in docs:
        length = len(store.document(d).text)
        for c in coders:
            r = rng.random()
            if r < 0.15:
                continue  # not coded
            for _ in range(rng.randint(0, 3)):
                start = rng.randrange(0, length - 10)
                label = rng.choice(FRAMES[:3])
                store.add_span(d, c, start, start + rng.randint(3, 10), label)
            if r < 0.85:
                store.set_doc_label(d, c, "dominant_frame", rng.choice(FRAMES))
            if r < 0.6:
                store.set_doc_label(d, c, "frames_present", rng.sample(FRAMES[:3], 2))
            store.set_status(d, c, "done" if r < 0.7 else "in_progress")


def build(store, texts_and_coders, seed=5):
    rng = random.Random(seed)
    ids = []
    for texts, coders in texts_and_coders:
        docs = add_docs(store, texts)
        code(store, docs, coders, rng)
        ids.append(docs)
    return ids


PLAN = [(SAMPLE, ["ana", "ben"]), (OTHERS, ["ana", "ben"]), (OUTSIDE, ["ana", "ben", "cy"])]
DESIGN = {
    "coders": ["ana", "ben"],
    "overlap_docs": 6,
    "method": "full",
    "stratify": "outlet",
    "note": "pilot — ü",
}


@pytest.fixture
def study(store):
    """The full database: a round ``main`` (seed 11) whose reliability sample is SAMPLE
    (both coders), its other documents OTHERS (one coder each, though both coded them);
    OUTSIDE is in no round and coded by cy too. A round ``pilot`` without a sample."""
    sample, others, outside = build(store, PLAN)
    store.create_round("pilot", None, {})
    store.add_assignments("pilot", [("ana", outside[0], False, 1)])
    store.create_round("main", 11, DESIGN)
    rows = [(c, d, True, i + 1) for i, d in enumerate(sample) for c in ("ana", "ben")]
    rows += [
        ("ana" if i % 2 else "ben", d, False, len(sample) + i + 1) for i, d in enumerate(others)
    ]
    store.add_assignments("main", rows)
    return store


def only(tmp_path, name, plan):
    """A database holding only these documents, coded with the same draws."""
    s = Store(tmp_path / name)
    build(s, plan)
    return s


def without(report, *keys):
    data = report.to_dict()
    for k in ("database", *keys):
        data.pop(k)
    return data


def test_the_reliability_sample_equals_a_database_of_only_those_documents(study, tmp_path):
    got = compute_agreement(study, bootstrap=200, seed=3, sample="reliability")
    small = only(tmp_path, "sample.db", PLAN[:1])
    want = compute_agreement(small, ["ana", "ben"], bootstrap=200, seed=3)
    assert without(got, "design") == without(want)
    assert got.coders == ("ana", "ben") and got.n_documents == 5  # one drawn as not coded
    # and it differs from the whole database's report (the filter did something)
    assert without(compute_agreement(study, ["ana", "ben"], bootstrap=200, seed=3)) != without(want)
    small.close()


def test_a_round_equals_a_database_of_only_its_documents(study, tmp_path):
    got = compute_agreement(study, bootstrap=100, seed=1, round="main")
    small = only(tmp_path, "round.db", PLAN[:2])
    want = compute_agreement(small, ["ana", "ben"], bootstrap=100, seed=1)
    assert without(got, "design") == without(want)
    d = got.design
    assert d is not None and (d.round, d.sample, d.documents) == ("main", None, 10)
    assert dict(d.coders_per_document) == {1: 4, 2: 6}
    small.close()


def test_the_design_in_json(study):
    r = compute_agreement(study, bootstrap=0, sample="reliability").to_dict()
    assert list(r)[:5] == ["database", "scheme", "annotators", "n_documents", "design"]
    assert r["design"] == {
        "round": "main",  # the current round: created last
        "sample": "reliability",
        "annotators": ["ana", "ben"],
        "seed": 11,
        "documents": 6,
        "documents_coded_by_two": r["design"]["documents_coded_by_two"],
        "coders_per_document": {"2": 6},
        "drawn": DESIGN,
    }
    # coded by two: counted independently from the stored statuses and labels
    two = 0
    for d in study.reliability_documents("main"):
        coded = {c for c, (state, _s) in study.statuses(d).items() if state != "new"}
        coded |= {s.coder for s in study.spans(d)} | {x.coder for x in study.all_doc_labels(d)}
        two += len(coded & {"ana", "ben"}) >= 2
    assert r["design"]["documents_coded_by_two"] == two > 0


def test_narrowed_coders_and_errors(study, tmp_path):
    r = compute_agreement(study, ["ana"], bootstrap=0, sample="reliability")
    assert r.coders == ("ana",) and r.design is not None
    assert dict(r.design.coders_per_document) == {1: 6}
    assert r.design.coded_by_two == 0
    with pytest.raises(ValidationError, match=r"coder 'cy' has no assignments in round 'main'"):
        compute_agreement(study, ["ana", "cy"], bootstrap=0, sample="reliability")
    with pytest.raises(NotFoundError, match=r"unknown round 'final' \(known: pilot, main\)"):
        compute_agreement(study, bootstrap=0, sample="reliability", round="final")
    with pytest.raises(ValidationError, match="round 'pilot' has no reliability sample"):
        compute_agreement(study, bootstrap=0, sample="reliability", round="pilot")
    empty = Store(tmp_path / "empty.db")
    with pytest.raises(NoAssignmentsError, match="no assignments"):
        compute_agreement(empty, bootstrap=0, sample="reliability")
    empty.close()


def test_the_cli_states_the_design_in_text_html_and_json(study, tmp_path):
    db = str(study.path)
    run = CliRunner().invoke
    res = run(cli, ["--db", db, "agreement", "--sample", "reliability", "--bootstrap", "0",
                    "--report", str(tmp_path / "r.html")])  # fmt: skip
    assert res.exit_code == 0, res.output
    text = res.stdout
    design = text.index("Design")
    assert design < text.index("Document fields")  # above the numbers
    lines = text[design:].splitlines()[1:5]
    assert lines == [
        "  Round main, its reliability sample: 6 document(s),"
        f" {compute_agreement(study, bootstrap=0, sample='reliability').design.coded_by_two}"
        " of them coded by at least two coders",
        "  Coders: ana, ben",
        "  Coders assigned per document: 2 coder(s): 6 document(s)",
        "  Drawn: method full, overlap_docs 6, stratify outlet, note pilot — ü; seed 11",
    ]
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.index("<h2>Design</h2>") < page.index("<h2>Document fields</h2>")
    assert (
        "<li>Drawn: method full, overlap_docs 6, stratify outlet, note pilot — ü; seed 11</li>"
        in page
    )
    res = run(cli, ["--db", db, "agreement", "--round", "main", "--json", "--bootstrap", "0"])
    data = json.loads(res.stdout)
    assert data["design"]["sample"] is None and data["design"]["documents"] == 10
    res = run(cli, ["--db", db, "agreement", "--sample", "reliability", "--round", "pilot"])
    assert res.exit_code == 1
    assert res.output == (
        "Error: round 'pilot' has no reliability sample: none of its documents is assigned"
        " for reliability\n"
    )
    res = run(cli, ["--db", db, "agreement", "--sample", "everything"])
    assert res.exit_code == 2  # click's usage error
    empty = tmp_path / "empty.db"
    Store(empty).close()
    res = run(cli, ["--db", str(empty), "agreement", "--sample", "reliability"])
    assert (res.exit_code, res.output) == (1, f"Error: {NO_ASSIGNMENTS}\n")


def test_the_real_process_prints_the_cores_report(study):
    res = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(study.path), "agreement",
         "--sample", "reliability", "--round", "main", "--json", "--bootstrap", "20"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    want = compute_agreement(study, bootstrap=20, round="main", sample="reliability")
    assert json.loads(res.stdout) == want.to_dict()


def test_without_sample_or_round_the_report_is_unchanged(study):
    """No design key, no design lines: the output is today's (the existing tests of
    test_reliability.py pin its exact form)."""
    db = str(study.path)
    res = CliRunner().invoke(cli, ["--db", db, "agreement", "--json", "--bootstrap", "50"])
    data = json.loads(res.stdout)
    assert "design" not in data
    assert data == compute_agreement(study, bootstrap=50).to_dict()
    assert data["annotators"] == ["ana", "ben", "cy"]
    res = CliRunner().invoke(cli, ["--db", db, "agreement", "--bootstrap", "0"])
    assert "Design" not in res.stdout and "Round main" not in res.stdout


def test_the_html_escapes_the_design(study):
    from annotator.report_html import render_html

    docs = study.reliability_documents("main")
    study.create_round("<i>r</i>", 1, {"method": "<script>x</script>"})
    study.add_assignments("<i>r</i>", [(c, docs[0], True, 1) for c in ("ana", "ben")])
    page = render_html(compute_agreement(study, bootstrap=0, sample="reliability"))
    assert "<li>Round &lt;i&gt;r&lt;/i&gt;, its reliability sample: 1 document(s)," in page
    assert "<script>" not in page and "method &lt;script&gt;x&lt;/script&gt;" in page


def test_the_design_line_shows_strata_as_json_and_counts_extensions():
    """Reviewer: the text report printed an extension's record as a Python dict."""
    from annotator.agreement.report import SampleDesign
    from annotator.report_text import design_lines

    design = SampleDesign(
        round="main", sample="reliability", coders=("ana", "ben"), seed=7, documents=4,
        coded_by_two=4, coders_per_document={2: 4},
        drawn={"method": "simple", "strata": {"taz": {"candidates": 3, "drawn": 1}},
               "extensions": [{"added": 2, "at": "2026-11-30T05:00:00+00:00"}] * 2},
    )  # fmt: skip
    drawn = design_lines(design)[-1]
    assert 'strata {"taz": {"candidates": 3, "drawn": 1}}' in drawn
    assert "extensions 2 (assign --only-unassigned)" in drawn
    assert "{'" not in drawn and "'added'" not in drawn


def test_the_design_line_leaves_out_what_was_not_used():
    from annotator.agreement.report import SampleDesign
    from annotator.report_text import design_lines

    design = SampleDesign(
        round="main", sample="reliability", coders=("ana", "ben"), seed=7, documents=4,
        coded_by_two=4, coders_per_document={2: 4},
        drawn={"method": "simple", "overlap": 0.2, "per_doc": None, "stratify": None,
               "strata": {}, "overlap_docs": None},
    )  # fmt: skip
    assert design_lines(design)[-1] == "Drawn: method simple, overlap 0.2; seed 7"
