"""Tests that kill surviving mutants of annotator/corpus.py (bench/mutation.md, "corpus.py").

Every expected value is a literal worked out by hand, never recomputed with corpus's own code.
"""

from __future__ import annotations

import json
import os

import pytest

from annotator import corpus
from annotator.corpus import (
    MAX_FILE_BYTES,
    RawDocument,
    Skipped,
    count_inputs,
    count_jsonl_lines,
    decode_bytes,
    derive_title,
    expand_paths,
    normalize_with_offsets,
    read_jsonl,
    read_text_file,
)
from annotator.store import Store

UTF16 = "not UTF-8 but looks like UTF-16 text without a byte-order mark; save it as UTF-8"


def binary(at: int) -> str:
    return f"binary file (NUL byte at offset {at}), not text"


# --- the size limit's message -------------------------------------------------------


def test_the_size_limit_is_named_in_whole_megabytes():
    assert MAX_FILE_BYTES == 10 * 1024 * 1024
    assert decode_bytes(b"a" * (MAX_FILE_BYTES + 1), "big.txt") == Skipped(
        "big.txt", "larger than the 10 MB limit"
    )


# --- UTF-16 without a byte-order mark, or binary: the edges of the heuristic ------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # four bytes are enough to read as UTF-16 ("AB")
        (b"A\x00B\x00", UTF16),
        # fewer than four bytes are never UTF-16
        (b"\x00\x01\x02", binary(0)),
        # 2 zeros in the odd places of 8 bytes: not more than a quarter (8 // 4 = 2), binary;
        # read as UTF-16 it would be "AB" + two CJK characters, all printable
        (b"A\x00B\x00CDEF", binary(1)),
        # a lone surrogate reads as U+FFFD (printable), it does not raise
        (b"A\x00B\x00\x00\xd8" + b"C\x00" * 30, UTF16),
        # 18 of 19 characters printable (94.7 %) and a trailing odd byte: binary; the odd
        # byte must not be decoded as a 20th, printable U+FFFD (19 of 20 = 95 %)
        (b"A\x00" * 18 + b"\x01\x00" + b"X", binary(1)),
        # 3 of 4 characters printable: binary (all four must be read, not three)
        (b"A\x00B\x00C\x00\x01\x00", binary(1)),
        # exactly 95 % printable (19 of 20) is enough
        (b"A\x00" * 19 + b"\x01\x00", UTF16),
        # 18 of 19 (94.7 %) is not
        (b"A\x00" * 18 + b"\x01\x00", binary(1)),
    ],
    ids=["4-bytes", "3-bytes", "quarter-zeros", "lone-surrogate", "odd-byte", "last-char",
         "95-percent", "below-95"],
)  # fmt: skip
def test_utf16_or_binary_at_the_edges(data, reason):
    assert decode_bytes(data, "f") == Skipped("f", reason)


def test_only_the_first_8192_bytes_decide_utf16():
    # Big-endian: 2048 zeros in the even places of the first 8192 bytes (exactly a quarter,
    # so not UTF-16); a 2049th zero at byte 8192 must not count.
    data = b"\x00A" * 2048 + b"AA" * 2048 + b"\x00more"
    assert decode_bytes(data, "f") == Skipped("f", binary(0))


# --- offsets across normalisation ----------------------------------------------------


def test_normalize_with_offsets_maps_every_offset():
    #       0       1       2  3   4   5  6   7  8   9   (10)
    text = "\ufeff\ufeffa\r\nb\rc\r\n"
    norm, remap = normalize_with_offsets(text)
    assert norm == "a\nb\nc\n"
    assert [remap(o) for o in range(11)] == [0, 0, 0, 1, 1, 2, 3, 4, 5, 5, 6]


def test_normalize_with_offsets_adjacent_crlfs():
    norm, remap = normalize_with_offsets("a\r\n\r\nb\r\n")
    assert norm == "a\n\nb\n"
    assert [remap(o) for o in range(9)] == [0, 1, 1, 2, 2, 3, 4, 4, 5]


def test_normalize_with_offsets_one_bom():
    norm, remap = normalize_with_offsets("\ufeffab")
    assert norm == "ab"
    assert [remap(o) for o in range(4)] == [0, 0, 1, 2]


def test_normalize_with_offsets_without_removals_is_the_identity():
    norm, remap = normalize_with_offsets("a\rb\n")
    assert norm == "a\nb\n"
    assert [remap(o) for o in range(5)] == [0, 1, 2, 3, 4]


# --- NUL bytes: the first one is named ---------------------------------------------


def test_the_first_nul_byte_is_named():
    assert decode_bytes(b"abcdefgh\x00ij\x00", "f") == Skipped("f", binary(8))


def test_the_first_nul_byte_of_a_jsonl_file_is_named(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"text": "a"}\x00\n\x00')
    assert list(read_jsonl(p)) == [
        Skipped(str(p), "binary file (NUL byte at offset 13), not JSONL")
    ]


# --- invalid UTF-8 in a .jsonl file: offsets across 1 MiB blocks ---------------------

MIB = 1 << 20


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        # a two-byte character split by the first block boundary, its second byte invalid
        (b"a" * (MIB - 1) + b"\xc3(" + b"\n", MIB - 1),
        # in the third block: offsets add up over blocks
        (b"a" * (2 * MIB) + b"\xff\n", 2 * MIB),
        # a character cut off by the end of the file
        (b'{"text": "a"}\n\xc3', 14),
    ],
    ids=["split", "third-block", "truncated"],
)
def test_invalid_utf8_in_jsonl_is_named_at_its_file_offset(tmp_path, data, offset):
    p = tmp_path / "x.jsonl"
    p.write_bytes(data)
    assert list(read_jsonl(p)) == [
        Skipped(str(p), f"not UTF-8 text (invalid byte at offset {offset})")
    ]


# --- files that cannot be read --------------------------------------------------------


def test_a_folder_given_as_a_text_file_cannot_be_read(tmp_path):
    assert read_text_file(tmp_path) == Skipped(str(tmp_path), "cannot read: Is a directory")


def test_a_folder_given_as_a_jsonl_file_cannot_be_read(tmp_path):
    assert list(read_jsonl(tmp_path)) == [Skipped(str(tmp_path), "cannot read: Is a directory")]


@pytest.mark.parametrize("data", [b"", b"\n  \n\r\n"], ids=["empty", "blank-lines"])
def test_an_empty_jsonl_file_is_one_skip(tmp_path, data):
    p = tmp_path / "x.jsonl"
    p.write_bytes(data)
    assert list(read_jsonl(p)) == [Skipped(str(p), "empty file")]


def test_a_txt_link_to_the_open_database_is_not_read(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    store = Store(tmp_path / "x.db")
    try:
        (folder / "a.txt").symlink_to(tmp_path / "x.db")
        (folder / "b.txt").write_text("An article.")
        assert list(expand_paths([folder])) == [
            Skipped(
                str(folder / "a.txt"),
                "is the open database or one of its -wal/-shm files; not read",
            ),
            folder / "b.txt",
        ]
    finally:
        store.close()


# --- counting inputs for progress ---------------------------------------------------


@pytest.mark.parametrize(
    ("data", "lines"),
    [(b"", 0), (b"a\n", 1), (b"ab\ncd", 2), (b"ab\ncd\n", 2), (b"\n\n\n", 3), (b"x", 1)],
)
def test_count_jsonl_lines(tmp_path, data, lines):
    p = tmp_path / "x.jsonl"
    p.write_bytes(data)
    assert count_jsonl_lines(p) == lines


def test_count_jsonl_lines_of_a_missing_file_is_zero(tmp_path):
    assert count_jsonl_lines(tmp_path / "missing.jsonl") == 0


def test_count_inputs_counts_a_text_file_once_and_jsonl_lines(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"one\ntwo\nthree\n")
    (tmp_path / "b.jsonl").write_bytes(b"1\n2\n3\n")
    (tmp_path / "C.JSONL").write_bytes(b"1\n2")
    assert count_inputs([tmp_path]) == 6


# --- every bad .jsonl line, with its exact reason -------------------------------------


def test_each_bad_jsonl_line_has_its_exact_reason(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(
        b"{bad\n"
        b"[1]\n"
        b'{"text": 1}\n'
        b'{"text": "a", "meta": []}\n'
        b'{"text": "  "}\n'
        b'{"text": "a\\u0000b"}\n'
        b'{"text": \n'
        b'{"text": \r\n'
        b"\r{bad\n"
        b'{"text": "ok"}\n'
    )
    w = str(p)
    assert list(read_jsonl(p)) == [
        Skipped(f"{w}:1", "not valid JSON (Expecting property name enclosed in double quotes"
                " at column 2)"),
        Skipped(f"{w}:2", 'no "text" field'),
        Skipped(f"{w}:3", '"text" is not a string'),
        Skipped(f"{w}:4", '"meta" is not an object'),
        Skipped(f"{w}:5", "empty or whitespace-only text"),
        Skipped(f"{w}:6", "text contains a NUL character (U+0000), not article text"),
        Skipped(f"{w}:7", "not valid JSON (Expecting value at column 10)"),
        Skipped(f"{w}:8", "not valid JSON (Expecting value at column 10)"),
        Skipped(f"{w}:9", "not valid JSON (Expecting property name enclosed in double quotes"
                " at column 3)"),
        RawDocument("ok", f"{w}:10", {}),
    ]  # fmt: skip


# --- the line-length limit at its edge (MAX_FILE_BYTES = 1 MiB, lines up to 4 MiB) ------


def test_jsonl_lines_at_the_line_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", MIB)
    limit = 4 * MIB
    p = tmp_path / "x.jsonl"
    p.write_bytes(
        b'{"text": "one"}'.ljust(limit)
        + b"\n"  # limit bytes and its newline: read
        + b'{"text": "two"}'.ljust(limit + 1)
        + b"\n"  # one byte more: refused
        + b'{"text": "three"}'.ljust(limit)  # limit bytes, no newline at the end: read
    )
    w = str(p)
    assert list(read_jsonl(p)) == [
        RawDocument("one", f"{w}:1", {}),
        Skipped(f"{w}:2", "line larger than 4 MB; a text and its meta may be at most 1 MB"),
        RawDocument("three", f"{w}:3", {}),
    ]


# --- the size of a text and its meta (MAX_FILE_BYTES = 100) ---------------------------


def record(text: str, meta: dict | None = None) -> bytes:
    line = {"text": text} if meta is None else {"text": text, "meta": meta}
    return json.dumps(line, ensure_ascii=False).encode() + b"\n"


def test_jsonl_text_and_meta_sizes_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 100)
    p = tmp_path / "x.jsonl"
    p.write_bytes(
        record("a" * 100)  # 1: exactly the limit, no meta: read
        + record("a" * 101)  # 2: one byte over
        + record("a" * 100, {})  # 3: an empty meta costs nothing
        + record("é" * 50)  # 4: 100 bytes in UTF-8 (50 characters): read
        + record("a", {"k": "x" * 91})  # 5: meta of exactly 100 bytes, plus the text
        + record("a" * 30, {"k": "x" * 41})  # 6: 30 + 50 bytes: read
        + record("a" * 50, {"k": "x" * 41})  # 7: 50 + 50 = 100 bytes: read
        + record("a" * 51, {"k": "x" * 41})  # 8: 101 bytes
        + record("a", {"k": "x" * 92})  # 9: meta of 101 bytes
    )
    w = str(p)
    assert list(read_jsonl(p)) == [
        RawDocument("a" * 100, f"{w}:1", {}),
        Skipped(f"{w}:2", "text larger than the 0 MB limit"),
        RawDocument("a" * 100, f"{w}:3", {}),
        RawDocument("é" * 50, f"{w}:4", {}),
        Skipped(f"{w}:5", "text and meta together larger than the 0 MB limit"),
        RawDocument("a" * 30, f"{w}:6", {"k": "x" * 41}),
        RawDocument("a" * 50, f"{w}:7", {"k": "x" * 41}),
        Skipped(f"{w}:8", "text and meta together larger than the 0 MB limit"),
        Skipped(f"{w}:9", "meta larger than the 0 MB limit"),
    ]


# --- paths that are not inputs -------------------------------------------------------


def test_paths_that_are_not_inputs_have_exact_reasons(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    missing = tmp_path / "missing.txt"
    assert list(expand_paths([empty, fifo, missing])) == [
        Skipped(str(empty), "folder contains no .txt or .jsonl files"),
        Skipped(str(fifo), "not a regular file"),
        Skipped(str(missing), "no such file or folder"),
    ]


# --- titles at their edges -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "max_len", "title"),
    [
        # only the first 4000 characters are looked at: the last "h" is character 4001
        ("\n" * 3990 + "Ab cd ef gh", 120, "Ab cd ef g"),
        # only the first 20 non-blank lines: a headline on line 21 is not seen
        ("x\n" * 20 + "Four words right here", 120, "x"),
        # an 11-character headline (the shortest possible) that ends a breadcrumb wins
        ("Other headline comes first here\nHome Ab cd ef gh\nAb cd ef gh", 120, "Ab cd ef gh"),
        # a byline goes when four words of two letters are left
        ("Ab cd ef gh by John", 120, "Ab cd ef gh"),
        # a title of exactly max_len is kept whole
        ("Four words right here", 21, "Four words right here"),
        # cut to max_len - 1 characters, trailing space dropped, and an ellipsis
        ("Ab cd ef gh ij", 7, "Ab cd…"),
        ("Ab cd ef gh ij", 8, "Ab cd e…"),
    ],
    ids=["4000", "20-lines", "11-chars", "byline", "max-len", "cut-space", "cut"],
)
def test_derive_title_edges(text, max_len, title):
    assert derive_title(text, max_len) == title


def test_a_whitespace_only_file_has_its_exact_reason():
    assert decode_bytes(b" \n\t\r\n", "f") == Skipped("f", "empty or whitespace-only")


def test_count_jsonl_lines_adds_up_over_1_mib_blocks(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(b"\n" * (MIB + 5))
    assert count_jsonl_lines(p) == MIB + 5
