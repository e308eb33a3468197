"""Errors that carry a one-line message meant for the user.

Everything the command line or the window shows to a person derives from
:class:`AnnotatorError`; anything else is a bug and may show a traceback.
"""

from __future__ import annotations


class AnnotatorError(Exception):
    """Base class: ``str(error)`` is a complete one-line message."""


class SchemeError(AnnotatorError):
    """The framing scheme file is malformed; the message names file, entry and problem."""


class InputError(AnnotatorError):
    """An input file (or a line of it) cannot be read; the message names it."""


class ValidationError(AnnotatorError, ValueError):
    """A store call was refused (bad offsets, unknown label, ...); nothing was written."""


class NotFoundError(ValidationError, LookupError):
    """A document, span or coder does not exist."""


class NeedsUpgradeError(AnnotatorError):
    """A database opened read-only has schema migrations pending."""


class WriteFailedError(AnnotatorError):
    """The database could not take a write (busy, full, read-only, I/O); nothing of the
    failed transaction was stored. ``retryable`` says whether trying again later may work."""

    retryable = False


class DatabaseBusyError(WriteFailedError):
    """Another process held the write lock beyond the busy timeout."""

    retryable = True


class DatabaseFullError(WriteFailedError):
    """The disk (or the database's page limit) is full."""

    retryable = True


class DatabaseReadOnlyError(WriteFailedError):
    """The database file or its folder cannot be written."""

    retryable = True


class DuplicateSpanError(ValidationError):
    """A span identical (document, coder or gold layer, start, end, label) to one already
    stored was refused; ``existing`` is the id of that stored span."""

    def __init__(self, message: str, existing: int):
        super().__init__(message)
        self.existing = existing


class SearchQueryError(ValidationError):
    """A full-text query the index cannot read, or a regular expression that does not
    compile; the message says why, in one line."""
