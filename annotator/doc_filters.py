"""Which documents the article list shows: its filters, over the store.

A :class:`DocFilter` describes what a coder (or a lead) asks of the list; every
condition set narrows it (AND):

- **status**: the current coder's state of the document (``new``, ``in_progress``,
  ``done``; no row is "new");
- **label**: the document has (``has_label``) or has not a span with that label, by the
  current coder or, with ``label_anyone``, by any coder (the gold layer is not a coder);
- **field**: the document field holds a value (a multi field: among its options), or
  with ``value`` None nobody set it, for the current coder or, with ``field_anyone``,
  any coder (for "not set": no coder set it);
- **coded by**: the coder coded the document: a span or a field value on it, or its
  status past "new" (as ``annotator progress`` and the agreement report count it; a memo
  alone is not coding);
- **text**: the full-text query (FTS5 syntax, as ``annotator search``), matched against
  titles and texts.

:func:`matching_documents` returns the ids that pass, in at most two queries whatever
the size of the corpus (one for the full-text query, one for the rest). A condition the
database cannot read (an unknown field, a coder it does not know, a malformed query) is
a one-line :class:`~annotator.errors.ValidationError`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ValidationError
from .models import STATES
from .store import Store, unknown_coder

ANY = ""


@dataclass(frozen=True)
class DocFilter:
    """What the article list asks; ``coder`` is the current coder ("mine")."""

    coder: str
    status: str = ANY
    label: str = ANY
    has_label: bool = True
    label_anyone: bool = False
    field: str = ANY
    value: str | None = None  # None: the field is not set
    field_anyone: bool = False
    coded_by: str = ANY
    text: str = ""

    @property
    def active(self) -> bool:
        """Does any condition narrow the list?"""
        return bool(self.status or self.label or self.field or self.coded_by or self.text.strip())

    def cleared(self) -> DocFilter:
        """The same coder, no condition."""
        return DocFilter(self.coder)


def check_filter(store: Store, f: DocFilter) -> None:
    """ValidationError (one line) for a condition the filter cannot use."""
    if f.status and f.status not in STATES:
        raise ValidationError(f"status must be one of {', '.join(STATES)}, got {f.status!r}")
    if f.label and f.label not in store.scheme.label_names:
        known = set(store.scheme.label_names) | set(store.span_labels())  # older labels
        if f.label not in known:
            raise ValidationError(
                f"unknown span label {f.label!r} (known: {', '.join(sorted(known)) or 'none'})"
            )
    if f.field and f.field not in store.scheme.field_names:
        raise ValidationError(
            f"unknown document field {f.field!r}"
            f" (the scheme has: {', '.join(store.scheme.field_names) or 'none'})"
        )
    if f.coded_by and f.coded_by not in store.coders():
        raise unknown_coder(f.coded_by, store.coders())


def matching_documents(store: Store, f: DocFilter) -> list[int]:
    """Ids (sorted) of the documents that pass every condition of ``f``; every document
    when none is set. A malformed full-text query raises SearchQueryError (one line)."""
    check_filter(store, f)
    among = store.matching_documents(f.text.strip()) if f.text.strip() else None
    return store.filter_documents(
        status=(f.coder, f.status) if f.status else None,
        label=(None if f.label_anyone else f.coder, f.label, f.has_label) if f.label else None,
        field=(None if f.field_anyone else f.coder, f.field, f.value) if f.field else None,
        coded_by=f.coded_by or None,
        among=among,
    )
