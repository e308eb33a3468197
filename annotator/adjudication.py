"""Adjudication: what the coders agree and disagree on, and the gold layer built from it.

Pure functions over the store's API. ``auto_gold`` accepts what every coder of a
document agrees on exactly (same start, end and label; same field value) and leaves
everything else for review; it never overwrites a gold decision already made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .pending import ReadStore
from .store import GOLD, Store


@dataclass(frozen=True)
class SpanVote:
    """One distinct (start, end, label) and the coders who marked exactly it."""

    start: int
    end: int
    label: str
    coders: tuple[str, ...]
    in_gold: bool

    def unanimous(self, all_coders: Iterable[str]) -> bool:
        return set(self.coders) >= set(all_coders)


@dataclass
class AutoGoldReport:
    documents: int = 0
    spans_accepted: int = 0
    labels_accepted: int = 0
    left_for_review: int = 0  # spans or fields on which the coders differ
    skipped_documents: list[int] = field(default_factory=list)  # fewer than two coders

    def summary(self) -> str:
        return (
            f"{self.documents} document(s): {self.spans_accepted} span(s) and"
            f" {self.labels_accepted} document label(s) accepted into gold;"
            f" {self.left_for_review} disagreement(s) left for review;"
            f" {len(self.skipped_documents)} document(s) with fewer than two coders skipped"
        )


def document_coders(
    store: ReadStore, doc_id: int, coders: Iterable[str] | None = None
) -> list[str]:
    """The coders with any label on the document (optionally only those named)."""
    present = {s.coder for s in store.spans(doc_id)} | {
        dl.coder for dl in store.all_doc_labels(doc_id)
    }
    present.discard(GOLD)
    if coders is not None:
        present &= set(coders)
    return sorted(present)


def span_votes(store: ReadStore, doc_id: int, coders: Iterable[str]) -> list[SpanVote]:
    """Every distinct span of the coders, with who marked it and whether gold has it."""
    coders = list(coders)
    votes: dict[tuple[int, int, str], set[str]] = {}
    for s in store.spans(doc_id):
        if s.coder in coders:
            votes.setdefault((s.start, s.end, s.label), set()).add(s.coder)
    gold = {(s.start, s.end, s.label) for s in store.spans(doc_id, GOLD)}
    return [
        SpanVote(a, b, lab, tuple(sorted(who)), (a, b, lab) in gold)
        for (a, b, lab), who in sorted(votes.items())
    ]


def field_votes(
    store: ReadStore, doc_id: int, coders: Iterable[str]
) -> dict[str, dict[str | tuple[str, ...], tuple[str, ...]]]:
    """``{field: {value: coders who chose it}}`` (coders who left a field empty omitted)."""
    out: dict[str, dict[str | tuple[str, ...], list[str]]] = {}
    for coder in coders:
        for fname, value in store.doc_labels(doc_id, coder).items():
            out.setdefault(fname, {}).setdefault(value, []).append(coder)
    return {f: {v: tuple(sorted(c)) for v, c in vals.items()} for f, vals in out.items()}


def auto_gold(store: Store, coders: Iterable[str] | None = None) -> AutoGoldReport:
    """Accept unanimous labels into gold, one transaction for the whole database."""
    wanted = list(coders) if coders is not None else None
    report = AutoGoldReport()
    with store.transaction():
        for doc_id in store.document_ids():
            who = document_coders(store, doc_id, wanted)
            if len(who) < 2:
                if who:
                    report.skipped_documents.append(doc_id)
                continue
            report.documents += 1
            for vote in span_votes(store, doc_id, who):
                if not vote.unanimous(who):
                    report.left_for_review += 1
                elif not vote.in_gold:
                    store.add_gold_span(doc_id, vote.start, vote.end, vote.label, who)
                    report.spans_accepted += 1
            gold_fields = store.doc_labels(doc_id, GOLD)
            for fname, values in field_votes(store, doc_id, who).items():
                [(value, voters)] = values.items() if len(values) == 1 else [(None, ())]
                if value is None or set(voters) != set(who):
                    report.left_for_review += 1
                elif fname not in gold_fields:
                    store.set_gold_label(
                        doc_id, fname, list(value) if isinstance(value, tuple) else value, who
                    )
                    report.labels_accepted += 1
    return report
