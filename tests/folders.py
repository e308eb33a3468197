"""What a folder export wrote, besides the marker every export folder holds."""

from __future__ import annotations

from pathlib import Path

from annotator.paths import EXPORT_MARKER


def exported(folder: Path) -> list[Path]:
    """The entries of an export folder, sorted, without its marker (which must be there)."""
    entries = sorted(folder.iterdir())
    assert folder / EXPORT_MARKER in entries, f"{folder} has no {EXPORT_MARKER}"
    return [p for p in entries if p.name != EXPORT_MARKER]
