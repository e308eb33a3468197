"""Reading articles from disk: .txt files, folders of them, and .jsonl task files.

The stored text is the file's text with a UTF-8 byte-order mark dropped and line
endings normalised to ``\\n``; nothing else is changed. Bad inputs are reported
as :class:`Skipped` entries naming the file (and line), never raised, so one bad
file does not stop the good ones.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

# Larger files are skipped: a news article is a few KB, 1 MB books still load.
MAX_FILE_BYTES = 10 * 1024 * 1024
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl",)


@dataclass(frozen=True)
class RawDocument:
    """A text ready to store: normalised text, where it came from, free metadata."""

    text: str
    source: str
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The invariant every later step relies on: stored text is normalised.
        object.__setattr__(self, "text", normalize_text(self.text))

    @cached_property
    def sha256(self) -> str:
        return text_hash(self.text)


@dataclass(frozen=True)
class Skipped:
    """An input that could not be read, with a one-line reason naming it."""

    where: str
    reason: str

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
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode_bytes(data: bytes, where: str) -> str | Skipped:
    """Decode file content as UTF-8 text, or explain why it is not usable text."""
    if len(data) > MAX_FILE_BYTES:
        return Skipped(where, f"larger than the {MAX_FILE_BYTES // (1024 * 1024)} MB limit")
    if b"\x00" in data[:8192]:
        return Skipped(where, "binary file (contains NUL bytes), not text")
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
            yield from found
        elif p.is_file():
            yield p
        elif p.exists():
            yield Skipped(str(p), "not a regular file")
        else:
            yield Skipped(str(p), "no such file or folder")


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
            return Skipped(where, f"larger than the {MAX_FILE_BYTES // (1024 * 1024)} MB limit")
        data = path.read_bytes()
    except OSError as e:
        return Skipped(where, f"cannot read: {e.strerror or e}")
    text = decode_bytes(data, where)
    if isinstance(text, Skipped):
        return text
    return RawDocument(text, where, {})


def read_jsonl(path: Path) -> Iterator[RawDocument | Skipped]:
    """One ``{"text": ..., "meta": {...}}`` object per line (Prodigy / doccano input shape)."""
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        yield Skipped(where, f"cannot read: {e.strerror or e}")
        return
    if b"\x00" in data[:8192]:
        yield Skipped(where, "binary file (contains NUL bytes), not JSONL")
        return
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        yield Skipped(where, f"not UTF-8 text (invalid byte at offset {e.start})")
        return
    any_line = False
    # Split on \n only: JSON strings may hold U+2028 and friends, which splitlines() breaks on.
    for lineno, line in enumerate(content.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        any_line = True
        loc = f"{where}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield Skipped(loc, f"not valid JSON ({e.msg} at column {e.colno})")
            continue
        if not isinstance(obj, dict) or "text" not in obj:
            yield Skipped(loc, 'no "text" field')
            continue
        text = obj["text"]
        if not isinstance(text, str):
            yield Skipped(loc, '"text" is not a string')
            continue
        meta = obj.get("meta", {})
        if not isinstance(meta, dict):
            yield Skipped(loc, '"meta" is not an object')
            continue
        text = normalize_text(text)
        if not text.strip():
            yield Skipped(loc, "empty or whitespace-only text")
            continue
        try:
            size = len(text.encode("utf-8")) + len(json.dumps(meta, ensure_ascii=False).encode())
        except UnicodeEncodeError:
            yield Skipped(
                loc, "contains an unpaired surrogate (\\ud800-\\udfff), not valid Unicode"
            )
            continue
        if size > MAX_FILE_BYTES:
            yield Skipped(loc, f"text larger than the {MAX_FILE_BYTES // (1024 * 1024)} MB limit")
            continue
        yield RawDocument(text, loc, dict(meta))
    if not any_line:
        yield Skipped(where, "empty file")


# --- titles -------------------------------------------------------------------

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_CLUTTER = [
    re.compile(r"^\s*https?://|^\s*www\.", re.I),  # URLs
    re.compile(rf"\b({_MONTHS})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\s+({_MONTHS})\b", re.I),  # dates
    re.compile(r"\b\d{1,2}:\d{2}\s*(am|pm)?\b", re.I),  # clock times
    re.compile(r"^\s*-?\d+(\.\d+)?\s*°?\s*[CF]\s*$"),  # weather
    re.compile(r"^\s*(by|published|updated|posted|share|home|menu|search)\b[:\s]*", re.I),
]
_BYLINE = re.compile(r"\s+by\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}\s*$")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W\d_]{2,}")


_MIN_HEADLINE = 11  # four words of at least two letters, with something between them


def _is_headline_like(ln: str) -> bool:
    """Not too long or short, not a body sentence, a URL, a byline, navigation, a date, a
    clock time or the weather."""
    if len(ln) > 200:
        return False
    n_split = len(ln.split())
    if n_split < 4 or (n_split > 12 and ln[-1] == "."):
        return False
    words = _WORD.findall(ln)
    if len(words) < 4 or (ln.endswith(".") and len(words) > 12):
        return False
    if _CLUTTER[0].search(ln) or _CLUTTER[4].match(ln):
        return False
    # A date, a clock time or the weather all need a digit.
    return not (_DIGIT.search(ln) and any(p.search(ln) for p in _CLUTTER[1:4]))


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
    stripped = _BYLINE.sub("", title)
    if len(_WORD.findall(stripped)) >= 4:
        title = stripped
    title = " ".join(title.split())
    if len(title) > max_len:
        title = title[: max_len - 1].rstrip() + "…"
    return title
