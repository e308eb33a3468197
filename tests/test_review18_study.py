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


def test_a_later_line_of_another_format_is_refused_in_either_direction(study):
    """The same for a canonical file with a later doccano line (``label`` spans, ``cats``)
    and a doccano file with a later Prodigy or canonical line (``spans``): each reader
    ignored the other's keys, and those labels were dropped without a word."""
    canonical = {"text": TEXTS[0], "doc_labels": {"dominant_frame": "none"},
                 "_annotator_id": "ana"}  # fmt: skip
    doccano = {"text": TEXTS[1], "label": [[0, 8, "alarmist"]], "_annotator_id": "ana"}
    prodigy = {"text": TEXTS[2], "spans": [{"start": 0, "end": 10, "label": "alarmist"}],
               "_annotator_id": "ana", "answer": "accept"}  # fmt: skip
    for name, lines, problem in (
        ("c.jsonl", [canonical, doccano],
         "c.jsonl:2: label: a doccano record's, which a jsonl file does not carry (the file"
         " was read as jsonl from its first line); give --format doccano"),
        ("d.jsonl", [doccano, prodigy],
         "d.jsonl:2: spans: a canonical record's, which a doccano file does not carry (the"
         " file was read as doccano from its first line); give --format jsonl"),
        ("p.jsonl", [prodigy, {**doccano, "answer": "accept"}],
         "p.jsonl:2: label: a doccano record's, which a prodigy file does not carry (the"
         " file was read as prodigy from its first line); give --format doccano"),
    ):  # fmt: skip
        (study / name).write_text("".join(json.dumps(r) + "\n" for r in lines))
        res = cli(study, "--db", "lead.db", "import-labels", name)
        no_traceback(res)
        assert res.returncode == 1 and f"  {problem}" in res.stderr.splitlines(), res.stderr
    assert coder_state(study / "lead.db", "ana") == [([], {})] * 3


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


# --- merge: a refusal names the file not merged and those not tried -------------------


@pytest.fixture
def packs(study):
    """ana.db and ben.db: copies of the lead's database in which each coder coded."""
    lead = study / "lead.db"
    for coder, label in (("ana", "alarmist"), ("ben", "skeptical_of_alliance")):
        path = study / f"{coder}.db"
        path.write_bytes(lead.read_bytes())
        with Store(path) as s:
            s.add_span(s.document_ids()[0], coder, 0, 6, label)
    return study


def test_a_merge_refused_by_the_lead_database_names_the_file_and_those_not_merged(packs):
    """The lead's database refusing a write (busy here; full, read-only alike) said only
    ``lead.db: not saved: ...``: not which coder's file was not merged, nor that the files
    after it were not tried. The lines above name the ones merged."""
    from .conftest import write_lock_held

    other = packs / "other"
    other.mkdir()
    (other / "x.txt").write_text("Another study's article.", encoding="utf-8")
    (other / "s.toml").write_text(
        'name = "fish"\nversion = 1\n[[span_labels]]\nname = "fishy"\nkey = "1"\n'
        'color = "#d62728"\n'
    )
    res = cli(other, "--db", "o.db", "init", "--scheme", "s.toml", "--no-seeds")
    assert res.returncode == 0, res.stderr
    with write_lock_held(packs / "lead.db"):
        res = cli(packs, "--db", "lead.db", "--busy-timeout", "0.3", "merge", "ana.db", "ben.db")
    no_traceback(res)
    assert res.returncode == 1 and res.stdout == ""
    line = res.stderr.strip()
    assert line.startswith("Error: ana.db: not merged: lead.db: ")
    assert "busy" in line and line.endswith("(1 later file(s) not merged either: ben.db)")
    assert coder_state(packs / "lead.db", "ana")[0] == ([], {})

    res = cli(packs, "--db", "lead.db", "merge", "ana.db", "other/o.db", "ben.db")
    no_traceback(res)
    assert res.returncode == 1
    assert res.stdout.startswith("ana.db: 0 new document(s), 1 span(s)")
    line = res.stderr.strip()
    assert line.startswith("Error: other/o.db: scheme")  # names the file already: kept
    assert line.endswith("(1 later file(s) not merged either: ben.db)")
    assert coder_state(packs / "lead.db", "ben")[0] == ([], {})


# --- the codebook is the lead's: a coder's pack refuses a change ------------------------


def test_a_codebook_change_in_a_coders_pack_is_refused_so_the_pack_still_merges(study):
    """A student ran ``scheme add-label`` (or ``import-labels --add-labels``, or ``init
    --scheme``) in their pack: its scheme v2 then differed from the lead's v2 after the
    lead's own change, and ``merge`` refused the whole pack ("the databases were not made
    with the same scheme") — none of the coder's work could come back. A pack now refuses
    a codebook change in one line, writing nothing; the lead's change and the coder's
    labels merge as before."""
    res = cli(study, "--db", "lead.db", "assign", "--coders", "ana,ben", "--overlap", "1")
    assert res.returncode == 0, res.stderr
    res = cli(study, "--db", "lead.db", "pack", "--coder", "ana", "-o", "ana.db")
    assert res.returncode == 0, res.stderr
    pack = study / "ana.db"
    refusal = (
        "Error: ana.db is ana's pack: change the codebook in the lead's database, then pack again"
    )
    for args in (
        ["scheme", "add-label", "newframe"],
        ["scheme", "rename-label", "alarmist", "threat"],
        ["scheme", "split-label", "alarmist", "--into", "a1", "a2"],
        ["scheme", "retire-label", "alarmist"],
        ["scheme", "add-option", "dominant_frame", "other"],
    ):
        res = cli(study, "--db", "ana.db", *args)
        no_traceback(res)
        assert res.returncode == 1 and res.stderr.startswith(refusal), (args, res.stderr)
    toml = (Path(__file__).parent.parent / "resources" / "labels.toml").read_text("utf-8")
    assert "\nversion = 1\n" in toml
    (study / "v2.toml").write_text(
        toml.replace("\nversion = 1\n", "\nversion = 2\n", 1)
        + '\n[[span_labels]]\nname = "newframe"\nkey = "9"\ncolor = "#9467bd"\n',
        encoding="utf-8",
    )
    res = cli(study, "--db", "ana.db", "init", "--scheme", "v2.toml")
    no_traceback(res)
    assert res.returncode == 1 and refusal in res.stderr, res.stderr
    rec = {"text": TEXTS[0], "spans": [{"start": 0, "end": 6, "label": "brand_new"}],
           "answer": "accept", "_annotator_id": "ana"}  # fmt: skip
    (study / "new.jsonl").write_text(json.dumps(rec) + "\n")
    res = cli(study, "--db", "ana.db", "import-labels", "--add-labels", "new.jsonl")
    no_traceback(res)
    assert res.returncode == 1
    assert "new.jsonl: cannot extend the scheme: ana.db is ana's pack: change the" in res.stderr
    with Store(pack) as s:
        assert s.scheme_versions() == [1] and s.coders() == ["ana"]

    # the coder codes, the lead renames a label, the pack merges under the new name
    rec["spans"][0]["label"] = "alarmist"
    (study / "ana.jsonl").write_text(json.dumps(rec) + "\n")
    res = cli(study, "--db", "ana.db", "import-labels", "ana.jsonl")
    assert res.returncode == 0, res.stderr
    res = cli(study, "--db", "lead.db", "scheme", "rename-label", "alarmist", "threat")
    assert res.returncode == 0, res.stderr
    res = cli(study, "--db", "lead.db", "merge", "ana.db")
    assert res.returncode == 0, res.stderr
    assert coder_state(study / "lead.db", "ana")[0][0] == [(0, 6, "threat")]


# --- a revision pack (--with-labels) speaks only for its coder --------------------------


def test_merging_a_revision_pack_does_not_bring_back_other_coders_deleted_labels(study):
    """``pack --with-labels`` copies every coder's labels into ana's pack so she can
    revise; merging it back added those copies as the other coders' labels: a span ben
    deleted (or recoded after a split) in the lead's database since came back under his
    name. From a pack only its coder's labels, memo and status are taken now, and the
    summary says how many documents' other labels it left out."""
    lead = study / "lead.db"
    with Store(lead) as s:
        d1, d2, d3 = s.document_ids()
        for d in (d1, d2, d3):
            s.add_span(d, "ben", 0, 6, "alarmist")
            s.add_span(d, "ana", 0, 8, "skeptical_of_alliance")
    res = cli(study, "--db", "lead.db", "assign", "--coders", "ana,ben", "--overlap", "1")
    assert res.returncode == 0, res.stderr
    res = cli(study, "--db", "lead.db", "pack", "--coder", "ana", "-o", "ana.db", "--with-labels")
    assert res.returncode == 0, res.stderr
    # ben corrects himself in the lead's database: his first two spans go
    recs = [
        {"text": t, "spans": [] if i < 2 else [{"start": 0, "end": 6, "label": "alarmist"}],
         "doc_labels": {}, "_annotator_id": "ben", "answer": "accept"}
        for i, t in enumerate(TEXTS)
    ]  # fmt: skip
    (study / "ben.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    res = cli(study, "--db", "lead.db", "import-labels", "--replace", "ben.jsonl")
    assert res.returncode == 0, res.stderr
    # ana revises in her pack: one more span
    rec = {"text": TEXTS[1], "spans": [{"start": 9, "end": 18, "label": "alarmist"}],
           "_annotator_id": "ana", "answer": "accept"}  # fmt: skip
    (study / "ana.jsonl").write_text(json.dumps(rec) + "\n")
    res = cli(study, "--db", "ana.db", "import-labels", "ana.jsonl")
    assert res.returncode == 0, res.stderr

    res = cli(study, "--db", "lead.db", "merge", "ana.db")
    no_traceback(res)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(
        "ana.db: 0 new document(s), 1 span(s) and 0 document label(s) added for 1 coder(s)"
    )
    assert "other coders' labels on 2 document(s) were not merged" in res.stdout
    assert [spans for spans, _ in coder_state(lead, "ben")] == [[], [], [(0, 6, "alarmist")]]
    assert [spans for spans, _ in coder_state(lead, "ana")] == [
        [(0, 8, "skeptical_of_alliance")],
        [(0, 8, "skeptical_of_alliance"), (9, 18, "alarmist")],
        [(0, 8, "skeptical_of_alliance")],
    ]
    res = cli(study, "--db", "lead.db", "merge", "ana.db")  # again: nothing new
    assert res.stdout.startswith("ana.db: 0 new document(s), 0 span(s)"), res.stdout


# --- export --all in doccano, imported back -----------------------------------------------


def test_the_unlabelled_file_of_a_doccano_export_imports_back(study):
    """``export --format doccano --all`` writes the documents nobody labelled to
    ``unlabelled.jsonl``; ``import-labels`` of that folder refused it ("doccano lines do
    not name the coder ... give --annotator NAME") although its lines hold nothing a coder
    could own. It adds the documents now, as the canonical ``--all`` export does; a
    doccano line with labels and no coder is still refused."""
    with Store(study / "lead.db") as s:
        s.add_span(s.document_ids()[0], "ana", 0, 6, "alarmist")
    res = cli(study, "--db", "lead.db", "export", "--format", "doccano", "--all", "-o", "dc")
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (study / "dc").glob("*.jsonl")) == [
        "ana.jsonl",
        "unlabelled.jsonl",
    ]
    res = cli(study, "--db", "fresh.db", "init", "--no-seeds")
    assert res.returncode == 0, res.stderr
    res = cli(study, "--db", "fresh.db", "import-labels", "dc/ana.jsonl", "dc/unlabelled.jsonl")
    no_traceback(res)
    assert res.returncode == 0, res.stderr
    assert "dc/unlabelled.jsonl (doccano): 2 task(s), 2 new document(s)" in res.stdout
    with Store(study / "fresh.db") as s:
        assert s.document_count() == 3
        assert coder_state(study / "fresh.db", "ana")[0][0] == [(0, 6, "alarmist")]
    line = {"text": TEXTS[0], "label": [[0, 6, "alarmist"]]}
    (study / "dc" / "unlabelled.jsonl").write_text(json.dumps(line) + "\n")
    res = cli(study, "--db", "fresh.db", "import-labels", "dc/unlabelled.jsonl")
    assert res.returncode == 1
    assert "doccano lines do not name the coder (no _annotator_id)" in res.stderr


def test_a_busy_timeout_of_nan_is_refused_as_out_of_range(study):
    """``--busy-timeout nan`` passed the range check (every comparison with NaN is false)
    and stopped with "a stored value cannot be read ... the database may be damaged":
    a healthy database blamed for a typo. It is refused as the option's range now."""
    for args in (["--busy-timeout", "nan", "stats"], ["stats", "--busy-timeout", "NaN"]):
        res = cli(study, "--db", "lead.db", *args)
        no_traceback(res)
        assert res.returncode == 2
        assert res.stderr.strip().endswith(
            "Error: Invalid value for '--busy-timeout': nan is not in the range 0<=x<=86400."
        )
        assert "damaged" not in res.stderr
    assert cli(study, "--db", "lead.db", "--busy-timeout", "0.5", "stats").returncode == 0


def test_import_labels_of_a_coders_database_says_to_merge_it(study):
    """A student gives their ``ana.db`` to ``import-labels`` instead of ``merge``: the
    line said "not UTF-8 text (invalid byte at offset 106)". It names what the file is
    and the command that takes it; nothing is written."""
    res = cli(study, "--db", "lead.db", "pack", "--coder", "ana", "-o", "ana.db")
    assert res.returncode == 1  # no assignments yet: make a coder's file by hand
    (study / "ana.db").write_bytes((study / "lead.db").read_bytes())
    res = cli(study, "--db", "lead.db", "import-labels", "ana.db")
    no_traceback(res)
    assert res.returncode == 1
    assert (
        "  ana.db: an SQLite database (a coder's file?), not a JSONL file: bring a coder's"
        " database in with 'annotator merge'"
    ) in res.stderr.splitlines()


# --- a pack of another study ------------------------------------------------------------


def test_a_pack_of_another_study_with_the_same_scheme_is_refused(study):
    """Two studies on the default scheme, both with a round 'main': merging the other
    study's pack of ana added its articles to this database and appended them to ana's
    queue in this study's round 'main' (progress: 2 more to do). A pack holds the
    documents of the database it was made from, so a document the pack assigns its coder
    in a round this database has, and that this database lacks, refuses the pack in one
    line; nothing is merged. (Merged into a database without that round, a pack still
    brings its round along, as before.)"""
    res = cli(study, "--db", "lead.db", "assign", "--coders", "ana,ben", "--overlap", "1")
    assert res.returncode == 0, res.stderr
    other = study / "other"
    other.mkdir()
    (other / "o.txt").write_text("Another study's article about fisheries.", encoding="utf-8")
    for args in (
        ["import", "o.txt"],
        ["assign", "--coders", "ana,zoe", "--overlap", "1"],
        ["pack", "--coder", "ana", "-o", "ana.db"],
    ):
        res = cli(other, "--db", "o.db", *args)
        assert res.returncode == 0, (args, res.stderr)
    with Store(other / "ana.db") as s:
        s.add_span(s.document_ids()[0], "ana", 0, 7, "alarmist")
    res = cli(study, "--db", "lead.db", "merge", "other/ana.db")
    no_traceback(res)
    assert res.returncode == 1 and res.stdout == ""
    assert res.stderr.strip() == (
        "Error: other/ana.db: document 1: not in this database, though the pack assigns it"
        " to ana in round 'main', which this database has: the pack was made from another"
        " database (another study?); nothing merged"
    )
    with Store(study / "lead.db") as s:
        assert s.document_count() == 3 and len(s.queue("ana", "main")) == 3
    # this study's own pack merges as before
    res = cli(study, "--db", "lead.db", "pack", "--coder", "ana", "-o", "ana.db")
    assert res.returncode == 0, res.stderr
    with Store(study / "ana.db") as s:
        s.add_span(s.document_ids()[0], "ana", 0, 6, "alarmist")
    res = cli(study, "--db", "lead.db", "merge", "ana.db")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("ana.db: 0 new document(s), 1 span(s)")


# --- the whole study, end to end, as it held up -------------------------------------------


def test_a_whole_study_through_the_command_line(tmp_path):
    """A lead and three coders, hostile files included: every count printed is checked
    against the database, and the canonical export imports back into a fresh database
    as the same labels."""
    src = tmp_path / "articles"
    src.mkdir()
    for i, t in enumerate(TEXTS):
        (src / f"a{i}.txt").write_text(t, encoding="utf-8")
    (src / "bom.txt").write_bytes(b"\xef\xbb\xbfBOM headline\r\nBody text here.\r\n")
    (src / "same.txt").write_text(TEXTS[0], encoding="utf-8")  # same text, another name
    (src / "empty.txt").write_bytes(b"")
    (src / "nul.txt").write_bytes(b"a\x00b")
    (src / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))

    def ok(*args, cwd=tmp_path):
        res = cli(cwd, "--db", "lead.db", *args)
        no_traceback(res)
        assert res.returncode == 0, (args, res.stderr)
        return res

    res = cli(tmp_path, "--db", "lead.db", "import", "articles")
    no_traceback(res)
    assert res.returncode == 1  # the skipped files
    assert res.stdout.strip() == "Imported 4 document(s); 1 already present; 3 skipped."
    ok("assign", "--coders", "ana,ben,cy", "--overlap", "0.5", "--seed", "1")
    with Store(tmp_path / "lead.db") as s:
        texts = {d: s.document(d).text for d in s.document_ids()}
        assert texts[4] == "BOM headline\nBody text here.\n"
        queues = {c: s.queue(c, "main") for c in ("ana", "ben", "cy")}
    for coder, label in (("ana", "alarmist"), ("ben", "alarmist"), ("cy", "policy_prescription")):
        ok("pack", "--coder", coder, "-o", f"{coder}.db")
        recs = [
            {"text": texts[d], "spans": [{"start": 0, "end": 3, "label": label}],
             "doc_labels": {"dominant_frame": "none"}, "status": "done", "memo": f"{coder} ✓",
             "answer": "accept", "_annotator_id": coder}
            for d in queues[coder]
        ]  # fmt: skip
        (tmp_path / f"{coder}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8"
        )
        res = cli(tmp_path, "--db", f"{coder}.db", "import-labels", f"{coder}.jsonl")
        assert res.returncode == 0, res.stderr
        n = len(queues[coder])
        assert res.stdout.strip() == (
            f"{coder}.jsonl (jsonl): {n} task(s), 0 new document(s), {n} span(s) added, 0"
            f" already present, {n} document label(s) set, {n} memo(s) set, {n} status(es)"
            " updated"
        )
    res = ok("merge", "cy.db", "ana.db", "ben.db")
    for line, coder in zip(res.stdout.splitlines(), ("cy", "ana", "ben"), strict=True):
        n = len(queues[coder])
        assert line == (
            f"{coder}.db: 0 new document(s), {n} span(s), {n} document label(s) and {n}"
            " memo(s) added for 1 coder(s), 0 new conflict(s)"
        )
    res = ok("merge", "ben.db", "ana.db")  # again, in another order: nothing new
    assert all(" 0 span(s) and 0 document label(s) added" in x for x in res.stdout.splitlines())
    res = ok("scheme", "rename-label", "alarmist", "threat")
    n_alarm = len(queues["ana"]) + len(queues["ben"])
    assert f"{n_alarm} span(s) relabelled" in res.stdout
    report = json.loads(ok("agreement", "--json").stdout)
    assert report["annotators"] == ["ana", "ben", "cy"]
    res = ok("gold", "--auto")
    shared = set(queues["ana"]) & set(queues["ben"]) & set(queues["cy"])
    assert res.stdout.startswith(f"{len(shared)} document(s):")
    for fmt, out in (("jsonl", "all.jsonl"), ("prodigy", "p.jsonl"), ("csv", "all.csv"),
                     ("doccano", "dc"), ("brat", "brat"), ("spacy", "sp")):  # fmt: skip
        ok("export", "--format", fmt, "-o", out)
    with Store(tmp_path / "lead.db") as s:
        want = {c: coder_state(tmp_path / "lead.db", c) for c in ("ana", "ben", "cy")}
        assert s.coders() == ["ana", "ben", "cy"]
    # the canonical export into a database that has only the renamed codebook
    res = cli(tmp_path, "--db", "fresh.db", "init", "--no-seeds")
    assert res.returncode == 0, res.stderr
    res = cli(tmp_path, "--db", "fresh.db", "import-labels", "--add-labels", "all.jsonl")
    no_traceback(res)
    assert res.returncode == 0, res.stderr
    with Store(tmp_path / "fresh.db") as s:
        by_text = {s.document(d).text: d for d in s.document_ids()}
        lead_ids = sorted(texts, key=lambda d: texts[d])
        for coder, state in want.items():
            with Store(tmp_path / "lead.db") as lead:
                for d in lead_ids:
                    mine = sorted((sp.start, sp.end, sp.label) for sp in lead.spans(d, coder))
                    f = by_text.get(texts[d])
                    theirs = [] if f is None else sorted(
                        (sp.start, sp.end, sp.label) for sp in s.spans(f, coder)
                    )  # fmt: skip
                    assert mine == theirs, (coder, d)
            assert state  # every coder has labels


def test_import_update_refuses_the_open_database_before_reading_it(study):
    """``import``, ``import-labels`` and ``merge`` refuse the open database (and its
    ``-wal``) as an input before anything reads it — reading it opens and closes the
    file, and closing any descriptor of it drops every SQLite lock the process holds. ``import
    --update`` read it (a ``.txt`` link to it: "binary file (NUL byte ...)"); it refuses
    it in the same line now."""
    (study / "link.txt").symlink_to(study / "lead.db")
    for args, line in (
        (["import", "--update", "link.txt"],
         "Error: link.txt: cannot merge a database into itself, nor import it"),
        (["import", "link.txt"],
         "Error: link.txt: cannot merge a database into itself, nor import it"),
    ):  # fmt: skip
        res = cli(study, "--db", "lead.db", *args)
        no_traceback(res)
        assert res.returncode == 1 and res.stderr.strip() == line, (args, res.stderr)


def test_assign_in_a_coders_pack_is_refused(study):
    """A coder who ran ``assign`` in their pack drew a round there; ``merge`` then gave the
    lead's database that round with the pack's seed and a design naming a sample it never
    got (``agreement --methods`` would describe it as drawn). The study is designed in the
    lead's database: a pack refuses ``assign`` in one line (``--plan`` only reads)."""
    res = cli(study, "--db", "lead.db", "assign", "--coders", "ana,ben", "--overlap", "1")
    assert res.returncode == 0, res.stderr
    res = cli(study, "--db", "lead.db", "pack", "--coder", "ana", "-o", "ana.db")
    assert res.returncode == 0, res.stderr
    (study / "new.txt").write_text("A new article the coder found.", encoding="utf-8")
    assert cli(study, "--db", "ana.db", "import", "new.txt").returncode == 0
    res = cli(study, "--db", "ana.db", "assign", "--coders", "ana,bob", "--overlap", "1",
              "--round", "extra")  # fmt: skip
    no_traceback(res)
    assert res.returncode == 1
    assert res.stderr.strip() == (
        "Error: ana.db is ana's pack: assign in the lead's database, then pack again"
    )
    with Store(study / "ana.db") as s:
        assert [r.name for r in s.rounds()] == ["main"]
    res = cli(study, "--db", "ana.db", "assign", "--plan", "--alpha-min", "0.8")
    assert res.returncode == 0, res.stderr


def test_a_csv_export_given_to_import_labels_and_a_jsonl_file_given_to_merge_are_one_line(
    tmp_path,
):
    """import-labels given the CSV export listed "not valid JSON" for each of its first 20
    lines (and "... and N more"); merge given a JSONL file said "not a usable SQLite
    database (file is not a database)". Each is one line saying what the file is and
    which command reads it."""
    from annotator.corpus import RawDocument
    from annotator.errors import AnnotatorError
    from annotator.ingest import import_documents
    from annotator.labels_import import import_label_files
    from annotator.merge import merge_database

    db = tmp_path / "lead.db"
    with Store(db) as store:
        import_documents(store, [RawDocument("Russia and Iran.", "a.txt")])
        store.add_span(1, "ana", 0, 6, "alarmist")
        csv_file = tmp_path / "spans.csv"
        from annotator.export import export

        export(store, csv_file, fmt="csv")
        [r] = import_label_files(store, [csv_file])
        assert r.errors == [
            f"{csv_file}: the CSV export (a row per span), not a JSONL file: import-labels"
            " reads canonical JSONL, Prodigy or doccano (export --format jsonl)"
        ]
        jsonl = tmp_path / "ana.jsonl"
        jsonl.write_text('\ufeff{"text": "Russia and Iran."}\n', encoding="utf-8")
        with pytest.raises(AnnotatorError) as err:
            merge_database(store, jsonl)
        assert str(err.value) == (
            f"{jsonl}: a file of labels (JSONL), not a database: read it with"
            " 'annotator import-labels'"
        )
        assert len(store.spans(1, "ana")) == 1


def test_a_pack_reads_a_busy_database_and_never_replaces_one(study):
    """The README said a pack refuses a busy database; a pack only reads it, so it is made
    from what is committed (another program's open write transaction neither blocks it
    nor shows in it). An existing database as the target was refused as "an export never
    replaces a database"; it says "a pack" now."""
    import sqlite3

    res = cli(study, "--db", "lead.db", "assign", "--coders", "ana,ben", "--overlap", "1")
    assert res.returncode == 0, res.stderr
    with Store(study / "lead.db") as s:
        s.add_span(1, "ana", 0, 6, "alarmist")
    other = sqlite3.connect(study / "lead.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program writing, not yet committed
        other.execute("DELETE FROM spans")
        res = cli(study, "--db", "lead.db", "--busy-timeout", "1", "pack", "--coder", "ana",
                  "-o", "ana.db")  # fmt: skip
        no_traceback(res)
        assert res.returncode == 0, res.stderr
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert coder_state(study / "ana.db", "ana")[0][0] == [(0, 6, "alarmist")]
    res = cli(study, "--db", "lead.db", "pack", "--coder", "ben", "-o", "ana.db")
    assert res.returncode == 1 and res.stderr.strip() == (
        "Error: ana.db: exists and is a SQLite database (a coder's labels?); a pack never"
        " replaces a database: choose another output file"
    )


def test_merge_given_a_named_pipe_says_so_at_once(study):
    """merge reads the head of a file to tell a JSONL file of labels from a database: a
    named pipe must not be read (it would wait for a writer forever)."""
    import os

    os.mkfifo(study / "pipe")
    res = cli(study, "--db", "lead.db", "merge", "pipe", timeout=60)
    no_traceback(res)
    assert res.returncode == 1 and res.stderr.strip() == "Error: pipe: no such database"
