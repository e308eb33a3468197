"""Domain objects: plain frozen records (``records.FrozenRecord``: as frozen dataclasses,
without their cost at start-up), no I/O.

Offsets everywhere are Python ``str`` code-point offsets into the stored text,
``end`` exclusive.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Protocol

from .records import FrozenRecord

STATES = ("new", "in_progress", "done")


class PackedOffsets(Protocol):
    """What the store reads of a text's tokenisation: its packed offset blobs.

    :class:`Tokenization` is one; ``nlp.TokenArrays`` (packed a batch at a time) another.
    """

    def packed(self) -> tuple[bytes, bytes]:
        """(tokens, sentences) offsets as the store keeps them (:mod:`annotator.packing`)."""
        ...


class Tokenization(FrozenRecord):
    """Token and sentence boundaries of one text, as parallel offset tuples.

    ``token_starts[i]``/``token_ends[i]`` delimit token ``i`` (spaCy's tokens,
    whitespace tokens such as ``"\\n\\n"`` included, as in Prodigy's ``tokens``).
    ``space_tokens`` holds the indices of tokens that are only whitespace.
    Sentences are trimmed of surrounding whitespace and never cross a line break.
    """

    token_starts: tuple[int, ...]
    token_ends: tuple[int, ...]
    space_tokens: frozenset[int]
    sentence_starts: tuple[int, ...]
    sentence_ends: tuple[int, ...]

    def __init__(
        self,
        token_starts: tuple[int, ...],
        token_ends: tuple[int, ...],
        space_tokens: frozenset[int] = frozenset(),
        sentence_starts: tuple[int, ...] = (),
        sentence_ends: tuple[int, ...] = (),
    ) -> None:
        d = self.__dict__
        d["token_starts"] = token_starts
        d["token_ends"] = token_ends
        d["space_tokens"] = space_tokens
        d["sentence_starts"] = sentence_starts
        d["sentence_ends"] = sentence_ends

    def __len__(self) -> int:
        return len(self.token_starts)

    @classmethod
    def of_text(
        cls,
        text: str,
        token_starts: tuple[int, ...],
        token_ends: tuple[int, ...],
        sentence_starts: tuple[int, ...],
        sentence_ends: tuple[int, ...],
    ) -> Tokenization:
        """From offsets into ``text``; whitespace tokens are those whose first character
        is whitespace (spaCy's tokens are all whitespace or hold none)."""
        space = frozenset(i for i, s in enumerate(token_starts) if text[s].isspace())
        return cls(token_starts, token_ends, space, sentence_starts, sentence_ends)

    def packed(self) -> tuple[bytes, bytes]:
        """(tokens, sentences) offsets as the store keeps them (:mod:`annotator.packing`)."""
        from .packing import pack

        return (
            pack(self.token_starts, self.token_ends),
            pack(self.sentence_starts, self.sentence_ends),
        )

    def token_index_at(self, pos: int) -> int | None:
        """Index of the token containing character ``pos``, or None (a gap)."""
        i = bisect_right(self.token_starts, pos) - 1
        if i >= 0 and pos < self.token_ends[i]:
            return i
        return None

    def tokens_overlapping(self, start: int, end: int) -> range:
        """Indices of the tokens sharing at least one character with ``[start, end)``.

        An empty range (a caret) strictly inside a token yields that token.
        """
        first = bisect_right(self.token_ends, start)
        last = bisect_left(self.token_starts, end)
        return range(first, max(first, last))

    def token_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Inclusive (token_start, token_end) if ``[start, end)`` is token-aligned, else None."""
        i = bisect_left(self.token_starts, start)
        if i == len(self.token_starts) or self.token_starts[i] != start:
            return None
        j = bisect_left(self.token_ends, end)
        if j == len(self.token_ends) or self.token_ends[j] != end or j < i:
            return None
        return i, j

    def covering_tokens(self, start: int, end: int) -> tuple[int, int] | None:
        """Inclusive token indices of the tokens overlapping ``[start, end)`` (expand mode)."""
        r = self.tokens_overlapping(start, end)
        if not r:
            return None
        return r[0], r[-1]

    def snap_to_tokens(self, start: int, end: int) -> tuple[int, int]:
        """Expand ``[start, end)`` to whole tokens, like spaCy's ``alignment_mode="expand"``.

        Whitespace tokens at either edge are dropped, so a selection that starts in the
        blank line before a paragraph snaps to the paragraph's first word. A range that
        touches no word is returned unchanged.
        """
        r = self.tokens_overlapping(start, end)
        lo, hi = r.start, r.stop - 1
        while lo <= hi and lo in self.space_tokens:
            lo += 1
        while hi >= lo and hi in self.space_tokens:
            hi -= 1
        if lo > hi:
            return start, end
        return self.token_starts[lo], self.token_ends[hi]

    def sentence_index_at(self, pos: int) -> int | None:
        """Index of the sentence containing ``pos`` (or the nearest one before it)."""
        if not self.sentence_starts:
            return None
        i = bisect_right(self.sentence_starts, pos) - 1
        return max(i, 0)

    def snap_to_sentences(self, start: int, end: int) -> tuple[int, int]:
        """Expand ``[start, end)`` to the sentence(s) it touches.

        Sentences exclude surrounding whitespace, so blank space at the edges of the
        input may fall outside the result.
        """
        if not self.sentence_starts:
            return start, end
        first = self.sentence_index_at(start)
        last = self.sentence_index_at(max(start, end - 1))
        assert first is not None and last is not None
        return self.sentence_starts[first], self.sentence_ends[last]


class Document(FrozenRecord):
    id: int
    sha256: str
    title: str
    source: str
    text: str
    meta: dict[str, Any]
    added_at: str

    def __init__(
        self,
        id: int,
        sha256: str,
        title: str,
        source: str,
        text: str,
        meta: dict[str, Any] | None = None,  # None: a new empty dict
        added_at: str = "",
    ) -> None:
        d = self.__dict__
        d["id"] = id
        d["sha256"] = sha256
        d["title"] = title
        d["source"] = source
        d["text"] = text
        d["meta"] = {} if meta is None else meta
        d["added_at"] = added_at


class StoredDocument(FrozenRecord):
    """A document as stored, token offsets included (packed blobs, see
    :mod:`annotator.packing`), for database merges."""

    sha256: str
    title: str
    source: str
    text: str
    meta: dict[str, Any]
    token_offsets: bytes
    sentence_offsets: bytes
    pipeline: str
    id: int | None

    def __init__(
        self,
        sha256: str,
        title: str,
        source: str,
        text: str,
        meta: dict[str, Any],
        token_offsets: bytes,
        sentence_offsets: bytes,
        pipeline: str = "",
        id: int | None = None,
    ) -> None:
        d = self.__dict__
        d["sha256"] = sha256
        d["title"] = title
        d["source"] = source
        d["text"] = text
        d["meta"] = meta
        d["token_offsets"] = token_offsets
        d["sentence_offsets"] = sentence_offsets
        d["pipeline"] = pipeline
        d["id"] = id


class DocumentSummary(FrozenRecord):
    """One row of the document list for one coder."""

    id: int
    title: str
    source: str
    length: int
    state: str
    span_count: int
    origin: str  # where it appeared (meta source or URL host, else the file name)
    date: str  # when, from its meta; empty if unknown

    def __init__(
        self,
        id: int,
        title: str,
        source: str,
        length: int,
        state: str,
        span_count: int,
        origin: str = "",
        date: str = "",
    ) -> None:
        d = self.__dict__
        d["id"] = id
        d["title"] = title
        d["source"] = source
        d["length"] = length
        d["state"] = state
        d["span_count"] = span_count
        d["origin"] = origin
        d["date"] = date


class Span(FrozenRecord):
    id: int
    document_id: int
    coder: str
    start: int
    end: int
    label: str
    note: str
    scheme_version: int
    created_at: str
    updated_at: str
    origin: str  # MANUAL, "suggestion:<source>" or "edited:<source>" (see origin_problem)

    def __init__(
        self,
        id: int,
        document_id: int,
        coder: str,
        start: int,
        end: int,
        label: str,
        note: str = "",
        scheme_version: int = 1,
        created_at: str = "",
        updated_at: str = "",
        origin: str = "manual",
    ) -> None:
        d = self.__dict__
        d["id"] = id
        d["document_id"] = document_id
        d["coder"] = coder
        d["start"] = start
        d["end"] = end
        d["label"] = label
        d["note"] = note
        d["scheme_version"] = scheme_version
        d["created_at"] = created_at
        d["updated_at"] = updated_at
        d["origin"] = origin


class DocLabel(FrozenRecord):
    document_id: int
    coder: str
    field: str
    value: str | tuple[str, ...]
    scheme_version: int
    updated_at: str
    origin: str  # as Span.origin

    def __init__(
        self,
        document_id: int,
        coder: str,
        field: str,
        value: str | tuple[str, ...],
        scheme_version: int = 1,
        updated_at: str = "",
        origin: str = "manual",
    ) -> None:
        d = self.__dict__
        d["document_id"] = document_id
        d["coder"] = coder
        d["field"] = field
        d["value"] = value
        d["scheme_version"] = scheme_version
        d["updated_at"] = updated_at
        d["origin"] = origin


# --- suggestions and the origin of labels (issue 15) -----------------------------------

MANUAL = "manual"  # the origin of a label a person made alone
SUGGESTED = "suggestion"  # "suggestion:<source>": a suggestion accepted as it was
EDITED = "edited"  # "edited:<source>": a suggestion accepted, then moved or relabelled
# A suggestion source's name: "patterns", a model's name, an imported file's --source.
SOURCE_MAX = 64


def source_problem(name: object) -> str | None:
    """Why ``name`` cannot name a suggestion source, or None when it can."""
    if not isinstance(name, str) or not 1 <= len(name) <= SOURCE_MAX:
        return f"a source name must be 1 to {SOURCE_MAX} characters, got {name!r}"
    if not (name[0].isascii() and name[0].isalnum()) or any(
        not (c.isascii() and (c.isalnum() or c in "_.-")) for c in name
    ):
        return (
            "a source name must start with an ASCII letter or digit and use only letters,"
            f" digits, '_', '.' and '-', got {name!r}"
        )
    return None


def origin_problem(origin: object) -> str | None:
    """Why ``origin`` is not a label origin (``manual``, ``suggestion:<source>``,
    ``edited:<source>``), or None when it is."""
    if origin == MANUAL:
        return None
    if isinstance(origin, str) and ":" in origin:
        kind, source = origin.split(":", 1)
        if kind in (SUGGESTED, EDITED) and source_problem(source) is None:
            return None
    return f"origin must be 'manual', 'suggestion:<source>' or 'edited:<source>', got {origin!r}"


def origin_source(origin: str) -> str | None:
    """The suggestion source an origin names (None for ``manual``)."""
    return None if origin == MANUAL else origin.split(":", 1)[1]


def accepted_origin(source: str) -> str:
    """The origin of a suggestion from ``source`` accepted as it was."""
    return f"{SUGGESTED}:{source}"


def edited_origin(origin: str) -> str:
    """The origin after a person changes a label of ``origin`` (moves, relabels it):
    an accepted suggestion becomes ``edited:<source>``; the others stay as they were."""
    if origin.startswith(SUGGESTED + ":"):
        return EDITED + origin[len(SUGGESTED) :]
    return origin


class Suggestion(FrozenRecord):
    """A suggested span: from ``source``, with a score in [0, 1] where the source gives one."""

    id: int
    document_id: int
    source: str
    start: int
    end: int
    label: str
    score: float | None

    def __init__(
        self,
        id: int,
        document_id: int,
        source: str,
        start: int,
        end: int,
        label: str,
        score: float | None = None,
    ) -> None:
        d = self.__dict__
        d["id"] = id
        d["document_id"] = document_id
        d["source"] = source
        d["start"] = start
        d["end"] = end
        d["label"] = label
        d["score"] = score

    @property
    def target(self) -> str:
        """What a coder's rejection of it records (its content, not its id)."""
        return f"span:{self.start}:{self.end}:{self.label}"


class SuggestedLabel(FrozenRecord):
    """A suggested document field value (a multi field's: a tuple of options)."""

    document_id: int
    source: str
    field: str
    value: str | tuple[str, ...]
    score: float | None

    def __init__(
        self,
        document_id: int,
        source: str,
        field: str,
        value: str | tuple[str, ...],
        score: float | None = None,
    ) -> None:
        d = self.__dict__
        d["document_id"] = document_id
        d["source"] = source
        d["field"] = field
        d["value"] = value
        d["score"] = score

    @property
    def target(self) -> str:
        shown = self.value if isinstance(self.value, str) else "|".join(self.value)
        return f"field:{self.field}:{shown}"


class Progress(FrozenRecord):
    coder: str
    total: int
    new: int
    in_progress: int
    done: int

    def __init__(self, coder: str, total: int, new: int, in_progress: int, done: int) -> None:
        d = self.__dict__
        d["coder"] = coder
        d["total"] = total
        d["new"] = new
        d["in_progress"] = in_progress
        d["done"] = done


class ImportReport(FrozenRecord):
    """What an import did: ids added, texts already present, inputs skipped with reasons."""

    added: list[int]
    duplicates: list[str]
    skipped: list[str]

    def __init__(
        self,
        added: list[int] | None = None,  # None: a new empty list (so for each of them)
        duplicates: list[str] | None = None,
        skipped: list[str] | None = None,
    ) -> None:
        d = self.__dict__
        d["added"] = [] if added is None else added
        d["duplicates"] = [] if duplicates is None else duplicates
        d["skipped"] = [] if skipped is None else skipped

    @property
    def ok(self) -> bool:
        return not self.skipped
