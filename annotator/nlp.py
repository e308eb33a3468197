"""Tokenising with spaCy, once per text at import time.

spaCy is imported lazily (it takes most of a second), only when new text has to
be tokenised. The default pipeline is ``spacy.blank("en")`` with the rule-based
sentencizer: it needs no model download. An installed pipeline package can be
named instead; a sentencizer is added if it sets no sentence boundaries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

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
    nlp = load_pipeline(pipeline)
    # The text travels beside its Doc: rebuilding it with doc.text costs a Token per token.
    for doc, text in nlp.pipe(((t, t) for t in texts), batch_size=64, as_tuples=True):
        yield tokenization_from_doc(doc, text)


def tokenization_from_doc(doc, text: str | None = None) -> Tokenization:
    """Token offsets and line-bounded, whitespace-trimmed sentences of a spaCy ``Doc``.

    ``text`` is ``doc.text`` when the caller already has it.
    """
    import numpy as np
    from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START

    if len(doc) == 0:
        return Tokenization((), ())
    arr = doc.to_array([IDX, LENGTH, IS_SPACE, SENT_START]).astype("int64")
    starts = arr[:, 0]
    ends = starts + arr[:, 1]
    is_space = arr[:, 2].astype(bool)
    sent_start = arr[:, 3] == 1
    sent_start[0] = True
    if text is None:
        text = doc.text
    starts_list = starts.tolist()
    ends_list = ends.tolist()
    space_idx = is_space.nonzero()[0].tolist()
    # A whitespace token holding a line break ends a sentence; the next word starts one.
    n = len(doc)
    for i in space_idx:
        piece = text[starts_list[i] : ends_list[i]]
        if ("\n" in piece or "\r" in piece) and i + 1 < n:
            sent_start[i + 1] = True
    # Each sentence runs from its first to its last non-whitespace token (vectorised:
    # this runs for every token of every imported text).
    words = np.flatnonzero(~is_space)
    if len(words):
        sent_id = np.cumsum(sent_start)[words]
        first = np.flatnonzero(np.r_[True, sent_id[1:] != sent_id[:-1]])
        last = np.r_[first[1:] - 1, len(words) - 1]
        s_starts = tuple(starts[words[first]].tolist())
        s_ends = tuple(ends[words[last]].tolist())
    else:
        s_starts = s_ends = ()
    return Tokenization(
        tuple(starts_list),
        tuple(ends_list),
        frozenset(space_idx),
        s_starts,
        s_ends,
    )
