"""Reading articles: exact text, hashing, titles, and bad inputs reported without losing the good."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator import corpus
from annotator.corpus import (
    MAX_FILE_BYTES,
    RawDocument,
    Skipped,
    decode_bytes,
    derive_title,
    expand_paths,
    normalize_text,
    read_jsonl,
    read_sources,
    read_text_file,
    text_hash,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

TRICKY = (
    "Title\u00a0with no-break space\n"
    "tab\there\tand trailing spaces   \n"
    "line\u2028separator and paragraph\u2029separator\n"
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 \u05e9\u05dc\u05d5\u05dd\n"
    "emoji \U0001f600 \U0001f468\u200d\U0001f469\u200d\U0001f467 e\u0301 \u3000 ideographic\n"
    "\x0b vertical tab \x0c form feed \x85 NEL\n"
    "\n\n   \n"
)


def write(p: Path, data: bytes | str) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    p.write_bytes(data)
    return p


def docs_and_skips(items):
    items = list(items)
    return (
        [i for i in items if isinstance(i, RawDocument)],
        [i for i in items if isinstance(i, Skipped)],
    )


def assert_one_line(skip: Skipped, path) -> None:
    msg = str(skip)
    assert "\n" not in msg and "\r" not in msg, msg
    assert str(path) in msg, msg
    assert skip.reason


# --- normalisation and hashing ------------------------------------------------------


def test_normalize_text():
    assert normalize_text("\ufeffa\r\nb\rc\n") == "a\nb\nc\n"
    assert normalize_text("a\r\r\nb") == "a\n\nb"
    assert normalize_text("\ufeff\ufeffx") == "x"  # every leading BOM goes: idempotent
    assert normalize_text("a\ufeffb") == "a\ufeffb"  # a BOM inside the text is text
    assert normalize_text(TRICKY) == TRICKY


def normalize_by_hand(text: str) -> str:
    """The documented rule, one character at a time (an oracle that shares no code with
    normalize_text): drop every leading U+FEFF; CR LF and a lone CR each become one LF."""
    i = 0
    while i < len(text) and text[i] == "\ufeff":
        i += 1
    out = []
    while i < len(text):
        if text[i] == "\r":
            out.append("\n")
            if i + 1 < len(text) and text[i + 1] == "\n":
                i += 1  # the LF of a CR LF is part of the same line break
        else:
            out.append(text[i])
        i += 1
    return "".join(out)


@settings(max_examples=60, deadline=None)
@given(st.text(st.one_of(st.sampled_from("\r\n\ufeffa\u2028\x85"), st.characters())))
def test_normalize_is_idempotent_and_only_touches_bom_and_cr(text):
    out = normalize_text(text)
    assert normalize_text(out) == out
    assert "\r" not in out
    assert out == normalize_by_hand(text)


def test_text_hash_is_sha256_of_utf8():
    assert (
        text_hash("h\u00e9llo \U0001f600")
        == hashlib.sha256("h\u00e9llo \U0001f600".encode()).hexdigest()
    )
    assert RawDocument("abc", "x").sha256 == hashlib.sha256(b"abc").hexdigest()


@pytest.mark.parametrize(
    ("prefix", "eol"),
    [
        (b"", b"\n"),
        (b"", b"\r\n"),
        (b"", b"\r"),
        (b"\xef\xbb\xbf", b"\n"),
        (b"\xef\xbb\xbf", b"\r\n"),
    ],
)
def test_text_file_is_stored_byte_exact_apart_from_bom_and_line_endings(tmp_path, prefix, eol):
    body = TRICKY.encode("utf-8").replace(b"\n", eol)
    p = write(tmp_path / "a.txt", prefix + body)
    doc = read_text_file(p)
    assert isinstance(doc, RawDocument)
    assert doc.text == TRICKY
    assert doc.text.encode("utf-8") == TRICKY.encode("utf-8")
    assert doc.sha256 == hashlib.sha256(TRICKY.encode("utf-8")).hexdigest()
    assert doc.source == str(p)
    assert doc.meta == {}


def test_leading_and_trailing_whitespace_kept(tmp_path):
    text = "\n\n  \tIndented headline   \n\nBody.\u00a0\n\n"
    doc = read_text_file(write(tmp_path / "w.txt", text))
    assert doc.text == text


def test_crlf_and_lf_files_hash_the_same(tmp_path):
    a = read_text_file(write(tmp_path / "a.txt", b"One\r\nTwo\r\n"))
    b = read_text_file(write(tmp_path / "b.txt", b"\xef\xbb\xbfOne\nTwo\n"))
    assert a.text == b.text == "One\nTwo\n"
    assert a.sha256 == b.sha256


# --- bad files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"caf\xe9 latin-1", "not UTF-8"),
        (b"ok\xff\xfe", "not UTF-8"),
        (b"", "empty"),
        (b"   \n\t\r\n  ", "empty"),
        (b"\xef\xbb\xbf  \n", "empty"),
        ("\u00a0\u3000\n".encode(), "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("text".encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
        (b"abc\x00def", "binary"),
        (b"x" * 9000 + b"\x00", "NUL byte at offset 9000"),
        ("text".encode("utf-16"), "not UTF-8 but UTF-16 text (it starts with a UTF-16 byte-order"
         " mark); save it as UTF-8"),
        ("\ufefftext".encode("utf-16-be"), "not UTF-8 but UTF-16 text"),
        ("text".encode("utf-32"), "not UTF-8 but UTF-32 text"),
        ("\ufefftext".encode("utf-32-be"), "not UTF-8 but UTF-32 text"),
        # many NULs but not text in any encoding: these were all "looks like UTF-16"
        (b"SQLite format 3\x00\x10\x00\x02\x02\x00@  " + bytes(200), "binary file"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x03\x00>\x00" * 20, "binary file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(300), "binary file"),
        ("Plain text, saved as UTF-16 big-endian.\n".encode("utf-16-be"), "UTF-16 text without"),
    ],
    ids=["latin1", "invalid", "empty", "whitespace", "bom-whitespace", "unicode-space", "png",
         "utf16-no-bom", "nul", "nul-after-8k", "utf16-bom", "utf16-be-bom", "utf32-bom",
         "utf32-be-bom", "sqlite", "elf", "png-long", "utf16-be-no-bom"],
)  # fmt: skip
def test_bad_text_file_is_skipped_with_reason(tmp_path, data, reason):
    p = write(tmp_path / "bad file.txt", data)
    out = read_text_file(p)
    assert isinstance(out, Skipped)
    assert reason in out.reason, out
    assert_one_line(out, p)


def test_too_large_file_is_skipped_without_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 100)
    p = write(tmp_path / "big.txt", "word " * 30)
    out = read_text_file(p)
    assert isinstance(out, Skipped) and "larger" in out.reason
    assert_one_line(out, p)
    ok = read_text_file(write(tmp_path / "small.txt", "x" * 100))
    assert isinstance(ok, RawDocument)


def test_max_file_bytes_limit_decode_bytes():
    assert isinstance(decode_bytes(b"a" * MAX_FILE_BYTES, "w"), str)
    out = decode_bytes(b"a" * (MAX_FILE_BYTES + 1), "w")
    assert isinstance(out, Skipped) and "larger" in out.reason


def test_missing_path_and_non_file(tmp_path):
    missing = tmp_path / "nope.txt"
    items = list(expand_paths([missing, tmp_path / "nodir"]))
    assert [type(i) for i in items] == [Skipped, Skipped]
    assert "no such file" in items[0].reason
    assert_one_line(items[0], missing)
    _, skips = docs_and_skips(read_sources([missing]))
    assert len(skips) == 1 and str(missing) in str(skips[0])


# --- folders -----------------------------------------------------------------------


def test_folder_reads_txt_and_jsonl_below_it_sorted(tmp_path):
    root = tmp_path / "corpus"
    write(root / "b.txt", "Bee text here")
    write(root / "a.TXT", "Upper-case suffix")
    write(root / "sub" / "deeper" / "c.txt", "Deep text")
    write(root / "sub" / "d.jsonl", json.dumps({"text": "From jsonl"}) + "\n")
    write(root / "notes.md", "ignored markdown")
    write(root / "image.png", b"\x89PNG\x00\x00")
    (root / "folder.txt").mkdir()  # a directory named like a text file is not a file
    docs, skips = docs_and_skips(read_sources([root]))
    assert skips == []
    assert sorted(d.text for d in docs) == sorted(
        ["Bee text here", "Upper-case suffix", "Deep text", "From jsonl"]
    )
    files = [p for p in expand_paths([root])]
    assert files == sorted(files)
    assert all(isinstance(p, Path) for p in files)


def test_folder_with_bad_file_keeps_the_good_ones(tmp_path):
    root = tmp_path / "mixed"
    write(root / "1.txt", "Good one")
    write(root / "2.txt", b"\xff\xfe\x00b\x00a\x00d")
    write(root / "3.txt", "")
    write(root / "4.txt", "Good two")
    docs, skips = docs_and_skips(read_sources([root]))
    assert [d.text for d in docs] == ["Good one", "Good two"]
    assert len(skips) == 2
    assert_one_line(skips[0], root / "2.txt")
    assert_one_line(skips[1], root / "3.txt")


def test_empty_folder_is_reported(tmp_path):
    (tmp_path / "empty").mkdir()
    write(tmp_path / "empty" / "readme.md", "x")
    out = list(read_sources([tmp_path / "empty"]))
    assert len(out) == 1 and isinstance(out[0], Skipped)
    assert_one_line(out[0], tmp_path / "empty")


def test_inputs_are_read_in_order(tmp_path):
    a = write(tmp_path / "z.txt", "Zed")
    b = write(tmp_path / "a.txt", "Ay")
    out = list(read_sources([a, tmp_path / "missing.txt", b]))
    assert [type(o) for o in out] == [RawDocument, Skipped, RawDocument]
    assert out[0].text == "Zed" and out[2].text == "Ay"


def test_explicit_file_with_other_suffix_is_read_as_text(tmp_path):
    p = write(tmp_path / "article.md", "# Headline\n\nBody")
    docs, _ = docs_and_skips(read_sources([p]))
    assert docs[0].text == "# Headline\n\nBody"


# --- jsonl -------------------------------------------------------------------------


def test_jsonl_records_meta_and_normalisation(tmp_path):
    lines = [
        json.dumps({"text": "First\r\ntext", "meta": {"title": "T1", "url": "u", "n": 1}}),
        "",
        "   ",
        json.dumps({"text": TRICKY, "meta": {}}, ensure_ascii=True),
        json.dumps({"text": "No meta"}),
        json.dumps({"text": "\ufeffBOM in text", "extra": 1}),
    ]
    p = write(tmp_path / "in.jsonl", "\n".join(lines) + "\n")
    docs, skips = docs_and_skips(read_jsonl(p))
    assert skips == []
    assert [d.text for d in docs] == ["First\ntext", TRICKY, "No meta", "BOM in text"]
    assert docs[0].meta == {"title": "T1", "url": "u", "n": 1}
    assert docs[1].meta == {} and docs[2].meta == {}
    assert [d.source for d in docs] == [f"{p}:1", f"{p}:4", f"{p}:5", f"{p}:6"]


def test_jsonl_crlf_and_bom_file(tmp_path):
    body = "\r\n".join(json.dumps({"text": t}) for t in ["a b", "c d"]) + "\r\n"
    p = write(tmp_path / "crlf.jsonl", b"\xef\xbb\xbf" + body.encode())
    docs, skips = docs_and_skips(read_jsonl(p))
    assert [d.text for d in docs] == ["a b", "c d"] and skips == []


def test_jsonl_bad_lines_are_reported_with_line_numbers(tmp_path):
    lines = [
        json.dumps({"text": "good 1"}),
        "{not json",
        json.dumps({"meta": {"title": "no text"}}),
        json.dumps(["text", "a list"]),
        json.dumps({"text": 42}),
        json.dumps({"text": "meta is a list", "meta": [1]}),
        json.dumps({"text": "  \n\t "}),
        '{"text": "lone surrogate \\ud800"}',
        json.dumps({"text": "good 2"}),
        '{"text": "truncated',
    ]
    p = write(tmp_path / "tasks.jsonl", "\n".join(lines))
    docs, skips = docs_and_skips(read_jsonl(p))
    assert [d.text for d in docs] == ["good 1", "good 2"]
    assert [s.where for s in skips] == [f"{p}:{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10)]
    for s in skips:
        assert_one_line(s, f"{p}:")
    assert "JSON" in skips[0].reason
    assert "text" in skips[1].reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\n  \n", "empty"),
        (b"\xff\xfe{", "UTF-8"),
        (b'{"text": "a\x00"}', "binary"),
    ],
)
def test_jsonl_unusable_file(tmp_path, data, reason):
    p = write(tmp_path / "f.jsonl", data)
    out = list(read_jsonl(p))
    assert len(out) == 1 and isinstance(out[0], Skipped)
    assert reason in out[0].reason
    assert_one_line(out[0], p)


def test_jsonl_line_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 50)
    p = write(
        tmp_path / "f.jsonl",
        json.dumps({"text": "x" * 60}) + "\n" + json.dumps({"text": "small"}) + "\n",
    )
    docs, skips = docs_and_skips(read_jsonl(p))
    assert [d.text for d in docs] == ["small"]
    assert skips[0].where == f"{p}:1" and "larger" in skips[0].reason


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c"])
def test_jsonl_text_with_unicode_line_separators_survives(tmp_path, sep):
    records = [{"text": f"before{sep}after"}, {"text": "second"}]
    # ensure_ascii=False writes U+2028 etc. raw, which is valid JSON (only < U+0020 must be escaped).
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    if sep < " ":
        lines[0] = json.dumps(records[0])  # control characters are escaped by the JSON writer
        lines[0] = lines[0].replace(json.dumps(sep)[1:-1], sep)  # ...written raw by a sloppy one
    p = write(tmp_path / "sep.jsonl", "\n".join(lines) + "\n")
    docs, skips = docs_and_skips(read_jsonl(p))
    if sep < " ":
        # A raw control character is invalid JSON: reported, but on the right line.
        assert [s.where for s in skips] == [f"{p}:1"]
        assert [d.source for d in docs] == [f"{p}:2"]
    else:
        assert skips == []
        assert [d.text for d in docs] == [f"before{sep}after", "second"]
        assert [d.source for d in docs] == [f"{p}:1", f"{p}:2"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            '{"text": "a"}\n'.encode("utf-16"),
            "not UTF-8 but UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8",
        ),
        ('{"text": "a"}\n'.encode("utf-32"), "UTF-32 text"),
        ('{"text": "a"}\n'.encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
        (
            b'{"text": "a"}\n' * 1000 + b'{"text": "b\x00"}\n',
            "binary file (NUL byte at offset 14011)",
        ),
        (
            b'{"text": "ok"}\n' * 100000 + b'{"text": "caf\xe9"}\n',
            "not UTF-8 text (invalid byte at offset 1500013)",
        ),
        (b'{"text": "ok \xe2\x82"}', "invalid byte at offset 13"),
    ],
    ids=["utf16-bom", "utf32-bom", "utf16-no-bom", "nul-after-8k", "latin1-after-1mb", "truncated"],
)
def test_jsonl_unusable_file_says_what_is_wrong(tmp_path, data, reason):
    """Checked whole before any line is imported: one line, nothing from the file."""
    p = write(tmp_path / "f.jsonl", data)
    out = list(read_jsonl(p))
    assert len(out) == 1 and isinstance(out[0], Skipped), out[:3]
    assert reason in out[0].reason, out[0]
    assert_one_line(out[0], p)


def test_jsonl_hostile_lines_are_one_line_each(tmp_path):
    """Strict JSON per line (annotator.jsonsafe): NaN/Infinity, deep nesting, an integer of
    5,000 digits and lone surrogates in text, meta or title are refused as file:line."""
    lines = [
        '{"text": "NaN meta", "meta": {"score": NaN}}',
        '{"text": "Infinity meta", "meta": {"x": [1, -Infinity]}}',
        '{"text": "deep", "meta": ' + "[" * 1000 + "]" * 1000 + "}",
        '{"text": "deep object", "meta": {"a": ' + '{"a": ' * 300 + "1" + "}" * 301 + "}",
        '{"text": "big int", "meta": {"n": ' + "9" * 5000 + "}}",
        '{"text": "lone \\ud800 in text"}',
        '{"text": "lone in meta", "meta": {"k": "\\udfff"}}',
        '{"text": "lone in title", "meta": {"title": "T\\ud83d"}}',
        '{"text": "lone in a key", "meta": {"\\ud800": 1}}',
        '{"text": "escaped NUL \\u0000 in text"}',
        '{"text": "fine", "meta": {"score": 1e308, "n": ' + "9" * 4000 + "}}",
    ]
    p = write(tmp_path / "hostile.jsonl", "\n".join(lines) + "\n")
    docs, skips = docs_and_skips(read_jsonl(p))
    assert [d.text for d in docs] == ["fine"]
    assert [s.where for s in skips] == [f"{p}:{n}" for n in range(1, 11)]
    for s in skips:
        assert_one_line(s, f"{p}:")
        assert "Traceback" not in s.reason and len(s.reason) < 120, s
    reasons = [s.reason for s in skips]
    assert "NaN" in reasons[0] and "Infinity" in reasons[1]
    assert "nested" in reasons[2] and "nested" in reasons[3]
    assert "digits" in reasons[4]
    assert all("surrogate" in r for r in reasons[5:9])
    assert "NUL" in reasons[9]


def test_jsonl_huge_meta_is_called_meta(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 100)
    lines = [
        json.dumps({"text": "small", "meta": {"blob": "m" * 120}}),
        json.dumps({"text": "t" * 120}),
        json.dumps({"text": "t" * 60, "meta": {"blob": "m" * 60}}),
        json.dumps({"text": "x" * 1000}),  # longer than the line limit: not even parsed
        json.dumps({"text": "ok", "meta": {"blob": "m" * 60}}),
    ]
    p = write(tmp_path / "m.jsonl", "\n".join(lines) + "\n")
    docs, skips = docs_and_skips(read_jsonl(p))
    assert [d.source for d in docs] == [f"{p}:5"]
    assert [s.where for s in skips] == [f"{p}:{n}" for n in (1, 2, 3, 4)]
    assert skips[0].reason.startswith("meta larger")
    assert skips[1].reason.startswith("text larger")
    assert skips[2].reason.startswith("text and meta together larger")
    assert skips[3].reason.startswith("line larger")


def test_jsonl_long_line_is_skipped_without_losing_the_next(tmp_path, monkeypatch):
    """A line far over the limit is skipped unread (bounded memory) and reading goes on at
    the next line, with the right line numbers; also when the file ends inside it."""
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 10)
    p = write(
        tmp_path / "l.jsonl",
        '{"text": "a"}\n{"text": "' + "x" * 3_000_000 + '"}\n{"text": "b"}\n{"text": "' + "y" * 99,
    )
    docs, skips = docs_and_skips(read_jsonl(p))
    assert [d.text for d in docs] == ["a", "b"]
    assert [s.where for s in skips] == [f"{p}:2", f"{p}:4"]


# --- titles ------------------------------------------------------------------------

SEED_TITLES = {
    "000_0d97d139ff5fff2d.txt": "Is a New Alliance Emerging with North Korea, Iran, and China "
    "Supporting Russia\u2019s War?",
    "001_44b82d1148096688.txt": "Cracks in the New \u2018Axis of Evil\u2019: China, Russia, "
    "North Korea, Iran",
    "002_b93cb65e07f8c7f5.txt": "The Shifting Dynamics of Global Alliances: A New Coalition Emerges",
    "003_2c701d1d0f7c802e.txt": "North Korea-Russia Military Ties: Potential Burden for China",
    "004_d183ca2af072faf2.txt": "Nuclear Alliance: China, Russia, and North Korea Towards "
    "\u201cThe Holy Resolve\u201d",
}


def test_seed_files_are_the_five_expected():
    assert [p.name for p in SEEDS] == sorted(SEED_TITLES)


@pytest.mark.parametrize("name", sorted(SEED_TITLES))
def test_seed_titles_are_the_headlines(name):
    doc = read_text_file(ROOT / "seeds" / name)
    assert isinstance(doc, RawDocument)
    assert derive_title(doc.text) == SEED_TITLES[name]


def test_seed_texts_read_back_exactly():
    for p in SEEDS:
        raw = p.read_bytes()
        doc = read_text_file(p)
        assert doc.text == normalize_by_hand(raw.decode("utf-8"))
        assert doc.text == raw.decode("utf-8")  # the seeds are plain UTF-8 with LF endings


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Just one line", "Just one line"),
        ("", ""),
        ("\n\n  \n", ""),
        ("Menu\nSearch\n12 C\nMarch 3, 2024 10:15 am\nA Real Headline About Things\nBody.",
         "A Real Headline About Things"),
        ("https://example.org/x\nAnother Headline With Enough Words\n", "Another Headline With Enough Words"),
        ("Big Story About The Alliance by Jane Doe\nBody text", "Big Story About The Alliance"),
        ("Headline   with\tinner   whitespace here", "Headline with inner whitespace here"),
    ],
)  # fmt: skip
def test_derive_title_examples(text, title):
    assert derive_title(text) == title


def test_derive_title_is_bounded_and_one_line():
    long = ("Alliance " * 40).strip()
    t = derive_title(long + "\nBody")
    assert len(t) <= 120 and t.endswith("\u2026")
    assert len(derive_title(long, max_len=30)) <= 30


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_derive_title_never_fails_and_is_single_line(text):
    t = derive_title(normalize_text(text))
    assert "\n" not in t and len(t) <= 120
    assert t == t.strip()


# Lines with what the title rules make of them, written out by hand: (line, is it a
# headline candidate, the title it gives when chosen). The property test below compares
# derive_title's faster search with the plain rules over these and random short lines.
TITLE_LINES = [
    ("Home World Alliance Emerges Between Four Capitals", False, None),  # navigation
    ("World Alliance Emerges Between Four Capitals", True, None),
    ("Alliance Emerges Between Four Capitals", True, None),
    ("Emerges Between Four Capitals", True, None),
    ("Cracks in the New Axis: China, Russia, Iran", True, None),
    ("News Cracks in the New Axis: China, Russia, Iran", True, None),
    ("Big Story About The Alliance by Jane Doe", True, "Big Story About The Alliance"),
    ("Seoul   and\tTokyo Sign  a Pact", True, "Seoul and Tokyo Sign a Pact"),
    ("Talks resume in March in Geneva", True, None),  # a month without a digit
    ("One two three four five six seven eight nine ten eleven twelve.", True, None),
    ("One two three four five six seven eight nine ten eleven twelve thirteen.", False, None),
    ("Talks resume on March 12 in Geneva", False, None),  # a date
    ("Leaders meet at 10:30 in Geneva", False, None),  # a clock time
    ("Updated: Allies Meet Again In Seoul", False, None),  # navigation / byline words
    ("https://example.org/a/long/path here now", False, None),
    ("3 2 1 Go", False, None),  # four tokens, one word of two letters
    ("By Jane Doe", False, None),
    ("March 3, 2024 12:30 pm", False, None),
    ("Russia and North Korea signed a pact that many analysts see as a turning point for Asia.",
     False, None),
    ("Menu", False, None),
    ("", False, None),
    ("   ", False, None),
]  # fmt: skip


@pytest.mark.parametrize(("line", "candidate", "_title"), TITLE_LINES)
def test_headline_candidates_are_the_listed_ones(line, candidate, _title):
    assert corpus._is_headline_like(line.strip()) is candidate


@pytest.mark.parametrize(
    ("line", "candidate"),
    [
        ("Ab" + " cd" * 66, True),  # 200 characters
        ("Ab" + " cd" * 66 + "e", False),  # 201
        ("Ab cd ef", False),  # three words
        ("Ab cd ef gh", True),  # four
        ("Ab cd ef g1", False),  # four tokens, three words
        ("22 C", False),
        ("Rally in Seoul draws -3 C crowds", True),  # weather only as the whole line
        ("Share this story with your friends", False),
        ("Sharepoint outage hits four agencies", True),  # a word that only starts like one
        ("www.example.org has four words here", False),
        ("One two three four five six seven eight nine ten eleven twelve 13.", False),  # tokens
        ("One two three four five six seven eight nine ten eleven twelve-more.", False),  # words
        ("One two three four five six seven eight nine ten eleven twelve 13", True),
    ],
)
def test_headline_candidate_edges(line, candidate):
    assert corpus._is_headline_like(line) is candidate


@pytest.mark.parametrize(("before", "chosen"), [(5, "tail"), (6, "first")])
def test_a_repeated_headline_counts_among_the_first_six_candidates(before, chosen):
    """The line a breadcrumb ends is preferred when it is one of the first six candidates."""
    fillers = [f"Filler Headline Number {w} Here" for w in "ABCDEFG"[:before]]
    text = "\n".join(
        ["Home Quiet Talks Resume In Geneva", *fillers, "Quiet Talks Resume In Geneva"]
    )
    expected = (
        "Quiet Talks Resume In Geneva" if chosen == "tail" else "Filler Headline Number A Here"
    )
    assert derive_title(text) == expected


def plain_title(lines: list[tuple[str, bool, str | None]]) -> str:
    """derive_title's rules the plain way, from the hand-written table (no code of the
    module): up to 20 non-blank lines, the first of the first six candidates that ends
    another line, else the first candidate, else the first line."""
    kept = [(ln.strip(), cand, title) for ln, cand, title in lines if ln.strip()][:20]
    candidates = [k for k in kept if k[1]][:6]
    tails = [c for c in candidates if any(o != c[0] and o.endswith(c[0]) for o, *_ in kept)]
    chosen = (tails or candidates or kept or [("", False, None)])[0]
    return chosen[2] if chosen[2] is not None else " ".join(chosen[0].split())


SHORT_LINES = st.text(st.characters(exclude_characters="\n"), max_size=40).filter(
    lambda s: len(s.split()) < 4  # fewer than four words: never a candidate
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(TITLE_LINES), SHORT_LINES.map(lambda s: (s, False, None))),
        max_size=30,
    )
)
def test_derive_title_equals_the_plain_rules(lines):
    text = "\n".join(ln for ln, *_ in lines)
    assert len(text) < 4000  # all inside the part derive_title reads
    assert derive_title(text) == plain_title(lines)


# --- property tests: encodings and streamed .jsonl ----------------------------------------

TEXTS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(
    text=TEXTS,
    codec=st.sampled_from(["utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]),
)
def test_utf16_and_utf32_are_named_never_imported_as_nonsense(tmp_path_factory, text, codec):
    """UTF-16/32 with a byte-order mark is skipped with its encoding named, as a .txt and as
    a .jsonl (it used to be reported as binary, or imported as mojibake)."""
    bom = "\ufeff" if codec[-3:] in ("-le", "-be") else ""
    data = (bom + text).encode(codec)
    folder = tmp_path_factory.mktemp("enc")
    # FF FE 00 00 starts UTF-32LE, and UTF-16LE text whose first character is U+0000.
    utf16le = codec in ("utf-16", "utf-16-le")
    name = "UTF-32" if utf16le and text[0] == "\x00" else codec[:6].upper()
    for p in (write(folder / "t.txt", data), write(folder / "t.jsonl", data)):
        out = list(read_sources([p]))
        assert len(out) == 1 and isinstance(out[0], Skipped), out
        assert out[0].reason.startswith(f"not UTF-8 but {name} text"), out[0]


@settings(max_examples=80, deadline=None)
@given(
    records=st.lists(
        st.tuples(TEXTS, st.dictionaries(TEXTS, st.integers() | TEXTS, max_size=3)), max_size=8
    ),
    eol=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    ascii_only=st.booleans(),
)
def test_streamed_jsonl_reads_every_line_as_json_loads_does(
    tmp_path_factory, records, eol, bom, ascii_only
):
    lines = [json.dumps({"text": t, "meta": m}, ensure_ascii=ascii_only) for t, m in records]
    data = ("\ufeff" if bom else "") + eol.join(lines) + (eol if lines else "")
    p = write(tmp_path_factory.mktemp("j") / "p.jsonl", data)
    out = list(read_jsonl(p))
    want = []
    for n, (t, m) in enumerate(records, 1):
        text = normalize_by_hand(t)
        if text.strip() and "\x00" not in text:
            want.append((f"{p}:{n}", text, m))
    assert [(d.source, d.text, d.meta) for d in out if isinstance(d, RawDocument)] == want
    assert all(isinstance(d, Skipped) for d in out if not isinstance(d, RawDocument))
