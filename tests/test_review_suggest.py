"""Review of issue 15 (suggestions: patterns, a trained model, outside predictions, their
provenance): what a hostile but fair user found, each with the test that failed before."""

from __future__ import annotations

import textwrap

import pytest

from annotator.corpus import RawDocument
from annotator.ingest import import_documents
from annotator.scheme import parse_scheme
from annotator.store import Store
from annotator.suggesting import PATTERNS, suggest_patterns


def one_label(patterns: str) -> str:
    return textwrap.dedent(
        f"""\
        name = "cues"
        version = 1

        [[span_labels]]
        name = "policy"
        key = "1"
        color = "#2ca02c"
        patterns = [{patterns}]
        """
    )


# -- a pattern with + or * gave every run it matches: quadratic in the document ----------


@pytest.mark.parametrize(
    "pattern", ['[{OP = "*"}]', '[{IS_ALPHA = true, OP = "+"}]', '[{LOWER = "a"}, {OP = "*"}]']
)
def test_a_repeating_pattern_suggests_at_most_one_span_per_token(tmp_path, pattern):
    words = " ".join(["a", "b", "c", "d"] * 100) + "."
    with Store(tmp_path / "l.db", scheme=parse_scheme(one_label(pattern))) as store:
        import_documents(store, [RawDocument(words, "t.txt")])
        (doc,) = store.document_ids()
        report = suggest_patterns(store)
        n_tokens = len(store.tokenization(doc).token_starts)
        got = store.suggestions(doc, PATTERNS)
    # before: 80,000+ overlapping suggestions (every run of the matched tokens)
    assert 0 < len(got) == report.spans <= n_tokens
    for s, t in zip(got, got[1:], strict=False):
        assert s.end <= t.start  # the longest match of a pattern, never overlapping itself
