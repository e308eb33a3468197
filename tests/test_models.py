"""Domain objects: Tokenization lookups on hand-built and random layouts, ImportReport."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.models import (
    STATES,
    Document,
    ImportReport,
    Span,
    Tokenization,
)

FAST = settings(max_examples=60, deadline=None)

# "The  axis,\n\nof evil." -- tokens with a double-space gap and a whitespace token.
#  0123456789 0 1 2345678
TEXT = "The  axis,\n\nof evil."
TOK = Tokenization(
    token_starts=(0, 5, 9, 10, 12, 15, 19),
    token_ends=(3, 9, 10, 12, 14, 19, 20),
    space_tokens=frozenset({3}),
    sentence_starts=(0, 12),
    sentence_ends=(10, 20),
)


def test_hand_built_layout_matches_text():
    words = [TEXT[s:e] for s, e in zip(TOK.token_starts, TOK.token_ends, strict=True)]
    assert words == ["The", "axis", ",", "\n\n", "of", "evil", "."]
    assert len(TOK) == 7


@pytest.mark.parametrize(
    ("pos", "expected"),
    [(-1, None), (0, 0), (2, 0), (3, None), (4, None), (5, 1), (9, 2), (10, 3), (11, 3),
     (12, 4), (14, None), (19, 6), (20, None), (99, None)],
)  # fmt: skip
def test_token_index_at(pos, expected):
    assert TOK.token_index_at(pos) == expected


def test_token_span_requires_exact_alignment():
    assert TOK.token_span(0, 3) == (0, 0)
    assert TOK.token_span(5, 10) == (1, 2)
    assert TOK.token_span(0, 20) == (0, 6)
    assert TOK.token_span(1, 3) is None
    assert TOK.token_span(0, 4) is None
    assert TOK.token_span(5, 3) is None
    assert TOK.token_span(3, 5) is None
    assert Tokenization((), ()).token_span(0, 0) is None


def test_covering_tokens_and_overlap():
    assert TOK.covering_tokens(1, 2) == (0, 0)
    assert TOK.covering_tokens(2, 6) == (0, 1)
    assert TOK.covering_tokens(3, 5) is None  # only the gap
    assert TOK.covering_tokens(0, 20) == (0, 6)
    assert list(TOK.tokens_overlapping(8, 13)) == [1, 2, 3, 4]
    assert list(TOK.tokens_overlapping(3, 5)) == []
    assert Tokenization((), ()).covering_tokens(0, 5) is None


def test_snap_to_tokens_examples():
    assert TOK.snap_to_tokens(6, 7) == (5, 9)
    assert TOK.snap_to_tokens(2, 6) == (0, 9)
    # Starting inside the whitespace token snaps to the next word; ending in it, to the last.
    assert TOK.snap_to_tokens(11, 13) == (12, 14)
    assert TOK.snap_to_tokens(6, 11) == (5, 10)
    # Nothing but whitespace: unchanged.
    assert TOK.snap_to_tokens(10, 12) == (10, 12)
    assert TOK.snap_to_tokens(3, 5) == (3, 5)
    # Caret (empty range) inside a word selects it; on a boundary it is left alone.
    assert TOK.snap_to_tokens(16, 16) == (15, 19)
    assert TOK.snap_to_tokens(15, 15) == (15, 15)


def test_snap_to_sentences_examples():
    assert TOK.snap_to_sentences(6, 7) == (0, 10)
    assert TOK.snap_to_sentences(6, 13) == (0, 20)
    assert TOK.snap_to_sentences(16, 16) == (12, 20)
    assert TOK.sentence_index_at(11) == 0  # the gap belongs to the sentence before
    assert TOK.sentence_index_at(12) == 1
    no_sents = Tokenization((0,), (3,))
    assert no_sents.sentence_index_at(1) is None
    assert no_sents.snap_to_sentences(1, 2) == (1, 2)


def test_sentence_index_before_first_sentence():
    tok = Tokenization((0, 2), (2, 5), frozenset({0}), (2,), (5,))
    assert tok.sentence_index_at(0) == 0
    assert tok.snap_to_sentences(0, 3) == (2, 5)


# --- random layouts, no spaCy -------------------------------------------------------


@st.composite
def layouts(draw):
    """A random text of words, whitespace tokens and untokenised gaps, with sentences."""
    segs = draw(
        st.lists(st.tuples(st.integers(0, 2), st.integers(1, 4), st.booleans()), max_size=15)
    )
    text, starts, ends, space = [], [], [], set()
    pos = 0
    for i, (gap, length, is_space) in enumerate(segs):
        text.append(" " * gap)
        pos += gap
        starts.append(pos)
        text.append(("\n" if is_space else "w") * length)
        pos += length
        ends.append(pos)
        if is_space:
            space.add(i)
    text.append(" " * draw(st.integers(0, 2)))
    words = [i for i in range(len(segs)) if i not in space]
    # Sentences: consecutive runs of word tokens, cut at random places.
    sent_s, sent_e = [], []
    if words:
        cuts = sorted(set(draw(st.lists(st.sampled_from(words), max_size=4))) | {words[0]})
        for k, c in enumerate(cuts):
            last_allowed = cuts[k + 1] if k + 1 < len(cuts) else len(segs)
            last = max(w for w in words if c <= w < last_allowed)
            sent_s.append(starts[c])
            sent_e.append(ends[last])
    tok = Tokenization(tuple(starts), tuple(ends), frozenset(space), tuple(sent_s), tuple(sent_e))
    return "".join(text), tok


def span_strategy(n):
    return st.tuples(st.integers(0, n), st.integers(0, n)).map(lambda p: (min(p), max(p)))


@FAST
@given(data=st.data(), layout=layouts())
def test_random_layout_lookups_match_brute_force(data, layout):
    text, tok = layout
    n = len(text)
    for pos in range(-1, n + 2):
        hits = [i for i in range(len(tok)) if tok.token_starts[i] <= pos < tok.token_ends[i]]
        assert tok.token_index_at(pos) == (hits[0] if hits else None)
    start, end = data.draw(span_strategy(n))
    over = [i for i in range(len(tok)) if tok.token_starts[i] < end and tok.token_ends[i] > start]
    if start < end:
        assert list(tok.tokens_overlapping(start, end)) == over
        assert tok.covering_tokens(start, end) == ((over[0], over[-1]) if over else None)
    aligned = [
        (i, j)
        for i in range(len(tok))
        for j in range(i, len(tok))
        if tok.token_starts[i] == start and tok.token_ends[j] == end
    ]
    assert tok.token_span(start, end) == (aligned[0] if aligned else None)


@FAST
@given(data=st.data(), layout=layouts())
def test_random_layout_snapping(data, layout):
    text, tok = layout
    start, end = data.draw(span_strategy(len(text)))
    s2, e2 = tok.snap_to_tokens(start, end)
    words = [k for k in range(start, end) if text[k] == "w"]
    if words:
        assert s2 <= words[0] and words[-1] < e2
        assert s2 in tok.token_starts and e2 in tok.token_ends
        assert text[s2] == "w" and text[e2 - 1] == "w"
    assert tok.snap_to_tokens(s2, e2) == (s2, e2)
    if tok.sentence_starts:
        a, b = tok.snap_to_sentences(start, end)
        assert a in tok.sentence_starts and b in tok.sentence_ends
        if words:
            assert a <= words[0] and words[-1] < b


# --- other value objects ------------------------------------------------------------


def test_import_report_ok_and_independent_defaults():
    r1, r2 = ImportReport(), ImportReport()
    assert r1.ok
    r1.skipped.append("x: bad")
    assert not r1.ok and r2.ok and r2.skipped == []


def test_domain_objects_are_frozen():
    doc = Document(1, "ab", "T", "s", "text")
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.title = "other"  # type: ignore[misc]
    span = Span(1, 1, "ann", 0, 4, "alarmist")
    assert span.note == "" and span.scheme_version == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.start = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        TOK.token_starts = ()  # type: ignore[misc]


def test_states():
    assert STATES == ("new", "in_progress", "done")
