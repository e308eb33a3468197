"""Disagreement views and the automatic part of adjudication."""

from __future__ import annotations

import json

from click.testing import CliRunner

from annotator.adjudication import auto_gold, field_votes, span_votes
from annotator.cli import cli
from annotator.store import GOLD, Store

TEXT = "Kim visits Moscow. Xi watches warily. Sanctions must follow."


def setup(store, make_doc):
    d = make_doc(TEXT)
    lone = make_doc("Only one coder here.")
    for coder in ("ana", "ben", "cy"):
        store.add_span(d, coder, 0, 17, "alarmist")
        store.set_doc_label(d, coder, "frames_present", ["alarmist", "policy_prescription"])
    store.add_span(d, "ana", 19, 36, "skeptical_of_alliance")
    store.add_span(d, "ben", 19, 37, "skeptical_of_alliance")  # one character longer
    store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
    store.set_doc_label(d, "ben", "dominant_frame", "policy_prescription")
    store.add_span(lone, "ana", 0, 4, "alarmist")
    return d, lone


def test_votes(store, make_doc):
    d, _ = setup(store, make_doc)
    votes = span_votes(store, d, ["ana", "ben", "cy"])
    assert [(v.start, v.end, v.coders) for v in votes] == [
        (0, 17, ("ana", "ben", "cy")),
        (19, 36, ("ana",)),
        (19, 37, ("ben",)),
    ]
    assert votes[0].unanimous(["ana", "ben", "cy"]) and not votes[1].unanimous(["ana", "ben"])
    fields = field_votes(store, d, ["ana", "ben", "cy"])
    assert fields["dominant_frame"] == {"alarmist": ("ana",), "policy_prescription": ("ben",)}
    assert fields["frames_present"] == {("alarmist", "policy_prescription"): ("ana", "ben", "cy")}


def test_auto_gold_accepts_only_unanimous_labels_and_is_idempotent(store, make_doc):
    d, lone = setup(store, make_doc)
    report = auto_gold(store)
    assert (report.documents, report.spans_accepted, report.labels_accepted) == (1, 1, 1)
    assert report.left_for_review == 3  # two partial spans, one split field
    assert report.skipped_documents == [lone]
    [g] = store.spans(d, GOLD)
    assert (g.start, g.end, g.label) == (0, 17, "alarmist")
    assert store.gold_span_sources(d) == {g.id: ("ana", "ben", "cy")}
    assert store.doc_labels(d, GOLD) == {"frames_present": ("alarmist", "policy_prescription")}
    assert store.gold_label_sources(d) == {"frames_present": ("ana", "ben", "cy")}
    assert store.spans(lone, GOLD) == []
    again = auto_gold(store)
    assert (again.spans_accepted, again.labels_accepted) == (0, 0)
    assert len(store.spans(d, GOLD)) == 1


def test_auto_gold_with_a_subset_of_coders(store, make_doc):
    d, _ = setup(store, make_doc)
    report = auto_gold(store, ["ana", "cy"])
    assert report.spans_accepted == 1
    assert report.labels_accepted == 1  # frames_present; cy left dominant_frame empty
    assert store.gold_span_sources(d) == {store.spans(d, GOLD)[0].id: ("ana", "cy")}


def test_gold_cli_and_export_gold(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    runner.invoke(cli, ["--db", "x.db", "import", "a.txt"])
    res = runner.invoke(cli, ["--db", "x.db", "export", "--gold", "-o", "-"])
    assert res.exit_code == 1 and "no gold layer" in res.output
    with Store(tmp_path / "x.db") as s:
        d = s.document_ids()[0]
        s.add_span(d, "ana", 0, 17, "alarmist")
        s.add_span(d, "ben", 0, 17, "alarmist")
    res = runner.invoke(cli, ["--db", "x.db", "gold", "--auto", "--annotators", "ana,zed"])
    assert res.exit_code == 1 and "unknown coder 'zed'" in res.output
    res = runner.invoke(cli, ["--db", "x.db", "gold", "--auto"])
    assert res.exit_code == 0 and "1 span(s)" in res.output
    res = runner.invoke(cli, ["--db", "x.db", "export", "--gold", "-o", "-"])
    [rec] = [json.loads(line) for line in res.stdout.splitlines()]
    assert rec["_annotator_id"] == "gold" and rec["spans"][0]["text"] == TEXT[0:17]
