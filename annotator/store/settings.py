"""Settings of one database file (``file_settings``, migration m006): a key and a text
value each, such as the coder and round a pack was made for and whether the search index
waits to be built. Small, so that what the window reads at start-up may use it."""

from __future__ import annotations

import sqlite3

# The coder and the round a coder's pack was made for (``annotator pack``).
PACK_CODER = "pack_coder"
PACK_ROUND = "pack_round"


def setting(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM file_settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_setting(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    """Set ``key`` (inside the caller's write transaction); None removes it."""
    if value is None:
        conn.execute("DELETE FROM file_settings WHERE key = ?", (key,))
    else:
        conn.execute(
            "INSERT INTO file_settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
