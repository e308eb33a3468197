"""Adjudication decisions: one per distinct coder span or field value of a document.

What review mode lists (``annotator/gui/review.py``). Plain Python over the store and
:mod:`annotator.adjudication` (no Qt), so the classification can be read and tested on
its own (``tests/test_decisions.py``).

A span decision is *unanimous* when every coder of the document marked exactly it,
*conflict* when another coder span overlaps it (other label or other boundaries),
and *partial* otherwise (marked by some coders, nobody marked anything else there).
Field values are classified the same way per field. A gold span that matches a
decision exactly *accepts* it; a gold span that overlaps a decision and came from
exactly its coders is its *edited* form (one gold span may be both, for two
decisions); any other gold span is listed on its own
(``kind == "gold"``) so it can still be reviewed and rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .adjudication import document_coders, field_votes, span_votes
from .models import Span
from .pending import ReadStore
from .store import GOLD

UNANIMOUS, PARTIAL, CONFLICT, ADJUDICATOR = "unanimous", "partial", "conflict", "adjudicator"
AGREEMENT_RANK = {CONFLICT: 0, PARTIAL: 1, UNANIMOUS: 2, ADJUDICATOR: 3}
ACCEPTED, EDITED = "accepted", "edited"

# ("span", start, end, label) | ("gold", start, end, label) | ("field", name, value)
Key = tuple[str, int, int, str] | tuple[str, str, str | tuple[str, ...]]


@dataclass(frozen=True)
class Decision:
    key: Key
    kind: str  # "span", "field" or "gold"
    agreement: str  # UNANIMOUS, PARTIAL, CONFLICT or ADJUDICATOR (gold-only spans)
    coders: tuple[str, ...]  # who marked it (for a gold-only span: its sources)
    n_coders: int  # coders of the document
    start: int = 0
    end: int = 0
    label: str = ""  # span label, or the field name
    value: str | tuple[str, ...] | None = None  # field value
    gold: str = ""  # ACCEPTED, EDITED or ""
    gold_span: Span | None = None  # the gold span that accepts or edits it
    gold_sources: tuple[str, ...] = ()

    @property
    def disagreement(self) -> bool:
        return self.agreement in (PARTIAL, CONFLICT)

    @property
    def in_gold(self) -> bool:
        return bool(self.gold) or self.kind == "gold"

    def position(self, field_order: dict[str, int]) -> tuple[int, int, int, str]:
        if self.kind == "field":
            return (1, field_order.get(self.label, 99), 0, str(self.value))
        return (0, self.start, self.end, self.label)


@dataclass
class Review:
    """Everything the review window shows for one document."""

    doc_id: int
    coders: list[str]
    decisions: list[Decision]
    gold_spans: list[Span]
    gold_span_sources: dict[int, tuple[str, ...]]
    coder_fields: dict[str, dict[str, str | tuple[str, ...]]]  # coder -> field -> value
    gold_fields: dict[str, str | tuple[str, ...]]
    gold_field_sources: dict[str, tuple[str, ...]]

    @property
    def counts(self) -> tuple[int, int, int]:
        """(decisions, disagreements, decisions in gold); gold-only spans not counted."""
        real = [d for d in self.decisions if d.kind != "gold"]
        return (
            len(real),
            sum(d.disagreement for d in real),
            sum(bool(d.gold) for d in real),
        )


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return min(a1, b1) - max(a0, b0)


def build_review(store: ReadStore, doc_id: int, coders: Iterable[str] | None = None) -> Review:
    who = document_coders(store, doc_id, coders)
    n = len(who)
    votes = span_votes(store, doc_id, who)
    gold = store.spans(doc_id, GOLD)
    sources = store.gold_span_sources(doc_id)

    # Link gold spans to decisions: exact matches first, then edited forms (a gold span
    # can be both: cy's span edited to ana's boundaries accepts ana's and edits cy's).
    link: dict[int, tuple[str, Span]] = {}  # vote index -> (ACCEPTED/EDITED, gold span)
    linked: set[int] = set()
    by_key = {(v.start, v.end, v.label): i for i, v in enumerate(votes)}
    for g in gold:
        i = by_key.get((g.start, g.end, g.label))
        if i is not None and i not in link:
            link[i] = (ACCEPTED, g)
            linked.add(g.id)
    edited: dict[int, tuple[int, Span]] = {}  # vote index -> (overlap, gold span)
    for g in gold:
        src = set(sources.get(g.id, ()))
        for i, v in enumerate(votes):
            if i in link or set(v.coders) != src:
                continue
            o = _overlap(v.start, v.end, g.start, g.end)
            if o > 0 and o > edited.get(i, (0, None))[0]:
                edited[i] = (o, g)
    for i, (_, g) in edited.items():
        link[i] = (EDITED, g)
        linked.add(g.id)

    decisions: list[Decision] = []
    for i, v in enumerate(votes):
        if set(v.coders) >= set(who):
            agreement = UNANIMOUS
        elif any(
            j != i and _overlap(v.start, v.end, o.start, o.end) > 0 for j, o in enumerate(votes)
        ):
            agreement = CONFLICT
        else:
            agreement = PARTIAL
        state, by = link.get(i, ("", None))
        decisions.append(
            Decision(
                ("span", v.start, v.end, v.label), "span", agreement, v.coders, n,
                v.start, v.end, v.label, None, state, by,
                sources.get(by.id, ()) if by is not None else (),
            )
        )  # fmt: skip
    for g in gold:
        if g.id not in linked:
            gold_src = sources.get(g.id, ())
            decisions.append(
                Decision(
                    ("gold", g.start, g.end, g.label), "gold", ADJUDICATOR, gold_src, n,
                    g.start, g.end, g.label, None, ACCEPTED, g, gold_src,
                )
            )  # fmt: skip

    gold_fields = store.doc_labels(doc_id, GOLD)
    gold_field_sources = store.gold_label_sources(doc_id)
    fvotes = field_votes(store, doc_id, who)
    for spec in store.scheme.doc_fields:
        values = fvotes.get(spec.name, {})
        for value, voters in values.items():
            if set(voters) >= set(who):
                agreement = UNANIMOUS
            elif len(values) > 1:
                agreement = CONFLICT
            else:
                agreement = PARTIAL
            accepted = spec.name in gold_fields and gold_fields[spec.name] == value
            decisions.append(
                Decision(
                    ("field", spec.name, value), "field", agreement, voters, n,
                    label=spec.name, value=value, gold=ACCEPTED if accepted else "",
                    gold_sources=gold_field_sources.get(spec.name, ()) if accepted else (),
                )
            )  # fmt: skip
    return Review(
        doc_id,
        who,
        decisions,
        gold,
        sources,
        {c: store.doc_labels(doc_id, c) for c in who},
        gold_fields,
        gold_field_sources,
    )


def has_disagreement(store: ReadStore, doc_id: int, coders: Iterable[str] | None = None) -> bool:
    """True when at least two coders labelled the document and they differ somewhere."""
    who = document_coders(store, doc_id, coders)
    if len(who) < 2:
        return False
    if any(not v.unanimous(who) for v in span_votes(store, doc_id, who)):
        return True
    return any(
        len(values) > 1 or set(next(iter(values.values()))) != set(who)
        for values in field_votes(store, doc_id, who).values()
    )


def disputed_documents(store: ReadStore, coders: Iterable[str] | None = None) -> list[int]:
    wanted = list(coders) if coders is not None else None
    return [d for d in store.document_ids() if has_disagreement(store, d, wanted)]


def first_disputed(store: ReadStore, coders: Iterable[str] | None = None) -> int | None:
    """The first document with a disagreement, else the first document (None: none)."""
    ids = store.document_ids()
    wanted = list(coders) if coders is not None else None
    return next((d for d in ids if has_disagreement(store, d, wanted)), ids[0] if ids else None)


def next_disputed(
    store: ReadStore, doc_id: int | None, delta: int, coders: Iterable[str] | None = None
) -> int | None:
    """The nearest document with a disagreement after ``doc_id`` (``delta`` > 0) or before
    it, in document order; from the start (or nowhere, going back) when ``doc_id`` is None
    or gone. None when there is none in that direction."""
    ids = store.document_ids()
    wanted = list(coders) if coders is not None else None
    i = ids.index(doc_id) if doc_id in ids else -1
    order = ids[i + 1 :] if delta > 0 else list(reversed(ids[: max(i, 0)]))
    return next((d for d in order if has_disagreement(store, d, wanted)), None)


def field_sources(
    coder_fields: dict[str, dict[str, str | tuple[str, ...]]],
    field: str,
    value: str | tuple[str, ...] | None,
) -> tuple[str, ...]:
    """The coders a gold field value comes from: those who chose exactly it, or (for a
    subset of a multi field that nobody chose exactly) those sharing an option with it."""
    if value is None:
        return ()
    exact = tuple(sorted(c for c, f in coder_fields.items() if f.get(field) == value))
    if exact or isinstance(value, str):
        return exact
    chosen = set(value)
    return tuple(
        sorted(
            c
            for c, f in coder_fields.items()
            if not isinstance(f.get(field), str) and chosen & set(f.get(field) or ())
        )
    )


# What the review window's keys do to the selection (shown in its key hints and status bar).
ADVANCE_RULE = (
    "A, R, E and the label keys act on the selected decision, then select the next"
    " undecided one; J/K move one row"
)


def is_decided(
    d: Decision, gold_fields: Mapping[str, object], rejected: Callable[[Key], bool]
) -> bool:
    """Whether the adjudicator has settled ``d``: in gold, rejected, or (a field value)
    its field already has a gold value."""
    if d.in_gold or rejected(d.key):
        return True
    return d.kind == "field" and d.label in gold_fields


def next_undecided(
    order: Sequence[Key], after: Key | None, undecided: Callable[[Key], bool]
) -> Key | None:
    """The key to select after acting on ``after``: the first key following it in
    ``order`` (the list as the adjudicator saw it) for which ``undecided`` holds, wrapping
    round to the top; never ``after`` itself. None when there is none."""
    i = order.index(after) if after is not None and after in order else -1
    rest = [*order[i + 1 :], *order[: max(i, 0)]]
    return next((k for k in rest if k != after and undecided(k)), None)


def excerpt(text: str, start: int, end: int, limit: int = 70) -> str:
    piece = " ".join(text[start : min(end, start + limit * 2)].split())
    if len(piece) > limit or end - start > limit * 2:
        piece = piece[: limit - 2].rstrip() + "…"
    return piece


def coders_text(d: Decision) -> str:
    return f"{', '.join(d.coders)} — {len(d.coders)} of {d.n_coders}"
