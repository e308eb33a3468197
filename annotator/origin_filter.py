"""Which labels the agreement report counts, by origin (``annotator agreement --origin``),
and the suggestion sources it takes as coders (``--with-source``).

Every span and document field value records its origin: ``manual`` (a person alone),
``suggestion:<source>`` (a suggestion accepted as it was) or ``edited:<source>``
(accepted, then changed). The report can count:

* ``all`` — every label, as before suggestions existed;
* ``manual`` — human-only coding. A document field value that came from a suggestion
  (accepted or edited) is left out: for Krippendorff's α the coder's value of that
  document is *missing*, not a different value. Spans cannot be left out one by one: if
  a coder's assisted spans were simply dropped, their tokens would count as "not
  labelled" by that coder, a disagreement the coder never made. So a coder who has any
  span from a suggestion on a document is left out of that document's span agreement
  altogether (the document is missing for them, as if they never coded its spans); their
  manual field values on it still count.
* ``assisted`` — the complement: only field values from suggestions, and only the span
  coding of (coder, document) pairs with at least one span from a suggestion.

The two views partition the coders' coding: every field value and every coder's spans
on a document count in exactly one of ``manual`` and ``assisted``. A coder who saw
suggestions and still marked everything by hand counts as ``manual``: the origin records
what was accepted, not what was shown (the window never shows suggestions on documents
of the reliability sample, which is what keeps that sample's figures human-only).

A source taken as a coder is named ``source:<name>``; it codes exactly the documents the
coders coded (in the view), with all its suggested spans (none stored on a document: it
found nothing there) and its suggested field values (none: missing).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol, TypeVar

from .errors import NotFoundError, ValidationError
from .models import MANUAL
from .store import SOURCE_PREFIX  # a source's coder name in reports: source:NAME

ORIGINS = ("all", "manual", "assisted")
"""The values of ``--origin``: every label, human-only labels, labels from suggestions."""

T = TypeVar("T")


class SourceStore(Protocol):
    def suggestion_sources(self) -> list[tuple[str, int, int]]: ...


def check_origin(origin: str) -> str:
    if origin not in ORIGINS:
        raise ValidationError(f"unknown origin {origin!r} (known: {', '.join(ORIGINS)})")
    return origin


def keeps_value(view: str, origin: str) -> bool:
    """Whether a document field value of ``origin`` counts in ``view``."""
    if view == "all":
        return True
    return (origin == MANUAL) == (view == "manual")


def span_coders(
    view: str, coded: Mapping[str, list[T]], assisted: Collection[str]
) -> dict[str, list[T]]:
    """The coders' span coding of one document that counts in ``view``: ``coded`` maps
    each coder who coded the document to their spans, ``assisted`` names those with a
    span from a suggestion there (left out of ``manual``, the only ones in ``assisted``)."""
    if view == "all":
        return dict(coded)
    keep = view == "assisted"
    return {c: spans for c, spans in coded.items() if (c in assisted) == keep}


def source_coders(
    store: SourceStore, sources: Sequence[str], coders: Collection[str]
) -> dict[str, str]:
    """``{source: its coder name}`` for the sources asked for, in the order given.
    NotFoundError naming the known sources for one with no suggestions stored;
    ValidationError when a coder already has the name a source would take."""
    known = [name for name, *_ in store.suggestion_sources()]
    out: dict[str, str] = {}
    for source in dict.fromkeys(sources):
        if source not in known:
            raise NotFoundError(
                f"unknown suggestion source {source!r}"
                f" (known: {', '.join(known) or 'none; run annotator suggest first'})"
            )
        name = SOURCE_PREFIX + source
        if name in coders:
            raise ValidationError(f"coder {name!r} has the name source {source!r} would take")
        out[source] = name
    return out
