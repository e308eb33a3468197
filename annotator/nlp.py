"""Tokenising with spaCy, once per text at import time.

spaCy is imported lazily (it takes most of a second), only when new text has to
be tokenised. The default pipeline is ``spacy.blank("en")`` with the rule-based
sentencizer: it needs no model download. An installed pipeline package can be
named instead; a sentencizer is added if it sets no sentence boundaries.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import AnnotatorError
from .models import Tokenization
from .packing import pack, pack_many

if TYPE_CHECKING:  # both are imported lazily at run time (spaCy takes most of a second)
    import numpy as np
    from numpy.typing import NDArray
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_PIPELINE = "blank:en"


def load_pipeline(name: str = DEFAULT_PIPELINE) -> Language:
    """Return a spaCy ``Language``: ``blank:<lang>`` or an installed package name (cached)."""
    return _load_pipeline(name)


@lru_cache(maxsize=4)
def _load_pipeline(name: str) -> Language:
    import spacy

    if name.startswith("blank:"):
        lang = name.split(":", 1)[1] or "en"
        try:
            nlp = spacy.blank(lang)
        except ImportError:
            raise AnnotatorError(
                f"spaCy pipeline {name!r}: spaCy has no language {lang!r} (use e.g. 'blank:en')"
            ) from None
    else:
        try:
            nlp = spacy.load(name, exclude=["ner", "lemmatizer", "textcat", "textcat_multilabel"])
        except OSError:
            raise AnnotatorError(
                f"spaCy pipeline {name!r} is not installed (use 'blank:en' or install the package)"
            ) from None
    if not any(nlp.has_pipe(p) for p in ("sentencizer", "senter", "parser")):
        nlp.add_pipe("sentencizer")
    if is_light(nlp):
        # Rule-based tokenising and sentence splitting cost no per-character model memory:
        # spaCy's length limit guards parsers and taggers, not these (texts are cut at
        # line starts anyway, see _pieces). A longer single line is still tokenised whole.
        nlp.max_length = max(nlp.max_length, 2**31)
    return nlp


# Components that look at one token and its neighbours only (no model, no memory per
# character): a pipeline of just these takes a text of any length.
LIGHT_COMPONENTS = frozenset({"sentencizer"})


def is_light(nlp: Language) -> bool:
    """Whether ``nlp`` is a tokenizer plus rule-based components only (see LIGHT_COMPONENTS)."""
    return set(nlp.pipe_factories.values()) <= LIGHT_COMPONENTS


def tokenize(texts: Iterable[str], pipeline: str = DEFAULT_PIPELINE) -> Iterator[Tokenization]:
    """Tokenise texts in order, yielding one :class:`Tokenization` per text.

    A text spaCy fails on raises :class:`AnnotatorError` (see :func:`tokenize_each`).
    """
    for arrays, text in _pipe(texts, pipeline):
        yield _or_raise(arrays).to_tokenization(text)


def tokenize_arrays(
    texts: Iterable[str], pipeline: str = DEFAULT_PIPELINE
) -> Iterator[TokenArrays]:
    """Tokenise texts in order, yielding numpy offset arrays (what the store packs).

    The import path: no Python object per token is made after spaCy's own work.
    A text spaCy fails on raises :class:`AnnotatorError` (see :func:`tokenize_each`).
    """
    for arrays, _text in _pipe(texts, pipeline):
        yield _or_raise(arrays)


def tokenize_each(
    texts: Iterable[str], pipeline: str = DEFAULT_PIPELINE
) -> Iterator[TokenArrays | Untokenizable]:
    """:func:`tokenize_arrays`, but a text spaCy fails on gives :class:`Untokenizable`
    (with a one-line reason) in its place and the others go on."""
    for arrays, _text in _pipe(texts, pipeline):
        yield arrays


@dataclass(frozen=True)
class Untokenizable:
    """A text the pipeline failed on; ``reason`` is one line (no location)."""

    reason: str


def _or_raise(arrays: TokenArrays | Untokenizable) -> TokenArrays:
    if isinstance(arrays, Untokenizable):
        raise AnnotatorError(arrays.reason)
    return arrays


BATCH_SIZE = 64  # texts per nlp.pipe batch, and per vectorised offset computation
# Texts are tokenised in pieces of at most this many characters, cut at the start of a
# line: a Doc costs ~60 bytes a character, so a 10 MB text whole would take ~600 MB.
CHUNK_CHARS = 100_000


def _pipe(texts: Iterable[str], pipeline: str) -> Iterator[tuple[TokenArrays | Untokenizable, str]]:
    nlp = load_pipeline(pipeline)
    light = is_light(nlp)
    limit = CHUNK_CHARS if light else max(1, min(CHUNK_CHARS, nlp.max_length))
    # The text travels beside its arrays: rebuilding it with doc.text costs a Token per
    # token. Each Doc is read into an array at once and dropped (keeping a batch of Docs
    # alive costs more than the arrays); the arrays are then processed a batch at a time.
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) == BATCH_SIZE:
            yield from _run_batch(nlp, batch, limit, light)
            batch = []
    if batch:
        yield from _run_batch(nlp, batch, limit, light)


def _run_batch(
    nlp: Language, texts: list[str], limit: int, light: bool
) -> list[tuple[TokenArrays | Untokenizable, str]]:
    """Offsets of a batch; when spaCy fails on it, each text alone, so that only the
    texts it fails on are given up (as :class:`Untokenizable`)."""
    try:
        arrays = _offsets_of_batch(_arrays_of(nlp, texts, limit, light), texts)
        return list(zip(arrays, texts, strict=True))
    except Exception as e:  # noqa: BLE001 - any failure is one text's, reported as its reason
        if len(texts) == 1:
            return [(Untokenizable(_failure_reason(e, nlp)), texts[0])]
    out: list[tuple[TokenArrays | Untokenizable, str]] = []
    for text in texts:
        out.extend(_run_batch(nlp, [text], limit, light))
    return out


def _failure_reason(e: Exception, nlp: Language) -> str:
    message = str(e).strip()
    if "[E088]" in message:
        return (
            f"has a stretch of more than {nlp.max_length:,} characters without a space or"
            " line break, longer than the spaCy pipeline takes (its max_length)"
        )
    if isinstance(e, AnnotatorError):
        return message
    first = message.splitlines()[0][:200] if message else ""
    return f"spaCy could not tokenise it ({type(e).__name__}{': ' + first if first else ''})"


def _arrays_of(
    nlp: Language, texts: list[str], limit: int, light: bool
) -> list[NDArray[Any] | None]:
    """Each text's ``_doc_array``, texts longer than ``limit`` tokenised piece by piece
    (:func:`_pieces`) with the pieces' offsets shifted back into the whole text."""
    import numpy as np

    if all(len(t) <= limit for t in texts):
        pieces = [(t, (k, 0)) for k, t in enumerate(texts)]
    else:
        pieces = [
            (piece, (k, offset))
            for k, t in enumerate(texts)
            for offset, piece in _pieces(t, limit, mid_line=not light)
        ]
    parts: list[list[NDArray[Any]]] = [[] for _ in texts]
    for doc, (k, offset) in nlp.pipe(pieces, batch_size=BATCH_SIZE, as_tuples=True):
        a = _doc_array(doc)
        if a is not None:
            if offset:
                a[:, 0] += offset
            parts[k].append(a)
    return [None if not p else p[0] if len(p) == 1 else np.concatenate(p) for p in parts]


def _pieces(text: str, limit: int, mid_line: bool = False) -> list[tuple[int, str]]:
    """``text`` as ``(offset, piece)`` pieces of at most ``limit`` characters where it can.

    A piece ends after a line break and the next starts with a non-whitespace character.
    spaCy's tokenizer splits at whitespace before anything else, so the pieces' tokens are
    exactly the whole text's; and a line break starts a sentence anyway (see
    :func:`_offsets_of_batch`), so are the sentences. A line longer than ``limit`` stays
    whole, unless ``mid_line``: then it is cut before a word that follows whitespace (the
    tokens are still the same; the piece starts a sentence). A stretch without either
    stays whole.
    """
    n = len(text)
    out: list[tuple[int, str]] = []
    start = 0
    while n - start > limit:
        cut = _cut(text, start, start + limit, mid_line)
        if cut is None:
            break
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


_WORD_AFTER_SPACE = re.compile(r"(?<=\s)\S")
_WORD_AFTER_LINE = re.compile(r"(?<=\n)\S")


def _cut(text: str, lo: int, hi: int, mid_line: bool) -> int | None:
    """The last position in ``(lo, hi]`` that starts a line with a non-whitespace character
    (or, with ``mid_line``, any word after whitespace); else the first one after ``hi``."""
    i = text.rfind("\n", lo, hi)
    while i != -1:
        if i + 1 < len(text) and not text[i + 1].isspace():
            return i + 1
        i = text.rfind("\n", lo, i)
    if mid_line:
        for c in range(hi, lo, -1):
            if text[c - 1].isspace() and not text[c].isspace():
                return c
    m = (_WORD_AFTER_SPACE if mid_line else _WORD_AFTER_LINE).search(text, hi + 1)
    return m.start() if m else None


@dataclass(frozen=True, eq=False, slots=True)
class TokenArrays:
    """Token and sentence offsets of one text as numpy integer arrays, with the blobs the
    store keeps (:mod:`annotator.packing`, encoded a batch at a time).

    The store accepts it wherever it takes a :class:`~annotator.models.Tokenization`.
    """

    token_starts: NDArray[np.integer[Any]]
    token_ends: NDArray[np.integer[Any]]
    sentence_starts: NDArray[np.integer[Any]]
    sentence_ends: NDArray[np.integer[Any]]
    packed_tokens: bytes
    packed_sentences: bytes

    def __len__(self) -> int:
        return len(self.token_starts)

    def packed(self) -> tuple[bytes, bytes]:
        """(tokens, sentences) blobs, as :meth:`Tokenization.packed` gives them."""
        return self.packed_tokens, self.packed_sentences

    def to_tokenization(self, text: str) -> Tokenization:
        return Tokenization.of_text(
            text,
            tuple(self.token_starts.tolist()),
            tuple(self.token_ends.tolist()),
            tuple(self.sentence_starts.tolist()),
            tuple(self.sentence_ends.tolist()),
        )


def tokenization_from_doc(doc: Doc, text: str | None = None) -> Tokenization:
    """Token offsets and line-bounded, whitespace-trimmed sentences of a spaCy ``Doc``.

    ``text`` is ``doc.text`` when the caller already has it.
    """
    text = doc.text if text is None else text
    return token_arrays(doc, text).to_tokenization(text)


@lru_cache(maxsize=1)
def _space_table() -> NDArray[np.bool_]:
    """``table[c]`` is whether code point ``c`` is whitespace (``str.isspace``)."""
    import numpy as np

    table = np.zeros(sys.maxunicode + 1, dtype=bool)
    table[[c for c in range(0x3001) if chr(c).isspace()]] = True  # none lie above U+3000
    return table


def token_arrays(doc: Doc, text: str) -> TokenArrays:
    """Offsets of one spaCy ``Doc`` of ``text`` (see :func:`_offsets_of_batch`)."""
    return _offsets_of_batch([_doc_array(doc)], [text])[0]


def _doc_array(doc: Doc) -> NDArray[Any] | None:
    """What :func:`_offsets_of_batch` reads of a ``Doc``: start, length and sentence start
    of each token (None for a ``Doc`` without tokens)."""
    from spacy.attrs import IDX, LENGTH, SENT_START

    return doc.to_array([IDX, LENGTH, SENT_START]) if len(doc) else None


def _offsets_of_batch(arrays: list[NDArray[Any] | None], texts: list[str]) -> list[TokenArrays]:
    """Offsets of tokenised ``texts``: tokens, and sentences that are trimmed of
    whitespace and never cross a line break. ``arrays`` holds each text's spaCy
    ``Doc.to_array([IDX, LENGTH, SENT_START])`` (None for a text without tokens). The
    arrays returned are views into arrays shared by the batch.

    Vectorised over a whole batch: this runs for every token of every imported text,
    and numpy's per-call cost would otherwise dominate for article-sized texts. spaCy's
    tokens are either all whitespace or hold none (it splits at every ``str.isspace``
    boundary), so a token is a whitespace token exactly when its first character is
    whitespace; that is read from the text rather than asked of spaCy per token.
    """
    import numpy as np

    counts = np.array([0 if a is None else len(a) for a in arrays], dtype=np.int64)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    if lengths.size and lengths.max() >= 2**32:
        raise AnnotatorError("a text of 2**32 characters or more cannot be stored")
    n = int(counts.sum())
    if n == 0:
        empty = np.zeros(0, dtype="<u4")
        none = pack(empty, empty)
        return [TokenArrays(empty, empty, empty, empty, none, none) for _ in texts]
    arr = np.concatenate([a for a in arrays if a is not None])
    local_starts = arr[:, 0].astype(np.int64)
    local_ends = local_starts + arr[:, 1].astype(np.int64)
    # Offsets into the batch's texts joined end to end, to find characters in one array.
    tok_base = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=tok_base[1:])
    char_base = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lengths[:-1], out=char_base[1:])
    starts = local_starts + np.repeat(char_base, counts)
    joined = "".join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    is_word = ~_space_table()[cps[starts]]
    sent_start = arr[:, 2] == 1
    sent_start[tok_base[:-1][counts > 0]] = True  # every text starts a sentence
    # A line break ends a sentence: the token after the (whitespace) token holding it
    # starts the next one.
    breaks = cps == 10
    if "\r" in joined:
        breaks |= cps == 13
    after = np.searchsorted(starts, breaks.nonzero()[0], side="right")
    sent_start[after[after < n]] = True
    # Each sentence runs from its first to its last word (non-whitespace token); as each
    # text starts a sentence, no sentence runs from one text into the next.
    words = is_word.nonzero()[0]
    first = np.searchsorted(words, sent_start.nonzero()[0])  # into words, per sentence
    last = np.empty_like(first)
    last[:-1] = first[1:]
    last[-1] = len(words)
    has_words = first < last
    first_tok = words[first[has_words]]
    s_starts = local_starts[first_tok]
    s_ends = local_ends[words[last[has_words] - 1]]
    sent_base = np.searchsorted(first_tok, tok_base)  # sentences per text, as a prefix sum
    packed_tokens = pack_many(local_starts, local_ends, tok_base)
    packed_sentences = pack_many(s_starts, s_ends, sent_base)
    out = []
    for k in range(len(texts)):
        t0, t1 = tok_base[k], tok_base[k + 1]
        s0, s1 = sent_base[k], sent_base[k + 1]
        out.append(
            TokenArrays(
                local_starts[t0:t1],
                local_ends[t0:t1],
                s_starts[s0:s1],
                s_ends[s0:s1],
                packed_tokens[k],
                packed_sentences[k],
            )
        )
    return out
