"""A whole study through the command line, in real processes on real files, under faults
and hostile input (review 18): what a lead researcher and three student coders do with
``import``, ``assign``, ``pack``, ``import-labels``, ``merge``, ``scheme`` and ``export``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.store import Store

TEXTS = [
    "Moscow and Pyongyang signed a pact that alarms Seoul and Tokyo alike.",
    "Analysts doubt the partnership will last; mistrust runs deep on both sides.",
    "Washington should impose sanctions and must reassure its allies in Asia.",
]


def cli(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real command line in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def no_traceback(res: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in res.stderr + res.stdout, res.stderr


@pytest.fixture
def study(tmp_path):
    """The lead's database with three articles."""
    for i, t in enumerate(TEXTS):
        (tmp_path / f"a{i}.txt").write_text(t, encoding="utf-8")
    res = cli(tmp_path, "--db", "lead.db", "import", "a0.txt", "a1.txt", "a2.txt")
    assert res.returncode == 0, res.stderr
    return tmp_path


def coder_state(path: Path, coder: str):
    with Store(path) as s:
        out = []
        for d in s.document_ids():
            spans = sorted((sp.start, sp.end, sp.label) for sp in s.spans(d, coder))
            out.append((spans, s.doc_labels(d, coder)))
        return out


# --- import-labels: a file whose first line says "Prodigy" -----------------------------


def test_a_later_canonical_line_in_a_file_read_as_prodigy_is_refused_not_dropped(study):
    """The format is told by a file's first line. A hand-made file whose first record has
    only spans reads as Prodigy, whose reader has no document fields, status or memo: the
    fields of every later line were dropped without a word (exit 0, "0 document label(s)
    set"). Such a line is now a FILE:LINE: reason naming the keys, and nothing is written."""
    f = study / "ana.jsonl"
    recs = [
        {"text": TEXTS[0], "spans": [{"start": 0, "end": 6, "label": "alarmist"}]},
        {"text": TEXTS[1], "doc_labels": {"dominant_frame": "skeptical_of_alliance"}},
        {"text": TEXTS[2], "status": "done", "memo": "clear call for sanctions"},
    ]
    f.write_text(
        "".join(json.dumps({**r, "answer": "accept", "_annotator_id": "ana"}) + "\n" for r in recs)
    )
    res = cli(study, "--db", "lead.db", "import-labels", "ana.jsonl")
    no_traceback(res)
    assert res.returncode == 1
    assert "ana.jsonl:2: doc_labels: a canonical record's, which a prodigy file" in res.stderr
    assert "ana.jsonl:3: status, memo: a canonical record's" in res.stderr
    assert "give --format jsonl" in res.stderr
    assert coder_state(study / "lead.db", "ana") == [([], {})] * 3  # nothing written
    # read as what it is, every label arrives
    res = cli(study, "--db", "lead.db", "import-labels", "--format", "jsonl", "ana.jsonl")
    assert res.returncode == 0, res.stderr
    state = coder_state(study / "lead.db", "ana")
    assert state[0][0] == [(0, 6, "alarmist")]
    assert state[1][1] == {"dominant_frame": "skeptical_of_alliance"}
    with Store(study / "lead.db") as s:
        d3 = s.document_ids()[2]
        assert s.memo(d3, "ana") == "clear call for sanctions"


def test_the_apps_own_prodigy_and_doccano_exports_still_import(study):
    """The check refuses only what the detected reader would drop: annotator's own Prodigy
    export and doccano folder (memo, cats, origins) import back as before."""
    with Store(study / "lead.db") as s:
        d1, d2, _ = s.document_ids()
        s.add_span(d1, "ana", 0, 6, "alarmist")
        s.set_doc_label(d2, "ana", "dominant_frame", "none")
        s.set_memo(d2, "ana", "a memo")
    for fmt, out in (("prodigy", "p.jsonl"), ("doccano", "dc")):
        res = cli(study, "--db", "lead.db", "export", "--format", fmt, "-o", out)
        assert res.returncode == 0, res.stderr
    for path in ("p.jsonl", "dc/ana.jsonl"):
        res = cli(study, "--db", "lead.db", "import-labels", path)
        assert res.returncode == 0, res.stderr
        assert "0 span(s) added, 1 already present" in res.stdout
