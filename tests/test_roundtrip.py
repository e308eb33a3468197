"""Property tests: export -> import into a new database -> export is lossless.

Random Unicode texts (emoji, combining marks, RTL, CRLF in the source text), random
overlapping spans and document fields for several coders, in the canonical, Prodigy
and doccano shapes; and the ``.spacy`` DocBin for spans that are not token-aligned.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.corpus import RawDocument, normalize_text
from annotator.export import export
from annotator.ingest import import_documents
from annotator.labels_import import import_label_files
from annotator.store import Store
from tests.folders import exported

LABELS = ("alarmist", "skeptical_of_alliance", "policy_prescription")
DOMINANT = ("alarmist", "skeptical_of_alliance", "policy_prescription", "none")
CODERS = ("ana", "ben", "Chloé")


def hsettings(n: int):
    return settings(
        max_examples=n,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# No U+FEFF (a leading double BOM is a known bug, see test_labels_import); NUL and
# everything else goes.
pieces = st.one_of(
    st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\ufeff"),
    st.sampled_from(
        ["😀", "🇺🇦", "👩‍👩‍👧", "e\u0301", "a\u0308\u0323", "שלום", "مرحبا", "\u200f", "\u2028"]
    ),
    st.sampled_from(["\r\n", "\r\n\r\n", "\n", " ", "  ", "\t", "\r", "\x00"]),
    st.sampled_from(["Kim", "Putin", "Xi", "Тегеран", "北京", "pact.", "Iran,"]),
)
raw_texts = st.lists(pieces, min_size=1, max_size=30).map("".join)


def stored(raw: str) -> str:
    return normalize_text(raw)


def usable(raw: str) -> bool:
    return bool(stored(raw).strip())


def cr_only(raw: str, a: int, b: int) -> bool:
    """A span of just the \\r of a \\r\\n vanishes when normalised (a known bug)."""
    return raw[a:b] == "\r" and raw[b : b + 1] == "\n"


@st.composite
def raw_spans(draw, raw: str, max_spans: int = 5):
    """Random, possibly overlapping, not token-aligned spans on the raw text."""
    n = len(raw)
    out = []
    seen = set()
    for _ in range(draw(st.integers(0, max_spans))):
        a = draw(st.integers(0, n - 1))
        b = draw(st.integers(a + 1, n))
        label = draw(st.sampled_from(LABELS))
        if cr_only(raw, a, b):
            continue
        if out and draw(st.booleans()) and not seen:  # the same span twice: a list keeps both
            out.append(out[-1])
            seen.add(out[-1])
        out.append((a, b, label))
    return out


doc_fields = st.fixed_dictionaries(
    {},
    optional={
        "dominant_frame": st.sampled_from(DOMINANT),
        "frames_present": st.lists(st.sampled_from(LABELS), unique=True),
    },
)


@st.composite
def corpora(draw, with_fields: bool = True, with_notes: bool = True):
    """``[(raw text, {coder: (spans, fields)})]`` with distinct stored texts."""
    texts = draw(st.lists(raw_texts.filter(usable), min_size=1, max_size=3, unique_by=stored))
    out = []
    for raw in texts:
        coders = draw(st.lists(st.sampled_from(CODERS), min_size=1, max_size=3, unique=True))
        labels = {}
        for coder in coders:
            spans = draw(raw_spans(raw))
            notes = [
                draw(st.text(max_size=8)) if with_notes else "" for _ in spans
            ]  # fmt: skip
            fields = draw(doc_fields) if with_fields else {}
            labels[coder] = ([(*s, note) for s, note in zip(spans, notes, strict=True)], fields)
        out.append((raw, labels))
    return out


def write_jsonl(path: Path, objs) -> Path:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for obj in objs:
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").split("\n") if line]


def without_timestamp(recs: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "_timestamp"} for r in recs]


def stored_range(raw: str, a: int, b: int) -> tuple[int, int]:
    """Raw offsets in the stored text: each \r of a \r\n before an offset shifts it left
    (an offset between \r and \n lands before the \n)."""

    def shift(o: int) -> int:
        return o - sum(1 for i in range(o) if raw[i] == "\r" and raw[i + 1 : i + 2] == "\n")

    return shift(a), shift(b)


def import_ok(store: Store, paths, **kw) -> None:
    results = import_label_files(store, paths, **kw)
    assert all(r.ok for r in results), [e for r in results for e in r.errors]


def span_key(span: dict) -> tuple:
    return span["start"], span["end"], span["label"]


def check_spans_against_source(recs: list[dict], corpus, with_notes: bool) -> None:
    """Every source span is in the export, at the right stored text."""
    by_text = {stored(raw): (raw, labels) for raw, labels in corpus}
    for rec in recs:
        raw, labels = by_text[rec["text"]]
        coder = rec["_annotator_id"]
        if coder is None:
            continue
        text = stored(raw)
        # A multiset: two raw spans can become the same stored span ("\r\n" and its
        # "\n"); both are the coder's, and both are kept.
        want = Counter(
            (*stored_range(raw, a, b), label, note if with_notes else "")
            for a, b, label, note in labels[coder][0]
        )
        got = Counter((s["start"], s["end"], s["label"], s.get("note", "")) for s in rec["spans"])
        assert got == want
        for span in rec["spans"]:
            assert span["text"] == text[span["start"] : span["end"]]


# --- canonical JSONL -------------------------------------------------------------------


@hsettings(25)
@given(corpus=corpora())
def test_canonical_round_trip(tmp_path_factory, corpus):
    folder = tmp_path_factory.mktemp("canon")
    source = []
    for i, (raw, labels) in enumerate(corpus):
        for coder, (spans, fields) in labels.items():
            source.append(
                {
                    "text": raw,
                    "meta": {"n": i, "title": f"Title {i}"},
                    "spans": [
                        {"start": a, "end": b, "label": lab, "note": note}
                        for a, b, lab, note in spans
                    ],
                    "doc_labels": fields,
                    "answer": "accept",
                    "_annotator_id": coder,
                }
            )
    src = write_jsonl(folder / "source.jsonl", source)
    with Store(folder / "one.db") as one:
        import_ok(one, [src])
        assert [one.document(i).text for i in one.document_ids()] == [
            stored(raw) for raw, _ in corpus
        ]
        export(one, folder / "one.jsonl", include_unlabelled=True)
    first = read_jsonl(folder / "one.jsonl")
    check_spans_against_source(first, corpus, with_notes=True)
    with Store(folder / "two.db") as two:
        import_ok(two, [folder / "one.jsonl"])
        export(two, folder / "two.jsonl", include_unlabelled=True)
        before = two.conn.execute("SELECT count(*), max(updated_at) FROM spans").fetchone()
        import_ok(two, [folder / "one.jsonl"])  # and a second time changes nothing
        assert two.conn.execute("SELECT count(*), max(updated_at) FROM spans").fetchone() == before
    assert without_timestamp(read_jsonl(folder / "two.jsonl")) == without_timestamp(first)


# --- Prodigy ---------------------------------------------------------------------------


@hsettings(20)
@given(corpus=corpora(with_fields=False, with_notes=False))
def test_prodigy_round_trip(tmp_path_factory, corpus):
    folder = tmp_path_factory.mktemp("prodigy")
    source = [
        {
            "text": raw,
            "spans": [{"start": a, "end": b, "label": lab} for a, b, lab, _ in spans],
            "answer": "accept",
            "_annotator_id": coder,
            "_session_id": f"framing-{coder}",
        }
        for raw, labels in corpus
        for coder, (spans, _) in labels.items()
    ]
    src = write_jsonl(folder / "source.jsonl", source)
    with Store(folder / "one.db") as one:
        import_ok(one, [src])
        export(one, folder / "one.jsonl", fmt="prodigy", include_unlabelled=True)
    first = read_jsonl(folder / "one.jsonl")
    check_spans_against_source(first, corpus, with_notes=False)
    with Store(folder / "two.db") as two:
        results = import_label_files(two, [folder / "one.jsonl"])
        assert [r.format for r in results] == ["prodigy"] and results[0].ok
        export(two, folder / "two.jsonl", fmt="prodigy", include_unlabelled=True)
    assert without_timestamp(read_jsonl(folder / "two.jsonl")) == without_timestamp(first)


# --- doccano ---------------------------------------------------------------------------


def doccano_files(folder: Path) -> dict[str, list[dict]]:
    return {p.stem: without_timestamp(read_jsonl(p)) for p in exported(folder)}


@hsettings(20)
@given(corpus=corpora(with_notes=False))
def test_doccano_round_trip(tmp_path_factory, corpus):
    folder = tmp_path_factory.mktemp("doccano")
    per_coder: dict[str, list[dict]] = {}
    for raw, labels in corpus:
        for coder, (spans, fields) in labels.items():
            if spans or fields:  # doccano has no coder field: an empty line says nothing
                per_coder.setdefault(coder, []).append(
                    {"text": raw, "label": [[a, b, lab] for a, b, lab, _ in spans], "cats": fields}
                )
    with Store(folder / "one.db") as one:
        for coder in sorted(per_coder):
            src = write_jsonl(folder / f"src-{coder}.jsonl", per_coder[coder])
            import_ok(one, [src], coder=coder)
        export(one, folder / "one", fmt="doccano")
    first = doccano_files(folder / "one")
    assert sorted(first) == sorted(per_coder)
    with Store(folder / "two.db") as two:
        for coder in sorted(first):
            results = import_label_files(two, [folder / "one" / f"{coder}.jsonl"], coder=coder)
            assert results[0].ok and results[0].format == "doccano", results[0].errors
        export(two, folder / "two", fmt="doccano")
    assert doccano_files(folder / "two") == first


# --- spaCy -----------------------------------------------------------------------------


@hsettings(12)
@given(raw=raw_texts.filter(usable), data=st.data())
def test_spacy_docbin_spans_match_the_stored_text(tmp_path_factory, raw, data):
    import spacy
    from spacy.tokens import DocBin

    text = stored(raw)
    folder = tmp_path_factory.mktemp("spacy")
    with Store(folder / "s.db") as s:
        [doc_id] = import_documents(s, [RawDocument(text, "h")]).added
        for coder in data.draw(st.lists(st.sampled_from(CODERS), min_size=1, unique=True)):
            for a, b, label in data.draw(raw_spans(text, max_spans=6)):
                s.add_span(doc_id, coder, a, b, label)
            fields = data.draw(doc_fields)
            for name, value in fields.items():
                s.set_doc_label(doc_id, coder, name, value)
        export(s, folder / "out.spacy", fmt="spacy", include_unlabelled=True)
        by_coder = {c: s.spans(doc_id, c) for c in s.coders()}
    [shard] = exported(folder / "out.spacy")  # a folder of DocBin shards; a small one
    docs = list(DocBin().from_disk(shard).get_docs(spacy.blank("en").vocab))
    for doc in docs:
        assert doc.text == text
        coder = doc.user_data["annotator"]
        want = [
            (sp.start, sp.end, sp.label, text[sp.start : sp.end]) for sp in by_coder.get(coder, [])
        ]
        got = [(sp.start_char, sp.end_char, sp.label_, sp.text) for sp in doc.spans["sc"]]
        assert got == want
