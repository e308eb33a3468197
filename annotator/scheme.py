"""The framing scheme: span labels and document fields, loaded from TOML and validated.

The format (documented in the README)::

    name = "alliance-framing"
    version = 1

    [[span_labels]]
    name = "alarmist"        # lowercase letters, digits, _ and -
    key = "1"                # hotkey: one ASCII digit, letter or punctuation
                             # character, unique (letters ignore case), not reserved
    color = "#d62728"        # #rrggbb
    description = "..."      # codebook text
    phrases = ["should", "must"]   # optional: cue phrases suggested as this label
    patterns = [[{LOWER = "calls"}, {LOWER = "for"}]]   # optional: spaCy Matcher patterns
    retired = true           # optional: kept for reading old spans, no longer offered

    [[doc_fields]]
    name = "dominant_frame"
    kind = "single"          # "single" or "multi"
    options = ["alarmist", "none"]
    description = "..."
"""

from __future__ import annotations

import re
import stat
import string
import sys
from collections.abc import Callable, Iterable, Set
from pathlib import Path
from typing import Any

from .colours import Palette, derive_palette, warning_lines
from .errors import SchemeError
from .jsonsafe import StrictJSONError, check_text
from .records import FrozenRecord

# Builds the error for one entry: fail(where, problem).
Fail = Callable[[str, str], SchemeError]

NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")
FIELD_KINDS = ("single", "multi")
# When the window shows suggestions (never on reliability-sample documents): the
# scheme's top-level ``suggestions``; "after-first-pass" once the coder marked the
# document done. The default is "after-first-pass": every document is first coded blind,
# so a document of the reliability sample (which never shows suggestions) looks like any
# other on the first pass, and coders cannot tell the sample by the missing outlines
# (issue 13: the sample stays hidden from the coders). "always" trades that for speed.
SUGGESTION_MODES = ("always", "after-first-pass", "never")
DEFAULT_SUGGESTION_MODE = "after-first-pass"
# Token attributes a pattern may test (spaCy's Matcher; those a blank pipeline sets) and
# the values spaCy's pattern schema takes for each (spacy.schemas.TokenPattern), checked
# in full when the scheme is read, so a pattern spaCy would refuse is named then, not at
# the first ``suggest --patterns``.
PATTERN_STRING_ATTRS = frozenset({"ORTH", "TEXT", "LOWER", "NORM", "SHAPE"})
PATTERN_NUMBER_ATTRS = frozenset({"LENGTH"})
PATTERN_BOOL_ATTRS = frozenset(
    {"IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT",
     "IS_SPACE", "IS_STOP", "IS_SENT_START", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL"}
)  # fmt: skip
PATTERN_KEYS = PATTERN_STRING_ATTRS | PATTERN_NUMBER_ATTRS | PATTERN_BOOL_ATTRS | {"OP"}
# A token's OP: spaCy's simple operators or a count {n}, {n,m}, {n,}, {,m}.
PATTERN_OP_RE = re.compile(r"[!?+*]|\{\d+\}|\{\d+,\d*\}|\{\d*,\d+\}")
# The attributes an earlier version let a pattern name (see _patterns).
_LEGACY_PATTERN_KEYS = PATTERN_KEYS | {"PREFIX", "SUFFIX", "REGEX", "FUZZY", "IN", "NOT_IN"}
_LIST_OPS = frozenset({"IN", "NOT_IN", "IS_SUBSET", "IS_SUPERSET", "INTERSECTS"})
_FUZZY_OPS = frozenset({"FUZZY", *(f"FUZZY{i}" for i in range(1, 10))})
_COMPARE_OPS = frozenset({"==", "!=", ">=", "<=", ">", "<"})
# A scheme (codebook included) is text of a few kilobytes; anything this large is a mistake.
MAX_SCHEME_BYTES = 10 * 2**20
# The largest scheme version (SQLite stores it as a 64-bit integer; nobody needs more).
MAX_VERSION = 2**31 - 1

# The hotkeys a span label may have: one ASCII digit, letter or punctuation character,
# each of which Qt binds as one key without modifiers (tests/gui/test_scheme_keys.py
# checks every one against QKeySequence). Letters ignore case: Qt binds `a` and `A` to
# the same key, so two labels cannot have them. Anything else (emoji, `İ`, `ı`, `é`,
# space, control characters) is refused: Qt cannot bind it, or binds it to another key.
ALLOWED_KEYS = frozenset(string.digits + string.ascii_letters + string.punctuation)

# Every key the window or review mode uses on its own (without Ctrl/Alt), written the way
# Qt names it (QKeySequence.toString(PortableText)), with what it does. A label cannot
# take one of these; tests/gui/test_scheme_keys.py checks that every single-key shortcut
# of the main window and of review mode is listed here, so the two cannot drift apart.
RESERVED_KEYS: dict[str, str] = {
    "A": "review mode: Accept",
    "R": "review mode: Reject",
    "E": "review mode: Edit",
    "J": "review mode: Next decision",
    "K": "review mode: Previous decision",
    "N": "review mode: Next disputed document",
    "P": "review mode: Previous disputed document",
    "G": "review mode: Accept all agreed",
    "D": "review mode: Disagreements first",
    "Return": "review mode: Accept",
    "Enter": "review mode: Accept",
    "Del": "Delete span / review mode: Reject",
    "Backspace": "Delete span / review mode: Reject",
    "Esc": "Clear selection",
    "F1": "Keyboard shortcuts",
    "F2": "Edit title",
    "Tab": "Next span",
    "Backtab": "Previous span",
    "Space": "typing in lists and buttons",
}


def key_id(key: str) -> str:
    """How Qt names the key of a one-character hotkey (letters in upper case)."""
    if key == " ":
        return "Space"
    return key.upper() if key in string.ascii_letters else key


def check_key(key: object) -> str | None:
    """Why ``key`` cannot be a label's hotkey, or None when it can."""
    if not isinstance(key, str) or len(key) != 1 or key not in ALLOWED_KEYS:
        return (
            "key must be one ASCII digit, letter or punctuation character"
            f" (a key Qt can bind), got {key!r}"
        )
    used = RESERVED_KEYS.get(key_id(key))
    if used is not None:
        return f"key {key!r} is reserved by the window ({used})"
    return None


MAX_COLOUR_WARNINGS = 10  # lines `annotator init` prints about look-alike colours, at most


class SpanLabel(FrozenRecord):
    name: str
    key: str
    color: str
    description: str
    phrases: tuple[str, ...]  # cue phrases (matched case-insensitively on whole tokens)
    patterns: tuple[str, ...]  # spaCy Matcher token patterns, each as JSON text
    retired: bool  # kept for reading old spans, no longer offered (issue 16)

    def __init__(
        self,
        name: str,
        key: str,
        color: str,
        description: str = "",
        phrases: tuple[str, ...] = (),
        patterns: tuple[str, ...] = (),
        retired: bool = False,
    ) -> None:
        d = self.__dict__
        d["name"] = name
        d["key"] = key
        d["color"] = color
        d["description"] = description
        d["phrases"] = phrases
        d["patterns"] = patterns
        d["retired"] = retired

    def token_patterns(self) -> list[list[dict[str, Any]]]:
        """The label's Matcher patterns as spaCy takes them (lists of token dicts)."""
        import json

        return [json.loads(p) for p in self.patterns]


class DocField(FrozenRecord):
    name: str
    kind: str  # "single" or "multi"
    options: tuple[str, ...]
    description: str

    def __init__(
        self, name: str, kind: str, options: tuple[str, ...], description: str = ""
    ) -> None:
        d = self.__dict__
        d["name"] = name
        d["kind"] = kind
        d["options"] = options
        d["description"] = description


class Scheme(FrozenRecord):
    name: str
    version: int
    span_labels: tuple[SpanLabel, ...]
    doc_fields: tuple[DocField, ...]
    source_toml: str
    suggestions: str  # one of SUGGESTION_MODES

    def __init__(
        self,
        name: str,
        version: int,
        span_labels: tuple[SpanLabel, ...],
        doc_fields: tuple[DocField, ...],
        source_toml: str = "",
        suggestions: str = DEFAULT_SUGGESTION_MODE,
    ) -> None:
        d = self.__dict__
        d["name"] = name
        d["version"] = version
        d["span_labels"] = span_labels
        d["doc_fields"] = doc_fields
        d["source_toml"] = source_toml
        d["suggestions"] = suggestions

    def label(self, name: str) -> SpanLabel | None:
        return next((lab for lab in self.span_labels if lab.name == name), None)

    def field(self, name: str) -> DocField | None:
        return next((f for f in self.doc_fields if f.name == name), None)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(lab.name for lab in self.span_labels)

    @property
    def offered_labels(self) -> tuple[SpanLabel, ...]:
        """The span labels a coder may choose (retired ones are kept only for reading)."""
        return tuple(lab for lab in self.span_labels if not lab.retired)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.doc_fields)

    def label_for_key(self, key: str) -> SpanLabel | None:
        """The label bound to ``key`` (letters ignore case, as Qt binds them)."""
        return next((lab for lab in self.span_labels if key_id(lab.key) == key_id(key)), None)

    def palette(self) -> Palette:
        """How the window paints the labels' spans and the text selection (fills, bands
        and selection colour derived from the label colours: :mod:`annotator.colours`)."""
        return derive_palette(tuple((lab.name, lab.color) for lab in self.span_labels))

    def colour_warnings(self) -> list[str]:
        """One line per pair of labels whose colours look alike (for normal vision or a
        simulated colour-vision deficiency)."""
        lines = warning_lines({lab.name: lab.color for lab in self.span_labels})
        if len(lines) > MAX_COLOUR_WARNINGS:  # 26 labels of one colour: 325 pairs
            rest = len(lines) - MAX_COLOUR_WARNINGS + 1
            lines = lines[: MAX_COLOUR_WARNINGS - 1] + [
                f"... and {rest} more pair(s) of labels whose colours look alike"
            ]
        return lines


def resource_path(name: str) -> Path | None:
    """A file shipped in ``resources/`` (installed as ``annotator/_resources``), if present."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_resources" / name, here.parent / "resources" / name):
        if candidate.is_file():
            return candidate
    return None


def default_scheme_path() -> Path:
    """The scheme shipped with the app: ``resources/labels.toml``."""
    found = resource_path("labels.toml")
    if found is not None:
        return found
    raise SchemeError("default scheme resources/labels.toml is missing from the installation")


def load_scheme(path: str | Path | None = None) -> Scheme:
    """Read and validate a scheme file (the default one when ``path`` is None)."""
    path = Path(path) if path is not None else default_scheme_path()
    try:
        # A FIFO would block the open and a device (/dev/zero) never end: regular files only.
        if not stat.S_ISREG(path.stat().st_mode):
            raise SchemeError(f"{path}: cannot read scheme: not a regular file")
        with path.open("rb") as fh:
            raw = fh.read(MAX_SCHEME_BYTES + 1)
    except OSError as e:
        raise SchemeError(f"{path}: cannot read scheme: {e.strerror or e}") from None
    if len(raw) > MAX_SCHEME_BYTES:
        raise SchemeError(f"{path}: scheme file larger than {MAX_SCHEME_BYTES // 2**20} MB")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SchemeError(f"{path}: scheme is UTF-16 text; save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SchemeError(f"{path}: scheme is not UTF-8 text (byte {e.start})") from None
    return parse_scheme(text, source=str(path))


_REMEMBERED: dict[str, dict[str, Any]] = {}  # TOML text -> its tables (remember_toml)


def toml_as_literal(text: str) -> str | None:
    """TOML ``text`` and its tables, as a Python literal (``repr`` of a tuple) to store
    between launches (read back with :func:`remember_toml`, by ``ast.literal_eval``: a
    window's start has ``ast`` loaded already, PySide's signature support imports it, and
    does without ``json``; the tables are still checked as a scheme); None if the text is
    not TOML or has values a literal does not give back exactly (dates, times, inf, nan)."""
    import ast

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        value = (text, tomllib.loads(text))
        stored = repr(value)
        if ast.literal_eval(stored) != value:  # nan: not equal to itself
            return None
    except (tomllib.TOMLDecodeError, ValueError, SyntaxError, RecursionError, MemoryError):
        return None
    return f"({stored[1:-1]}, {_check_sum(stored)})"


def _check_sum(pair: str) -> int:
    """What binds a stored TOML text to its tables (``toml_as_literal``): a settings file
    edited by hand, or cut, no longer matches. (zlib: loaded at start by colours.py.)"""
    import zlib

    return zlib.crc32(pair.encode("utf-8", "surrogatepass"))


def remember_toml(data: object) -> str | None:
    """Take the TOML text and tables stored by :func:`toml_as_literal` (``data``, as
    stored): the next :func:`parse_scheme` of exactly that text uses the tables instead of
    parsing it (the TOML parser takes about 5 ms to load). Returns the text taken; None if
    ``data`` is not what ``toml_as_literal`` stores (a value stored by an earlier version,
    JSON text, is not: it is stored anew after the start), or its tables were changed
    since (the check sum stored with them). Tables that do not make a valid scheme are not
    trusted either: :func:`parse_scheme` then parses the text."""
    import ast

    try:
        d = ast.literal_eval(data) if isinstance(data, str) else None
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(d, tuple) or len(d) != 3:
        return None
    text, tables, check = d
    if not isinstance(text, str) or not isinstance(tables, dict):
        return None
    try:
        if check != _check_sum(repr((text, tables))):  # edited by hand: the text decides
            return None
    except (ValueError, RecursionError, MemoryError):
        return None
    _REMEMBERED[text] = tables
    return text


def _toml_tables(text: str, source: str) -> dict[str, Any]:
    """The tables of TOML ``text``; SchemeError naming ``source`` if it is not TOML."""
    if sys.version_info >= (3, 11):
        import tomllib  # here: a window's start may take the tables read before (remember_toml)
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        tables: dict[str, Any] = tomllib.loads(text)
        return tables
    except tomllib.TOMLDecodeError as e:
        raise SchemeError(f"{source}: invalid TOML: {e}") from None
    except RecursionError:
        raise SchemeError(f"{source}: invalid TOML: arrays or tables nested too deeply") from None
    except ValueError as e:  # an integer with more digits than Python converts
        reason = "a number has too many digits" if "digits" in str(e) else str(e)
        raise SchemeError(f"{source}: invalid TOML: {reason}") from None


def parse_scheme(text: str, source: str = "<scheme>", *, stored: bool = False) -> Scheme:
    """Validate TOML text as a scheme; errors name ``source``, the entry and the problem.

    ``stored``: the text was recorded in a database by an earlier version, whose hotkey
    rule was looser (any printable character, unique as written). Such a scheme is read
    as it is, so that the database stays usable; a new scheme (a file, an extension) must
    follow the current rule (:func:`check_key`).
    """
    remembered = _REMEMBERED.pop(text, None)
    if remembered is not None:
        try:
            return _scheme_from_tables(remembered, text, source, stored)
        except Exception:  # noqa: BLE001 -- a cache that makes no scheme: the text decides
            pass
    return _scheme_from_tables(_toml_tables(text, source), text, source, stored)


def _scheme_from_tables(data: Any, text: str, source: str, stored: bool) -> Scheme:
    """The scheme of ``text`` from its TOML tables ``data`` (``parse_scheme``)."""

    def fail(where: str, problem: str) -> SchemeError:
        return SchemeError(f"{source}: {where}: {problem}")

    known_top = {"name", "version", "span_labels", "doc_fields", "description", "suggestions"}
    for key in data:
        if key not in known_top:
            raise fail(
                repr(key), f"unknown top-level key (expected one of {', '.join(sorted(known_top))})"
            )

    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "missing or empty scheme name")
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        shown = repr(version)
        shown = shown if len(shown) <= 40 else shown[:20] + "..."
        raise fail("version", f"must be an integer from 1 to {MAX_VERSION}, got {shown}")

    mode = data.get("suggestions", DEFAULT_SUGGESTION_MODE)
    if mode not in SUGGESTION_MODES:
        raise fail(
            "suggestions", f"must be one of {', '.join(map(repr, SUGGESTION_MODES))}, got {mode!r}"
        )

    labels_raw = data.get("span_labels", [])
    fields_raw = data.get("doc_fields", [])
    if not isinstance(labels_raw, list):
        raise fail("span_labels", "must be an array of tables ([[span_labels]])")
    if not isinstance(fields_raw, list):
        raise fail("doc_fields", "must be an array of tables ([[doc_fields]])")
    if not labels_raw and not fields_raw:
        raise fail("span_labels", "the scheme defines no span labels and no document fields")

    try:
        check_text(data)
    except StrictJSONError as e:  # e.g. a lone surrogate in text given directly
        raise fail("scheme", str(e)) from None

    labels: list[SpanLabel] = []
    seen_names: dict[str, str] = {}
    seen_keys: dict[str, str] = {}
    for i, entry in enumerate(labels_raw, 1):
        where = f"span_labels[{i}]"
        if not isinstance(entry, dict):
            raise fail(where, "must be a table")
        _check_keys(
            entry,
            {"name", "key", "color", "description", "phrases", "patterns", "retired"},
            where,
            fail,
        )
        lname = _identifier(entry.get("name"), where, fail)
        where = f"span label '{lname}'"
        if lname in seen_names:
            raise fail(where, f"duplicate name (also {seen_names[lname]})")
        seen_names[lname] = where
        key = entry.get("key")
        problem = _legacy_key_problem(key) if stored else check_key(key)
        if problem is not None:
            raise fail(where, problem)
        assert isinstance(key, str)  # both checks refuse anything else
        ident = key if stored else key_id(key)  # earlier versions compared keys as written
        if ident in seen_keys:
            raise fail(
                where,
                f"duplicate key {key!r} (also used by {seen_keys[ident]}; letters ignore case)",
            )
        seen_keys[ident] = f"'{lname}'"
        color = entry.get("color")
        if not isinstance(color, str) or not COLOR_RE.fullmatch(color):
            raise fail(where, f"color must look like #rrggbb, got {color!r}")
        retired = entry.get("retired", False)
        if not isinstance(retired, bool):
            raise fail(where, f"retired must be true or false, got {retired!r}")
        labels.append(
            SpanLabel(
                lname,
                key,
                color.lower(),
                _description(entry, where, fail),
                _phrases(entry, where, fail),
                _patterns(entry, where, fail, stored),
                retired,
            )
        )

    fields: list[DocField] = []
    seen_fields: set[str] = set()
    for i, entry in enumerate(fields_raw, 1):
        where = f"doc_fields[{i}]"
        if not isinstance(entry, dict):
            raise fail(where, "must be a table")
        _check_keys(entry, {"name", "kind", "options", "description"}, where, fail)
        fname = _identifier(entry.get("name"), where, fail)
        where = f"doc field '{fname}'"
        if fname in seen_fields:
            raise fail(where, "duplicate name")
        seen_fields.add(fname)
        kind = entry.get("kind")
        if kind not in FIELD_KINDS:
            raise fail(where, f"kind must be 'single' or 'multi', got {kind!r}")
        options = entry.get("options")
        if not isinstance(options, list) or not options:
            raise fail(where, "options must be a non-empty array of strings")
        for opt in options:
            if not isinstance(opt, str) or not opt.strip():
                raise fail(where, f"option {opt!r} must be a non-empty string")
        dupes = sorted({o for o in options if options.count(o) > 1})
        if dupes:
            raise fail(where, f"duplicate option {dupes[0]!r}")
        fields.append(DocField(fname, kind, tuple(options), _description(entry, where, fail)))

    return Scheme(name.strip(), version, tuple(labels), tuple(fields), text, mode)


MAX_PHRASES = 1000  # cue phrases or patterns of one label, at most


def _phrases(entry: dict[str, Any], where: str, fail: Fail) -> tuple[str, ...]:
    raw = entry.get("phrases", [])
    if not isinstance(raw, list) or len(raw) > MAX_PHRASES:
        raise fail(where, f"phrases must be an array of at most {MAX_PHRASES} strings")
    for i, phrase in enumerate(raw, 1):
        if not isinstance(phrase, str) or not phrase.strip():
            raise fail(where, f"phrases[{i}] must be a non-empty string, got {phrase!r}")
    return tuple(dict.fromkeys(p.strip() for p in raw))


def _patterns(entry: dict[str, Any], where: str, fail: Fail, stored: bool) -> tuple[str, ...]:
    """A label's token patterns as JSON texts. A scheme ``stored`` by an earlier version
    was checked by a looser rule (its token attributes only): it is read as it was, so the
    database opens; a pattern spaCy refuses is then named by ``suggest --patterns``."""
    raw = entry.get("patterns", [])
    if not isinstance(raw, list) or len(raw) > MAX_PHRASES:
        raise fail(where, f"patterns must be an array of at most {MAX_PHRASES} patterns")
    if not raw:
        return ()  # (without loading json: a label without patterns, at start-up)
    import json

    out = []
    for i, pattern in enumerate(raw, 1):
        at = f"patterns[{i}]"
        if not isinstance(pattern, list) or not pattern:
            raise fail(where, f"{at} must be a non-empty array of token tables ({{LOWER = ...}})")
        for j, token in enumerate(pattern, 1):
            if not isinstance(token, dict):
                raise fail(where, f"{at} token {j} must be a table, got {token!r}")
            problem = _legacy_pattern_problem(token) if stored else _pattern_problem(token)
            if problem is not None:
                raise fail(where, f"{at} token {j}: {problem}")
        out.append(json.dumps(pattern, sort_keys=True, ensure_ascii=False))
    return tuple(out)


def _pattern_problem(token: dict[str, Any]) -> str | None:
    """Why a token table cannot be a Matcher token pattern: what spaCy's pattern schema
    (``validate=True``) or its regular expressions would refuse."""
    for key, value in token.items():
        if key not in PATTERN_KEYS:
            return f"unknown token attribute {key!r} (spaCy Matcher attributes in capitals)"
        if key == "OP":
            counts = re.findall(r"\d+", value) if isinstance(value, str) else []
            if (
                not isinstance(value, str)
                or not PATTERN_OP_RE.fullmatch(value)
                or (len(counts) == 2 and int(counts[0]) > int(counts[1]))
            ):
                return (
                    f"OP must be one of !, ?, +, * or {{n}}, {{n,m}}, {{n,}}, {{,m}}, got {value!r}"
                )
        elif key in PATTERN_BOOL_ATTRS:
            if not isinstance(value, bool):
                return f"{key} must be true or false, got {value!r}"
        elif key in PATTERN_NUMBER_ATTRS:
            problem = _number_problem(value)
            if problem is not None:
                return f"{key} {problem}"
        else:
            problem = _string_problem(value)
            if problem is not None:
                return f"{key} {problem}"
    return None


def _legacy_pattern_problem(token: dict[str, Any]) -> str | None:
    for key in token:
        if key not in _LEGACY_PATTERN_KEYS:
            return f"unknown token attribute {key!r} (spaCy Matcher attributes in capitals)"
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _regex_problem(value: str) -> str | None:
    try:
        re.compile(value)
    except (re.error, RecursionError, OverflowError) as e:
        return f"REGEX {value!r} is not a regular expression ({e})"
    return None


def _string_problem(value: object, depth: int = 0) -> str | None:
    """Why ``value`` is not a string attribute's value: a string, or a table of REGEX,
    FUZZY (a string or such a table), IN, NOT_IN, IS_SUBSET, IS_SUPERSET, INTERSECTS
    (arrays of strings)."""
    if isinstance(value, str):
        return None
    if not isinstance(value, dict) or depth > 2:
        return f"must be a string or a table such as {{IN = [...]}}, got {value!r}"
    for op, arg in value.items():
        if op in _LIST_OPS:
            if not isinstance(arg, list) or not all(isinstance(v, str) for v in arg):
                return f"{op} needs an array of strings, got {arg!r}"
        elif op == "REGEX" or op in _FUZZY_OPS:
            if isinstance(arg, str):
                problem = _regex_problem(arg) if op == "REGEX" else None
            else:
                problem = _string_problem(arg, depth + 1)
            if problem is not None:
                return problem if problem.startswith("REGEX") else f"{op} {problem}"
        else:
            return (
                f"unknown operator {op!r} (a string attribute takes REGEX, FUZZY,"
                f" {', '.join(sorted(_LIST_OPS))})"
            )
    return None


def _number_problem(value: object) -> str | None:
    """Why ``value`` is not LENGTH's value: a whole number, or a table of ==, !=, >=, <=,
    >, < (whole numbers), IN, NOT_IN, IS_SUBSET, IS_SUPERSET, INTERSECTS (arrays of whole
    numbers), REGEX (a string)."""
    if _is_int(value):
        return None
    if not isinstance(value, dict):
        return f'must be a whole number or a table such as {{">=" = 3}}, got {value!r}'
    for op, arg in value.items():
        if op in _COMPARE_OPS:
            if not _is_int(arg):
                return f"{op} needs a whole number, got {arg!r}"
        elif op in _LIST_OPS:
            if not isinstance(arg, list) or not all(map(_is_int, arg)):
                return f"{op} needs an array of whole numbers, got {arg!r}"
        elif op == "REGEX":
            if not isinstance(arg, str):
                return f"REGEX needs a string, got {arg!r}"
            problem = _regex_problem(arg)
            if problem is not None:
                return problem
        else:
            return f"unknown operator {op!r} (a number takes ==, !=, >=, <=, >, <, IN, NOT_IN)"
    return None


def _legacy_key_problem(key: object) -> str | None:
    if not isinstance(key, str) or len(key) != 1 or not key.isprintable() or key.isspace():
        return f"key must be a single printable character, got {key!r}"
    return None


def _check_keys(entry: dict[str, Any], allowed: set[str], where: str, fail: Fail) -> None:
    for key in entry:
        if key not in allowed:
            raise fail(where, f"unknown key {key!r} (expected {', '.join(sorted(allowed))})")


def _identifier(value: object, where: str, fail: Fail) -> str:
    if not isinstance(value, str) or not NAME_RE.fullmatch(value):
        raise fail(where, f"name must use lowercase letters, digits, _ and -, got {value!r}")
    return value


def _description(entry: dict[str, Any], where: str, fail: Fail) -> str:
    desc = entry.get("description", "")
    if not isinstance(desc, str):
        raise fail(where, "description must be a string")
    return desc.strip()


# --- writing and extending ----------------------------------------------------------

# The keys extend_scheme hands out, in order (reserved and used ones are skipped).
_EXTRA_KEYS = "456789abcdefghijklmnopqrstuvwxyz0" + string.punctuation
_EXTRA_COLORS = (
    "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173",
)  # fmt: skip


def _toml_str(value: str) -> str:
    # JSON string escapes are a subset of TOML basic-string escapes; JSON leaves DEL raw,
    # which TOML does not allow in a string.
    import json

    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: object) -> str:
    """A pattern value (string, number, boolean, array, table) as TOML inline text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_str(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as TOML")


def scheme_to_toml(scheme: Scheme) -> str:
    """Serialise a scheme in the documented format (round-trips through parse_scheme)."""
    out = [f"name = {_toml_str(scheme.name)}", f"version = {scheme.version}"]
    if scheme.suggestions != DEFAULT_SUGGESTION_MODE:
        out.append(f"suggestions = {_toml_str(scheme.suggestions)}")
    for lab in scheme.span_labels:
        out += [
            "",
            "[[span_labels]]",
            f"name = {_toml_str(lab.name)}",
            f"key = {_toml_str(lab.key)}",
            f"color = {_toml_str(lab.color)}",
            f"description = {_toml_str(lab.description)}",
        ]
        if lab.phrases:
            out.append("phrases = [" + ", ".join(_toml_str(p) for p in lab.phrases) + "]")
        if lab.patterns:
            shown = ", ".join(_toml_value(p) for p in lab.token_patterns())
            out.append(f"patterns = [{shown}]")
        if lab.retired:
            out.append("retired = true")
    for f in scheme.doc_fields:
        out += [
            "",
            "[[doc_fields]]",
            f"name = {_toml_str(f.name)}",
            f"kind = {_toml_str(f.kind)}",
            "options = [" + ", ".join(_toml_str(o) for o in f.options) + "]",
            f"description = {_toml_str(f.description)}",
        ]
    return "\n".join(out) + "\n"


def free_key(scheme: Scheme) -> str | None:
    """The first hotkey no label of ``scheme`` (retired ones included), window or review
    mode uses, in the order :func:`extend_scheme` hands them out; None if none is left."""
    used = {key_id(lab.key) for lab in scheme.span_labels}
    return next((k for k in _EXTRA_KEYS if key_id(k) not in used and check_key(k) is None), None)


def free_colour(scheme: Scheme) -> str:
    """A palette colour for a new label (the first no label uses, else the first)."""
    used = {lab.color for lab in scheme.span_labels}
    return next((c for c in _EXTRA_COLORS if c not in used), _EXTRA_COLORS[0])


def extend_scheme(
    scheme: Scheme,
    version: int,
    labels: Iterable[str] = (),
    options: dict[str, list[str]] | None = None,
    multi_fields: Set[str] = frozenset(),
) -> Scheme:
    """A new scheme version with extra span labels, field options and fields.

    New labels get the next free hotkey (one that no label, window or review-mode command
    uses, in either case) and a palette colour; a new field is ``multi``
    if it is named in ``multi_fields``, else ``single``. Names are validated as usual.
    """
    used_keys = {key_id(lab.key) for lab in scheme.span_labels}
    free_keys = [k for k in _EXTRA_KEYS if key_id(k) not in used_keys and check_key(k) is None]
    new_labels = list(scheme.span_labels)
    for i, name in enumerate(n for n in labels if scheme.label(n) is None):
        if not free_keys:
            raise SchemeError(f"cannot add label {name!r}: no free hotkey left")
        new_labels.append(
            SpanLabel(name, free_keys.pop(0), _EXTRA_COLORS[i % len(_EXTRA_COLORS)], "")
        )
    fields = {f.name: f for f in scheme.doc_fields}
    order = list(fields)
    for fname, opts in (options or {}).items():
        old = fields.get(fname)
        if old is None:
            kind = "multi" if fname in multi_fields else "single"
            fields[fname] = DocField(fname, kind, tuple(dict.fromkeys(opts)), "")
            order.append(fname)
        else:
            extra = tuple(o for o in dict.fromkeys(opts) if o not in old.options)
            fields[fname] = DocField(old.name, old.kind, old.options + extra, old.description)
    draft = Scheme(
        scheme.name,
        version,
        tuple(new_labels),
        tuple(fields[n] for n in order),
        suggestions=scheme.suggestions,
    )
    text = scheme_to_toml(draft)
    # A scheme stored by an earlier version may keep its own keys; the new ones are free.
    keys = [lab.key for lab in scheme.span_labels]
    legacy = len({key_id(k) for k in keys}) < len(keys) or any(map(check_key, keys))
    return parse_scheme(text, source=f"scheme '{scheme.name}' v{version} (extended)", stored=legacy)
