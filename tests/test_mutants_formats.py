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
from annotator.formats import detect_format, readers, writers
from annotator.formats.registry import WriteOptions, export_format
from annotator.formats.tasks import LineError, TaskSpan, base_task


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
        '"doc_id","title","sha256","coder","label","start","end","text","note","scheme_version","memo","origin"\n'
        '7,"T","ab12","ann","L",0,4,"\'=1+1","\'@me",1,"","manual"\n'
    )


def test_csv_raw_writes_cells_as_stored():
    fh = io.StringIO()
    writers.write_csv([rec("=1+1 x", [span(0, 4, text="=1+1", note="@me")])], fh, raw=True)
    assert fh.getvalue().splitlines()[1] == '7,"T","ab12","ann","L",0,4,"=1+1","@me",1,"","manual"'


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


# --- readers: every value and every message, literally ---------------------------------


def read_error(reader, obj, **kw):
    with pytest.raises(LineError) as e:
        reader(obj, **kw)
    return str(e.value)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([1], "not a JSON object"),
        ({"meta": {}}, 'no "text" field'),
        ({"text": 5}, '"text" must be a string, got 5'),
        ({"text": "a", "meta": [1]}, '"meta" must be an object'),
        ({"text": "a", "_timestamp": True},
         '"_timestamp" must be a number (seconds since 1970), got true'),
        ({"text": "a", "_timestamp": "5"},
         "\"_timestamp\" must be a number (seconds since 1970), got \"5\""),
        ({"text": "a", "_timestamp": float("inf")},
         '"_timestamp" must be a number (seconds since 1970), got Infinity'),
        ({"text": "a", "_timestamp": 10**400},
         f'"_timestamp" must be a number (seconds since 1970), got {str(10**400)[:59]}…'),
    ],
    ids=["list", "no-text", "text-int", "meta-list", "ts-bool", "ts-str", "ts-inf", "ts-huge"],
)  # fmt: skip
def test_base_task_errors(obj, message):
    assert read_error(base_task, obj) == message


def test_base_task_values():
    meta = {"doc_id": 3}
    task = base_task({"text": "abc", "meta": meta, "_timestamp": 5})
    assert task.text == "abc"
    assert task.meta == {"doc_id": 3} and task.meta is not meta
    assert task.timestamp == 5.0 and isinstance(task.timestamp, float)
    assert base_task({"text": "", "_timestamp": -1.5}).timestamp == -1.5
    assert base_task({"text": "", "_timestamp": 0}).timestamp == 0.0
    bare = base_task({"text": "x", "meta": None, "_timestamp": None})
    assert (bare.meta, bare.timestamp, bare.coder, bare.spans) == ({}, None, None, [])
    assert (bare.doc_labels, bare.choices, bare.skip) == ({}, [], False)
    assert (bare.label_sources, bare.status, bare.seconds_spent) == ({}, None, None)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"answer": "maybe"}, "\"answer\" must be accept, reject or ignore, got \"maybe\""),
        ({"_annotator_id": 5}, '"_annotator_id" must be a string, got 5'),
        ({"_session_id": 6}, '"_annotator_id" must be a string, got 6'),
        ({"spans": {"start": 0}}, '"spans" must be a list'),
        ({"spans": [span(0, 1), 2]}, "span 2 is not an object"),
        ({"spans": [{"end": 1, "label": "L"}]}, 'span 1 has no "start"'),
        ({"spans": [{"start": 0, "label": "L"}]}, 'span 1 has no "end"'),
        ({"spans": [{"start": 0, "end": 1}]}, 'span 1 has no "label"'),
        ({"spans": [span(0, 1), span("0", 1)]}, "span 2 start must be an integer, got \"0\""),
        ({"spans": [span(0, True)]}, "span 1 end must be an integer, got true"),
        ({"spans": [span(0, 1, label=None)]}, "span 1 label must be a string, got null"),
        ({"spans": [span(0, 1, note=7)]}, "span 1 note must be a string, got 7"),
        ({"spans": [span(0, 1, version="2")]},
         "span 1 scheme_version must be an integer, got \"2\""),
        ({"accept": "a"}, '"accept" must be a list of option ids'),
    ],
)  # fmt: skip
def test_prodigy_errors_name_the_item(obj, message):
    assert read_error(readers.read_prodigy, {"text": "abc", **obj}) == message


def test_prodigy_values():
    obj = {
        "text": "abcd",
        "answer": "accept",
        "_session_id": "sess",
        "spans": [span(0, 2, "A", note="n", version=3), {"start": 1, "end": 4, "label": "B",
                  "note": None, "scheme_version": None}],
        "accept": [1, "f:o"],
    }  # fmt: skip
    task = readers.read_prodigy(obj)
    assert task.skip is False
    assert task.coder == "sess"
    assert task.spans == [TaskSpan(0, 2, "A", "n", 3), TaskSpan(1, 4, "B", "", None)]
    assert task.choices == ["1", "f:o"]
    assert readers.read_prodigy({**obj, "_annotator_id": "ann"}).coder == "ann"
    assert readers.read_prodigy({"text": "a"}).coder is None


@pytest.mark.parametrize(
    ("answer", "all_answers", "skip"),
    [("accept", False, False), ("reject", False, True), ("ignore", False, True),
     (None, False, True), ("reject", True, False), (None, True, False)],
)  # fmt: skip
def test_prodigy_skip(answer, all_answers, skip):
    obj = {"text": "a"} if answer is None else {"text": "a", "answer": answer}
    assert readers.read_prodigy(obj, all_answers=all_answers).skip is skip
    assert readers.read_prodigy(obj, all_answers).skip is skip
    if not all_answers:
        assert readers.read_prodigy(obj).skip is skip


def test_canonical_without_answer_is_accepted_and_with_reject_skipped():
    assert readers.read_canonical({"text": "a"}).skip is False
    assert readers.read_canonical({"text": "a", "answer": "reject"}).skip is True
    assert readers.read_canonical({"text": "a", "answer": "reject"}, all_answers=True).skip is False
    assert readers.read_canonical({"text": "a", "answer": "reject"}, True).skip is False
    assert readers.read_canonical({"text": "a", "answer": "accept"}).skip is False


def test_canonical_values():
    obj = {
        "text": "abcd",
        "spans": [span(0, 1), {**span(1, 2), "sources": None}, {**span(2, 3), "sources": []}],
        "doc_labels": {"frame": "econ", "tags": ["a", "b"]},
        "doc_label_sources": {"frame": ["ann", "bob"], "tags": []},
        "status": "done",
        "seconds_spent": 12,
    }
    task = readers.read_canonical(obj)
    assert [s.sources for s in task.spans] == [None, None, ()]
    assert task.doc_labels == {"frame": "econ", "tags": ["a", "b"]}
    assert task.label_sources == {"frame": ("ann", "bob"), "tags": ()}
    assert (task.status, task.seconds_spent) == ("done", 12.0)
    assert isinstance(task.seconds_spent, float)
    bare = readers.read_canonical({"text": "a", "doc_labels": None, "doc_label_sources": None})
    assert (bare.doc_labels, bare.label_sources, bare.status, bare.seconds_spent) == (
        {}, {}, None, None)  # fmt: skip


@pytest.mark.parametrize(
    ("status", "secs", "expected"),
    [("in_progress", None, ("in_progress", 0.0)), (None, 0, ("new", 0.0)),
     (None, 2.5, ("new", 2.5)), ("new", 0.0, ("new", 0.0)), (None, None, (None, None))],
)  # fmt: skip
def test_canonical_status_and_seconds(status, secs, expected):
    obj = {"text": "a", "status": status, "seconds_spent": secs}
    task = readers.read_canonical(obj)
    assert (task.status, task.seconds_spent) == expected


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"status": "finished"},
         "\"status\" must be one of new, in_progress, done, got \"finished\""),
        ({"seconds_spent": True},
         '"seconds_spent" must be a finite number of seconds >= 0, got true'),
        ({"seconds_spent": "3"},
         "\"seconds_spent\" must be a finite number of seconds >= 0, got \"3\""),
        ({"seconds_spent": -0.5},
         '"seconds_spent" must be a finite number of seconds >= 0, got -0.5'),
        ({"seconds_spent": float("nan")},
         '"seconds_spent" must be a finite number of seconds >= 0, got NaN'),
        ({"seconds_spent": 10**400},
         f'"seconds_spent" must be a finite number of seconds >= 0, got {str(10**400)[:59]}…'),
        ({"doc_labels": ["a"]}, '"doc_labels" must be an object'),
        ({"doc_labels": {"f": ["a", 1]}}, 'doc_labels["f"] option must be a string, got 1'),
        ({"doc_labels": {"f": 1}}, 'doc_labels["f"] must be an option or a list of options'),
        ({"doc_label_sources": ["ann"]}, '"doc_label_sources" must be an object'),
        ({"doc_label_sources": {"frame": "ann"}},
         'doc_label_sources["frame"] must be a list of coder names'),
        ({"doc_label_sources": {"frame": [2]}},
         'doc_label_sources["frame"] entry must be a string, got 2'),
        ({"spans": [span(0, 1), {**span(1, 2), "sources": "a"}]},
         "span 2 sources must be a list of coder names"),
        # JSON keys are strings; a caller handing a dict of its own is still told
        ({"doc_label_sources": {1: ["ann"]}}, "doc_label_sources field must be a string, got 1"),
    ],
)  # fmt: skip
def test_canonical_errors_name_the_item(obj, message):
    assert read_error(readers.read_canonical, {"text": "abc", **obj}) == message


def test_doccano_values():
    obj = {
        "text": "abcd",
        "label": [[0, 2, "A"], "cat"],
        "entities": [{"start_offset": 1, "end_offset": 3, "label": "E"}],
        "cats": {"frame": "econ", "tags": ["x"]},
        "answer": "reject",
    }
    task = readers.read_doccano(obj)
    assert task.spans == [TaskSpan(0, 2, "A"), TaskSpan(1, 3, "E")]
    assert task.choices == ["cat"]
    assert task.doc_labels == {"frame": "econ", "tags": ["x"]}
    assert (task.skip, task.coder) == (False, None)
    assert readers.read_doccano({"text": "a", "_session_id": "s"}).coder is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"label": [[0, 1, "A"], ["0", 1, "A"]]}, "label 2 start must be an integer, got \"0\""),
        ({"label": [[0, None, "A"]]}, "label 1 end must be an integer, got null"),
        ({"label": None}, '"label" must be a list'),
        ({"entities": None}, '"entities" must be a list'),
        ({"entities": [{"end_offset": 1, "label": "A"}]}, 'entity 1 has no "start_offset"'),
        ({"entities": [{"start_offset": 0, "end_offset": 1}]}, 'entity 1 has no "label"'),
        ({"entities": [{"start_offset": 0.0, "end_offset": 1, "label": "A"}]},
         "entity 1 start_offset must be an integer, got 0.0"),
        ({"entities": [{"start_offset": 0, "end_offset": "1", "label": "A"}]},
         "entity 1 end_offset must be an integer, got \"1\""),
        ({"cats": ["a"]}, '"cats" must be an object'),
        ({"cats": {"f": [None]}}, 'cats["f"] option must be a string, got null'),
        ({"cats": {"f": 2}}, 'cats["f"] must be an option or a list of options'),
    ],
)  # fmt: skip
def test_doccano_more_errors(extra, message):
    assert read_error(readers.read_doccano, {"text": "abc", **extra}) == message


@pytest.mark.parametrize(
    ("obj", "fmt"),
    [
        ("x", None), ({}, None), ({"text": "a"}, None),
        ({"doc_labels": {}}, "jsonl"), ({"scheme_version": 1}, "jsonl"),
        ({"status": "done"}, "jsonl"), ({"seconds_spent": 1}, "jsonl"),
        ({"doc_labels": {}, "entities": []}, "jsonl"),
        ({"entities": []}, "doccano"), ({"label": []}, "doccano"), ({"cats": {}}, "doccano"),
        ({"label": "A"}, None), ({"label": "A", "answer": "accept"}, "prodigy"),
        ({"entities": [], "spans": []}, "doccano"),
        ({"spans": []}, "prodigy"), ({"answer": "accept"}, "prodigy"),
        ({"accept": []}, "prodigy"), ({"_input_hash": 1}, "prodigy"),
        ({"_task_hash": 1}, "prodigy"),
    ],
)  # fmt: skip
def test_detect_format(obj, fmt):
    assert detect_format(obj) == fmt


def test_export_format_lookup_and_unknown_name():
    assert export_format("brat").key == "brat"
    with pytest.raises(AnnotatorError) as e:
        export_format("xml")
    assert str(e.value) == (
        "unknown export format 'xml' (choose from jsonl, prodigy, doccano, spacy, csv, brat)"
    )


def test_registry_writers_pass_their_options(tmp_path):
    r = rec("=1+1 x", [span(0, 4, text="=1+1", note="@me")])
    fh = io.StringIO()
    assert export_format("csv").write([r], fh, WriteOptions(csv_raw=True)) == 1
    assert fh.getvalue().splitlines()[1] == '7,"T","ab12","ann","L",0,4,"=1+1","@me",1,"","manual"'
    fh = io.StringIO()
    assert export_format("csv").write([r], fh, WriteOptions()) == 1
    assert (
        fh.getvalue().splitlines()[1] == '7,"T","ab12","ann","L",0,4,"\'=1+1","\'@me",1,"","manual"'
    )
    fh = io.StringIO()
    p = {**r, "spans": [], "doc_labels": {"f": "o"}}
    assert export_format("prodigy").write([p], fh, WriteOptions()) == 1
    assert "doc_labels" not in json.loads(fh.getvalue())
    fh = io.StringIO()
    assert export_format("jsonl").write([r, r], fh, WriteOptions()) == 2
    assert [json.loads(line) for line in fh.getvalue().splitlines()] == [r, r]


# --- file names: digests are `printf '%s' NAME | sha256sum`, cut to 8 ------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [("a b/c", "a_b_c"), (" a ", "a"), ("._x y._", "x_y"), ("_Xa", "Xa"), ("...", "coder"),
     ("Ana-M.", "Ana-M")],
)  # fmt: skip
def test_safe_name(name, safe):
    assert writers.safe_name(name) == safe


A70, B20 = "a" * 70, "b" * 20


@pytest.mark.parametrize(
    ("coder", "stem"),
    [
        ("a" * 80, "a" * 80),  # exactly MAX_STEM_BYTES: kept
        ("con.txt", "con.txt-d3bde286"),  # a device name before the dot
        ("Coders.json", "Coders.json-45df49cb"),  # taken, case-insensitively
        ("...", "coder-ab5df625"),
        ("a\ud800", "a-25819b9b"),  # a lone surrogate is hashed as its UTF-8 bytes
        (A70 + "." + B20, A70 + "-5ea87881"),  # cut to 71 bytes, then the dot dropped
        (A70 + B20, A70 + "b-c3596262"),
        (A70 + "X" + B20, A70 + "X-b3844441"),
        ("é" * 50, "é" * 35 + "-2d18fe4b"),  # 70 bytes: one more é would be 72
    ],
    ids=["80-bytes", "device", "taken", "dots", "surrogate", "cut-dot", "cut", "cut-X", "cut-2b"],
)  # fmt: skip
def test_file_stem(coder, stem):
    assert writers.file_stem(coder, ["coders.json"]) == stem


def test_unique_names_count_up_case_insensitively_and_avoid_taken_names():
    u = writers.UniqueNames(["coders.json", "unlabelled"])
    got = [u(x) for x in ["Ana", "ana", "ANA", "Ana", None, "coders.json"]]
    assert got == ["Ana", "ana-2", "ANA-3", "Ana", "unlabelled-2", "coders.json-7624ae73"]
