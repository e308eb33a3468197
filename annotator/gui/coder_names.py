"""The window's rule for a coder's name and the prompt asking for one, without Qt: shared
by ``coder.py`` and the dialog asking for a name (``coder_dialog.py``, loaded when it is
first shown)."""

from __future__ import annotations

from ..store import RESERVED_NAMES, check_coder_name

PROMPT = "Your name or initials (your labels are stored under it):"


def window_coder_name(name: str, known: list[str] | tuple[str, ...] = ()) -> str:
    """``name`` if the window may code under it: a coder already in the database (not a
    reserved name), or a new name the coder rule accepts; else ValidationError (one line)."""
    if name in known and name not in RESERVED_NAMES:
        return name
    return check_coder_name(name)
