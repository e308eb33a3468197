"""Writers for foreign formats, fed by the canonical records (one at a time).

A writer fills an output that :mod:`annotator.atomic` makes appear only when complete: a
text file (:func:`~annotator.atomic.atomic_output`) for JSONL, Prodigy and CSV, a folder
(:func:`~annotator.atomic.atomic_folder`) for doccano, spaCy and brat. Which writer serves
which format is :mod:`annotator.formats.registry`.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..atomic import dumps_line
from ..errors import AnnotatorError

if TYPE_CHECKING:  # spaCy is imported only when a spaCy export runs
    from spacy.tokens import Doc, DocBin
    from spacy.vocab import Vocab

    from ..scheme import DocField

# ``origin`` is ours (manual, suggestion:<source>, edited:<source>): Prodigy keeps a key
# it does not know, and import-labels reads it back
PRODIGY_SPAN_KEYS = ("start", "end", "token_start", "token_end", "label", "text", "origin")
PRODIGY_KEYS = (
    "text", "meta", "tokens", "spans", "answer",
    "_annotator_id", "_session_id", "_input_hash", "_task_hash", "_timestamp",
)  # fmt: skip
CSV_COLUMNS = (
    "doc_id", "title", "sha256", "coder", "label", "start", "end", "text", "note",
    "scheme_version", "memo", "origin",
)  # fmt: skip
# brat: a coder's memo on a document, in a file beside its .txt/.ann pair (brat lists only
# .txt files as documents and reads only .ann files as annotations, so it ignores it)
BRAT_MEMO_SUFFIX = ".memo"


def write_lines(
    recs: Iterable[dict[str, Any]], fh: IO[str], progress: Callable[[int], None] | None = None
) -> int:
    """Records as JSON lines (:func:`~annotator.atomic.dumps_line`); returns the number of
    lines. ``progress`` gets the count after each line."""
    n = 0
    for rec in recs:
        fh.write(dumps_line(rec))
        fh.write("\n")
        n += 1
        if progress:
            progress(n)
    return n


def prodigy_record(rec: dict[str, Any]) -> dict[str, Any]:
    """The canonical record restricted to Prodigy's own fields."""
    out = {k: rec[k] for k in PRODIGY_KEYS if k in rec}
    out["spans"] = [{k: s[k] for k in PRODIGY_SPAN_KEYS if k in s} for s in rec["spans"]]
    return out


def doccano_record(rec: dict[str, Any]) -> dict[str, Any]:
    """doccano's sequence-labelling shape; document fields go to ``cats``, the coder's
    memo on the document to ``memo`` (doccano keeps a key it does not know as metadata,
    and import-labels reads it back); the coder's
    name (the file name may be shortened) in ``_annotator_id``, and ``_timestamp`` (so that
    import-labels keeps a value changed in the database after the export). The origin of
    each span (``origins``, in the order of ``label``) and of each field value
    (``doc_label_origins``), kept the same way, so the labels a coder accepted from
    suggestions stay so when the file is read back."""
    return {
        "text": rec["text"],
        "label": [[s["start"], s["end"], s["label"]] for s in rec["spans"]],
        "origins": [s.get("origin", "manual") for s in rec["spans"]],
        "cats": rec["doc_labels"],
        "doc_label_origins": rec.get("doc_label_origins", {}),
        "meta": rec["meta"],
        "memo": rec.get("memo", ""),
        "_annotator_id": rec["_annotator_id"],
        "_timestamp": rec["_timestamp"],
    }


# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, "CSV
# Injection"): a scraped title like "=cmd|' /C calc'!A0" would run when the file is opened.
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet shows as text: a single quote is put in front of text that
    starts like a formula (OWASP). Numbers (ids, offsets, versions) are written as they are."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        return "'" + value
    return value


def csv_rows(rec: dict[str, Any]) -> Iterator[list[Any]]:
    """One row per span, the coder's memo on the document in the ``memo`` column of each
    and the span's ``origin`` last; a memo on a document where the coder marked no span
    gets a row of its own, with the span's cells (label to scheme_version, origin) empty,
    so no memo is left out."""
    meta = rec["meta"]
    memo = rec.get("memo") or ""
    for s in rec["spans"]:
        yield [
            meta["doc_id"], meta["title"], meta["sha256"], rec["_annotator_id"], s["label"],
            s["start"], s["end"], s["text"], s["note"], s["scheme_version"], memo,
            s.get("origin", "manual"),
        ]  # fmt: skip
    if memo and not rec["spans"]:
        yield [
            meta["doc_id"], meta["title"], meta["sha256"], rec["_annotator_id"], "",
            None, None, "", "", None, memo, "",
        ]  # fmt: skip


def write_csv(recs: Iterable[dict[str, Any]], fh: IO[str], raw: bool = False) -> int:
    """One row per span (and one per memo on a document the coder marked no span in, see
    :func:`csv_rows`); returns the number of rows.

    Every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading single quote so that spreadsheets do not run it as a formula; ``raw``
    writes the values exactly as stored (for programs, not spreadsheets).
    """
    # Every text cell is quoted (OWASP), numbers are not: a bare carriage return in a note
    # would otherwise end the row for most readers (lineterminator is "\n").
    writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for rec in recs:
        for row in csv_rows(rec):
            writer.writerow(row if raw else [csv_cell(v) for v in row])
            n += 1
    return n


def safe_name(name: str) -> str:
    """A file-system-safe version of a coder name."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._")
    return cleaned or "coder"


# A name longer than this (in UTF-8 bytes) is shortened: file systems allow 255 bytes.
MAX_STEM_BYTES = 80
# What the documents nobody labelled are written under (never a coder's file).
UNLABELLED = "unlabelled"
_DEVICE_NAMES = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"{p}{i}" for p in ("COM", "LPT") for i in range(10)),
}


def _shortened(text: str, limit: int) -> str:
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text


def file_stem(coder: str, taken: Iterable[str] = ()) -> str:
    """A stable, file-system-safe name for a coder: the name itself when it is safe
    (letters, digits, ``-_.``), fits in ``MAX_STEM_BYTES`` and is neither a device name nor
    one of ``taken`` (the writer's own files, case-insensitively); otherwise a readable
    prefix and eight hex digits of the name's SHA-256."""
    plain = safe_name(coder)
    reserved = {t.lower() for t in taken} | {UNLABELLED}
    if (
        plain == coder
        and len(coder.encode("utf-8")) <= MAX_STEM_BYTES
        and coder.split(".")[0].upper() not in _DEVICE_NAMES
        and coder.lower() not in reserved
    ):
        return coder
    digest = hashlib.sha256(coder.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{_shortened(plain, MAX_STEM_BYTES - 9).rstrip('._') or 'coder'}-{digest}"


class UniqueNames:
    """File-system names for coders (``None``: the unlabelled documents): stable (see
    :func:`file_stem`), and distinct even where two names clean up alike ("Ana M." and
    "Ana_M"; "Ana" and "ana" on a case-insensitive file system)."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.reserved = tuple(taken)
        self.names: dict[str | None, str] = {}
        self.taken: set[str] = {t.lower() for t in taken}

    def __call__(self, coder: str | None) -> str:
        name = self.names.get(coder)
        if name is None:
            base = name = UNLABELLED if coder is None else file_stem(coder, self.reserved)
            n = 1
            while name.lower() in self.taken:
                n += 1
                name = f"{base}-{n}"
            self.taken.add(name.lower())
            self.names[coder] = name
        return name


def write_doccano(recs: Iterable[dict[str, Any]], folder: Path) -> int:
    """One ``<coder>.jsonl`` per coder in ``folder`` (see :func:`file_stem`; documents nobody
    labelled in ``unlabelled.jsonl``); returns the number of lines."""
    files: dict[str, IO[str]] = {}
    names = UniqueNames()
    n = 0
    try:
        for rec in recs:
            coder = rec["_annotator_id"]
            fh = files.get(coder)
            if fh is None:
                fh = files[coder] = open(  # noqa: SIM115 - closed in finally
                    folder / f"{names(coder)}.jsonl", "w", encoding="utf-8", newline="\n"
                )
            fh.write(dumps_line(doccano_record(rec)) + "\n")
            n += 1
    finally:
        for fh in files.values():
            fh.close()
    return n


def brat_ann(rec: dict[str, Any]) -> str:
    """brat standoff for one record: T lines (fragments split at line breaks), notes."""
    text = rec["text"]
    lines = []
    for i, s in enumerate(rec["spans"], 1):
        frags = []
        pos = s["start"]
        for piece in text[s["start"] : s["end"]].split("\n"):
            if piece:
                frags.append((pos, pos + len(piece)))
            pos += len(piece) + 1
        if not frags:  # a span of line breaks only: keep its extent
            frags = [(s["start"], s["end"])]
        offsets = ";".join(f"{a} {b}" for a, b in frags)
        shown = " ".join(text[a:b] for a, b in frags).replace("\n", " ")
        lines.append(f"T{i}\t{s['label']} {offsets}\t{shown}")
        if s.get("note"):
            note = " ".join(s["note"].split())
            lines.append(f"#{i}\tAnnotatorNotes T{i}\t{note}")
    return "".join(line + "\n" for line in lines)


def write_brat(recs: Iterable[dict[str, Any]], folder: Path) -> int:
    """``<coder>/<doc_id>.txt`` + ``.ann`` pairs (and ``<doc_id>.memo``, the coder's memo
    on the document, where there is one), an ``annotation.conf`` and ``coders.json``
    (folder name -> coder name; ``null`` for the unlabelled documents); returns pairs."""
    n = 0
    labels: set[str] = set()
    names = UniqueNames(taken=("annotation.conf", "coders.json"))
    for rec in recs:
        coder = names(rec["_annotator_id"])
        sub = folder / coder
        sub.mkdir(exist_ok=True)
        stem = f"doc{rec['meta']['doc_id']:05d}"
        (sub / f"{stem}.txt").write_text(rec["text"], encoding="utf-8", newline="")
        (sub / f"{stem}.ann").write_text(brat_ann(rec), encoding="utf-8", newline="\n")
        if rec.get("memo"):  # exactly as written (line breaks kept)
            memo_file = sub / f"{stem}{BRAT_MEMO_SUFFIX}"
            memo_file.write_text(rec["memo"], encoding="utf-8", newline="")
        labels.update(s["label"] for s in rec["spans"])
        n += 1
    conf = [
        "[entities]",
        *sorted(labels),
        "",
        "[relations]",
        "",
        "[events]",
        "",
        "[attributes]",
        "",
    ]
    (folder / "annotation.conf").write_text("\n".join(conf), encoding="utf-8")
    coders = {stem: coder for coder, stem in sorted(names.names.items(), key=lambda kv: kv[1])}
    (folder / "coders.json").write_text(dumps_line(coders) + "\n", encoding="utf-8")
    return n


def spacy_doc(rec: dict[str, Any], vocab: Vocab) -> Doc:
    """A spaCy ``Doc`` of the stored tokens, split further wherever a span starts or ends,
    so every span is exact; spans in ``doc.spans["sc"]`` (their origins, in the same order,
    in the group's ``attrs["origins"]``), fields in ``doc.cats`` (the origins of the coder's
    values, if any, in ``doc.user_data["doc_label_origins"]``), the coder's memo on the document (if any) in
    ``doc.user_data["memo"]``."""
    from spacy.tokens import Doc, Span

    text = rec["text"]
    bounds = {0, len(text)}
    for t in rec["tokens"]:
        bounds.update((t["start"], t["end"]))
    span_starts = {s["start"] for s in rec["spans"]}
    span_ends = {s["end"] for s in rec["spans"]}
    bounds |= span_starts | span_ends
    cuts = sorted(bounds)
    tokens_at = {t["start"] for t in rec["tokens"]}
    words: list[str] = []
    spaces: list[bool] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = text[a:b]
        gap = piece == " " and a not in tokens_at
        if gap and words and not spaces[-1] and a not in span_starts and b not in span_ends:
            spaces[-1] = True
            continue
        words.append(piece)
        spaces.append(False)
    doc = Doc(vocab, words=words, spaces=spaces)
    assert doc.text == text
    spans = []
    for s in rec["spans"]:
        span = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="strict")
        if span is None:  # cannot happen: every span edge is a token edge
            raise AnnotatorError(f"document {rec['meta']['doc_id']}: span {s} does not align")
        spans.append(Span(doc, span.start, span.end, label=s["label"]))
    doc.spans["sc"] = spans
    doc.spans["sc"].attrs["origins"] = [s.get("origin", "manual") for s in rec["spans"]]
    doc.cats = rec.get("_cats", {})
    doc.user_data.update(
        {
            "annotator": rec["_annotator_id"],
            "doc_id": rec["meta"]["doc_id"],
            "title": rec["meta"]["title"],
            "sha256": rec["meta"]["sha256"],
        }
    )
    if rec.get("doc_label_origins"):
        doc.user_data["doc_label_origins"] = dict(rec["doc_label_origins"])
    if rec.get("memo"):
        doc.user_data["memo"] = rec["memo"]
    return doc


def cats_for(rec: dict[str, Any], fields: Iterable[DocField]) -> dict[str, float]:
    """``doc.cats`` as ``"field:option" -> 1.0 / 0.0`` for every field the coder set."""
    cats: dict[str, float] = {}
    for f in fields:
        if f.name not in rec["doc_labels"]:
            continue
        value = rec["doc_labels"][f.name]
        chosen = set(value) if isinstance(value, list) else {value}
        for option in f.options:
            cats[f"{f.name}:{option}"] = 1.0 if option in chosen else 0.0
    return cats


# A shard of the spaCy export holds documents until it reaches this many tokens (the
# tokens of its Doc objects, after the splits at span edges). A DocBin keeps about 100
# bytes per token until it is written, and writing copies it twice more, so a shard of
# 200,000 tokens costs some 60 MB at most; one longer document makes a shard of its own.
SHARD_TOKENS = 200_000


def spacy_shard_name(index: int) -> str:
    """The file name of shard ``index``: sorted by name is the export's order."""
    return f"{index:05d}.spacy"


def write_spacy(
    recs: Iterable[dict[str, Any]],
    folder: Path,
    fields: Iterable[DocField],
    shard_tokens: int = SHARD_TOKENS,
) -> int:
    """DocBin shards ``00000.spacy``, ``00001.spacy``... in ``folder`` (``spacy train``
    reads a folder of ``.spacy`` files; ``spacy.training.Corpus`` walks it in name order).

    Memory is bounded by one shard: it is written, and its vocabulary dropped, as soon as
    it holds ``shard_tokens`` tokens. An export with no documents writes one empty shard,
    so the folder is still a corpus. Returns the number of documents.
    """
    from spacy.tokens import DocBin
    from spacy.vocab import create_vocab

    from ..nlp import load_pipeline

    nlp = load_pipeline()
    folder = Path(folder)
    n = shards = 0
    db: DocBin | None = None
    vocab: Vocab | None = None
    size = 0

    def flush() -> None:
        nonlocal db, vocab, size, shards
        # called only with a shard open: right after a document was added to it, or at the
        # end once one is made for an export with no documents
        assert db is not None
        (folder / spacy_shard_name(shards)).write_bytes(db.to_bytes())
        shards += 1
        db, vocab, size = None, None, 0

    for rec in recs:
        if db is None:
            # a fresh vocabulary per shard (the pipeline's language, so lexical attributes
            # such as NORM are the same): the strings and lexemes of every word seen would
            # otherwise grow with the corpus, and a DocBin stores its own strings anyway
            db, vocab = DocBin(store_user_data=True), create_vocab(nlp.lang, nlp.Defaults)
        assert vocab is not None  # made with the shard's DocBin, dropped with it
        rec["_cats"] = cats_for(rec, fields)
        doc = spacy_doc(rec, vocab)
        db.add(doc)
        size += len(doc)
        del doc
        n += 1
        if size >= shard_tokens:
            flush()
    if db is not None or shards == 0:
        db = db if db is not None else DocBin(store_user_data=True)
        flush()
    return n
