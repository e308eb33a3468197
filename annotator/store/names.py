"""Coder names: the one rule a new name follows, the reserved names, and finding a
coder by name."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from .. import jsonsafe
from ..errors import NotFoundError, ValidationError

MAX_NAME_LEN = 100

# The adjudicated layer is stored as the labels of this reserved coder name.
GOLD = "gold"


# Names the tool gives a meaning of its own: the adjudicated layer, and the file folder
# exports (doccano, brat) write the documents nobody labelled to. No coder may take them.
RESERVED_NAMES = (GOLD, "unlabelled")

# ``agreement --with-source NAME`` counts a suggestion source as the coder "source:NAME":
# no new coder may take a name beginning so.
SOURCE_PREFIX = "source:"


def check_coder_name_spelling(name: str) -> str:
    """The one rule for coder names (the gold layer's name included); returns ``name``.

    A name is text of 1 to ``MAX_NAME_LEN`` characters, all printable (no line breaks,
    tabs, control or invisible format characters, no lone surrogates), without ``|``
    (pairwise agreement keys join two names with it) or ``,`` (``--annotators a,b``
    lists them) and without whitespace at either
    end (two names that look the same must be the same). Entry points that create
    coders also refuse the reserved names: :func:`check_coder_name`.
    """
    if not isinstance(name, str):
        raise ValidationError(f"coder name must be text, got {name!r}")
    shown = repr(name[:40] + ("..." if len(name) > 40 else ""))
    if not name or not name.strip():
        raise ValidationError("coder name is empty")
    if len(name) > MAX_NAME_LEN:
        raise ValidationError(
            f"coder name {shown} is longer than {MAX_NAME_LEN} characters ({len(name)})"
        )
    if name != name.strip():
        raise ValidationError(f"coder name {shown} begins or ends with whitespace")
    if "|" in name:
        raise ValidationError(f"coder name {shown} contains '|'")
    if "," in name:  # --annotators takes a comma-separated list
        raise ValidationError(f"coder name {shown} contains ','")
    if not name.isprintable():
        bad = next(c for c in name if not c.isprintable())
        raise ValidationError(
            f"coder name {shown} contains a non-printable character (U+{ord(bad):04X})"
        )
    return name


def check_coder_option(name: str) -> str:
    """``--annotator``, before the database is open: :func:`check_coder_name`, except that
    a name beginning with ``SOURCE_PREFIX`` is checked for its spelling only: a database
    from before that rule may hold such a coder, and the window, which knows the
    database's coders, refuses it as a new one (:func:`check_coder_name`)."""
    if isinstance(name, str) and name.startswith(SOURCE_PREFIX):
        return check_coder_name_spelling(name)
    return check_coder_name(name)


def lookup_name(name: str) -> str:
    """A coder name to look up: any stored name is found, also one an earlier version
    allowed that today's rule (:func:`check_coder_name_spelling`) refuses for new coders."""
    if not isinstance(name, str):
        raise ValidationError(f"coder name must be text, got {name!r}")
    try:
        jsonsafe.check_surrogates(name)
    except jsonsafe.StrictJSONError as e:
        raise ValidationError(f"coder name: {e}") from None
    return name


def check_coder_name(name: str, known: Collection[str] = ()) -> str:
    """:func:`check_coder_name_spelling` for a new coder: the reserved names, and names
    beginning with ``SOURCE_PREFIX``, are refused too; such a name of ``known`` (the
    database's coders: one an earlier version let a coder take) is not."""
    name = check_coder_name_spelling(name)
    if name in RESERVED_NAMES:
        what = "the adjudicated layer" if name == GOLD else "documents nobody labelled"
        raise ValidationError(f"coder name {name!r} is reserved (it names {what})")
    if name.startswith(SOURCE_PREFIX) and name not in known:
        raise ValidationError(
            f"coder name {name!r} begins with {SOURCE_PREFIX!r}, which names a suggestion"
            " source in agreement reports"
        )
    return name


def unknown_coder(name: str, known: Iterable[str]) -> NotFoundError:
    """The one error for a coder name the database does not hold, listing the ones it does:
    ``unknown coder 'x' (known: a, b)``."""
    return NotFoundError(f"unknown coder {name!r} (known: {', '.join(known) or 'none'})")


def resolve_coders(names: Iterable[str], known: Iterable[str]) -> list[str]:
    """``names`` (in the order given) if every one is in ``known``; otherwise
    :func:`unknown_coder` for the first that is not."""
    names, known = list(names), list(known)
    for name in names:
        if name not in known:
            raise unknown_coder(name, known)
    return names
