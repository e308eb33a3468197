"""The export formats: one registry that the export, the command line and the window read.

Each :class:`ExportFormat` says what the format is called, how the window offers it, whether
it writes one file or a folder, what the number :func:`annotator.export.export` returns counts,
and which writer fills the output. Adding a format is one entry here (and its writer in
:mod:`annotator.formats.writers`); ``annotator export --format``, its help and
File → Export… follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import AnnotatorError
from . import writers

if TYPE_CHECKING:
    from ..scheme import DocField

Records = Iterable[dict[str, Any]]


@dataclass(frozen=True)
class WriteOptions:
    """What a writer may need beyond the records."""

    doc_fields: tuple[DocField, ...] = ()  # the scheme's document fields (spaCy's ``doc.cats``)
    csv_raw: bool = False  # CSV: cells exactly as stored (no ' before formula characters)


@dataclass(frozen=True)
class ExportFormat:
    key: str  # the name on the command line (``--format``) and in the core
    help: str  # the command line's one-phrase description (``annotator export --help``)
    title: str  # the line File → Export… shows
    suffix: str  # a file format's suffix for the default name; "" for a folder format
    folder: bool  # writes a folder (built beside the target, then swapped in)
    unit: str  # what export() returns counts, as the command line says it
    long_unit: str  # ... as the window says it
    # Fills the output: a text file (opened by atomic_output) or, for a folder format, the
    # folder being built (atomic_folder); returns the count ``unit`` names.
    write: Callable[[Records, Any, WriteOptions], int]


def _jsonl(recs: Records, fh: IO[str], options: WriteOptions) -> int:
    return writers.write_lines(recs, fh)


def _prodigy(recs: Records, fh: IO[str], options: WriteOptions) -> int:
    return writers.write_lines((writers.prodigy_record(r) for r in recs), fh)


def _csv(recs: Records, fh: IO[str], options: WriteOptions) -> int:
    return writers.write_csv(recs, fh, raw=options.csv_raw)


def _doccano(recs: Records, folder: Path, options: WriteOptions) -> int:
    return writers.write_doccano(recs, folder)


def _spacy(recs: Records, folder: Path, options: WriteOptions) -> int:
    return writers.write_spacy(recs, folder, options.doc_fields)


def _brat(recs: Records, folder: Path, options: WriteOptions) -> int:
    return writers.write_brat(recs, folder)


EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        "jsonl", "canonical", "annotator JSONL — one line per article and coder", ".jsonl",
        folder=False, unit="line(s)", long_unit="line(s)", write=_jsonl,
    ),
    ExportFormat(
        "prodigy", "Prodigy's fields only", "Prodigy JSONL", ".jsonl",
        folder=False, unit="line(s)", long_unit="line(s)", write=_prodigy,
    ),
    ExportFormat(
        "doccano", "a folder with one JSONL per coder",
        "doccano — a folder with one JSONL file per coder", "",
        folder=True, unit="line(s)", long_unit="line(s)", write=_doccano,
    ),
    ExportFormat(
        "spacy", "a folder of DocBin shards",
        "spaCy — a folder of DocBin .spacy files, for spacy train", "",
        folder=True, unit="document(s)", long_unit="document(s)", write=_spacy,
    ),
    ExportFormat(
        "csv", "one row per span", "CSV — one row per span", ".csv",
        folder=False, unit="row(s)", long_unit="row(s)", write=_csv,
    ),
    ExportFormat(
        "brat", "a folder of .txt/.ann pairs",
        "brat standoff — a folder of .txt/.ann pairs per coder", "",
        folder=True, unit="document(s)", long_unit="document file pair(s)", write=_brat,
    ),
)  # fmt: skip

EXPORT_KEYS: tuple[str, ...] = tuple(f.key for f in EXPORT_FORMATS)
FOLDER_KEYS: tuple[str, ...] = tuple(f.key for f in EXPORT_FORMATS if f.folder)


def export_format(key: str) -> ExportFormat:
    """The format named ``key``; an unknown name is one line listing the known ones."""
    for f in EXPORT_FORMATS:
        if f.key == key:
            return f
    raise AnnotatorError(f"unknown export format {key!r} (choose from {', '.join(EXPORT_KEYS)})")
