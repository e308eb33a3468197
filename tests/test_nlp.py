"""Tokenising with spaCy: code-point offsets, line-bounded sentences, snapping.

Property tests run hypothesis over awkward Unicode (astral characters, combining
marks, right-to-left scripts, CRLF, no-break spaces) against one loaded pipeline.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotator import nlp as nlp_module
from annotator.errors import AnnotatorError
from annotator.models import Tokenization
from annotator.nlp import DEFAULT_PIPELINE, load_pipeline, tokenization_from_doc, tokenize

PROPS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

PIECES = [
    "word",
    "Russia",
    "U.S.",
    "don't",
    "e\u0301",  # e + combining acute
    "a\u0308\u0323",  # stacked combining marks
    "\U0001f600",  # emoji outside the BMP
    "\U0001f44d\U0001f3fd",  # emoji + skin-tone modifier
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # ZWJ family
    "\U0001d400\U0001d401",  # mathematical bold letters (astral)
    "مرحبا",  # Arabic
    "العالم",
    "שלום",  # Hebrew
    "\u200f",  # right-to-left mark
    "नमस्ते",  # Devanagari
    "北京",
    "2024",
    "3.14",
    "https://example.org/a?b=c",
    ".",
    "!",
    "?",
    ",",
    ";",
    '"',
    "\u201c",
    "\u201d",
    "(",
    ")",
    "-",
    "\u2014",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\u00a0",  # no-break space
    "\u2028",  # line separator
    "\u3000",  # ideographic space
    "\u2009",  # thin space
    " \n ",
]

texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=25).map("".join),
    st.text(max_size=60),
)


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(DEFAULT_PIPELINE)


def tok_of(nlp, text: str) -> Tokenization:
    return tokenization_from_doc(nlp(text))


# --- brute-force helpers ------------------------------------------------------------


def boundaries(tok: Tokenization) -> set[int]:
    return set(tok.token_starts) | set(tok.token_ends)


def brute_index_at(tok: Tokenization, pos: int) -> int | None:
    hits = [i for i in range(len(tok)) if tok.token_starts[i] <= pos < tok.token_ends[i]]
    assert len(hits) <= 1
    return hits[0] if hits else None


def brute_covering(tok: Tokenization, start: int, end: int) -> tuple[int, int] | None:
    hits = [i for i in range(len(tok)) if tok.token_starts[i] < end and tok.token_ends[i] > start]
    return (hits[0], hits[-1]) if hits else None


def brute_token_span(tok: Tokenization, start: int, end: int) -> tuple[int, int] | None:
    for i in range(len(tok)):
        for j in range(i, len(tok)):
            if tok.token_starts[i] == start and tok.token_ends[j] == end:
                return i, j
    return None


def ranges(text_len: int):
    return st.tuples(st.integers(0, text_len), st.integers(0, text_len)).map(
        lambda p: (min(p), max(p))
    )


# --- invariants of a tokenisation ---------------------------------------------------


def covered_chars(n: int, starts, ends) -> list[bool]:
    """For each of ``n`` characters, whether one of the ranges holds it."""
    covered = [False] * n
    for s, e in zip(starts, ends, strict=True):
        for k in range(s, e):
            covered[k] = True
    return covered


def check_tokenization(text: str, tok: Tokenization) -> None:
    n = len(text)
    starts, ends = tok.token_starts, tok.token_ends
    assert len(starts) == len(ends)
    prev_end = 0
    for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
        assert 0 <= prev_end <= s < e <= n, (i, s, e)  # ordered, non-empty, inside, disjoint
        prev_end = e
        piece = text[s:e]
        if i in tok.space_tokens:
            assert piece.isspace(), (i, piece)
        else:
            assert not any(c.isspace() for c in piece), (i, piece)
    # Every non-whitespace character is inside a token.
    covered = covered_chars(n, starts, ends)
    for k, ch in enumerate(text):
        if not ch.isspace():
            assert covered[k], (k, ch)
    # Gaps between tokens hold only whitespace.
    for k in range(n):
        if not covered[k]:
            assert text[k].isspace()

    bounds = boundaries(tok)
    ss, se = tok.sentence_starts, tok.sentence_ends
    assert len(ss) == len(se)
    prev = 0
    for s, e in zip(ss, se, strict=True):
        assert prev <= s < e <= n
        prev = e
        assert s in set(starts) and e in set(ends)
        assert s in bounds and e in bounds
        sent = text[s:e]
        assert sent == sent.strip(), repr(sent)  # trimmed
        assert "\n" not in sent and "\r" not in sent, repr(sent)  # never crosses a line break
    # Every non-whitespace character lies in some sentence.
    in_sentence = covered_chars(n, ss, se)
    for k, ch in enumerate(text):
        if not ch.isspace():
            assert in_sentence[k], (k, ch)


@PROPS
@given(text=texts)
@example(text="")
@example(text="   \n\n\t ")
@example(text="Hello.\r\nWorld\u00a0again\u2028more \U0001f600.\n")
@example(text="\u05e9\u05dc\u05d5\u05dd. \u0645\u0631\u062d\u0628\u0627!\nok")
def test_tokenization_invariants(nlp, text):
    check_tokenization(text, tok_of(nlp, text))


@PROPS
@given(data=st.data(), text=texts)
def test_snap_to_tokens_properties(nlp, data, text):
    tok = tok_of(nlp, text)
    start, end = data.draw(ranges(len(text)))
    s2, e2 = tok.snap_to_tokens(start, end)
    non_ws = [k for k in range(start, end) if not text[k].isspace()]
    if non_ws:
        assert s2 <= non_ws[0] and non_ws[-1] < e2, (start, end, s2, e2)
        assert s2 in set(tok.token_starts) and e2 in set(tok.token_ends)
        # Whitespace at the edges is dropped.
        assert not text[s2].isspace() and not text[e2 - 1].isspace()
        # Only grows to whole tokens: never swallows another word outside the selection's tokens.
        assert brute_covering(tok, s2, e2) == (tok.token_index_at(s2), tok.token_index_at(e2 - 1))
    else:
        assert (s2, e2) == (start, end) or (
            s2 in set(tok.token_starts) and e2 in set(tok.token_ends)
        )
    assert 0 <= s2 <= e2 <= len(text)
    assert tok.snap_to_tokens(s2, e2) == (s2, e2)  # idempotent


@PROPS
@given(data=st.data(), text=texts)
def test_snap_to_sentences_properties(nlp, data, text):
    tok = tok_of(nlp, text)
    start, end = data.draw(ranges(len(text)))
    s2, e2 = tok.snap_to_sentences(start, end)
    assert 0 <= s2 <= e2 <= len(text)
    if not tok.sentence_starts:
        assert (s2, e2) == (start, end)
        return
    assert s2 in tok.sentence_starts and e2 in tok.sentence_ends
    non_ws = [k for k in range(start, end) if not text[k].isspace()]
    if non_ws:
        assert s2 <= non_ws[0] and non_ws[-1] < e2, (start, end, s2, e2)
    assert tok.snap_to_sentences(s2, e2) == (s2, e2)


@PROPS
@given(data=st.data(), text=texts)
def test_lookups_agree_with_brute_force(nlp, data, text):
    tok = tok_of(nlp, text)
    for pos in range(-1, len(text) + 2):
        assert tok.token_index_at(pos) == brute_index_at(tok, pos), pos
    start, end = data.draw(ranges(len(text)))
    if start < end:
        assert tok.covering_tokens(start, end) == brute_covering(tok, start, end)
        assert list(tok.tokens_overlapping(start, end)) == [
            i for i in range(len(tok)) if tok.token_starts[i] < end and tok.token_ends[i] > start
        ]
    assert tok.token_span(start, end) == brute_token_span(tok, start, end)
    # Aligned ranges built from real tokens are recognised.
    if len(tok):
        i = data.draw(st.integers(0, len(tok) - 1))
        j = data.draw(st.integers(i, len(tok) - 1))
        assert tok.token_span(tok.token_starts[i], tok.token_ends[j]) == (i, j)
        assert tok.covering_tokens(tok.token_starts[i], tok.token_ends[j]) == (i, j)


def reference_tokenization(doc) -> Tokenization:
    """The rules spelled out token by token through spaCy's own attributes (slow, plain)."""
    n = len(doc)
    space = frozenset(t.i for t in doc if t.is_space)
    starts_sent = [t.i == 0 or bool(t.is_sent_start) for t in doc]
    for t in doc:
        if t.is_space and ("\n" in t.text or "\r" in t.text) and t.i + 1 < n:
            starts_sent[t.i + 1] = True
    sentences: list[list[int]] = []
    for t in doc:
        if starts_sent[t.i]:
            sentences.append([])
        if not t.is_space:
            sentences[-1].append(t.i)
    sentences = [s for s in sentences if s]
    return Tokenization(
        tuple(t.idx for t in doc),
        tuple(t.idx + len(t) for t in doc),
        space,
        tuple(doc[s[0]].idx for s in sentences),
        tuple(doc[s[-1]].idx + len(doc[s[-1]]) for s in sentences),
    )


@settings(PROPS, max_examples=300)
@given(text=texts)
@example(text=" leading space")
@example(text="trailing \u3000\u2029 \x1c\x85")
@example(text="a\rb \r\n\r c")
def test_vectorised_offsets_equal_the_token_by_token_rules(nlp, text):
    """The import's numpy path (first character decides whitespace; any line break starts a
    sentence) gives exactly what spaCy's per-token attributes give."""
    assert tok_of(nlp, text) == reference_tokenization(nlp(text))


@settings(PROPS, max_examples=100)
@given(batch=st.lists(texts, max_size=12), size=st.integers(1, 5))
def test_batched_offsets_equal_each_text_alone(nlp, monkeypatch, batch, size):
    """Offsets are computed per nlp.pipe batch: texts (empty, blank, ending in a line
    break) never leak tokens or sentences into their neighbours."""
    monkeypatch.setattr(nlp_module, "BATCH_SIZE", size)
    assert list(tokenize(batch)) == [reference_tokenization(nlp(t)) for t in batch]


# --- concrete cases -----------------------------------------------------------------


def test_offsets_are_code_points_not_utf16_or_bytes(nlp):
    text = "\U0001f600 Ok \u00e9t\u00e9 \U0001d400\U0001d401 e\u0301 done"
    tok = tok_of(nlp, text)
    words = [text[s:e] for s, e in zip(tok.token_starts, tok.token_ends, strict=True)]
    assert words == ["\U0001f600", "Ok", "\u00e9t\u00e9", "\U0001d400\U0001d401", "e\u0301", "done"]
    assert tok.token_starts[-1] == text.index("done")


def test_sentences_split_on_punctuation_and_line_breaks(nlp):
    text = "  First one. Second one!\nA heading without a stop\n\nLast line  \n"
    tok = tok_of(nlp, text)
    sents = [text[s:e] for s, e in zip(tok.sentence_starts, tok.sentence_ends, strict=True)]
    assert sents == ["First one.", "Second one!", "A heading without a stop", "Last line"]


def test_crlf_line_break_ends_sentence(nlp):
    text = "Line one without stop\r\nline two"
    tok = tok_of(nlp, text)
    sents = [text[s:e] for s, e in zip(tok.sentence_starts, tok.sentence_ends, strict=True)]
    assert sents == ["Line one without stop", "line two"]


def test_empty_and_whitespace_texts(nlp):
    assert tok_of(nlp, "") == Tokenization((), ())
    tok = tok_of(nlp, " \n\t\u00a0")
    assert tok.sentence_starts == () and tok.sentence_ends == ()
    assert set(tok.space_tokens) == set(range(len(tok)))
    assert tok.snap_to_tokens(0, 2) == (0, 2)


def test_snap_examples(nlp):
    text = "The axis of\n\nevil is here."
    tok = tok_of(nlp, text)
    # Partial word selection grows to the whole word.
    assert tok.snap_to_tokens(5, 7) == (4, 8)
    # Selection starting in the blank lines snaps to the paragraph's first word.
    assert tok.snap_to_tokens(11, 15) == (13, 17)
    # Caret inside a word (empty range) picks that word.
    assert tok.snap_to_tokens(14, 14) == (13, 17)
    assert tok.snap_to_sentences(5, 7) == (0, 11)
    assert tok.snap_to_sentences(5, 15) == (0, len(text))


def test_tokenize_yields_one_tokenization_per_text_in_order(nlp):
    texts_in = ["One.", "", "Two words\nhere", "\U0001f600"]
    out = list(tokenize(texts_in))
    assert len(out) == len(texts_in)
    for text, tok in zip(texts_in, out, strict=True):
        assert tok == tok_of(nlp, text)
        check_tokenization(text, tok)


def test_tokenize_accepts_a_generator():
    out = list(tokenize(t for t in ["a b", "c"]))
    assert [len(t) for t in out] == [2, 1]


def test_load_pipeline_is_cached_and_has_sentencizer():
    nlp1 = load_pipeline(DEFAULT_PIPELINE)
    assert nlp1 is load_pipeline(DEFAULT_PIPELINE)
    assert nlp1.has_pipe("sentencizer")


def test_unknown_pipeline_is_a_user_error():
    with pytest.raises(AnnotatorError, match="not installed"):
        load_pipeline("no_such_pipeline_xyz")


# --- long texts: pieces, spaCy's max_length, per-text failures ---------------------------

LINES = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=40).map("".join)


@settings(PROPS, max_examples=200)
@given(text=st.one_of(texts, LINES), limit=st.integers(1, 30))
@example(text="A b.\nC d\n\n  E f.\nG", limit=3)
@example(text="Ends.\n", limit=1)
@example(text="a\n\n b\n\u00a0c\n\u2028d", limit=1)
def test_text_in_pieces_tokenises_as_the_whole(nlp, monkeypatch, text, limit):
    """Cutting a text into pieces at line starts (how texts longer than CHUNK_CHARS go
    through spaCy) gives exactly the tokens and sentences of the whole text."""
    monkeypatch.setattr(nlp_module, "CHUNK_CHARS", limit)
    assert list(tokenize([text, "x"])) == [reference_tokenization(nlp(text)), tok_of(nlp, "x")]


@settings(PROPS, max_examples=200)
@given(text=st.one_of(texts, LINES), limit=st.integers(1, 30), mid_line=st.booleans())
def test_pieces_cover_the_text_at_word_starts(text, limit, mid_line):
    pieces = nlp_module._pieces(text, limit, mid_line)
    assert "".join(p for _, p in pieces) == text
    assert [o for o, _ in pieces] == [
        sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))
    ]
    for offset, _piece in pieces[1:]:
        assert not text[offset].isspace()
        assert text[offset - 1] == "\n" or (mid_line and text[offset - 1].isspace())
    for offset, piece in pieces[:-1]:  # a piece is longer than the limit only where it must be
        if len(piece) > limit:
            window = text[offset + 1 : offset + limit + 1]
            assert not any(
                (text[offset + j] == "\n" or (mid_line and text[offset + j].isspace()))
                and not text[offset + j + 1].isspace()
                for j in range(len(window))
            )


@settings(PROPS, max_examples=100)
@given(text=LINES, limit=st.integers(1, 30))
def test_mid_line_pieces_keep_the_tokens(nlp, text, limit):
    """A model pipeline's pieces may be cut inside a line (before a word): the tokens are
    still exactly the whole text's."""
    arrays = nlp_module._arrays_of(nlp, [text], limit, light=False)
    [got] = nlp_module._offsets_of_batch(arrays, [text])
    want = reference_tokenization(nlp(text))
    assert (tuple(got.token_starts.tolist()), tuple(got.token_ends.tolist())) == (
        want.token_starts,
        want.token_ends,
    )


def big_text(n_chars: int) -> str:
    para = (
        "Officials in Moscow, Tehran and Pyongyang met again on Tuesday. \u201cWe are not"
        " an axis,\u201d one said\u2014but the U.S. disagreed!\n\n"
    )
    lines = [f"{i}. {para}" for i in range(n_chars // len(para) + 1)]
    return "".join(lines)[:n_chars]


def test_text_over_spacy_max_length_tokenises_as_with_the_limit_raised():
    """Over spaCy's default limit of 1,000,000 characters (error E088 before): the same
    tokens and sentences as a pipeline whose max_length is raised to take it whole."""
    import spacy

    text = big_text(1_200_000)
    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    assert len(text) > reference.max_length
    reference.max_length = 2 * len(text)
    [got] = tokenize([text])
    assert got == tokenization_from_doc(reference(text), text)
    assert len(got) > 200_000


def test_one_long_line_of_a_light_pipeline_is_tokenised_whole(nlp, monkeypatch):
    monkeypatch.setattr(nlp_module, "CHUNK_CHARS", 10)
    text = "no line break in this long text at all. " * 5
    assert list(tokenize([text])) == [reference_tokenization(nlp(text))]


def test_a_text_spacy_fails_on_is_given_up_alone(nlp, monkeypatch):
    """A model pipeline (not light) with a stretch without whitespace longer than its
    max_length: that text is Untokenizable with a one-line reason, the others in its
    batch are tokenised; tokenize() raises AnnotatorError for it."""
    monkeypatch.setattr(nlp_module, "is_light", lambda _nlp: False)
    monkeypatch.setattr(nlp, "max_length", 50)
    ok1, bad, ok2 = "A short text.", "x" * 60, "Another one\nhere."
    out = list(nlp_module.tokenize_each([ok1, bad, ok2]))
    assert isinstance(out[1], nlp_module.Untokenizable)
    assert "max_length" in out[1].reason and "\n" not in out[1].reason
    assert [o.to_tokenization(t) for o, t in ((out[0], ok1), (out[2], ok2))] == [
        tok_of(nlp, ok1),
        tok_of(nlp, ok2),
    ]
    with pytest.raises(AnnotatorError, match="max_length"):
        list(tokenize([ok1, bad]))


def test_default_pipeline_is_light_and_takes_any_length():
    nlp = load_pipeline(DEFAULT_PIPELINE)
    assert nlp_module.is_light(nlp) and nlp.max_length >= 10 * 1024 * 1024


def test_a_blank_pipeline_of_an_unknown_language_is_a_one_line_error():
    """``--spacy-model blank:zz`` printed spaCy's ImportError as a traceback."""
    with pytest.raises(AnnotatorError, match="'blank:zz': spaCy has no language 'zz'"):
        list(tokenize(["A text."], "blank:zz"))
