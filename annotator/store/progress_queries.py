"""How far the coders of a round are: the counts behind ``annotator progress`` and
Tools → Progress, in two queries whatever the size of the study.

Functions over an open connection; :meth:`~annotator.store.Store.round_progress` reaches
them. A coder *coded* an assigned document when they have a span or a document field
value on it, or its status is past "new" (as the agreement report counts it; a memo is
commentary and does not count).
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple


class CoderCounts(NamedTuple):
    coder: str
    assigned: int
    coded: int
    done: int
    reliability_assigned: int
    reliability_coded: int
    median_seconds: float | None  # over the coded documents with time recorded (> 0 s)
    first_activity: str | None  # earliest and latest timestamp of the coder's rows
    last_activity: str | None  # (status, spans, field values, memos) on the round's documents


# One pass over the round's assignments (materialized once): per coder the counts, and the
# median of their seconds per coded document (as coder -1, of everyone's): the middle one
# (odd count) or the mean of the two middle ones (even count), picked by row number.
_COUNTS = """
WITH per AS MATERIALIZED (
  SELECT x.annotator_id AS aid, x.reliability AS rel, st.state AS state,
         st.seconds_spent AS secs,
         (COALESCE(st.state, 'new') != 'new'
          OR EXISTS (SELECT 1 FROM spans s
                     WHERE s.document_id = x.document_id AND s.annotator_id = x.annotator_id)
          OR EXISTS (SELECT 1 FROM doc_labels l
                     WHERE l.document_id = x.document_id AND l.annotator_id = x.annotator_id)
         ) AS coded
  FROM assignments x
  LEFT JOIN status st ON st.document_id = x.document_id AND st.annotator_id = x.annotator_id
  WHERE x.round_id = ?
), counts AS (
  SELECT aid, count(*) AS assigned, sum(coded) AS coded, sum(state IS 'done') AS done,
         sum(rel IS 1) AS rel, sum(coded AND rel IS 1) AS rel_coded
  FROM per GROUP BY aid
), timed_rows AS (
  SELECT aid, secs FROM per WHERE coded AND secs > 0
  UNION ALL SELECT -1, secs FROM per WHERE coded AND secs > 0
), timed AS (
  SELECT aid, secs,
         row_number() OVER (PARTITION BY aid ORDER BY secs) AS i,
         count(*) OVER (PARTITION BY aid) AS n
  FROM timed_rows
), medians AS (
  SELECT aid, avg(secs) AS median FROM timed WHERE i IN ((n + 1) / 2, (n + 2) / 2) GROUP BY aid
)
SELECT counts.aid, a.name, assigned, coded, done, rel, rel_coded, m.median
FROM counts JOIN annotators a ON a.id = counts.aid LEFT JOIN medians m ON m.aid = counts.aid
UNION ALL SELECT -1, NULL, 0, 0, 0, 0, 0, median FROM medians WHERE aid = -1
"""

# The earliest and latest timestamp of each coder's rows on the round's documents.
_ACTIVITY = """
WITH docs AS MATERIALIZED (SELECT DISTINCT document_id FROM assignments WHERE round_id = ?),
stamps AS (
  SELECT annotator_id AS aid, min(updated_at) AS lo, max(updated_at) AS hi FROM status
    WHERE document_id IN docs GROUP BY annotator_id
  UNION ALL SELECT annotator_id, min(created_at, COALESCE(updated_at, created_at)),
    max(created_at, COALESCE(updated_at, created_at)) FROM spans WHERE document_id IN docs
  UNION ALL SELECT annotator_id, updated_at, updated_at FROM doc_labels
    WHERE document_id IN docs
  UNION ALL SELECT annotator_id, updated_at, updated_at FROM memos WHERE document_id IN docs
)
SELECT aid, min(lo), max(hi) FROM stamps
WHERE lo != '' AND aid IN (SELECT annotator_id FROM assignments WHERE round_id = ?)
GROUP BY aid
"""


def round_progress(conn: sqlite3.Connection, rid: int) -> tuple[list[CoderCounts], float | None]:
    """Per coder assigned in round ``rid`` (sorted by name): the counts of
    :class:`CoderCounts`; and the median seconds per coded document over all coders.
    Two queries, each one pass over the round's assignments or the rows of its
    documents: their number does not grow with the study."""
    activity = {aid: (lo, hi) for aid, lo, hi in conn.execute(_ACTIVITY, (rid, rid))}
    out = []
    overall: float | None = None
    for aid, name, assigned, coded, done, rel, rel_coded, median in conn.execute(_COUNTS, (rid,)):
        secs = None if median is None else float(median)
        if name is None:  # the row of everyone's median
            overall = secs
            continue
        first, last = activity.get(aid, (None, None))
        out.append(
            CoderCounts(
                name, assigned, coded or 0, done or 0, rel or 0, rel_coded or 0, secs, first, last
            )
        )
    out.sort(key=lambda c: c.coder)
    return out, overall
