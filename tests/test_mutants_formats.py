"""Tests that kill surviving mutants of annotator/formats/ (bench/mutation.md, "formats/").

Every expected value is a literal written by hand, never recomputed with the code under test.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import annotator
from annotator.errors import AnnotatorError
from annotator.formats import readers, writers
from annotator.formats.tasks import LineError


def rec(text, spans, coder="ann"):
    return {
        "text": text,
        "spans": spans,
        "_annotator_id": coder,
        "meta": {"doc_id": 7, "title": "T", "sha256": "ab12"},
    }


def span(start, end, label="L", text="", note="", version=1):
    return {"start": start, "end": end, "label": label, "text": text, "note": note,
            "scheme_version": version}  # fmt: skip


# --- CSV ------------------------------------------------------------------------------


def test_csv_quotes_formula_cells_by_default_and_ends_rows_with_lf():
    fh = io.StringIO()
    r = rec("=1+1 x", [span(0, 4, text="=1+1", note="@me")])
    assert writers.write_csv([r], fh) == 1
    assert fh.getvalue() == (
        '"doc_id","title","sha256","coder","label","start","end","text","note","scheme_version"\n'
        '7,"T","ab12","ann","L",0,4,"\'=1+1","\'@me",1\n'
    )


def test_csv_raw_writes_cells_as_stored():
    fh = io.StringIO()
    writers.write_csv([rec("=1+1 x", [span(0, 4, text="=1+1", note="@me")])], fh, raw=True)
    assert fh.getvalue().splitlines()[1] == '7,"T","ab12","ann","L",0,4,"=1+1","@me",1'


# --- brat -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "ann"),
    [
        # a span of line breaks only keeps its extent; the line breaks are shown as spaces
        ("ab\n\ncd", 2, 4, "T1\tL 2 4\t  \n"),
        # a span across a line break is two fragments
        ("ab\ncd", 0, 5, "T1\tL 0 2;3 5\tab cd\n"),
        ("ab\ncd", 1, 4, "T1\tL 1 2;3 4\tb c\n"),
    ],
    ids=["breaks-only", "two-lines", "inner"],
)
def test_brat_fragments(text, start, end, ann):
    assert writers.brat_ann(rec(text, [span(start, end)])) == ann


def test_brat_note_on_one_line():
    r = rec("abc", [span(0, 3, note=" a\nnote\t here ")])
    assert writers.brat_ann(r) == "T1\tL 0 3\tabc\n#1\tAnnotatorNotes T1\ta note here\n"


# --- canonical reader: provenance of the gold layer -----------------------------------


def canonical(**extra):
    return {"text": "abc", "spans": [{"start": 0, "end": 1, "label": "L", **extra}]}


def test_canonical_span_sources_and_doc_label_sources_are_read():
    obj = canonical(sources=["ann", "bob"])
    obj["doc_label_sources"] = {"frame": ["ann"]}
    task = readers.read_canonical(obj)
    assert task.spans[0].sources == ("ann", "bob")
    assert task.label_sources == {"frame": ("ann",)}


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        (canonical(sources="ann"), "span 1 sources must be a list of coder names"),
        (canonical(sources=[1]), "span 1 sources entry must be a string, got 1"),
        (
            {"text": "abc", "doc_label_sources": {"frame": "ann"}},
            'doc_label_sources["frame"] must be a list of coder names',
        ),
    ],
    ids=["not-a-list", "not-a-string", "label-sources"],
)
def test_canonical_bad_sources_are_named(obj, message):
    with pytest.raises(LineError) as e:
        readers.read_canonical(obj)
    assert str(e.value) == message


def test_write_brat_files_and_annotation_conf(tmp_path):
    records = [
        {**rec("é\nx", [span(0, 3, label="B")], coder="ann"), "meta": {"doc_id": 3}},
        {**rec("y", [span(0, 1, label="A")], coder="ann"), "meta": {"doc_id": 12}},
    ]
    assert writers.write_brat(records, tmp_path) == 2
    assert (tmp_path / "ann" / "doc00003.txt").read_bytes() == "é\nx".encode()
    assert (tmp_path / "ann" / "doc00003.ann").read_bytes() == "T1\tB 0 1;2 3\té x\n".encode()
    assert (tmp_path / "ann" / "doc00012.txt").read_bytes() == b"y"
    assert (tmp_path / "annotation.conf").read_bytes() == (
        b"[entities]\nA\nB\n\n[relations]\n\n[events]\n\n[attributes]\n"
    )
    assert json.loads((tmp_path / "coders.json").read_bytes()) == {"ann": "ann"}


@pytest.mark.parametrize("coder", ["coders.json", "annotation.conf", "CODERS.JSON"])
def test_a_coder_named_like_a_brat_file_gets_another_folder(tmp_path, coder):
    r = {**rec("x", [span(0, 1)], coder=coder), "meta": {"doc_id": 1}}
    writers.write_brat([r], tmp_path)
    folders = [p.name for p in tmp_path.iterdir() if p.is_dir()]
    assert len(folders) == 1
    assert folders[0].lower() not in {"coders.json", "annotation.conf"}
    assert (tmp_path / "coders.json").is_file() and (tmp_path / "annotation.conf").is_file()
    assert json.loads((tmp_path / "coders.json").read_bytes()) == {folders[0]: coder}


# --- doccano reader -----------------------------------------------------------------------


def test_doccano_without_labels_has_no_spans_and_names_its_coder():
    task = readers.read_doccano({"text": "abc", "_annotator_id": "ann"})
    assert task.spans == [] and task.choices == []
    assert task.coder == "ann"


def test_doccano_spans_and_categories():
    task = readers.read_doccano({"text": "abcd", "label": [[0, 2, "A"], "cat", [1, 4, "B"]]})
    assert [(s.start, s.end, s.label) for s in task.spans] == [(0, 2, "A"), (1, 4, "B")]
    assert task.choices == ["cat"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"_annotator_id": 5}, '"_annotator_id" must be a string, got 5'),
        ({"label": "A"}, '"label" must be a list'),
        ({"label": [[0, 1]]}, "label 1 must be [start, end, label]"),
        ({"label": ["A", [0, 1, "B", 2]]}, "label 2 must be [start, end, label]"),
        ({"label": ["A", 5]}, "label 2 must be [start, end, label] or a category name"),
        ({"label": [[0, 1, 2]]}, "label 1 name must be a string, got 2"),
        ({"entities": {}}, '"entities" must be a list'),
        ({"entities": [{"start_offset": 0, "end_offset": 1, "label": "A"}, 3]},
         "entity 2 is not an object"),
        ({"entities": [{"start_offset": 0, "label": "A"}]}, 'entity 1 has no "end_offset"'),
        ({"entities": [{"start_offset": 0, "end_offset": 1, "label": 4}]},
         "entity 1 label must be a string, got 4"),
    ],
)  # fmt: skip
def test_doccano_errors_name_the_item(extra, message):
    with pytest.raises(LineError) as e:
        readers.read_doccano({"text": "abc", **extra})
    assert str(e.value) == message


# --- files are UTF-8 with LF whatever the locale --------------------------------------

_WRITE_UNDER_C_LOCALE = """
import sys
from pathlib import Path
from annotator.formats import writers
out = Path(sys.argv[1])
rec = {"text": "\\u00e9\\nx", "spans": [{"start": 0, "end": 3, "label": "\\u00c4"}],
       "_annotator_id": "Jose", "meta": {"doc_id": 1, "title": "\\u00dc"}, "doc_labels": {},
       "_timestamp": "t"}
(out / "brat").mkdir()
(out / "doccano").mkdir()
writers.write_brat([rec], out / "brat")
writers.write_doccano([rec], out / "doccano")
"""


def test_brat_and_doccano_files_are_utf8_in_an_ascii_locale(tmp_path):
    env = {
        **os.environ,
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONUTF8": "0",
        "PYTHONCOERCECLOCALE": "0",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONPATH": str(Path(annotator.__file__).resolve().parents[1]),
    }
    done = subprocess.run(
        [sys.executable, "-c", _WRITE_UNDER_C_LOCALE, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert done.returncode == 0, done.stderr
    brat = tmp_path / "brat"
    (folder,) = [p for p in brat.iterdir() if p.is_dir()]
    assert (folder / "doc00001.txt").read_bytes() == b"\xc3\xa9\nx"
    assert (folder / "doc00001.ann").read_bytes() == b"T1\t\xc3\x84 0 1;2 3\t\xc3\xa9 x\n"
    assert (brat / "annotation.conf").read_bytes() == (
        b"[entities]\n\xc3\x84\n\n[relations]\n\n[events]\n\n[attributes]\n"
    )
    assert json.loads((brat / "coders.json").read_bytes().decode("utf-8")) == {folder.name: "Jose"}
    (line,) = (tmp_path / "doccano").iterdir()
    data = line.read_bytes()
    assert data.endswith(b"}\n") and b"\r" not in data
    assert json.loads(data.decode("utf-8"))["text"] == "é\nx"


# --- spaCy ----------------------------------------------------------------------------


def spacy_rec(text, tokens, spans, **extra):
    out = rec(text, [span(s, e, lab) for s, e, lab in spans])
    out["tokens"] = [{"start": s, "end": e} for s, e in tokens]
    out.update(extra)
    return out


def words_of(doc):
    return [(t.text, t.whitespace_) for t in doc]


@pytest.mark.parametrize(
    ("text", "tokens", "spans", "words"),
    [
        # a single space between tokens becomes the first token's trailing whitespace
        ("ab cd", [(0, 2), (3, 5)], [], [("ab", " "), ("cd", "")]),
        # ... unless a span ends after it or starts at it: then it is a token of its own
        ("ab cd", [(0, 2), (3, 5)], [(0, 3, "L")], [("ab", ""), (" ", ""), ("cd", "")]),
        ("ab cd", [(0, 2), (3, 5)], [(2, 5, "L")], [("ab", ""), (" ", ""), ("cd", "")]),
        # a leading space (no token starts at 0) and two spaces stay words
        (" ab  c", [(1, 3), (5, 6)], [], [(" ", ""), ("ab", ""), ("  ", ""), ("c", "")]),
        # a span edge inside a token splits it
        ("abcd", [(0, 4)], [(1, 3, "L")], [("a", ""), ("bc", ""), ("d", "")]),
    ],
)
def test_spacy_doc_words_and_whitespace(text, tokens, spans, words):
    import spacy

    doc = writers.spacy_doc(spacy_rec(text, tokens, spans), spacy.blank("en").vocab)
    assert words_of(doc) == words
    assert [(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]] == list(spans)


def test_spacy_doc_cats_and_user_data():
    import spacy

    vocab = spacy.blank("en").vocab
    doc = writers.spacy_doc(spacy_rec("ab", [(0, 2)], []), vocab)  # no "_cats": none
    assert doc.cats == {}
    assert doc.user_data == {"annotator": "ann", "doc_id": 7, "title": "T", "sha256": "ab12"}
    doc = writers.spacy_doc(spacy_rec("ab", [(0, 2)], [], _cats={"f:x": 1.0}), vocab)
    assert doc.cats == {"f:x": 1.0}


def test_spacy_doc_names_a_span_that_cannot_align():
    import spacy

    # not from a store (which keeps start < end), but the message must still name it
    bad = spacy_rec("ab", [(0, 2)], [(2, 1, "L")])
    with pytest.raises(AnnotatorError) as err:
        writers.spacy_doc(bad, spacy.blank("en").vocab)
    assert str(err.value) == (
        "document 7: span {'start': 2, 'end': 1, 'label': 'L', 'text': '', 'note': '',"
        " 'scheme_version': 1} does not align"
    )


@pytest.mark.parametrize(
    ("sizes", "limit", "shards"),
    [
        ([4, 1], 4, [[4], [1]]),  # a shard is written when it reaches the limit exactly
        ([4, 3, 1], 4, [[4], [3, 1]]),  # the next shard counts from 0 again
        ([2, 1], 4, [[2, 1]]),
        ([], 4, [[]]),  # nothing: one empty shard
    ],
)
def test_write_spacy_shards_at_the_token_limit(tmp_path, sizes, limit, shards):
    import spacy
    from spacy.tokens import DocBin

    recs = [
        spacy_rec("a" * n, [(i, i + 1) for i in range(n)], [], _annotator_id=f"c{k}")
        for k, n in enumerate(sizes)
    ]
    assert writers.write_spacy(recs, tmp_path, [], limit) == len(sizes)
    vocab = spacy.blank("en").vocab
    got = [
        [len(d) for d in DocBin().from_bytes(p.read_bytes()).get_docs(vocab)]
        for p in sorted(tmp_path.iterdir())
    ]
    assert got == shards
