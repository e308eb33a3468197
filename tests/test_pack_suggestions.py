"""A coder's pack and the suggestion layer (issue 15, blind first): the pack holds the
suggestions of the coder's documents outside the reliability sample only (with which of
them a model was trained on), and of the rejections only the coder's own; through the real ``annotator pack`` command."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from annotator.cli import cli
from annotator.store import Store

from .test_coder_pack import build_lead


def _pack(lead: Path, out: Path, *extra: str) -> None:
    res = CliRunner().invoke(
        cli, ["--db", str(lead), "pack", "--coder", "ana", "-o", str(out), *extra],
        catch_exceptions=False,
    )  # fmt: skip
    assert res.exit_code == 0, res.output


def _lead_with_suggestions(path: Path) -> tuple[list[int], list[int], list[int]]:
    """The lead's database with a suggestion (span and field value) on every document and
    rejections of ana and ben on each; returns (all, ana's, reliability) document ids."""
    store = build_lead(path)
    try:
        ids = store.document_ids()
        label = store.scheme.span_labels[0].name
        field = store.scheme.doc_fields[0]
        store.replace_suggestions(
            "patterns", ids,
            [(d, 0, 7, label, 0.5) for d in ids] + [(d, 9, 15, label, None) for d in ids],
            [(d, field.name, field.options[0], 0.75) for d in ids],
            trained_on=ids,  # as a model trained on every document would record
        )  # fmt: skip
        for d in ids:
            target = store.suggestions(d)[1].target
            store.reject_suggestion(d, "ana", "patterns", target)
            store.reject_suggestion(d, "ben", "patterns", target)
        mine = sorted(a.doc_id for a in store.assignments(coder="ana"))
        sample = store.reliability_documents()
        return ids, mine, sample
    finally:
        store.close()


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_pack_holds_suggestions_only_outside_the_reliability_sample(tmp_path):
    lead = tmp_path / "lead.db"
    _ids, mine, sample = _lead_with_suggestions(lead)
    ana_sample = sorted(set(mine) & set(sample))
    outside = sorted(set(mine) - set(sample))
    assert ana_sample and outside  # the fixture has both kinds
    out = tmp_path / "ana.db"
    _pack(lead, out)
    with Store(out, readonly=True) as p, Store(lead, readonly=True) as src:
        for d in outside:
            assert p.suggestions(d) == src.suggestions(d)  # same ids, offsets, scores
            assert p.suggested_labels(d) == src.suggested_labels(d)
            assert p.rejected_suggestions(d, "ana") == src.rejected_suggestions(d, "ana")
            assert len(p.rejected_suggestions(d, "ana")) == 1
        for d in ana_sample:
            assert p.suggestions(d) == []
            assert p.suggested_labels(d) == []
            assert p.rejected_suggestions(d, "ana") == set()
    # no row of the layer names a document of the sample, nor another coder's rejection
    for table in (
        "suggestions",
        "suggested_labels",
        "suggestion_rejections",
        "suggestion_training",
    ):
        docs = {r[0] for r in _rows(out, f"SELECT document_id FROM {table}")}
        assert docs == set(outside), table
    assert _rows(out, "SELECT count(*) FROM suggestions") == [(2 * len(outside),)]
    assert _rows(out, "SELECT count(*) FROM suggestion_rejections") == [(len(outside),)]


def test_with_labels_a_pack_still_holds_only_the_coders_rejections(tmp_path):
    lead = tmp_path / "lead.db"
    _ids, mine, sample = _lead_with_suggestions(lead)
    out = tmp_path / "ana.db"
    _pack(lead, out, "--with-labels")
    outside = set(mine) - set(sample)
    names = _rows(
        out,
        "SELECT DISTINCT a.name FROM suggestion_rejections r"
        " JOIN annotators a ON a.id = r.annotator_id",
    )
    assert names == [("ana",)]
    assert {r[0] for r in _rows(out, "SELECT document_id FROM suggestions")} == outside


def test_a_pack_refuses_new_suggestions_it_cannot_keep_off_the_sample(tmp_path):
    """A pack does not know which of its documents are in the reliability sample (that
    is the point), so suggestions made in it (``suggest``, ``import-suggestions``) would
    reach them: the pack refuses them, nothing is written, the lead makes suggestions."""
    import json

    import pytest

    from annotator.errors import AnnotatorError

    lead = tmp_path / "lead.db"
    _ids, mine, sample = _lead_with_suggestions(lead)
    out = tmp_path / "ana.db"
    _pack(lead, out)
    before = _rows(out, "SELECT * FROM suggestions ORDER BY id")
    with Store(out) as p:
        label = p.scheme.span_labels[0].name
        with pytest.raises(AnnotatorError, match="pack"):
            p.replace_suggestions("llm", mine, [(d, 0, 3, label, None) for d in mine])
        text = p.document(sorted(set(mine) & set(sample))[0]).text
    jsonl = tmp_path / "llm.jsonl"
    rec = {"text": text, "spans": [{"start": 0, "end": 3, "label": label}]}
    jsonl.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    res = CliRunner().invoke(
        cli, ["--db", str(out), "import-suggestions", str(jsonl), "--source", "llm"]
    )
    assert res.exit_code == 1 and res.output.startswith("Error: "), res.output
    assert "pack" in res.output and "Traceback" not in res.output
    assert _rows(out, "SELECT * FROM suggestions ORDER BY id") == before
    # the lead's own database still takes them
    with Store(lead) as s:
        assert s.replace_suggestions("llm", mine, [(d, 0, 3, label, None) for d in mine])[0]
