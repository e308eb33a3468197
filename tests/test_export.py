"""The canonical JSONL export: Prodigy's span fields, exact text, streaming, atomic writes."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.atomic import atomic_output
from annotator.corpus import RawDocument, normalize_text
from annotator.export import export_jsonl, records, write_jsonl
from annotator.ingest import import_documents
from annotator.store import Store
from tests.folders import exported

TEXT = "😀 Emoji first. North Korea sends troops to Russia.\nخبر عاجل about Iran."


def read_lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_one_line_per_document_and_coder_with_prodigy_fields(store, make_doc, tmp_path):
    d1 = make_doc(TEXT, url="https://example.org/a")
    d2 = make_doc("An unlabelled second article.")
    start = TEXT.index("North")
    end = TEXT.index(" to Russia")
    store.add_span(d1, "ana", start, end, "alarmist", "troops")
    store.add_span(d1, "ben", 0, 1, "skeptical_of_alliance")  # just the emoji
    store.set_doc_label(d1, "ana", "frames_present", ["alarmist"])
    store.set_doc_label(d1, "ben", "dominant_frame", "none")
    out = tmp_path / "out.jsonl"
    assert export_jsonl(store, out) == 2
    ana, ben = read_lines(out)
    assert ana["_annotator_id"] == "ana" and ben["_annotator_id"] == "ben"
    for key in [
        "text",
        "meta",
        "tokens",
        "spans",
        "doc_labels",
        "answer",
        "_annotator_id",
        "_session_id",
        "_input_hash",
        "_task_hash",
        "_timestamp",
        "scheme_version",
    ]:
        assert key in ana
    assert ana["text"] == TEXT
    assert ana["meta"] == {
        "url": "https://example.org/a",
        "doc_id": d1,
        "title": store.document(d1).title,
        "source": "test",
        "sha256": store.document(d1).sha256,
    }
    assert ana["answer"] == "accept"
    assert ana["doc_labels"] == {"frames_present": ["alarmist"]}
    assert ben["doc_labels"] == {"dominant_frame": "none"}
    assert ana["_input_hash"] == ben["_input_hash"]
    assert ana["_task_hash"] != ben["_task_hash"]
    assert isinstance(ana["_timestamp"], int)
    [span] = ana["spans"]
    assert span["text"] == "North Korea sends troops" == TEXT[span["start"] : span["end"]]
    assert (span["label"], span["note"]) == ("alarmist", "troops")
    toks = ana["tokens"]
    assert toks[span["token_start"]]["text"] == "North"
    assert toks[span["token_end"]]["text"] == "troops"  # inclusive, as in Prodigy
    assert all(t["id"] == i for i, t in enumerate(toks))
    assert all(TEXT[t["start"] : t["end"]] == t["text"] for t in toks)
    north = toks[span["token_start"]]
    assert north["ws"] is True
    assert ben["spans"][0]["text"] == "😀"
    assert d2 not in {r["meta"]["doc_id"] for r in (ana, ben)}


def test_all_and_annotator_filter(store, make_doc, tmp_path):
    d1 = make_doc(TEXT)
    d2 = make_doc("Second article text.")
    store.add_span(d1, "ana", 2, 7, "alarmist")
    store.add_span(d2, "ben", 0, 6, "alarmist")
    out = tmp_path / "all.jsonl"
    export_jsonl(store, out, include_unlabelled=True)
    assert [(r["meta"]["doc_id"], r["_annotator_id"]) for r in read_lines(out)] == [
        (d1, "ana"),
        (d2, "ben"),
    ]
    d3 = make_doc("Third, untouched.")
    export_jsonl(store, out, include_unlabelled=True)
    rows = read_lines(out)
    assert (rows[-1]["meta"]["doc_id"], rows[-1]["_annotator_id"], rows[-1]["spans"]) == (
        d3,
        None,
        [],
    )
    export_jsonl(store, out, coder="ana")
    assert [(r["meta"]["doc_id"], r["_annotator_id"]) for r in read_lines(out)] == [(d1, "ana")]
    export_jsonl(store, out, coder="ana", include_unlabelled=True)
    assert [(r["meta"]["doc_id"], r["_annotator_id"]) for r in read_lines(out)] == [
        (d1, "ana"),
        (d2, "ana"),
        (d3, "ana"),
    ]


def test_interrupted_export_leaves_the_old_file_untouched(store, make_doc, tmp_path):
    d1 = make_doc(TEXT)
    store.add_span(d1, "ana", 2, 7, "alarmist")
    out = tmp_path / "out.jsonl"
    out.write_text("previous export\n")

    def failing():
        yield from records(store)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_jsonl(failing(), out)
    assert out.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_atomic_output_to_stdout(capsys):
    with atomic_output("-") as fh:
        fh.write("hello\n")
    assert capsys.readouterr().out == "hello\n"


def test_records_stream_one_document_at_a_time(store, make_doc):
    for i in range(5):
        d = make_doc(f"Article number {i} about the axis.")
        store.add_span(d, "ana", 0, 7, "alarmist")
    it = records(store)
    first = next(it)
    assert first["meta"]["doc_id"] == store.document_ids()[0]
    assert len(list(it)) == 4


texts = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from(["😀", "🇺🇦", "a\u0308", "ع", "\u00a0", "\u2028", "\r\n", " ", "\t"]),
        st.sampled_from(["Kim", "Putin", "Xi", "Тегеран", "北京"]),
    ),
    min_size=1,
    max_size=40,
).map("".join)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=texts, data=st.data())
def test_exported_span_text_always_matches_offsets(tmp_path_factory, raw, data):
    text = normalize_text(raw)
    if not text.strip():
        return
    folder = tmp_path_factory.mktemp("exp")
    with Store(folder / "e.db") as s:
        doc = import_documents(s, [RawDocument(text, "h")]).added[0]
        for _ in range(data.draw(st.integers(1, 4))):
            a = data.draw(st.integers(0, len(text) - 1))
            b = data.draw(st.integers(a + 1, len(text)))
            s.add_span(doc, data.draw(st.sampled_from(["a", "b"])), a, b, "alarmist")
        out = folder / "e.jsonl"
        export_jsonl(s, out)
    for rec in read_lines(out):
        assert rec["text"] == text
        for sp in rec["spans"]:
            assert rec["text"][sp["start"] : sp["end"]] == sp["text"]
            toks = rec["tokens"]
            if sp["token_start"] is not None:
                assert toks[sp["token_start"]]["start"] < sp["end"]
                assert toks[sp["token_end"]]["end"] > sp["start"]


# --- strict JSON ------------------------------------------------------------------------

OLD_META = {
    "score": float("nan"),
    "ratio": float("inf"),
    "nested": {"low": float("-inf"), "list": [1.5, float("nan")]},
    "ok": 2.5,
}
STRICT_META = {
    "score": None,
    "ratio": None,
    "nested": {"low": None, "list": [1.5, None]},
    "ok": 2.5,
}


def strict_lines(path):
    """Every line parsed by a strict parser (NaN/Infinity refused, as JavaScript does)."""
    from annotator import jsonsafe

    return [jsonsafe.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def old_nan_db(store, make_doc):
    """A database an older version filled: it stored meta with NaN and Infinity as given."""
    d1 = make_doc("An article with odd numbers in its meta.", **OLD_META)
    d2 = make_doc("A clean article.", n=1)
    store.add_span(d1, "ana", 0, 2, "alarmist")
    store.add_span(d2, "ana", 0, 1, "alarmist")
    store.add_span(d1, "ben", 3, 10, "alarmist")
    assert store.document(d1).meta["score"] != store.document(d1).meta["score"]  # NaN stored
    return store, d1, d2


@pytest.mark.parametrize("fmt", ["jsonl", "prodigy", "doccano"])
def test_exports_are_strict_json_even_for_old_nan_meta(old_nan_db, tmp_path, fmt):
    from annotator.export import export

    store, d1, d2 = old_nan_db
    warnings: list[str] = []
    out = tmp_path / "out"
    export(store, out, fmt, warn=warnings.append)
    files = exported(out) if out.is_dir() else [out]
    recs = [r for f in files for r in strict_lines(f)]
    assert len(recs) == 3
    for r in recs:
        meta = {
            k: v for k, v in r["meta"].items() if k not in ("doc_id", "title", "source", "sha256")
        }
        assert meta in (STRICT_META, {"n": 1})
    assert len(warnings) == 1  # one line per document, not per coder
    assert warnings[0].startswith(f"document {d1}: meta.score was NaN, written as null")
    assert "meta.nested.list[1] was NaN" in warnings[0] and "meta.ratio was Infinity" in warnings[0]
    assert "\n" not in warnings[0]


def test_cli_export_of_old_nan_meta_warns_and_writes_strict_json(old_nan_db, tmp_path):
    """The real command: exit 0, a strict JSON file, one warning line on stderr."""
    import os
    import subprocess
    import sys

    store, d1, _ = old_nan_db
    out = tmp_path / "cli.jsonl"
    res = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(store.path), "export", "-o", str(out)],
        capture_output=True, text=True, cwd=tmp_path, env=os.environ.copy(), check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert len(strict_lines(out)) == 3
    assert f"warning: document {d1}: meta.score was NaN, written as null" in res.stderr
    assert "Traceback" not in res.stderr


def test_meta_with_a_lone_surrogate_in_a_foreign_database_is_replaced(store, make_doc, tmp_path):
    """A database written by another tool may hold an escaped lone surrogate in meta:
    the export writes U+FFFD (valid UTF-8) and says so."""
    import sqlite3

    d = make_doc("Foreign meta.")
    store.add_span(d, "ana", 0, 7, "alarmist")
    with sqlite3.connect(store.path) as c:
        c.execute("UPDATE documents SET meta = ? WHERE id = ?", ('{"t\\ud800": "x\\udfff"}', d))
    warnings: list[str] = []
    out = tmp_path / "s.jsonl"
    export_jsonl(store, out, warn=warnings.append)
    [rec] = strict_lines(out)
    assert rec["meta"]["t\ufffd"] == "x\ufffd"
    assert len(warnings) == 1 and "lone surrogate" in warnings[0]


def test_dumps_line_refuses_nan_anywhere():
    from annotator.atomic import dumps_line
    from annotator.errors import AnnotatorError

    with pytest.raises(AnnotatorError, match="document 7: cannot be written as strict JSON"):
        dumps_line({"meta": {"doc_id": 7}, "x": [float("nan")]})
