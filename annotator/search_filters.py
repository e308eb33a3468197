"""Narrowing search hits by what a coder did with their documents, and planning which
hits a label would add.

:func:`filter_hits` keeps the hits (anything with a ``doc_id``, e.g.
:class:`annotator.search.Hit`) of the documents that pass a :class:`HitFilter`: the
coder's status of the document (``new``, ``in_progress``, ``done``) and whether the coder
has, or has not, a span with a given label in it. Each document is looked up once, as
its first hit comes; the hits stay streamed.

:func:`plan_labels` is what labelling hits for a coder would do (as
:func:`annotator.search.apply_label` does it): each hit snapped to tokens (or exact),
and those already covered by a span of the coder with that label, or by an earlier hit
of the same plan, counted as skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from .errors import ValidationError
from .models import STATES, Span
from .store import Store

ANY = ""


class _Located(Protocol):
    @property
    def doc_id(self) -> int: ...


class _Ranged(_Located, Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


H = TypeVar("H", bound=_Located)
R = TypeVar("R", bound=_Ranged)


@dataclass(frozen=True)
class HitFilter:
    """``status``: one of ``STATES`` or ``ANY``; ``label``: a span label or ``ANY``, which
    the coder's spans in the document must include (``has_label``) or not."""

    coder: str
    status: str = ANY
    label: str = ANY
    has_label: bool = True

    @property
    def active(self) -> bool:
        return bool(self.status or self.label)


def check_filter(store: Store, f: HitFilter) -> None:
    """ValidationError (one line) for a status or label the filter cannot use."""
    if f.status and f.status not in STATES:
        raise ValidationError(f"status must be one of {', '.join(STATES)}, got {f.status!r}")
    if f.label and f.label not in store.scheme.label_names:
        raise ValidationError(
            f"unknown span label {f.label!r} (the scheme has: {', '.join(store.scheme.label_names)})"
        )


def document_passes(store: Store, doc_id: int, f: HitFilter) -> bool:
    """Whether document ``doc_id`` passes ``f``."""
    if f.status and store.status(doc_id, f.coder) != f.status:
        return False
    if f.label:
        has = any(s.label == f.label for s in store.spans(doc_id, f.coder))
        if has != f.has_label:
            return False
    return True


def filter_hits(store: Store, hits: Iterable[H], f: HitFilter) -> Iterator[H]:
    """The hits of the documents that pass ``f``, in their order, streamed."""
    check_filter(store, f)
    if not f.active:
        yield from hits
        return
    seen: dict[int, bool] = {}
    for hit in hits:
        ok = seen.get(hit.doc_id)
        if ok is None:
            if len(seen) > 4096:  # bounded: hits come document by document
                seen.clear()
            ok = seen[hit.doc_id] = document_passes(store, hit.doc_id, f)
        if ok:
            yield hit


@dataclass
class LabelPlan:
    """The spans labelling would add: ``(doc_id, start, end)``, and how many hits were
    skipped as already labelled."""

    add: list[tuple[int, int, int]] = field(default_factory=list)
    skipped: int = 0

    @property
    def documents(self) -> int:
        return len({d for d, _, _ in self.add})


def plan_labels(
    store: Store,
    hits: Iterable[R],
    coder: str,
    label: str,
    snap: Literal["tokens", "exact"] = "tokens",
    spans: Callable[[int], Iterable[Span]] | None = None,
) -> LabelPlan:
    """The spans labelling ``hits`` as ``label`` for ``coder`` would add (nothing written).
    ``spans(doc_id)``: the coder's spans of a document as shown (the window's, unsaved
    edits included); by default the stored ones."""
    if label not in store.scheme.label_names:
        raise ValidationError(
            f"unknown span label {label!r} (the scheme has: {', '.join(store.scheme.label_names)})"
        )
    if snap not in ("tokens", "exact"):
        raise ValidationError(f"snap must be tokens or exact, got {snap!r}")
    plan = LabelPlan()
    covered: dict[int, list[tuple[int, int]]] = {}
    for hit in hits:
        start, end = hit.start, hit.end
        if snap == "tokens":
            start, end = store.snap_to_tokens(hit.doc_id, start, end)
        have = covered.get(hit.doc_id)
        if have is None:
            have = covered[hit.doc_id] = [
                (s.start, s.end)
                for s in (store.spans(hit.doc_id, coder) if spans is None else spans(hit.doc_id))
                if s.label == label
            ]
        if any(s <= start and end <= e for s, e in have):
            plan.skipped += 1
            continue
        plan.add.append((hit.doc_id, start, end))
        have.append((start, end))
    return plan
