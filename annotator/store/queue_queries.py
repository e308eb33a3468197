"""What a coder's window reads of the study design: the coder's queue in the current
round, and the coder a pack was made for.

Kept apart from :mod:`.study` so that opening the window on a database without rounds
loads neither module's work beyond one short query each: this module is small, and the
file settings it reads come from the small :mod:`.settings`. It never reads the
reliability flag: the window must not be able to tell the sample apart.
"""

from __future__ import annotations

import sqlite3

from .settings import PACK_CODER, PACK_ROUND, setting

# The id of the current round: the one a pack was made for (if it is a round of this
# file), else the round created last. One parameter: the PACK_ROUND setting's key.
_CURRENT_ROUND_ID = """coalesce(
    (SELECT p.id FROM rounds p JOIN file_settings f ON f.key = ? AND f.value = p.name),
    (SELECT max(id) FROM rounds))"""

# The current round, with the coder's queue in it.
_QUEUE_SQL = f"""
SELECT r.name, x.document_id
FROM rounds r
LEFT JOIN assignments x ON x.round_id = r.id AND x.annotator_id = ?
WHERE r.id = {_CURRENT_ROUND_ID}
ORDER BY x.position
"""


def current_round(conn: sqlite3.Connection) -> str | None:
    """The name of the current round (see :data:`_CURRENT_ROUND_ID`), or None."""
    row = conn.execute(
        f"SELECT name FROM rounds WHERE id = {_CURRENT_ROUND_ID}", (PACK_ROUND,)
    ).fetchone()
    return None if row is None else str(row[0])


def coder_queue(conn: sqlite3.Connection, aid: int) -> tuple[str, list[int]] | None:
    """The current round's name and the documents of coder ``aid`` in it, in queue
    order (empty: nothing assigned to them); None when the database has no rounds."""
    rows = conn.execute(_QUEUE_SQL, (aid, PACK_ROUND)).fetchall()
    if not rows:
        return None
    return str(rows[0][0]), [r[1] for r in rows if r[1] is not None]


def pack_coder(conn: sqlite3.Connection) -> str | None:
    """The coder this file was packed for (``annotator pack``), or None."""
    return setting(conn, PACK_CODER)
