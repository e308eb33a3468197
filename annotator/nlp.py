"""Tokenising with spaCy, once per text at import time.

spaCy is imported lazily (it takes most of a second), only when new text has to
be tokenised. The default pipeline is ``spacy.blank("en")`` with the rule-based
sentencizer: it needs no model download. An installed pipeline package can be
named instead; a sentencizer is added if it sets no sentence boundaries.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import AnnotatorError
from .models import Tokenization
from .packing import pack, pack_many

DEFAULT_PIPELINE = "blank:en"


def load_pipeline(name: str = DEFAULT_PIPELINE):
    """Return a spaCy ``Language``: ``blank:<lang>`` or an installed package name (cached)."""
    return _load_pipeline(name)


@lru_cache(maxsize=4)
def _load_pipeline(name: str):
    import spacy

    if name.startswith("blank:"):
        nlp = spacy.blank(name.split(":", 1)[1] or "en")
    else:
        try:
            nlp = spacy.load(name, exclude=["ner", "lemmatizer", "textcat", "textcat_multilabel"])
        except OSError:
            raise AnnotatorError(
                f"spaCy pipeline {name!r} is not installed (use 'blank:en' or install the package)"
            ) from None
    if not any(nlp.has_pipe(p) for p in ("sentencizer", "senter", "parser")):
        nlp.add_pipe("sentencizer")
    return nlp


def tokenize(texts: Iterable[str], pipeline: str = DEFAULT_PIPELINE) -> Iterator[Tokenization]:
    """Tokenise texts in order, yielding one :class:`Tokenization` per text."""
    for arrays, text in _pipe(texts, pipeline):
        yield arrays.to_tokenization(text)


def tokenize_arrays(
    texts: Iterable[str], pipeline: str = DEFAULT_PIPELINE
) -> Iterator[TokenArrays]:
    """Tokenise texts in order, yielding numpy offset arrays (what the store packs).

    The import path: no Python object per token is made after spaCy's own work.
    """
    for arrays, _text in _pipe(texts, pipeline):
        yield arrays


BATCH_SIZE = 64  # texts per nlp.pipe batch, and per vectorised offset computation


def _pipe(texts: Iterable[str], pipeline: str) -> Iterator[tuple[TokenArrays, str]]:
    nlp = load_pipeline(pipeline)
    # The text travels beside its Doc: rebuilding it with doc.text costs a Token per token.
    # Each Doc is read into an array at once and dropped (keeping a batch of Docs alive
    # costs more than the arrays); the arrays are then processed a batch at a time.
    arrays: list = []
    batch: list[str] = []
    for doc, text in nlp.pipe(((t, t) for t in texts), batch_size=BATCH_SIZE, as_tuples=True):
        arrays.append(_doc_array(doc))
        batch.append(text)
        if len(batch) == BATCH_SIZE:
            yield from zip(_offsets_of_batch(arrays, batch), batch, strict=True)
            arrays, batch = [], []
    if batch:
        yield from zip(_offsets_of_batch(arrays, batch), batch, strict=True)


@dataclass(frozen=True, eq=False, slots=True)
class TokenArrays:
    """Token and sentence offsets of one text as numpy integer arrays, with the blobs the
    store keeps (:mod:`annotator.packing`, encoded a batch at a time).

    The store accepts it wherever it takes a :class:`~annotator.models.Tokenization`.
    """

    token_starts: Any
    token_ends: Any
    sentence_starts: Any
    sentence_ends: Any
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


def tokenization_from_doc(doc, text: str | None = None) -> Tokenization:
    """Token offsets and line-bounded, whitespace-trimmed sentences of a spaCy ``Doc``.

    ``text`` is ``doc.text`` when the caller already has it.
    """
    text = doc.text if text is None else text
    return token_arrays(doc, text).to_tokenization(text)


@lru_cache(maxsize=1)
def _space_table():
    """``table[c]`` is whether code point ``c`` is whitespace (``str.isspace``)."""
    import numpy as np

    table = np.zeros(sys.maxunicode + 1, dtype=bool)
    table[[c for c in range(0x3001) if chr(c).isspace()]] = True  # none lie above U+3000
    return table


def token_arrays(doc, text: str) -> TokenArrays:
    """Offsets of one spaCy ``Doc`` of ``text`` (see :func:`_offsets_of_batch`)."""
    return _offsets_of_batch([_doc_array(doc)], [text])[0]


def _doc_array(doc):
    """What :func:`_offsets_of_batch` reads of a ``Doc``: start, length and sentence start
    of each token (None for a ``Doc`` without tokens)."""
    from spacy.attrs import IDX, LENGTH, SENT_START

    return doc.to_array([IDX, LENGTH, SENT_START]) if len(doc) else None


def _offsets_of_batch(arrays: list, texts: list[str]) -> list[TokenArrays]:
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
