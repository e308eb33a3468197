"""Suggestions from the codebook (issue 15): cue phrases and token patterns matched on the
stored tokens, stored as source 'patterns', replaced on a new run, whole documents only
when a run is killed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.corpus import RawDocument
from annotator.errors import AnnotatorError
from annotator.ingest import import_documents
from annotator.scheme import parse_scheme
from annotator.store import Store
from annotator.suggesting import PATTERNS, suggest_patterns

PHRASES = ["must", "needs to", "should"]


def scheme_toml(phrases=PHRASES, patterns="", version=1, extra_label=""):
    quoted = ", ".join(f'"{p}"' for p in phrases)
    return textwrap.dedent(
        f"""\
        name = "cues"
        version = {version}

        [[span_labels]]
        name = "policy"
        key = "1"
        color = "#2ca02c"
        phrases = [{quoted}]
        {patterns}

        [[span_labels]]
        name = "alarm"
        key = "2"
        color = "#d62728"
        {extra_label}
        """
    )


def open_store(path, toml=None):
    return Store(path, scheme=parse_scheme(toml or scheme_toml()))


def add(store, *texts):
    import_documents(store, [RawDocument(t, f"t{i}.txt") for i, t in enumerate(texts)])
    return store.document_ids()


def expected_phrases(store, doc_id, phrases, label="policy"):
    """Every run of whole stored tokens whose text, lower-cased, is a phrase lower-cased
    (brute force over the stored offsets; independent of spaCy's matchers)."""
    text = store.document(doc_id).text
    tok = store.tokenization(doc_id)
    wanted = {p.lower() for p in phrases}
    out = set()
    n = len(tok.token_starts)
    for i in range(n):
        for j in range(i, min(n, i + 8)):
            a, b = tok.token_starts[i], tok.token_ends[j]
            if text[a:b].lower() in wanted:
                out.add((a, b, label))
    return out


def stored(store, doc_id, source=PATTERNS):
    return {(s.start, s.end, s.label) for s in store.suggestions(doc_id, source)}


def test_phrases_find_exactly_the_whole_token_occurrences(tmp_path):
    text = (
        "🙂 We must act. MUST we? Mustard is not a cue, nor is mustn't, but must-have"
        " splits. It Needs To be done; it needs  to wait.\nShould\nshould."
    )
    with open_store(tmp_path / "l.db") as store:
        (doc,) = add(store, text)
        report = suggest_patterns(store)
        want = expected_phrases(store, doc, PHRASES)
        got = stored(store, doc)
        assert got == want
        # what that is, written out: offsets are code points (the emoji counts one);
        # spaCy splits "mustn't" into must + n't and "must-have" at the hyphen, keeps
        # "Mustard" whole, and "needs  to" has a whitespace token between its words
        shown = sorted((a, text[a:b]) for a, b, _ in got)
        assert shown == [
            (5, "must"),
            (15, "MUST"),
            (53, "must"),
            (66, "must"),
            (87, "Needs To"),
            (124, "Should"),
            (131, "should"),
        ]
        assert tuple(report) == (1, 7) and report.by_label == {"policy": 7}
        assert all(s.score is None for s in store.suggestions(doc))


WORDS = ["must", "MUST", "Must", "mustard", "needs", "to", "NEEDS", "To", "should",
         "shouldn't", "müst", "naïve", "🙂", "é", "日本", "must-have", "a"]  # fmt: skip
SEPARATORS = [" ", "  ", "\n", ", ", ". ", "\n\n", "\t", "—"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=30),
    st.text(alphabet="🙂éa\u00a0 ", max_size=3),
)
def test_phrases_match_whole_tokens_in_any_text(tmp_path_factory, words, lead):
    text = lead + "".join(w + s for w, s in words) + "end"
    path = tmp_path_factory.mktemp("p") / "l.db"
    with open_store(path) as store:
        (doc,) = add(store, text)
        suggest_patterns(store)
        got = stored(store, doc)
        assert got == expected_phrases(store, doc, PHRASES)
        for a, b, _ in got:
            assert text[a:b].lower() in {p.lower() for p in PHRASES}


def test_token_patterns_and_overlapping_matches_are_kept_once_each(tmp_path):
    patterns = (
        'patterns = [[{LOWER = "calls"}, {LOWER = "for"}],'
        ' [{LOWER = "sanctions"}, {IS_ALPHA = true, OP = "+"}],'
        ' [{LOWER = "calls"}, {LOWER = "for"}, {OP = "?"}]]'
    )
    text = "He calls for sanctions now today. CALLS  for nothing."
    with open_store(tmp_path / "l.db", scheme_toml(phrases=["for"], patterns=patterns)) as store:
        (doc,) = add(store, text)
        suggest_patterns(store)
        got = sorted((text[a:b], lab) for a, b, lab in stored(store, doc))
    # phrase "for" twice; "calls for" (the first pattern); "calls for sanctions" (the
    # third: its longest match); sanctions + one or more words: its longest run only (not
    # "sanctions now" inside it); matches of different patterns overlap, each once; the
    # second "CALLS  for" has a whitespace token between and is not a match
    assert got == [
        ("calls for", "policy"),
        ("calls for sanctions", "policy"),
        ("for", "policy"),
        ("for", "policy"),
        ("sanctions now today", "policy"),
    ]


def test_a_label_with_patterns_only_and_several_labels(tmp_path):
    toml = scheme_toml(extra_label='patterns = [[{LOWER = "war"}]]\nphrases = ["nuclear war"]')
    with open_store(tmp_path / "l.db", toml) as store:
        (doc,) = add(store, "Nuclear war must be avoided; war looms.")
        report = suggest_patterns(store)
        got = sorted((store.document(doc).text[a:b], lab) for a, b, lab in stored(store, doc))
    assert got == [("Nuclear war", "alarm"), ("must", "policy"), ("war", "alarm"), ("war", "alarm")]
    assert report.by_label == {"alarm": 3, "policy": 1}


@pytest.mark.parametrize(
    "pattern",
    ['[{TEXT = {REGEX = "("}}]', '[{LENGTH = "long"}]', '[{PREFIX = "so"}]'],
)
def test_a_pattern_spacy_refuses_is_one_line_naming_the_label_and_pattern(tmp_path, pattern):
    # a new scheme with such a pattern is refused when read (tests/test_review_suggest.py);
    # one stored by an earlier version is read as it was and refused here
    toml = scheme_toml(extra_label=f"patterns = [{pattern}]")
    with pytest.raises(AnnotatorError, match="patterns\\[1\\] token 1"):
        parse_scheme(toml)
    with Store(tmp_path / "l.db", scheme=parse_scheme(toml, stored=True)) as store:
        add(store, "Some text must be here.")
        with pytest.raises(AnnotatorError) as e:
            suggest_patterns(store)
        assert store.suggestion_sources() == []
    message = str(e.value)
    assert "\n" not in message
    assert "span label 'alarm'" in message and "pattern [{" in message
    with Store(tmp_path / "l.db") as store:  # the database still opens
        assert store.scheme.label("alarm").patterns


def test_a_scheme_without_cues_is_refused(tmp_path):
    with open_store(tmp_path / "l.db", scheme_toml(phrases=[])) as store:
        add(store, "Text.")
        with pytest.raises(AnnotatorError, match="no cue phrases or patterns"):
            suggest_patterns(store)


def test_running_again_replaces_and_a_new_codebook_changes_the_suggestions(tmp_path):
    with open_store(tmp_path / "l.db") as store:
        a, b = add(store, "You must go. It should work.", "Nothing here needs to change.")
        suggest_patterns(store)
        first = {d: stored(store, d) for d in (a, b)}
        suggest_patterns(store)
        assert {d: stored(store, d) for d in (a, b)} == first
        assert store.suggestion_sources() == [("patterns", 3, 0)]
        store.record_scheme(parse_scheme(scheme_toml(phrases=["go"], version=2)))
        suggest_patterns(store, doc_ids=[a])
        assert [store.document(a).text[s:e] for s, e, _ in stored(store, a)] == ["go"]
        assert stored(store, b) == first[b]  # not among the documents of the run


KILL_SCRIPT = """
import os, signal, sys
from annotator import suggesting
from annotator.store import Store
suggesting.BATCH_DOCS = 2
real = suggesting.doc_from_tokens
seen = []
def dying(vocab, doc_id, *rest):
    seen.append(doc_id)
    if len(seen) == 4:  # the second document of the second batch: mid-batch
        os.kill(os.getpid(), signal.SIGKILL)
    return real(vocab, doc_id, *rest)
suggesting.doc_from_tokens = dying
with Store(sys.argv[1]) as store:
    suggesting.suggest_patterns(store)
"""


def test_a_killed_run_leaves_whole_documents(tmp_path):
    path = tmp_path / "l.db"
    texts = [f"Text {i}: you must act, it should work, needs to be done." for i in range(6)]
    with open_store(path) as store:
        ids = add(store, *texts)
        suggest_patterns(store)
        old = {d: stored(store, d) for d in ids}
        assert all(len(v) == 3 for v in old.values())
        store.record_scheme(parse_scheme(scheme_toml(phrases=["must"], version=2)))
    proc = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(path)], capture_output=True, timeout=120
    )
    assert proc.returncode == -9, proc.stderr
    with Store(path) as store:
        after = {d: stored(store, d) for d in ids}
        new = {d: expected_phrases(store, d, ["must"]) for d in ids}
    # the first batch (two documents) was committed with the new codebook; every other
    # document still has exactly the old run's suggestions
    assert [after[d] == new[d] for d in ids] == [True, True, False, False, False, False]
    assert all(after[d] == old[d] for d in ids[2:])


def test_unknown_documents_are_one_line_and_store_nothing(tmp_path):
    with open_store(tmp_path / "l.db") as store:
        add(store, "You must go.")
        with pytest.raises(AnnotatorError, match="^unknown document 7$"):
            suggest_patterns(store, doc_ids=[1, 7])
        with pytest.raises(AnnotatorError, match="^unknown document '1'$"):
            store.documents_to_suggest(["1"])
        assert store.suggestion_sources() == []
        assert [r[:3] for r in store.documents_to_suggest([1, 1])] == [
            (1, "You must go.", "blank:en")
        ]
