"""Strict JSON for everything read from or written for a user.

Python's :mod:`json` accepts and writes things other readers refuse or choke on:
``NaN`` and ``Infinity`` (not JSON), lone surrogates such as ``"\\ud800"`` (not
text: SQLite and UTF-8 writers fail on them later), nesting deep enough to raise
``RecursionError``, and integers long enough to raise ``ValueError`` with a
message about ``sys.set_int_max_str_digits``. :func:`loads` turns each of these
into :class:`StrictJSONError` with a short reason, which callers prefix with the
file and line; :func:`dumps` refuses to write them.
"""

from __future__ import annotations

import re
from typing import Any

# Deeper than any real record, far below the recursion limit.
MAX_DEPTH = 200


class StrictJSONError(ValueError):
    """The text is not strict JSON; ``str()`` is a short reason without a location."""


def _refuse_constant(name: str) -> Any:
    raise StrictJSONError(f"{name} is not allowed in JSON")


def loads(text: str | bytes) -> Any:
    """Parse strict JSON: no NaN/Infinity, no lone surrogates, at most MAX_DEPTH deep."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise StrictJSONError(f"not UTF-8 (byte {e.start})") from None
    import json

    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except StrictJSONError:
        raise
    except RecursionError:
        raise StrictJSONError(f"nested more than {MAX_DEPTH} levels deep") from None
    except json.JSONDecodeError as e:
        raise StrictJSONError(f"invalid JSON ({e.msg} at column {e.colno})") from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        if "digits" in str(e):
            raise StrictJSONError("a number has too many digits") from None
        raise StrictJSONError(f"invalid JSON ({e})") from None
    check_text(value)
    return value


def check_text(value: Any, _depth: int = 0) -> None:
    """Refuse lone surrogates, NaN and infinities anywhere in a JSON-like value."""
    if _depth >= MAX_DEPTH:
        raise StrictJSONError(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, str):
        check_surrogates(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise StrictJSONError(f"{value} is not allowed in JSON")
    elif isinstance(value, dict):
        for k, v in value.items():
            check_text(k, _depth + 1)
            check_text(v, _depth + 1)
    elif isinstance(value, list | tuple):
        for v in value:
            check_text(v, _depth + 1)


def dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` that writes strict JSON only (raises StrictJSONError otherwise)."""
    import json

    kwargs.setdefault("ensure_ascii", False)
    try:
        text = json.dumps(value, allow_nan=False, **kwargs)
    except ValueError as e:
        raise StrictJSONError(str(e)) from None
    except RecursionError:
        raise StrictJSONError(f"nested more than {MAX_DEPTH} levels deep") from None
    check_surrogates(text)
    return text


SHOWN_CHARS = 60  # of a value quoted in a message, at most


def shown(value: Any) -> str:
    """``value`` (read from a JSON file) spelled as JSON, for a message about it:
    ``true``, ``null``, ``"x"``, ``["a", 1]``; cut after :data:`SHOWN_CHARS` characters."""
    import json

    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    if not text.isprintable():  # JSON leaves U+200B, U+00A0, U+2028 as they are: escaped
        text = "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in text)
    if len(text) <= SHOWN_CHARS:
        return text
    cut = text[: SHOWN_CHARS - 1]
    # an escape the cut ends in is left out whole (an odd run of backslashes starts one)
    tail = _ESCAPE_TAIL.search(cut)
    if tail and len(tail.group(1)) % 2:
        cut = cut[: tail.start() + len(tail.group(1)) - 1]
    return cut + "…"


_ESCAPE_TAIL = re.compile(r"(\\*)(?:u[0-9a-fA-F]{0,3})?$")


def check_surrogates(text: str) -> None:
    """Refuse a lone surrogate (text that no UTF-8 file or SQLite column can hold)."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            raise StrictJSONError(
                f"text contains a lone surrogate (U+{ord(text[e.start]):04X})"
            ) from None
