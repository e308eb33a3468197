"""The common shape every label reader produces."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..jsonsafe import shown


class LineError(Exception):
    """One line of an input file is unusable; ``str()`` is the reason."""


@dataclass
class TaskSpan:
    start: int
    end: int
    label: str
    note: str = ""
    scheme_version: int | None = None
    sources: tuple[str, ...] | None = None  # a gold span's coders (canonical JSONL)
    origin: str | None = None  # manual, suggestion:<source>, edited:<source>; None: not given


@dataclass
class LabelTask:
    """One coder's labels for one text, as read from a file (offsets into ``text``)."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    coder: str | None = None
    spans: list[TaskSpan] = field(default_factory=list)
    # field -> option (single) or list of options (multi); None: an unmapped choice list
    doc_labels: dict[str, Any] = field(default_factory=dict)
    # choice / classification labels not yet assigned to a field ("field:option" or bare)
    choices: list[str] = field(default_factory=list)
    skip: bool = False  # e.g. a Prodigy task whose answer is not "accept"
    # a gold record's {field: coders the value came from} (canonical ``doc_label_sources``)
    label_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # {field: origin of its value} (canonical ``doc_label_origins``; a field absent: manual)
    label_origins: dict[str, str] = field(default_factory=dict)
    # the coder's status of the text and time spent on it (canonical JSONL; None: not given)
    status: str | None = None
    seconds_spent: float | None = None
    # when the record's labels were last changed (``_timestamp``, seconds since 1970)
    timestamp: float | None = None
    # the coder's memo on the document (canonical ``memo``, doccano ``memo``); None: the
    # record says nothing about it (no key, or null), "" : no memo
    memo: str | None = None


def as_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineError(f"{what} must be an integer, got {shown(value)}")
    return value


def as_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise LineError(f"{what} must be a string, got {shown(value)}")
    return value


def base_task(obj: Any) -> LabelTask:
    """Text and meta, checked; shared by every reader."""
    if not isinstance(obj, dict):
        raise LineError("not a JSON object")
    if "text" not in obj:
        raise LineError('no "text" field')
    text = as_str(obj["text"], '"text"')
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise LineError('"meta" must be an object')
    stamp = obj.get("_timestamp")
    if stamp is not None:
        try:
            ok = not isinstance(stamp, bool) and isinstance(stamp, int | float)
            stamp = float(stamp) if ok else None
        except OverflowError:
            stamp = None
        if stamp is None or not math.isfinite(stamp):
            raise LineError(
                f'"_timestamp" must be a number (seconds since 1970), got {shown(obj["_timestamp"])}'
            )
    return LabelTask(text=text, meta=dict(meta), timestamp=stamp)


def read_memo(obj: dict[str, Any], task: LabelTask) -> None:
    """The record's ``memo`` (text, or absent/null: not given)."""
    memo = obj.get("memo")
    if memo is not None:
        task.memo = as_str(memo, '"memo"')
