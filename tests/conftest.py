"""Shared fixtures. Qt runs offscreen so the suite needs no display."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from annotator.corpus import RawDocument  # noqa: E402
from annotator.ingest import import_documents  # noqa: E402
from annotator.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture
def store(tmp_path):
    """A fresh database with the default scheme and no documents."""
    s = Store(tmp_path / "labels.db")
    yield s
    s.close()


@pytest.fixture
def make_doc(store):
    """Add a text to ``store`` and return its document id."""

    def add(text: str, **meta) -> int:
        report = import_documents(store, [RawDocument(text, "test", meta)])
        return (report.added or [store.document_by_hash(RawDocument(text, "").sha256).id])[0]

    return add
