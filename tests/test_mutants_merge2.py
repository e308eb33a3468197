"""Merge details that surviving mutants of ``merge.py``'s second run showed no test pinned
(see bench/mutation.md): which tokens a copied document keeps, the pipeline a recomputation
uses and records, the count of recomputed documents, duplicate spans made under different
scheme versions. Expected values are literal."""

from __future__ import annotations

import pytest

from annotator.corpus import text_hash
from annotator.merge import merge_database
from annotator.packing import pack, unpack
from annotator.store import Store
from tests.test_merge import SECOND, add_docs, coder_db, corrupt, make_other, spans_of

SECOND_TOKENS = ([0, 2, 9, 15, 19, 21, 28], [1, 8, 14, 19, 20, 28, 29])  # "A second coder ..."


@pytest.fixture
def lead(tmp_path):
    s = Store(tmp_path / "lead.db")
    yield s
    s.close()


def _stored(store: Store, text: str):
    [sd] = [d for d in store.stored_documents() if d.sha256 == text_hash(text)]
    return sd


def test_sentences_need_not_cover_the_text_and_are_copied_as_stored(lead, tmp_path):
    # tokens that fit, one "sentence" over "A second" only: sentences are not checked for
    # covering the text (only tokens are), so nothing is recomputed
    other = coder_db(tmp_path / "coder.db")
    part = pack([0], [8])
    corrupt(other, f"UPDATE documents SET sentences = X'{part.hex()}' WHERE id = 2")
    report = merge_database(lead, other)
    assert report.retokenised == 0
    sd = _stored(lead, SECOND)
    assert unpack(sd.sentence_offsets) == ((0,), (8,))
    assert unpack(sd.token_offsets) == tuple(tuple(x) for x in SECOND_TOKENS)


def test_unusable_tokens_are_recomputed_with_the_documents_own_pipeline(lead, tmp_path):
    other = coder_db(tmp_path / "coder.db")
    corrupt(other, "UPDATE documents SET tokens = X'02', pipeline = 'blank:de' WHERE id = 2")
    report = merge_database(lead, other)
    assert report.retokenised == 1
    sd = _stored(lead, SECOND)
    assert sd.pipeline == "blank:de"
    assert unpack(sd.token_offsets) == tuple(tuple(x) for x in SECOND_TOKENS)


def test_a_pipeline_not_installed_here_falls_back_to_blank_en(lead, tmp_path):
    other = coder_db(tmp_path / "coder.db")
    corrupt(
        other,
        "UPDATE documents SET tokens = X'02', pipeline = 'xx_not_installed_here' WHERE id = 2",
    )
    report = merge_database(lead, other)
    assert report.retokenised == 1
    sd = _stored(lead, SECOND)
    assert sd.pipeline == "blank:en"
    assert unpack(sd.token_offsets) == tuple(tuple(x) for x in SECOND_TOKENS)
    assert unpack(sd.sentence_offsets) == ((0,), (29,))


def test_each_recomputed_document_is_counted(lead, tmp_path):
    other = coder_db(tmp_path / "coder.db")
    corrupt(other, "UPDATE documents SET tokens = X'02'")
    report = merge_database(lead, other)
    assert report.documents_added == 2 and report.retokenised == 2
    assert "tokens recomputed for 2 document(s)" in report.summary()


def test_equal_spans_of_different_scheme_versions_are_both_copied(lead, tmp_path):
    # the same range, label and note twice, once without a scheme version (made before
    # schemes were versioned): spans sort by range, label and note only, never by version
    def build(other):
        [d] = add_docs(other, SECOND)
        other.add_span(d, "ana", 0, 8, "alarmist")
        other.add_span(d, "ana", 0, 8, "alarmist")

    path = make_other(tmp_path / "versions.db", build)
    corrupt(
        path, "UPDATE spans SET scheme_version = NULL WHERE rowid = (SELECT MIN(rowid) FROM spans)"
    )
    report = merge_database(lead, path)
    assert report.spans_added == 2 and not report.conflicts
    doc_id = lead.document_id_by_hash(text_hash(SECOND))
    assert spans_of(lead, doc_id, "ana") == [(0, 8, "alarmist", "")] * 2
