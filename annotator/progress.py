"""``annotator progress`` and Tools → Progress: how far each coder of a round is.

One core function, :func:`round_progress`, gives both front ends the same numbers. Per
coder assigned in the round:

- **assigned**: documents assigned to the coder in the round; **reliability_assigned**:
  those of them in the reliability sample.
- **coded**: assigned documents the coder has a span or a document field value on, or
  whose status is past "new" (as the agreement report counts a coder as having coded a
  document; a memo alone does not count); **reliability_coded**: those of them in the
  sample.
- **done**: assigned documents whose status is "done"; **remaining** = assigned − done.
- **median_seconds**: the median of the coding time recorded (``status.seconds_spent``)
  over the coded documents with more than 0 seconds recorded; None when there is none.
- **last_activity**: the latest timestamp of the coder's rows (status, spans, document
  field values, memos) on any document of the round, ISO 8601 (UTC); None if none.
- **estimated_finish**: the coder's pace is *done / days between their first and last
  activity* (the earliest and latest of those timestamps); the estimate is the last
  activity plus *remaining / pace* days, as an ISO date. It is ``"done"`` when nothing
  remains, and None when it cannot be estimated: fewer than 2 documents done, or first
  and last activity at the same moment (no time span to measure a pace over). It is a
  projection from the coder's own past pace, not from the calendar: a coder who paused
  keeps the date their pace gives from where they stopped.

The totals add the coders' counts (a reliability document assigned to three coders is
three assignments); their median is over every coder's coded documents, their pace is the
whole team's (all done over the days between the earliest and the latest activity).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .errors import AnnotatorError
from .store import Store

NO_ASSIGNMENTS = "this database has no assignments; plan them with `annotator assign`"
SECONDS_PER_DAY = 86_400.0


class NoAssignmentsError(AnnotatorError):
    """The database has no rounds: nothing to report progress on."""


@dataclass(frozen=True)
class CoderProgress:
    """How far one coder (or, in :attr:`RoundProgress.totals`, the team) is in a round."""

    coder: str
    assigned: int
    coded: int
    done: int
    reliability_assigned: int
    reliability_coded: int
    median_seconds: float | None
    first_activity: str | None
    last_activity: str | None

    @property
    def remaining(self) -> int:
        return self.assigned - self.done

    @property
    def pace_per_day(self) -> float | None:
        """Documents done per day between the first and the last activity; None when
        fewer than 2 are done or there is no time span between them."""
        days = _days_between(self.first_activity, self.last_activity)
        if self.done < 2 or days is None or days <= 0:
            return None
        return self.done / days

    @property
    def estimated_finish(self) -> str | None:
        """``"done"``, the ISO date the pace gives (last activity + remaining / pace
        days), or None when no pace can be measured."""
        if self.remaining <= 0:
            return "done"
        pace = self.pace_per_day
        last = _parse(self.last_activity)
        if pace is None or last is None:
            return None
        try:
            return (last + timedelta(days=self.remaining / pace)).date().isoformat()
        except OverflowError:  # a pace so slow the date is past the year 9999
            return None

    def to_dict(self) -> dict[str, Any]:
        pace = self.pace_per_day
        return {
            "assigned": self.assigned,
            "coded": self.coded,
            "done": self.done,
            "remaining": self.remaining,
            "reliability_assigned": self.reliability_assigned,
            "reliability_coded": self.reliability_coded,
            "median_seconds": self.median_seconds,
            "last_activity": self.last_activity,
            "first_activity": self.first_activity,
            "pace_per_day": None if pace is None else round(pace, 3),
            "estimated_finish": self.estimated_finish,
        }


@dataclass(frozen=True)
class RoundProgress:
    """Progress of every coder of one round (sorted by name), and the totals."""

    round: str
    coders: tuple[CoderProgress, ...]
    totals: CoderProgress
    documents: int  # distinct documents assigned in the round
    reliability_documents: int  # distinct documents of its reliability sample

    def to_dict(self) -> dict[str, Any]:
        """What ``annotator progress --json`` prints."""
        return {
            "round": self.round,
            "coders": {c.coder: c.to_dict() for c in self.coders},
            "totals": {
                "documents": self.documents,
                "reliability_documents": self.reliability_documents,
                **self.totals.to_dict(),
            },
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def rows(self) -> list[list[str]]:
        """The table as text cells, one row per coder and the totals last (the CLI's
        table and the window's show the same cells)."""
        return [_cells(c) for c in (*self.coders, self.totals)]


HEADERS = [
    "coder",
    "assigned",
    "coded",
    "done",
    "remaining",
    "reliability coded",
    "median min/doc",
    "last activity",
    "estimated finish",
]


def _cells(c: CoderProgress) -> list[str]:
    return [
        c.coder,
        str(c.assigned),
        str(c.coded),
        str(c.done),
        str(c.remaining),
        f"{c.reliability_coded}/{c.reliability_assigned}",
        "-" if c.median_seconds is None else f"{c.median_seconds / 60:.1f}",
        _short_time(c.last_activity),
        c.estimated_finish or "-",
    ]


def _short_time(stamp: str | None) -> str:
    """``2026-11-30 04:17 UTC`` for a table cell (the JSON keeps the full timestamp)."""
    when = _parse(stamp)
    if when is None:
        return "-" if stamp is None else stamp
    return when.strftime("%Y-%m-%d %H:%M") + (" UTC" if when.utcoffset() is not None else "")


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return None


def _days_between(first: str | None, last: str | None) -> float | None:
    a, b = _parse(first), _parse(last)
    if a is None or b is None:
        return None
    try:
        return (b - a).total_seconds() / SECONDS_PER_DAY
    except TypeError:  # one stamp with a time zone, one without
        return None


def round_progress(store: Store, round: str | None = None) -> RoundProgress:
    """Progress of ``round`` (default: :meth:`Store.current_round`); NoAssignmentsError
    when the database has no rounds, NotFoundError for an unknown round."""
    if round is None:
        round = store.current_round()
        if round is None:
            raise NoAssignmentsError(NO_ASSIGNMENTS)
    rows, overall_median = store.round_progress(round)
    coders = tuple(CoderProgress(*row) for row in rows)
    firsts = [c.first_activity for c in coders if c.first_activity]
    lasts = [c.last_activity for c in coders if c.last_activity]
    totals = CoderProgress(
        "total",
        sum(c.assigned for c in coders),
        sum(c.coded for c in coders),
        sum(c.done for c in coders),
        sum(c.reliability_assigned for c in coders),
        sum(c.reliability_coded for c in coders),
        overall_median,
        min(firsts) if firsts else None,
        max(lasts) if lasts else None,
    )
    return RoundProgress(
        round,
        coders,
        totals,
        len(store.assigned_documents(round)),
        len(store.reliability_documents(round)),
    )


def render_progress(progress: RoundProgress) -> str:
    """The plain-text table ``annotator progress`` prints."""
    head = (
        f"Round {progress.round}: {len(progress.coders)} coder(s), {progress.documents}"
        f" document(s), {progress.reliability_documents} in the reliability sample"
    )
    rows = progress.rows()
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(HEADERS)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i in (0, 7, 8) else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [head, "", line(HEADERS), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows[:-1]]
    out += ["  ".join("-" * w for w in widths), line(rows[-1])]
    out += [
        "",
        "coded: labelled or past 'new'; reliability coded: coded/assigned of the"
        " reliability sample; estimated finish: last activity + remaining / (done per day"
        " between first and last activity)",
    ]
    return "\n".join(out)
