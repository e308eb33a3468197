"""Review of the lead's commits of stop 18 (merge of odd inputs, import-labels of the
CSV export): real files, real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from annotator.store import Store

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_merge_of_an_empty_file_says_it_is_empty_not_that_there_is_no_such_database(tmp_path):
    Store(tmp_path / "labels.db").close()
    (tmp_path / "ana.db").write_bytes(b"")  # a coder's file that never got written
    res = _cli("--db", "labels.db", "merge", "ana.db", cwd=tmp_path)
    assert res.returncode == 1
    assert res.stderr.strip() == "Error: ana.db: an empty file, not a database"
    assert (tmp_path / "ana.db").read_bytes() == b""  # left as it was
    # a missing file is still one
    res = _cli("--db", "labels.db", "merge", "none.db", cwd=tmp_path)
    assert res.returncode == 1 and res.stderr.strip() == "Error: none.db: no such database"


def test_a_bad_value_with_an_invisible_character_is_shown_with_it_escaped(tmp_path):
    """jsonsafe.shown spells a value as JSON, which leaves U+200B, U+00A0, U+2028 as
    they are: 'got "done​"' read as if "done" were refused. repr() escaped them."""
    import json

    from annotator.jsonsafe import shown

    Store(tmp_path / "labels.db").close()
    lines = [
        {"text": "One.", "annotator": "ana", "spans": [], "status": "done\u200b"},
        {"text": "Two.", "annotator": "ana", "spans": [], "status": "done\u2028x"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in lines), encoding="utf-8")
    res = _cli("--db", "labels.db", "import-labels", "in.jsonl", cwd=tmp_path)
    assert res.returncode == 1
    out = res.stdout + res.stderr
    assert 'got "done\\u200b"' in out
    assert 'got "done\\u2028x"' in out
    assert "\u200b" not in out and "\u2028" not in out
    # printable text stays as it is, and the cut does not split an escape
    assert shown("é😀\xa0") == '"é😀\\u00a0"'
    assert shown(["\x85"]) == '["\\u0085"]'
    cut = shown("a" * 57 + "\u200b")
    assert len(cut) <= 60 and cut.endswith("…") and "\\u20…" not in cut


def test_the_methods_paragraph_tells_an_extension_of_the_round_and_how_it_was_drawn(tmp_path):
    """A stratified round extended by assign --only-unassigned: the paragraph gave the first
    draw only ('2 of 4 candidate documents ... stratified by ...') for a round of 8
    documents, 4 of them double-coded, the other 2 drawn as a simple random sample."""
    import json

    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        "".join(
            json.dumps({"text": f"Document {i} on the alliance.", "meta": {"source": "ab"[i % 2]}})
            + "\n"
            for i in range(8)
        ),
        encoding="utf-8",
    )
    db = ("--db", "labels.db")
    assert _cli(*db, "import", "docs.jsonl", cwd=tmp_path).returncode == 0
    first = ("--coders", "ana,ben", "--overlap-docs", "2", "--docs", "4")
    res = _cli(*db, "assign", *first, "--stratify", "source", "--seed", "1", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    res = _cli(*db, "assign", *first, "--only-unassigned", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    res = _cli(*db, "agreement", "--round", "main", "--methods", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    text = res.stdout
    assert "The round comprised 8 documents" in text
    assert "stratified by 'source'" in text
    assert "then extended with documents not yet assigned: 2 of 4 candidate documents" in text
    assert "simple random sample" in text


def test_import_suggestions_given_the_csv_export_names_itself_not_import_labels(tmp_path):
    Store(tmp_path / "labels.db").close()
    (tmp_path / "spans.csv").write_text(
        '"doc_id","title","sha256","coder","label","start","end","text"\n'
        '1,"t","abc","ana","alarmist",0,5,"x"\n',
        encoding="utf-8",
    )
    res = _cli(
        "--db", "labels.db", "import-suggestions", "spans.csv", "--source", "m", cwd=tmp_path
    )
    assert res.returncode == 1
    out = res.stdout + res.stderr
    assert "the CSV export (a row per span), not a JSONL file" in out
    assert "import-suggestions reads canonical or Prodigy JSONL" in out
    assert "import-labels" not in out
    res = _cli("--db", "labels.db", "import-labels", "spans.csv", cwd=tmp_path)
    assert "import-labels reads canonical JSONL, Prodigy or doccano" in res.stdout + res.stderr


def test_merge_refuses_a_jsonl_file_among_its_inputs_before_merging_any(tmp_path):
    """merge checks every input before anything is merged: a JSONL file of labels given
    by mistake after a coder's database was found only once that database was in."""
    docs = tmp_path / "docs.jsonl"
    docs.write_text('{"text": "One article."}\n', encoding="utf-8")
    assert _cli("--db", "ana.db", "import", "docs.jsonl", cwd=tmp_path).returncode == 0
    Store(tmp_path / "labels.db").close()
    res = _cli("--db", "labels.db", "merge", "ana.db", "docs.jsonl", cwd=tmp_path)
    assert res.returncode == 1
    assert "docs.jsonl: a file of labels (JSONL), not a database" in res.stderr
    with Store(tmp_path / "labels.db", readonly=True) as store:
        assert store.stats()["documents"] == 0  # ana.db was not merged either
