"""``annotator import --update``: re-import corrected versions of articles already stored.

An input is matched to the document it corrects by ``meta.id`` (a ``.jsonl`` record that
has one), else by its source path, else by its file name when exactly one stored
document has it — never by the text's hash, which a correction changes. The document
keeps its id, labels, memos and status; its old text stays readable in its history. Every
span is carried onto the new text by a character alignment (:mod:`annotator.align`) and
reported as moved, changed (its text differs: flagged for the coder) or lost (its text is
gone: removed from the spans, kept in the history). Offsets stay exact; nothing is
re-snapped to tokens. Each document is replaced in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .align import CHANGED, LOST, MOVED, UNCHANGED, Carried, align, carry
from .corpus import RawDocument, Skipped, derive_title, read_sources
from .models import Span
from .nlp import DEFAULT_PIPELINE, tokenize
from .store import Store


@dataclass(frozen=True)
class SpanChange:
    """What an update did to one span."""

    document_id: int
    span_id: int
    coder: str
    label: str
    outcome: str  # moved, changed or lost
    old_text: str
    new_text: str  # "" when lost
    start: int
    end: int


@dataclass
class UpdateReport:
    updated: list[tuple[int, str, int]] = field(
        default_factory=list
    )  # (document, source, new text version)
    unchanged: list[tuple[int, str]] = field(default_factory=list)  # same text as stored
    not_found: list[Skipped] = field(default_factory=list)  # nothing (or several) to correct
    skipped: list[Skipped] = field(default_factory=list)  # unreadable inputs
    changes: list[SpanChange] = field(default_factory=list)
    unchanged_spans: int = 0

    def count(self, outcome: str) -> int:
        return sum(c.outcome == outcome for c in self.changes)

    def as_json(self) -> dict[str, object]:
        return {
            "updated": [
                {"document": d, "source": s, "text_version": v} for d, s, v in self.updated
            ],
            "unchanged": [{"document": d, "source": s} for d, s in self.unchanged],
            "not_found": [str(s) for s in self.not_found],
            "skipped": [str(s) for s in self.skipped],
            "spans": {
                "unchanged": self.unchanged_spans,
                MOVED: self.count(MOVED),
                CHANGED: self.count(CHANGED),
                LOST: self.count(LOST),
            },
            "changes": [
                {
                    "document": c.document_id,
                    "span": c.span_id,
                    "coder": c.coder,
                    "label": c.label,
                    "outcome": c.outcome,
                    "old_text": c.old_text,
                    "new_text": c.new_text,
                    "start": c.start,
                    "end": c.end,
                }
                for c in self.changes
            ],
        }


def _meta_id(raw: RawDocument) -> str | None:
    value = raw.meta.get("id")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value)


def carry_spans(
    old: str, new: str, spans: Iterable[Span]
) -> tuple[list[tuple[int, str, int, int]], list[SpanChange], int]:
    """``(carried rows for the store, changes, unchanged count)`` for ``spans`` of
    ``old`` on ``new``."""
    alignment = align(old, new)
    rows: list[tuple[int, str, int, int]] = []
    changes: list[SpanChange] = []
    same = 0
    for span in spans:
        moved = carry(alignment, old, new, span.start, span.end)
        if moved.outcome == UNCHANGED:
            same += 1
            continue
        rows.append((span.id, moved.outcome, moved.start, moved.end))
        changes.append(
            SpanChange(
                span.document_id,
                span.id,
                span.coder,
                span.label,
                moved.outcome,
                old[span.start : span.end],
                "" if moved.outcome == LOST else new[moved.start : moved.end],
                moved.start,
                moved.end,
            )  # fmt: skip
        )
    return rows, changes, same


def update_paths(
    store: Store,
    paths: Iterable[str | Path],
    pipeline: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> UpdateReport:
    """Replace the stored texts that the inputs correct (see the module's doc).
    ``pipeline``: tokenise with this one (default: the one the document was imported
    with). ``progress(done, total)`` counts the inputs read."""
    from .paths import check_inputs

    paths = check_inputs(paths, [store])  # never the open database: opening it drops its locks
    report = UpdateReport()
    items = list(read_sources(paths))
    for done, item in enumerate(items, 1):
        if isinstance(item, Skipped):
            report.skipped.append(item)
        else:
            _update_one(store, item, pipeline, report)
        if progress:
            progress(done, len(items))
    return report


def _update_one(store: Store, raw: RawDocument, pipeline: str | None, report: UpdateReport) -> None:
    meta_id = _meta_id(raw)
    found = store.documents_to_update(meta_id, raw.source)
    how = f"meta.id {meta_id!r}" if meta_id is not None else f"source {raw.source!r}"
    if not found:
        report.not_found.append(Skipped(raw.source, f"no stored document with {how}"))
        return
    if len(found) > 1:
        ids = ", ".join(map(str, found[:5]))
        report.not_found.append(
            Skipped(raw.source, f"{len(found)} stored documents have {how} ({ids}); none updated")
        )
        return
    doc_id = found[0]
    doc = store.document(doc_id)
    if doc.sha256 == raw.sha256:
        report.unchanged.append((doc_id, raw.source))
        return
    used = pipeline or store.document_pipeline(doc_id) or DEFAULT_PIPELINE
    tok = next(iter(tokenize([raw.text], used)))
    tokens, sentences = tok.packed()
    given = raw.meta.get("title")
    title = " ".join(given.split()) if isinstance(given, str) else ""
    if not title:  # a title the user edited is kept; one derived from the text follows it
        title = doc.title if doc.title != derive_title(doc.text) else derive_title(raw.text)
    rows, changes, same = carry_spans(doc.text, raw.text, store.spans(doc_id))
    new = {
        "sha256": raw.sha256,
        "title": title,
        "text": raw.text,
        "meta": raw.meta or doc.meta,
        "tokens": tokens,
        "sentences": sentences,
        "pipeline": used,
    }
    version = store.replace_text(doc_id, new, rows)
    report.updated.append((doc_id, raw.source, version))
    report.changes.extend(changes)
    report.unchanged_spans += same


class OlderText:
    """Carries spans made on an older text of a stored document (a coder's pack or file
    made before ``import --update`` corrected it) onto its current text, through each
    text version in between, as the update carried the spans stored then."""

    def __init__(self, store: Store, doc_id: int, version: int, text: str) -> None:
        texts = [text]
        current = store.text_version(doc_id)
        for v in range(version + 1, current):
            older = store.old_text(doc_id, v)
            if older is not None:
                texts.append(older)
        texts.append(store.document(doc_id).text)
        self.current = texts[-1]
        self.steps = [(a, b, align(a, b)) for a, b in zip(texts, texts[1:], strict=False)]
        self.reason = f"its text changed: carried from text version {version} to {current}"

    def __call__(self, start: int, end: int) -> Carried:
        outcome = UNCHANGED
        s, e = start, end
        for old, new, alignment in self.steps:
            moved = carry(alignment, old, new, s, e)
            if moved.outcome == LOST:
                return moved
            s, e = moved.start, moved.end
            if moved.outcome == CHANGED:
                outcome = CHANGED
        if outcome != CHANGED:
            outcome = UNCHANGED if (s, e) == (start, end) else MOVED
        return Carried(outcome, s, e)
