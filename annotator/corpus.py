"""Reading articles from disk: .txt files, folders of them, and .jsonl task files.

The stored text is the file's text with a UTF-8 byte-order mark dropped and line
endings normalised to ``\\n``; nothing else is changed. Bad inputs are reported
as :class:`Skipped` entries naming the file (and line), never raised, so one bad
file does not stop the good ones.
"""

from __future__ import annotations

import codecs
import itertools
import re
from bisect import bisect_left
from collections.abc import Callable, Generator, Iterable, Iterator
from functools import cache, cached_property
from pathlib import Path
from typing import IO, Any

from . import jsonsafe
from .records import FrozenRecord

# Larger files are skipped: a news article is a few KB, 1 MB books still load.
MAX_FILE_BYTES = 10 * 1024 * 1024
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl",)


class RawDocument(FrozenRecord):
    """A text ready to store: normalised text, where it came from, free metadata."""

    text: str
    source: str
    meta: dict[str, Any]

    def __init__(self, text: str, source: str, meta: dict[str, Any] | None = None) -> None:
        d = self.__dict__
        # The invariant every later step relies on: stored text is normalised.
        d["text"] = normalize_text(text)
        d["source"] = source
        d["meta"] = {} if meta is None else meta  # None: a new empty dict

    @cached_property
    def sha256(self) -> str:
        return text_hash(self.text)


class Skipped(FrozenRecord):
    """An input that could not be read, with a one-line reason naming it."""

    where: str
    reason: str

    def __init__(self, where: str, reason: str) -> None:
        d = self.__dict__
        d["where"] = where
        d["reason"] = reason

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def normalize_text(text: str) -> str:
    """Drop leading byte-order marks and turn CRLF / CR line endings into LF.

    Idempotent: every leading U+FEFF goes (a second one is also an artefact of
    re-encoding), so normalising normalised text changes nothing.
    """
    text = text.lstrip("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalize_with_offsets(text: str) -> tuple[str, Callable[[int], int]]:
    """:func:`normalize_text` plus a map from offsets in ``text`` to offsets in the result.

    Removed characters (leading BOMs, the ``\r`` of each ``\r\n``) shift later offsets left;
    an offset that pointed between ``\r`` and ``\n`` lands before the ``\n``.
    """
    removed = list(range(len(text) - len(text.lstrip("\ufeff"))))
    i = text.find("\r\n")
    while i != -1:
        removed.append(i)
        i = text.find("\r\n", i + 2)
    if not removed:
        return normalize_text(text), lambda o: o

    def remap(offset: int) -> int:
        return offset - bisect_left(removed, offset)

    return normalize_text(text), remap


def text_hash(text: str) -> str:
    """SHA-256 of the stored (normalised) text, hex; identifies a document across databases."""
    import hashlib  # here: the window's start has no text to hash (bench/startup.py)

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Byte-order marks of other Unicode encodings (UTF-32 first: its little-endian mark starts
# with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def other_encoding(head: bytes) -> str | None:
    """Why a file that starts with a UTF-16/32 byte-order mark is not read."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return (
                f"not UTF-8 but {name} text (it starts with a {name} byte-order mark);"
                " save it as UTF-8"
            )
    return None


def _mb(n: int) -> str:
    return f"{n // (1024 * 1024)} MB"


def utf8_size_within(text: str, room: int) -> int:
    """``text``'s size in UTF-8, or a bound of it (4 bytes a character) when that bound is
    within ``room``: an article far below a limit is not encoded to be measured."""
    bound = 4 * len(text)
    return bound if bound <= room else len(text.encode("utf-8"))


def text_too_large(text: str, size: int | None = None) -> str | None:
    """Why ``text`` cannot be an article's text — longer than ``MAX_FILE_BYTES`` in UTF-8,
    as ``import`` skips a file or a JSONL record — or None. ``size``: what
    :func:`utf8_size_within` gave for it, if measured already. (Import of label files
    refuses a new document's text by the same rule.)"""
    if size is None:
        size = utf8_size_within(text, MAX_FILE_BYTES)
    if size > MAX_FILE_BYTES:
        return f"text larger than the {_mb(MAX_FILE_BYTES)} limit"
    return None


def _nul_reason(data: bytes, at: int, what: str) -> str:
    """Why bytes with a NUL at ``at`` are not text: UTF-16 without its mark, or binary."""
    if _looks_like_utf16(data[:8192]):
        return "not UTF-8 but looks like UTF-16 text without a byte-order mark; save it as UTF-8"
    return f"binary file (NUL byte at offset {at}), not {what}"


def _looks_like_utf16(head: bytes) -> bool:
    """Many NUL bytes in every other position AND, read as UTF-16, (nearly) all printable
    text: a database, image or program also has many NULs, but reads as U+0000s and
    control characters, and is binary, not UTF-16."""
    if len(head) < 4:
        return False
    for name, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if zeros.count(0) <= len(head) // 4:
            continue
        text = head[: len(head) - len(head) % 2].decode(name, errors="replace")
        good = sum(c.isprintable() or c in "\n\r\t" for c in text)
        if good >= 0.95 * len(text):
            return True
    return False


def decode_bytes(data: bytes, where: str) -> str | Skipped:
    """Decode file content as UTF-8 text, or explain why it is not usable text.

    A UTF-8 byte-order mark is dropped. UTF-16/32 (with a byte-order mark, as Windows
    editors save "Unicode" text, or without) is named and refused, never guessed at: a
    file that merely starts with those bytes would be imported as nonsense. A NUL byte
    anywhere means binary data.
    """
    if len(data) > MAX_FILE_BYTES:
        return Skipped(where, f"larger than the {_mb(MAX_FILE_BYTES)} limit")
    other = other_encoding(data[:4])
    if other:
        return Skipped(where, other)
    at = data.find(b"\x00")
    if at != -1:
        return Skipped(where, _nul_reason(data, at, "text"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return Skipped(where, f"not UTF-8 text (invalid byte at offset {e.start})")
    text = normalize_text(text)
    if not text.strip():
        return Skipped(where, "empty or whitespace-only")
    return text


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | Skipped]:
    """Files to read: each path itself, or every .txt/.jsonl below a folder (sorted)."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES
            )
            if not found:
                yield Skipped(str(p), "folder contains no .txt or .jsonl files")
            for f in found:
                if _is_open_database(f):  # e.g. a .txt symlink to it: never opened
                    yield Skipped(
                        str(f), "is the open database or one of its -wal/-shm files; not read"
                    )
                else:
                    yield f
        elif p.is_file():
            yield p
        elif p.exists():
            yield Skipped(str(p), "not a regular file")
        else:
            yield Skipped(str(p), "no such file or folder")


def _is_open_database(path: Path) -> bool:
    """Is ``path`` (by any name) a database this process has open, or its -wal/-shm?
    Reading it would close a descriptor of it, which drops SQLite's locks on it."""
    from .errors import AnnotatorError
    from .paths import check_input

    try:
        check_input(path)
    except AnnotatorError:
        return True
    return False


def read_sources(paths: Iterable[str | Path]) -> Iterator[RawDocument | Skipped]:
    """Read every input; yield documents and skips in input order."""
    for item in expand_paths(paths):
        if isinstance(item, Skipped):
            yield item
        elif item.suffix.lower() in JSONL_SUFFIXES:
            yield from read_jsonl(item)
        else:
            yield read_text_file(item)


def read_text_file(path: Path) -> RawDocument | Skipped:
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Skipped(where, f"larger than the {_mb(MAX_FILE_BYTES)} limit")
        data = path.read_bytes()
    except OSError as e:
        return Skipped(where, f"cannot read: {e.strerror or e}")
    text = decode_bytes(data, where)
    if isinstance(text, Skipped):
        return text
    return RawDocument(text, where, {})


# A .jsonl line is read into memory only up to this size: JSON escapes can make a text of
# MAX_FILE_BYTES several times longer, and anything longer is refused unread.
LINE_LIMIT_FACTOR = 4


def _scan_jsonl(fh: IO[bytes]) -> str | None:
    """Why a .jsonl file is unusable as a whole (another encoding, NUL bytes, not UTF-8),
    or None. Reads it in blocks (bounded memory) and rewinds it."""
    other = other_encoding(fh.read(4))
    if other:
        return other
    fh.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0  # of the block in the file
    first = b""
    while block := fh.read(1 << 20):
        first = first or block[:8192]
        at = block.find(b"\x00")
        if at != -1:
            return _nul_reason(first, offset + at, "JSONL")
        pending = len(decoder.getstate()[0])  # bytes of a character split between blocks
        try:
            decoder.decode(block)
        except UnicodeDecodeError as e:
            return f"not UTF-8 text (invalid byte at offset {offset - pending + e.start})"
        offset += len(block)
    pending = len(decoder.getstate()[0])
    if pending:
        return f"not UTF-8 text (invalid byte at offset {offset - pending})"
    fh.seek(0)
    return None


def count_jsonl_lines(path: Path) -> int:
    """Lines in a .jsonl file (each may be a document), counted in blocks; 0 if unreadable."""
    n = 0
    last = b"\n"
    try:
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                n += block.count(b"\n")
                last = block[-1:]
    except OSError:
        return 0
    return n + (last != b"\n")


def count_inputs(paths: Iterable[str | Path]) -> int:
    """How many documents the inputs may hold, for progress: a text file is one, a .jsonl
    file one per line. Reads no file whole."""
    n = 0
    for item in expand_paths(paths):
        if isinstance(item, Path):
            n += count_jsonl_lines(item) if item.suffix.lower() in JSONL_SUFFIXES else 1
    return n


def read_jsonl(path: Path) -> Iterator[RawDocument | Skipped]:
    """One ``{"text": ..., "meta": {...}}`` object per line (Prodigy / doccano input shape).

    Streamed: one line in memory at a time. The file is first checked whole (in blocks)
    for another encoding, NUL bytes and invalid UTF-8, which skip it whole. Each line must
    be strict JSON (:mod:`annotator.jsonsafe`: no NaN/Infinity, lone surrogates, deep
    nesting or runaway numbers); a bad line is skipped as ``file:line``.
    """
    for item, _line, _at in read_jsonl_at(path):
        yield item


def read_jsonl_at(path: Path) -> Iterator[tuple[RawDocument | Skipped, int, int]]:
    """:func:`read_jsonl`, each item with where reading stands after it: the line number
    and the byte offset in the file (for progress; a whole-file skip is at the file's end)."""
    where = str(path)
    size = _size(path)
    try:
        with path.open("rb") as fh:
            problem = _scan_jsonl(fh)
            if problem:
                yield Skipped(where, problem), count_jsonl_lines(path), size
                return
            any_line = yield from _read_jsonl_lines(fh, where)
    except OSError as e:
        yield Skipped(where, f"cannot read: {e.strerror or e}"), count_jsonl_lines(path), size
        return
    if not any_line:
        yield Skipped(where, "empty file"), count_jsonl_lines(path), size


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_jsonl_lines(
    fh: IO[bytes], where: str
) -> Generator[tuple[RawDocument | Skipped, int, int], None, bool]:
    """The documents and skips of a checked .jsonl file, each with its line number and the
    byte offset after it; returns whether any line had content."""
    limit = LINE_LIMIT_FACTOR * MAX_FILE_BYTES
    any_line = False
    # Split on \n only: JSON strings may hold U+2028 and friends, which splitlines() breaks on.
    for lineno in itertools.count(1):
        raw = fh.readline(limit + 1)
        if not raw:
            break
        loc = f"{where}:{lineno}"
        if len(raw) > limit and not raw.endswith(b"\n"):
            while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            any_line = True
            yield (
                Skipped(
                    loc,
                    f"line larger than {_mb(limit)}; a text and its meta may be at most"
                    f" {_mb(MAX_FILE_BYTES)}",
                ),
                lineno,
                fh.tell(),
            )
            continue
        line = raw.decode("utf-8", "replace")  # checked as UTF-8 already
        if lineno == 1:
            line = line.removeprefix("\ufeff")
        line = line.removesuffix("\n").removesuffix("\r")
        if not line.strip():
            continue
        any_line = True
        yield _jsonl_record(line, loc), lineno, fh.tell()
    return any_line


def _jsonl_record(line: str, loc: str) -> RawDocument | Skipped:
    try:
        obj = jsonsafe.loads(line)
    except jsonsafe.StrictJSONError as e:
        reason = str(e)
        if reason.startswith("invalid JSON"):
            reason = "not valid JSON" + reason.removeprefix("invalid JSON")
        return Skipped(loc, reason)
    if not isinstance(obj, dict) or "text" not in obj:
        return Skipped(loc, 'no "text" field')
    text = obj["text"]
    if not isinstance(text, str):
        return Skipped(loc, '"text" is not a string')
    meta = obj.get("meta", {})
    if not isinstance(meta, dict):
        return Skipped(loc, '"meta" is not an object')
    text = normalize_text(text)
    if not text.strip():
        return Skipped(loc, "empty or whitespace-only text")
    if "\x00" in text:
        return Skipped(loc, "text contains a NUL character (U+0000), not article text")
    import json

    meta_size = len(json.dumps(meta, ensure_ascii=False).encode("utf-8")) if meta else 0
    text_size = utf8_size_within(text, MAX_FILE_BYTES - meta_size)  # measured once
    limit = f"the {_mb(MAX_FILE_BYTES)} limit"
    too_large = text_too_large(text, text_size)
    if too_large is not None:
        return Skipped(loc, too_large)
    if meta_size > MAX_FILE_BYTES:
        return Skipped(loc, f"meta larger than {limit}")
    if text_size + meta_size > MAX_FILE_BYTES:
        return Skipped(loc, f"text and meta together larger than {limit}")
    return RawDocument(text, loc, meta)


# --- titles -------------------------------------------------------------------

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)


@cache
def _title_patterns() -> tuple[
    list[re.Pattern[str]], re.Pattern[str], re.Pattern[str], re.Pattern[str]
]:
    """(clutter, byline, digit, word): compiled when a title is first derived (an import),
    not when the window starts (the document list needs only :func:`origin_and_date_of`)."""
    clutter = [
        re.compile(r"^\s*https?://|^\s*www\.", re.I),  # URLs
        re.compile(rf"\b({_MONTHS})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\s+({_MONTHS})\b", re.I),  # dates
        re.compile(r"\b\d{1,2}:\d{2}\s*(am|pm)?\b", re.I),  # clock times
        re.compile(r"^\s*-?\d+(\.\d+)?\s*°?\s*[CF]\s*$"),  # weather
        re.compile(r"^\s*(by|published|updated|posted|share|home|menu|search)\b[:\s]*", re.I),
    ]
    byline = re.compile(r"\s+by\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}\s*$")
    return clutter, byline, re.compile(r"\d"), re.compile(r"[^\W\d_]{2,}")


_MIN_HEADLINE = 11  # four words of at least two letters, with something between them


def _is_headline_like(ln: str) -> bool:
    """Not too long or short, not a body sentence, a URL, a byline, navigation, a date, a
    clock time or the weather."""
    if len(ln) > 200:
        return False
    n_split = len(ln.split())
    if n_split < 4 or (n_split > 12 and ln[-1] == "."):
        return False
    clutter, _, digit, word = _title_patterns()
    words = word.findall(ln)
    if len(words) < 4 or (ln.endswith(".") and len(words) > 12):
        return False
    if clutter[0].search(ln) or clutter[4].match(ln):
        return False
    # A date, a clock time or the weather all need a digit.
    return not (digit.search(ln) and any(p.search(ln) for p in clutter[1:4]))


def derive_title(text: str, max_len: int = 120) -> str:
    """Pick the headline-like line near the top of a web article.

    Skips site clutter (dates, times, weather, URLs, bylines, short navigation
    lines, lines that read like body sentences); prefers a line that the page
    repeats (breadcrumb + headline); drops a trailing "by Author".
    """
    head = text[:4000]  # the headline is near the top; never split a whole book
    lines = [ln for ln in map(str.strip, head.split("\n")) if ln][:20]
    # A breadcrumb such as "Home World <headline>" followed by the headline itself: a
    # line that ends another one. Without any, the first candidate is the title, and
    # the (costlier) candidate checks can stop there. A candidate has four words of two
    # letters, so at least _MIN_HEADLINE characters; lines are matched by their ends.
    by_end: dict[str, list[str]] = {}
    for ln in lines:
        if len(ln) >= _MIN_HEADLINE:
            by_end.setdefault(ln[-_MIN_HEADLINE:], []).append(ln)

    def ends_another(ln: str) -> bool:
        return any(o != ln and o.endswith(ln) for o in by_end.get(ln[-_MIN_HEADLINE:], ()))

    has_tails = any(
        a != b and a.endswith(b) for same in by_end.values() if len(same) > 1
        for a in same for b in same
    )  # fmt: skip
    title = ""
    candidates = 0
    for ln in lines:
        if not _is_headline_like(ln):
            continue
        if not title:
            title = ln  # the first candidate, unless a breadcrumb's tail comes after
            if not has_tails:
                break
        if ends_another(ln):
            title = ln
            break
        candidates += 1
        if candidates == 6:  # the headline is among the first few
            break
    if not title:
        title = lines[0] if lines else ""
    _, byline, _, word = _title_patterns()
    stripped = byline.sub("", title)
    if len(word.findall(stripped)) >= 4:
        title = stripped
    title = " ".join(title.split())
    if len(title) > max_len:
        title = title[: max_len - 1].rstrip() + "…"
    return title


# --- where and when an article appeared ------------------------------------------------

# The .jsonl ``meta`` keys read as an article's source and date (README, "Importing
# articles"); the first one present with a value wins. A source key is shown as given, a
# URL key by its host; a date as given (an ISO date-time by its date). Without them the
# source is the file's name (``.jsonl`` files with the line) and the date stays empty:
# nothing is guessed from the text (a "Time & Date" line in an article is not its date).
SOURCE_KEYS = ("source", "publisher", "outlet", "site", "domain")
URL_KEYS = ("url", "link", "source_url")
DATE_KEYS = ("date", "published", "published_at", "publication_date", "pub_date", "datetime")
ORIGIN_KEYS = SOURCE_KEYS + URL_KEYS + DATE_KEYS
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{1,2}:\d{2}.*)?$")


def _shown(value: Any, at_most: int = 40) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= at_most else text[: at_most - 1].rstrip() + "…"


def _host(url: Any) -> str:
    from urllib.parse import urlsplit

    if not isinstance(url, str):
        return ""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def origin_and_date(meta: dict[str, Any], source: str) -> tuple[str, str]:
    """Where an article appeared and when, for the document list, from its ``meta``
    (the :data:`ORIGIN_KEYS`) and the ``source`` it was imported from."""
    return origin_and_date_of([meta.get(k) for k in ORIGIN_KEYS], source)


_N_SOURCE, _N_URL = len(SOURCE_KEYS), len(SOURCE_KEYS) + len(URL_KEYS)


def origin_and_date_of(values: list[Any], source: str) -> tuple[str, str]:
    """:func:`origin_and_date` from the values of :data:`ORIGIN_KEYS` in order (None
    where missing), as the store reads them for a whole list at once."""
    origin = date = ""
    for i, value in enumerate(values):
        if value is None:
            continue
        if i < _N_SOURCE:
            if not origin:
                origin = _shown(value)
        elif i < _N_URL:
            if not origin:
                origin = _host(value)
        elif not date:
            date = _shown(value, 25)
    if not origin and source:
        origin = _shown(source.replace("\\", "/").rsplit("/", 1)[-1], 60)
    iso = _ISO_DATE.match(date) if date else None
    return origin, iso[1] if iso else date
