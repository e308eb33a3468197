"""The store's offset and snapping functions at their edges, through a real database (see
bench/mutation.md): carets, bad arguments, unknown documents, the packed form of a
tokenization and the word tokens token-level agreement counts. Expected values are literal."""

from __future__ import annotations

import pytest

from annotator.corpus import RawDocument, text_hash
from annotator.errors import NotFoundError, ValidationError
from annotator.ingest import import_documents
from annotator.models import Tokenization
from annotator.store import Store

TEXT = "ab cd.\n\nef gh."  # tokens: ab cd . \n\n ef gh .


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "offsets.db")
    import_documents(s, [RawDocument(TEXT, "src", {}), RawDocument("x", "src", {})])
    yield s
    s.close()


def doc_of(store: Store, text: str = TEXT) -> int:
    return store.document_id_by_hash(text_hash(text))


def test_the_stored_tokens_are_the_ones_assumed(store):
    tok = store.tokenization(doc_of(store))
    assert list(zip(tok.token_starts, tok.token_ends, strict=True)) == [
        (0, 2), (3, 5), (5, 6), (6, 8), (8, 10), (11, 13), (13, 14)
    ]  # fmt: skip
    assert (tok.sentence_starts, tok.sentence_ends) == ((0, 8), (6, 14))


def test_word_tokens_leave_out_whitespace_tokens(store):
    assert store.word_tokens(doc_of(store)) == ([0, 3, 5, 8, 11, 13], [2, 5, 6, 10, 13, 14])
    assert store.word_tokens(doc_of(store, "x")) == ([0], [1])  # a single token
    with pytest.raises(NotFoundError) as err:
        store.word_tokens(999)
    assert str(err.value) == "unknown document 999"


@pytest.mark.parametrize(
    ("start", "end", "tokens", "sentence"),
    [
        (1, 1, (0, 2), (0, 6)),  # a caret inside a token snaps to it
        (2, 2, (2, 2), (0, 6)),  # a caret between tokens stays put
        (0, 14, (0, 14), (0, 14)),
        (6, 8, (6, 8), (0, 6)),  # only the blank line: unchanged; its sentence is the first
        (2, 3, (2, 3), (0, 6)),
        (4, 9, (3, 10), (0, 14)),
        (14, 14, (14, 14), (8, 14)),  # a caret at the very end of the text
        (0, 0, (0, 0), (0, 6)),  # ... and at its start
    ],
)
def test_store_snapping_allows_a_caret(store, start, end, tokens, sentence):
    doc = doc_of(store)
    assert store.snap_to_tokens(doc, start, end) == tokens
    assert store.snap_to_sentence(doc, start, end) == sentence


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("1", 2, "span start must be an integer, got '1'"),
        (1, 2.0, "span end must be an integer, got 2.0"),
        (True, 2, "span start must be an integer, got True"),
        (-1, 2, "span [-1, 2) is outside document {doc} (length 14)"),
        (0, 15, "span [0, 15) is outside document {doc} (length 14)"),
        (3, 2, "span start 3 must be before end 2"),
    ],
)
def test_store_snapping_refuses_bad_ranges_by_name(store, start, end, message):
    doc = doc_of(store)
    for snap in (store.snap_to_tokens, store.snap_to_sentence):
        with pytest.raises(ValidationError) as err:
            snap(doc, start, end)
        assert str(err.value) == message.format(doc=doc)


def test_an_unknown_document_has_no_tokenization(store):
    with pytest.raises(NotFoundError) as err:
        store.tokenization(999)
    assert str(err.value) == "unknown document 999"


def test_a_tokenization_packs_to_the_stored_bytes():
    tok = Tokenization((0, 3, 5, 7), (2, 5, 7, 9), frozenset({2}), (0, 7), (5, 9))
    # 8-bit gaps and lengths: token gaps 0,1,0,0 and lengths 2,2,2,2; sentences 0,5 and 2,2
    assert tok.packed() == (
        b"\x02\x00\x02\x01\x02\x00\x02\x00\x02",
        b"\x02\x00\x05\x02\x02",
    )
