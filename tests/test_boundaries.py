"""Edges tested on purpose, with literal expected values worked out by hand.

Each encoder, matcher and offset map is exercised exactly at its boundaries (255/256,
65535/65536, 2**32 - 1, touching and nested spans, a span starting at a token's end, each
escaped character). The expected values are written out, never recomputed with the code
under test; several of these tests kill a mutant that the property tests let live (see
bench/mutation.md).
"""

from __future__ import annotations

import json
from itertools import combinations_with_replacement

import numpy as np
import pytest

from annotator.agreement.spans import (
    _gaps,
    _max_overlap_matching,
    _observed,
    _token_mask,
    _units,
    pairwise_f1,
    span_f1,
)
from annotator.atomic import dumps_line
from annotator.corpus import RawDocument, text_hash
from annotator.export import records
from annotator.gui.offsets import OffsetMap, display_text
from annotator.ingest import import_documents
from annotator.merge import merge_database
from annotator.models import Tokenization
from annotator.packing import pack, pack_many, unpack
from annotator.store import Store


def le16(*values: int) -> bytes:
    return b"".join(v.to_bytes(2, "little") for v in values)


def le32(*values: int) -> bytes:
    return b"".join(v.to_bytes(4, "little") for v in values)


# --------------------------------------------------------------------------- packing
# Tag bytes: 1 = absolute 32-bit offsets, 2 = 8-bit gaps/lengths, 3 = 16-bit gaps/lengths.

PACKED = [
    # (starts, ends, blob)
    ([], [], b"\x02"),
    ([0], [0], b"\x02\x00\x00"),
    ([0], [255], b"\x02\x00\xff"),  # the largest 8-bit length
    ([0], [256], b"\x03" + le16(0, 256)),  # one more: 16 bits
    ([255], [256], b"\x02\xff\x01"),  # the largest 8-bit first gap
    ([256], [257], b"\x03" + le16(256, 1)),
    ([0, 255], [0, 255], b"\x02\x00\x00\xff\x00"),  # a later gap of 255
    ([0, 256], [0, 256], b"\x03" + le16(0, 0, 256, 0)),  # a later gap of 256
    ([0], [65535], b"\x03" + le16(0, 65535)),  # the largest 16-bit length
    ([0], [65536], b"\x01" + le32(0, 65536)),  # one more: absolute offsets
    ([65535], [65535], b"\x03" + le16(65535, 0)),
    ([65536], [65536], b"\x01" + le32(65536, 65536)),
    ([2**32 - 1], [2**32 - 1], b"\x01" + le32(2**32 - 1, 2**32 - 1)),  # the largest offset
    ([0], [2**32 - 1], b"\x01" + le32(0, 2**32 - 1)),
    ([5, 3], [6, 4], b"\x01" + le32(5, 3, 6, 4)),  # unsorted: absolute
    ([0, 1], [5, 3], b"\x01" + le32(0, 1, 5, 3)),  # nested (overlapping): absolute
    ([0, 3], [3, 5], b"\x02\x00\x03\x00\x02"),  # touching ranges: gap 0
]


@pytest.mark.parametrize(("starts", "ends", "blob"), PACKED)
def test_pack_at_the_format_boundaries(starts, ends, blob):
    assert pack(starts, ends) == blob
    assert unpack(blob) == (tuple(starts), tuple(ends))


REFUSED = r"^offsets must lie in \[0, 2\*\*32\)$"


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ([0], [2**32]),
        ([2**32], [2**32]),
        ([-1], [0]),
        ([0], [-1]),
        ([3, 2**32], [4, 2**32 + 1]),
        ([0], [2**64]),  # beyond 64 bits
        ([2**64], [0]),
        ([-(2**63) - 1], [0]),
    ],
)
def test_offsets_just_outside_32_bits_are_refused(starts, ends):
    with pytest.raises(ValueError, match=REFUSED):
        pack(starts, ends)


def test_sorted_short_ranges_whose_last_end_passes_2_to_the_32_are_refused():
    # 65537 ranges of 65535 characters end exactly at 2**32 - 1: allowed, 16-bit gaps.
    n = 65537
    starts = np.arange(n, dtype=np.int64) * 65535
    ends = starts + 65535
    assert int(ends[-1]) == 2**32 - 1
    blob = pack(starts, ends)
    assert blob[:1] == b"\x03" and len(blob) == 1 + 4 * n
    back = unpack(blob)
    assert (back[0][-1], back[1][-1], back[1][-2]) == (2**32 - 65536, 2**32 - 1, 2**32 - 65536)
    # One more character in a range of its own: the last end is 2**32, refused; every
    # gap and length still fits 16 bits, and the range before it ends below 2**32.
    with pytest.raises(ValueError, match=REFUSED):
        pack([*starts.tolist(), 2**32 - 1], [*ends.tolist(), 2**32])


def test_unsigned_offsets_of_64_bits_are_refused_not_wrapped():
    big = np.array([2**63], dtype=np.uint64)
    with pytest.raises(ValueError, match=REFUSED):
        pack_many(big, big, [0, 1])


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64, np.int32])
def test_batch_encoding_of_narrow_or_unsigned_arrays(dtype):
    # 0..130 and 200..250: gaps and lengths 0, 130, 70, 50 fit 8 bits
    blobs = pack_many(np.array([0, 200], dtype=dtype), np.array([130, 250], dtype=dtype), [0, 2])
    assert blobs == [b"\x02\x00\x82\x46\x32"]
    # a later start before an earlier end (overlap) in unsigned arrays must not wrap
    blobs = pack_many(np.array([10, 5], dtype=dtype), np.array([20, 8], dtype=dtype), [0, 2])
    assert blobs == [b"\x01" + le32(10, 5, 20, 8)]


@pytest.mark.parametrize(
    ("starts", "ends"), [([2**63], [0]), ([0], [2**63]), ([0, 2**64 - 1], [1, 2**64 - 1])]
)
def test_either_unsigned_offset_of_64_bits_is_refused(starts, ends):
    with pytest.raises(ValueError, match=REFUSED):
        pack_many(
            np.array(starts, dtype=np.uint64), np.array(ends, dtype=np.uint64), [0, len(starts)]
        )


def test_a_batch_of_empty_texts():
    none = np.array([], dtype=np.int64)
    assert pack_many(none, none, [0, 0, 0]) == [b"\x02", b"\x02"]
    assert pack_many(none, none, [0]) == []


def test_batch_encoding_picks_the_width_per_text_at_each_boundary():
    starts = np.array([0, 3, 0, 0, 7], dtype=np.int64)
    ends = np.array([3, 259, 255, 65536, 7], dtype=np.int64)
    # texts: [0,3)+[3,259) | (empty) | [0,255) | [0,65536) | [7,7)
    blobs = pack_many(starts, ends, [0, 2, 2, 3, 4, 5])
    assert blobs == [
        b"\x03" + le16(0, 3, 0, 256),
        b"\x02",
        b"\x02\x00\xff",
        b"\x01" + le32(0, 65536),
        b"\x02\x07\x00",
    ]


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", "empty offset blob"),
        (b"\x02\x00", "offset blob of 2 bytes is torn"),
        (b"\x03\x00\x00\x00", "offset blob of 4 bytes is torn"),
        (b"\x01" + le32(0), "offset blob of 5 bytes is torn"),
        (b"\x04\x00\x00", "unknown offset blob format 4"),
        (b"\x00", "unknown offset blob format 0"),
    ],
)
def test_torn_or_unknown_blobs_are_refused_with_their_size(blob, message):
    with pytest.raises(ValueError) as err:
        unpack(blob)
    assert str(err.value) == message


def test_mismatched_lengths_name_both_counts():
    with pytest.raises(ValueError) as err:
        pack([0, 1], [1])
    assert str(err.value) == "2 starts but 1 ends"


def test_smallest_blobs_of_each_width_decode():
    assert unpack(b"\x02") == ((), ())
    assert unpack(b"\x03") == ((), ())
    assert unpack(b"\x01") == ((), ())
    assert unpack(b"\x03" + le16(65535, 65535)) == ((65535,), (131070,))


# --------------------------------------------------------------------------- span matching


def lab(*spans: tuple[int, int]) -> list[tuple[int, int, str]]:
    return [(s, e, "x") for s, e in spans]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # touching spans share no character
        (lab((0, 5)), lab((5, 10)), (0, 1, 1)),
        (lab((5, 10)), lab((0, 5)), (0, 1, 1)),
        # one shared character is enough
        (lab((0, 5)), lab((4, 10)), (1, 0, 0)),
        (lab((4, 10)), lab((0, 5)), (1, 0, 0)),
        # nested either way
        (lab((0, 20)), lab((6, 8)), (1, 0, 0)),
        (lab((6, 8)), lab((0, 20)), (1, 0, 0)),
        # the case: (3, 5) touches (5, 9) and must not be matched to it
        (lab((5, 9), (6, 8)), lab((0, 20), (3, 5)), (1, 1, 1)),
        # an empty span overlaps nothing, not even a span around it
        (lab((3, 3)), lab((0, 10)), (0, 1, 1)),
        (lab((0, 10)), lab((3, 3)), (0, 1, 1)),
        # a maximum matching, not a greedy one
        (lab((0, 10), (9, 11)), lab((0, 3), (8, 12)), (2, 0, 0)),
        # a long span far back is still found (the running maximum of ends)
        (lab((50, 60)), lab((0, 100), (10, 12), (20, 22)), (1, 2, 0)),
        (lab((50, 60)), lab((0, 50), (10, 12), (60, 70)), (0, 3, 1)),
        # one-to-one: two spans inside one are one match
        (lab((0, 10)), lab((1, 2), (3, 4)), (1, 1, 0)),
        # the label must agree
        ([(0, 5, "x")], [(0, 5, "y")], (0, 1, 1)),
        # an augmenting path must rewire an earlier augmentation (3 of 4 matched)
        (lab((0, 4), (5, 7), (3, 6), (11, 17)), lab((0, 1), (7, 12), (3, 7)), (3, 0, 1)),
        # nothing on one side
        ([], lab((0, 5)), (0, 1, 0)),
        (lab((0, 5)), [], (0, 0, 1)),
    ],
)
def test_overlap_matching_at_the_edges(a, b, expected):
    assert span_f1(a, b, "overlap") == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (lab((0, 5)), lab((0, 5)), (1, 0, 0)),
        (lab((0, 5)), lab((0, 6)), (0, 1, 1)),
        (lab((0, 5)), lab((1, 5)), (0, 1, 1)),
        (lab((0, 5), (0, 5)), lab((0, 5)), (1, 0, 1)),  # duplicates count as often as given
        ([(0, 5, "x")], [(0, 5, "y")], (0, 1, 1)),
    ],
)
def test_exact_matching_at_the_edges(a, b, expected):
    assert span_f1(a, b, "exact") == expected


def _brute_force_matching(a, b):
    """Largest one-to-one matching of spans sharing a character, by trying every choice."""
    if not a:
        return 0
    (s, e), rest = a[0], a[1:]
    best = _brute_force_matching(rest, b)  # a[0] unmatched
    for k, (bs, be) in enumerate(b):
        if max(s, bs) < min(e, be):  # a shared character
            best = max(best, 1 + _brute_force_matching(rest, b[:k] + b[k + 1 :]))
    return best


def test_overlap_matching_equals_brute_force_on_every_small_case():
    """Every pair of lists of up to two spans on [0, 4] (empty, touching, nested, equal)."""
    grid = [(s, e) for s in range(5) for e in range(s, 5)]
    lists = [list(c) for n in range(3) for c in combinations_with_replacement(grid, n)]
    for a in lists:
        for b in lists:
            assert _max_overlap_matching(a, b) == _brute_force_matching(a, b), (a, b)


def test_matching_against_nothing_is_zero():
    assert _max_overlap_matching([], [(0, 5)]) == 0
    assert _max_overlap_matching([(0, 5)], []) == 0
    assert _max_overlap_matching([], []) == 0


def test_the_default_mode_is_exact_and_an_unknown_mode_is_named():
    assert span_f1([(0, 5, "x")], [(1, 5, "x")]) == (0, 1, 1)  # overlap would match
    docs = {1: {"ana": [(0, 5, "x")], "ben": [(1, 5, "x")]}}
    assert pairwise_f1(docs).value == 0.0
    with pytest.raises(ValueError) as err:
        span_f1([], [], "fuzzy")
    assert str(err.value) == "mode must be one of ('exact', 'overlap'), not 'fuzzy'"


def test_a_label_filter_counts_only_that_label():
    a = [(0, 5, "x"), (0, 5, "y")]
    b = [(0, 5, "x"), (6, 9, "y")]
    assert span_f1(a, b, "exact", label="y") == (0, 1, 1)
    assert span_f1(a, b, "exact", label="x") == (1, 0, 0)


@pytest.mark.parametrize(
    ("spans", "mask"),
    [
        # tokens [0, 2) [3, 5) [6, 9)
        ([(2, 3)], [0, 0, 0]),  # starts at a token's end, ends at the next one's start
        ([(2, 4)], [0, 1, 0]),
        ([(1, 3)], [1, 0, 0]),
        ([(0, 2)], [1, 0, 0]),
        ([(5, 6)], [0, 0, 0]),
        ([(4, 4)], [0, 0, 0]),  # an empty span inside a token marks nothing
        ([(0, 9)], [1, 1, 1]),
        ([(8, 20)], [0, 0, 1]),
        ([(0, 1), (0, 1), (4, 7)], [1, 1, 1]),  # duplicates and a span over two tokens
        ([], [0, 0, 0]),
    ],
)
def test_token_mask_at_token_edges(spans, mask):
    starts, ends = np.array([0, 3, 6]), np.array([2, 5, 9])
    assert _token_mask(starts, ends, spans).tolist() == mask


def test_unitizing_units_are_clipped_merged_and_never_empty():
    spans = [(3, 3, "x"), (0, 2, "x"), (1, 4, "x"), (6, 9, "y"), (8, 12, "x"), (-2, 0, "x")]
    assert _units(spans, "x", 10) == [(0, 4), (8, 10)]
    assert _units([(0, 2, "x"), (2, 4, "x")], "x", 10) == [(0, 2), (2, 4)]  # touching: two
    assert _units([(2, 8, "x"), (3, 5, "x")], "x", 10) == [(2, 8)]  # nested: one
    assert _gaps([(0, 4), (8, 10)], 10) == [4]  # no empty gap at either end
    assert _gaps([(2, 4)], 6) == [2, 2]
    assert _gaps([], 5) == [5]


def test_observed_disagreement_of_two_coders_sections():
    # overlapping: (0-2)**2 + (4-4)**2 = 4; the unmatched (5, 8) adds its length squared
    assert _observed([(0, 4), (5, 8)], [(2, 4)]) == 13.0
    assert _observed([(0, 2)], [(5, 8)]) == 4.0 + 9.0
    assert _observed([(0, 4)], [(0, 4)]) == 0.0
    assert _observed([(0, 4)], [(4, 8)]) == 16.0 + 16.0  # touching: no overlap


# --------------------------------------------------------------------------- code points <-> UTF-16


def test_utf16_map_at_the_plane_boundary():
    bmp = OffsetMap("\uffff")  # the last BMP character: one unit
    assert (bmp.identity, bmp.length, bmp.length16) == (True, 1, 1)
    astral = OffsetMap("\U00010000")  # the first astral character: two units
    assert (astral.identity, astral.length, astral.length16) == (False, 1, 2)
    assert [astral.to_utf16(i) for i in range(2)] == [0, 2]
    assert [astral.to_codepoint(i) for i in range(3)] == [0, 0, 1]
    assert [astral.to_codepoint(i, round_up=True) for i in range(3)] == [0, 1, 1]


def test_utf16_map_with_astral_characters_first_last_and_side_by_side():
    text = "😀😀a😀"  # code points 0..4; UTF-16 units: 😀=0,1 😀=2,3 a=4 😀=5,6
    m = OffsetMap(text)
    assert (m.length, m.length16, m.identity) == (4, 7, False)
    assert [m.to_utf16(i) for i in range(5)] == [0, 2, 4, 5, 7]
    assert [m.to_codepoint(j) for j in range(8)] == [0, 0, 1, 1, 2, 3, 3, 4]
    assert [m.to_codepoint(j, round_up=True) for j in range(8)] == [0, 1, 1, 2, 2, 3, 4, 4]
    assert m.range_to_utf16(1, 3) == (2, 5)
    assert m.range_to_codepoint(1, 6) == (0, 4)  # both ends inside a pair: widened
    assert m.range_to_codepoint(2, 4) == (1, 2)


def test_utf16_map_of_text_without_astral_characters_is_the_identity():
    m = OffsetMap("ab\u2028\u00a0é")
    assert (m.identity, m.length, m.length16) == (True, 5, 5)
    assert [m.to_utf16(i) for i in range(6)] == [0, 1, 2, 3, 4, 5]
    assert m.to_codepoint(3, round_up=True) == 3
    empty = OffsetMap("")
    assert (empty.identity, empty.length, empty.length16) == (True, 0, 0)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\r\nb", "a\n\nb"),  # one unit per unit: CR LF stays two positions
        ("\ra\rb\r", "\na\nb\n"),
        ("a\nb", "a\nb"),
        ("", ""),
        ("😀\r😀", "😀\n😀"),
    ],
)
def test_display_text_replaces_each_carriage_return_by_one_newline(text, shown):
    assert display_text(text) == shown
    assert len(display_text(text)) == len(text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\ufdd0b", "a\ufffdb"),  # each of Qt's frame markers alone is replaced
        ("a\ufdd1b", "a\ufffdb"),
        ("\ufdd0\ufdd1", "\ufffd\ufffd"),
        ("\ufeffx", "\u2060x"),  # a leading byte-order mark would be dropped by the binding
        ("\ufffex", "\ufffdx"),
        ("\ufeff", "\u2060"),
        ("x\ufeff\ufffe", "x\ufeff\ufffe"),  # only a leading one is touched
        ("\r\ufeff", "\n\ufeff"),  # leading after the \r is replaced, not before
        ("\u2060\ufffd", "\u2060\ufffd"),
    ],
)
def test_display_text_replaces_frame_markers_and_a_leading_bom(text, shown):
    assert display_text(text) == shown


# --------------------------------------------------------------------------- JSONL escaping


@pytest.mark.parametrize(
    ("char", "escape"),
    [("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\x85", "\\u0085")],
)
def test_each_line_breaking_character_is_escaped(char, escape):
    line = dumps_line({"text": f"a{char}b", f"k{char}": char})
    assert line == f'{{"text": "a{escape}b", "k{escape}": "{escape}"}}'
    assert char not in line
    assert line.splitlines() == [line]
    assert json.loads(line) == {"text": f"a{char}b", f"k{char}": char}


def test_characters_next_to_the_escaped_ones_stay_readable():
    # U+2027 and U+202A sit either side of the two separators; U+0084/U+0086 beside NEL.
    text = "\u2027\u202a\x84\x86é😀\u00a0"
    assert dumps_line({"t": text}) == '{"t": "' + text + '"}'
    assert dumps_line({"t": "\n\r\t"}) == '{"t": "\\n\\r\\t"}'


# --------------------------------------------------------------------------- export token indices


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "edges.db")
    yield s
    s.close()


@pytest.mark.parametrize(
    ("start", "end", "token_start", "token_end"),
    [
        # "ab cd" has the tokens ab [0, 2) and cd [3, 5)
        (2, 5, 1, 1),  # " cd": starts at the end of "ab", so "ab" is not in it
        (0, 3, 0, 0),  # "ab ": ends at the start of "cd", so "cd" is not in it
        (2, 3, None, None),  # the space alone: no token
        (1, 4, 0, 1),  # "b c": a character of each
        (0, 5, 0, 1),
        (3, 5, 1, 1),
        (0, 2, 0, 0),
        (4, 5, 1, 1),
    ],
)
def test_export_token_indices_at_token_edges(store, start, end, token_start, token_end):
    import_documents(store, [RawDocument("ab cd", "src", {})])
    doc_id = store.document_id_by_hash(text_hash("ab cd"))
    label = store.scheme.label_names[0]
    store.add_span(doc_id, "ana", start, end, label)
    [rec] = records(store)
    assert [(t["start"], t["end"]) for t in rec["tokens"]] == [(0, 2), (3, 5)]  # as assumed
    [span] = rec["spans"]
    assert (span["token_start"], span["token_end"]) == (token_start, token_end)
    assert span["text"] == "ab cd"[start:end]


# --------------------------------------------------------------------------- merge


def test_a_conflict_in_document_labels_alone_is_a_conflict(store, tmp_path):
    """Same spans, different dominant frame: both values are kept, none is dropped."""
    text = "Shared article: the same spans, another dominant frame."
    import_documents(store, [RawDocument(text, "src", {})])
    doc = store.document_id_by_hash(text_hash(text))
    label = store.scheme.label_names[0]
    other_label = store.scheme.label_names[1]
    store.add_span(doc, "ana", 0, 6, label)
    store.set_doc_label(doc, "ana", "dominant_frame", label)
    with Store(tmp_path / "other.db") as other:
        import_documents(other, [RawDocument(text, "src", {})])
        theirs = other.document_id_by_hash(text_hash(text))
        other.add_span(theirs, "ana", 0, 6, label)
        other.set_doc_label(theirs, "ana", "dominant_frame", other_label)

    report = merge_database(store, tmp_path / "other.db")

    [conflict] = report.conflicts
    assert (conflict.coder, conflict.kept_as) == ("ana", "ana@other")
    assert store.doc_labels(doc, "ana") == {"dominant_frame": label}
    assert store.doc_labels(doc, "ana@other") == {"dominant_frame": other_label}
    assert [(s.start, s.end, s.label) for s in store.spans(doc, "ana@other")] == [(0, 6, label)]
    assert (report.spans_added, report.doc_labels_set) == (1, 1)


def test_a_document_label_only_the_other_side_has_is_added_without_conflict(store, tmp_path):
    text = "Shared article: the other side adds a field."
    import_documents(store, [RawDocument(text, "src", {})])
    doc = store.document_id_by_hash(text_hash(text))
    label = store.scheme.label_names[0]
    store.add_span(doc, "ana", 0, 6, label)
    with Store(tmp_path / "other.db") as other:
        import_documents(other, [RawDocument(text, "src", {})])
        theirs = other.document_id_by_hash(text_hash(text))
        other.add_span(theirs, "ana", 0, 6, label)
        other.set_doc_label(theirs, "ana", "dominant_frame", label)

    report = merge_database(store, tmp_path / "other.db")

    assert report.conflicts == []
    assert store.doc_labels(doc, "ana") == {"dominant_frame": label}
    assert (report.spans_added, report.doc_labels_set) == (0, 1)


# --------------------------------------------------------------------------- token and sentence snapping

# "ab cd\n\nef": tokens ab [0, 2), cd [3, 5), a blank line [5, 7) (whitespace), ef [7, 9);
# sentences [0, 5) and [7, 9).
TOK = Tokenization((0, 3, 5, 7), (2, 5, 7, 9), frozenset({2}), (0, 7), (5, 9))


def test_token_at_each_position():
    assert [TOK.token_index_at(p) for p in range(10)] == [0, 0, None, 1, 1, 2, 2, 3, 3, None]


@pytest.mark.parametrize(
    ("start", "end", "overlapping", "covering", "aligned"),
    [
        (2, 3, [], None, None),  # starts at a token's end, ends at the next one's start
        (2, 4, [1], (1, 1), None),
        (1, 3, [0], (0, 0), None),
        (0, 2, [0], (0, 0), (0, 0)),
        (3, 5, [1], (1, 1), (1, 1)),
        (0, 5, [0, 1], (0, 1), (0, 1)),
        (1, 5, [0, 1], (0, 1), None),
        (0, 4, [0, 1], (0, 1), None),
        (1, 1, [0], (0, 0), None),  # a caret inside a token
        (2, 2, [], None, None),  # a caret at a token's end
        (0, 0, [], None, None),  # a caret at a token's start
        (5, 9, [2, 3], (2, 3), (2, 3)),
        (0, 9, [0, 1, 2, 3], (0, 3), (0, 3)),
        (3, 2, [], None, None),  # reversed
    ],
)
def test_token_ranges_at_token_edges(start, end, overlapping, covering, aligned):
    assert list(TOK.tokens_overlapping(start, end)) == overlapping
    assert TOK.covering_tokens(start, end) == covering
    assert TOK.token_span(start, end) == aligned


@pytest.mark.parametrize(
    ("start", "end", "snapped"),
    [
        (1, 4, (0, 5)),
        (4, 8, (3, 9)),
        (5, 7, (5, 7)),  # only the blank line: unchanged
        (5, 8, (7, 9)),  # the blank line at the start is dropped
        (1, 6, (0, 5)),  # ... and at the end
        (2, 3, (2, 3)),  # touches no token: unchanged
        (2, 2, (2, 2)),
        (0, 9, (0, 9)),
        (8, 9, (7, 9)),
    ],
)
def test_snap_to_tokens_at_the_edges(start, end, snapped):
    assert TOK.snap_to_tokens(start, end) == snapped


@pytest.mark.parametrize(
    ("start", "end", "snapped"),
    [
        (3, 8, (0, 9)),
        (0, 5, (0, 5)),  # ends exactly at the first sentence's end
        (5, 7, (0, 5)),  # the gap between belongs to the sentence before it
        (4, 7, (0, 5)),
        (4, 8, (0, 9)),
        (7, 7, (7, 9)),  # a caret at a sentence's start
        (7, 8, (7, 9)),
    ],
)
def test_snap_to_sentences_at_the_edges(start, end, snapped):
    assert TOK.snap_to_sentences(start, end) == snapped
    assert [TOK.sentence_index_at(p) for p in (0, 4, 5, 6, 7, 9)] == [0, 0, 0, 0, 1, 1]
    no_sentences = Tokenization((0,), (2,))
    assert no_sentences.snap_to_sentences(start, end) == (start, end)
    assert no_sentences.sentence_index_at(0) is None
