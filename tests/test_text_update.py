"""``import --update``: a corrected article keeps its id, and its spans follow the text
(annotator.align, annotator.updating; issue 16, "Texts that change")."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.align import CHANGED, LOST, MOVED, UNCHANGED, align, carry
from annotator.errors import DatabaseBusyError
from annotator.store import Store
from annotator.updating import update_paths
from tests.conftest import write_lock_held

WORDS = ["the", "alliance", "Russia", "Iran", "sanctions", "é", "😀", "\n", "must", "war", "ﬁ"]
words = st.lists(st.sampled_from(WORDS), min_size=0, max_size=12).map(" ".join)
marker = st.sampled_from(["«ALPHA»", "«BETA-𝔘»", "«GAMMA ü»"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    before=words,
    span_mid=words,
    after=words,
    mark=marker,
    ins_before=words,
    ins_after=words,
    cut_before=st.integers(0, 40),
    cut_after=st.integers(0, 40),
)
def test_edits_outside_a_span_carry_it_to_exactly_its_text(
    before, span_mid, after, mark, ins_before, ins_after, cut_before, cut_after
):
    """Random insertions and deletions before and after a span: the span's text survives,
    so it is carried to exactly that text (unchanged or moved)."""
    span_text = f"{mark} {span_mid} {mark}"
    old = f"{before} {span_text} {after}"
    start = len(before) + 1
    end = start + len(span_text)
    # delete a piece of the text before the span and insert words there; same after it
    b_cut = before[: max(0, len(before) - cut_before)]
    a_cut = after[min(len(after), cut_after) :]
    new = f"{ins_before}{b_cut} {span_text} {a_cut}{ins_after}"
    moved = carry(align(old, new), old, new, start, end)
    assert moved.outcome in (UNCHANGED, MOVED)
    assert new[moved.start : moved.end] == span_text


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(before=words, span_mid=words, after=words, inside=st.sampled_from(["X", "new words", "😀"]))
def test_an_edit_inside_a_span_changes_it_and_removal_loses_it(before, span_mid, after, inside):
    span_text = f"«A» {span_mid} «Z»"
    old = f"{before} {span_text} {after}"
    start = len(before) + 1
    end = start + len(span_text)
    # insert inside the span, right after its first character
    new = old[: start + 1] + inside + old[start + 1 :]
    moved = carry(align(old, new), old, new, start, end)
    assert moved.outcome == CHANGED
    assert new[moved.start : moved.end] == span_text[:1] + inside + span_text[1:]
    # the span's whole text removed: lost
    gone = old[:start] + old[end:]
    lost = carry(align(old, gone), old, gone, start, end)
    assert lost.outcome == LOST


def test_alignment_of_a_long_article_is_cheap_and_exact():
    para = "The alliance of Russia, Iran and North Korea worries analysts. " * 30
    old = "\n".join(f"{i}: {para}" for i in range(300))  # ~600,000 characters
    new = old[:1000] + "CORRECTED " + old[1000:300_000] + old[300_500:]
    alignment = align(old, new)
    assert len(alignment.blocks) <= 4
    s, e = 500_000, 500_040
    moved = carry(alignment, old, new, s, e)
    assert new[moved.start : moved.end] == old[s:e]


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    old = (
        "Headline about the alliance\n"
        "Russia and Iran signed a pact. Sanctions must be tightened now.\n"
        "Analysts call the alliance fragile and divided.\n"
    )
    (folder / "a.txt").write_text(old, encoding="utf-8")
    db = tmp_path / "labels.db"
    subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "import", str(folder / "a.txt")],
        check=True,
        capture_output=True,
        cwd=tmp_path,  # not where a seeds/ folder would be imported into a new database
    )
    with Store(db) as s:
        t = s.document(1).text
        s.add_span(1, "ana", t.index("Sanctions"), t.index(" now."), "policy_prescription")
        s.add_span(1, "ana", t.index("Russia"), t.index(" signed"), "alarmist")
        s.add_span(1, "ben", t.index("fragile"), t.index(" and divided"), "skeptical_of_alliance")
        s.set_doc_label(1, "ana", "dominant_frame", "alarmist")
        s.set_memo(1, "ana", "a memo")
    return db, folder / "a.txt", old


def _run(db, *args):
    return subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "import", "--update", *args],
        capture_output=True,
        text=True,
        cwd=db.parent,
    )


def test_update_keeps_the_id_carries_spans_and_keeps_history(corpus):
    db, path, old = corpus
    new = (
        "Headline about the alliance (corrected)\n"
        "Russia and Iran signed a pact in 2024. Sanctions must be tightened now.\n"
        "Analysts call the alliance divided.\n"
    )
    path.write_text(new, encoding="utf-8")
    done = _run(db, str(path), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["updated"] == [{"document": 1, "source": str(path), "text_version": 2}]
    outcomes = {(c["coder"], c["label"]): c["outcome"] for c in report["changes"]}
    assert outcomes == {
        ("ana", "alarmist"): "moved",  # the headline grew before it
        ("ana", "policy_prescription"): "moved",
        ("ben", "skeptical_of_alliance"): "lost",
    }
    assert report["spans"] == {"unchanged": 0, "moved": 2, "changed": 0, "lost": 1}
    with Store(db) as s:
        assert s.document_count() == 1
        doc = s.document(1)
        assert doc.text == new
        texts = {(sp.coder, sp.label): doc.text[sp.start : sp.end] for sp in s.spans(1)}
        assert texts == {
            ("ana", "policy_prescription"): "Sanctions must be tightened",
            ("ana", "alarmist"): "Russia and Iran",
        }
        assert s.old_text(1, 1) == old
        history = s.span_history(1)
        assert sorted((h.coder, h.outcome) for h in history) == [
            ("ana", "moved"),
            ("ana", "moved"),
            ("ben", "lost"),
        ]
        lost = next(h for h in history if h.outcome == "lost")
        assert old[lost.start : lost.end] == "fragile"
        assert s.doc_labels(1, "ana") == {"dominant_frame": "alarmist"}
        assert s.memo(1, "ana") == "a memo"
        assert s.text_version(1) == 2
        # the search index follows the new text
        assert s.matching_documents("2024") == [1]
        assert s.matching_documents("fragile") == []
        # tokens are those of the new text
        tok = s.tokenization(1)
        assert tok.token_ends[-1] <= len(new)
        assert new[tok.token_starts[1] : tok.token_ends[1]] == "about"
    # the same file again: nothing to do
    again = _run(db, str(path), "--json")
    assert json.loads(again.stdout)["unchanged"] == [{"document": 1, "source": str(path)}]


def test_a_changed_span_is_flagged(corpus):
    db, path, old = corpus
    path.write_text(old.replace("Sanctions must", "Sanctions should"), encoding="utf-8")
    done = _run(db, str(path))
    assert done.returncode == 0, done.stderr
    assert "changed: document 1, ana's 'policy_prescription'" in done.stdout
    with Store(db) as s:
        span = next(x for x in s.spans(1) if x.label == "policy_prescription")
        assert s.document(1).text[span.start : span.end] == "Sanctions should be tightened"
        assert list(s.flagged_spans(1)) == [span.id]


def test_match_by_meta_id_and_unmatched_inputs(tmp_path):
    db = tmp_path / "l.db"
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"text": "First version of the story.", "meta": {"id": "x-1"}}) + "\n",
        encoding="utf-8",
    )
    subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "import", str(feed)],
        check=True,
        cwd=tmp_path,
    )
    fixed = tmp_path / "fixed.jsonl"
    fixed.write_text(
        json.dumps({"text": "Second version of the story.", "meta": {"id": "x-1"}})
        + "\n"
        + json.dumps({"text": "Unknown story.", "meta": {"id": "x-2"}})
        + "\n",
        encoding="utf-8",
    )
    done = _run(db, str(fixed))
    assert done.returncode == 1
    assert "no stored document with meta.id 'x-2'" in done.stderr
    assert "Traceback" not in done.stderr
    with Store(db) as s:
        assert s.document(1).text == "Second version of the story."
        assert s.document_count() == 1


def test_nothing_changes_while_another_process_holds_the_lock(corpus):
    db, path, old = corpus
    path.write_text(old.replace("Russia", "Moscow"), encoding="utf-8")
    before = sqlite3.connect(db).execute("SELECT text FROM documents").fetchall()
    with Store(db) as s:
        s.set_busy_timeout(0.2)
        with write_lock_held(db), pytest.raises(DatabaseBusyError):
            update_paths(s, [path])
    assert sqlite3.connect(db).execute("SELECT text FROM documents").fetchall() == before
    with Store(db) as s:
        assert s.span_history(1) == []
