"""What ``annotator train`` reads besides the labels (issue 15): the spaCy pipelines the
documents were tokenised with, so the model is trained with the same tokenizer."""

from __future__ import annotations

import sqlite3


def document_pipelines(conn: sqlite3.Connection) -> dict[str, int]:
    """``{pipeline name: number of documents}`` (most used first, then by name)."""
    rows = conn.execute(
        "SELECT coalesce(pipeline, ''), count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC, 1"
    )
    return {name: n for name, n in rows}
