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


def _pipe(texts: Iterable[str], pipeline: str) -> Iterator[tuple[TokenArrays, str]]:
    nlp = load_pipeline(pipeline)
    # The text travels beside its Doc: rebuilding it with doc.text costs a Token per token.
    for doc, text in nlp.pipe(((t, t) for t in texts), batch_size=64, as_tuples=True):
        yield token_arrays(doc, text), text


@dataclass(frozen=True, eq=False)
class TokenArrays:
    """Token and sentence offsets of one text as numpy integer arrays.

    The same four attributes as :class:`~annotator.models.Tokenization`, which the
    store accepts interchangeably.
    """

    token_starts: Any
    token_ends: Any
    sentence_starts: Any
    sentence_ends: Any

    def __len__(self) -> int:
        return len(self.token_starts)

    def to_tokenization(self, text: str) -> Tokenization:
        starts = tuple(self.token_starts.tolist())
        space = frozenset(i for i, s in enumerate(starts) if text[s].isspace())
        return Tokenization(
            starts,
            tuple(self.token_ends.tolist()),
            space,
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
    """Offsets of a spaCy ``Doc`` of ``text``: tokens, and sentences that are trimmed of
    whitespace and never cross a line break.

    Vectorised: this runs for every token of every imported text. spaCy's tokens are
    either all whitespace or hold none (it splits at every ``str.isspace`` boundary),
    so a token is a whitespace token exactly when its first character is whitespace;
    that is read from the text rather than asked of spaCy per token.
    """
    import numpy as np
    from spacy.attrs import IDX, LENGTH, SENT_START

    n = len(doc)
    if n == 0:
        empty = np.zeros(0, dtype=np.uint64)
        return TokenArrays(empty, empty, empty, empty)
    arr = doc.to_array([IDX, LENGTH, SENT_START])  # uint64
    starts = arr[:, 0]
    ends = starts + arr[:, 1]
    sent_start = arr[:, 2] == 1
    sent_start[0] = True
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    is_word = ~_space_table()[cps[starts]]
    # A line break ends a sentence: the token after the (whitespace) token holding it
    # starts the next one.
    breaks = cps == 10
    if "\r" in text:
        breaks |= cps == 13
    after = np.searchsorted(starts, breaks.nonzero()[0], side="right")
    sent_start[after[after < n]] = True
    # Each sentence runs from its first to its last word (non-whitespace token).
    words = is_word.nonzero()[0]
    first = np.searchsorted(words, sent_start.nonzero()[0])  # into words, per sentence
    last = np.empty_like(first)
    last[:-1] = first[1:]
    last[-1] = len(words)
    has_words = first < last
    s_starts = starts[words[first[has_words]]]
    s_ends = ends[words[last[has_words] - 1]]
    return TokenArrays(starts, ends, s_starts, s_ends)
