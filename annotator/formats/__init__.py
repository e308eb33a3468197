"""Readers and writers for the annotation formats researchers exchange.

Readers turn one JSON object (one line of a file) into a :class:`LabelTask`;
writers turn the canonical export records (:func:`annotator.export.records`)
into Prodigy, doccano, spaCy, CSV or brat files; :mod:`.registry` lists the export
formats (with their writers) for the export, the command line and the window.
"""

from __future__ import annotations

from .tasks import LabelTask, LineError

READ_FORMATS = ("jsonl", "prodigy", "doccano")

__all__ = ["READ_FORMATS", "LabelTask", "LineError", "detect_format"]


def detect_format(obj: object) -> str | None:
    """Guess the format of one JSON object: 'jsonl' (canonical), 'prodigy' or 'doccano'."""
    if not isinstance(obj, dict):
        return None
    if {"doc_labels", "scheme_version", "status", "seconds_spent"} & obj.keys():
        return "jsonl"
    if "entities" in obj or isinstance(obj.get("label"), list) or "cats" in obj:
        return "doccano"
    if {"spans", "answer", "accept", "_input_hash", "_task_hash"} & obj.keys():
        return "prodigy"
    return None
