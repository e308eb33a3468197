"""Merge details that surviving mutants showed no test pinned (see bench/mutation.md): the
conflict and summary lines, conflict names at the length limit, and which stored token
offsets count as usable. Expected values are literal."""

from __future__ import annotations

import pytest

from annotator.merge import Conflict, MergeReport, _conflict_name, _offsets_fit
from annotator.packing import pack


def test_conflict_line_for_a_new_and_an_earlier_conflict():
    title = "A" * 59 + "BC"  # 61 characters: the line shows 60
    assert str(Conflict(7, title, "ana", "ana@laptop")) == (
        f"conflict: ana labelled document 7 ({'A' * 59}B) differently;"
        " the other version is kept as 'ana@laptop'"
    )
    assert str(Conflict(7, "T", "ana", "ana@laptop", new=False)) == (
        "conflict: ana labelled document 7 (T) differently;"
        " the other version was already kept as 'ana@laptop'"
    )


def test_summary_counts_new_and_earlier_conflicts_and_recomputed_tokens():
    report = MergeReport("b.db", documents_added=2, spans_added=5, doc_labels_set=1)
    report.coders.update({"ana", "ben"})
    assert report.summary() == (
        "b.db: 2 new document(s), 5 span(s) and 1 document label(s) added for 2 coder(s),"
        " 0 new conflict(s)"
    )
    report.conflicts += [
        Conflict(1, "t", "ana", "ana@b", new=True),
        Conflict(2, "t", "ana", "ana@b", new=False),
        Conflict(3, "t", "ben", "ben@b", new=False),
    ]
    report.retokenised = 4
    assert report.summary() == (
        "b.db: 2 new document(s), 5 span(s) and 1 document label(s) added for 2 coder(s),"
        " 1 new conflict(s) (and 2 kept by an earlier merge); tokens recomputed for"
        " 4 document(s) whose stored tokens did not fit their text"
    )


@pytest.mark.parametrize(
    ("coder", "stem", "name"),
    [
        ("ana", "bens laptop|v2\x07", "ana@bens_laptop_v2"),  # separators, a control character
        ("ana", "_Xerxes_", "ana@Xerxes"),
        ("ana", "___", "ana@other"),
        ("ana", "", "ana@other"),
        # a long coder name is shortened so that at least 20 characters of the file's name
        # (or all of a shorter one) stay: exactly 100 characters, never the coder alone
        ("c" * 90, "s" * 11, "c" * 88 + "@" + "s" * 11),
        ("c" * 90, "ssssssss_tail", "c" * 86 + "@ssssssss_tail"),
        ("c" * 99, "stem", "c" * 95 + "@stem"),
        ("c" * 100, "s" * 30, "c" * 79 + "@" + "s" * 20),
    ],
)
def test_conflict_names_stay_within_the_name_rule(coder, stem, name):
    assert _conflict_name(coder, stem) == name
    assert len(name) <= 100


@pytest.mark.parametrize(
    ("starts", "ends", "text", "cover", "fits"),
    [
        ([0, 4], [3, 7], "abc def", True, True),
        ([0, 4], [3, 7], "abc def", False, True),
        ([0, 3], [3, 3], "abc", False, False),  # an empty range
        ([0], [4], "abc", False, False),  # past the end
        ([4, 0], [7, 3], "abc def", False, False),  # unsorted
        ([0, 1], [2, 3], "abc", False, False),  # overlapping
        ([0, 4], [3, 7], "abcxdef", True, False),  # a gap that is not whitespace
        ([0, 4], [3, 7], "abcxdef", False, True),
        ([0], [3], "abc def", True, False),  # an uncovered tail that is not whitespace
        ([0], [3], "abc  ", True, True),
        ([1], [3], "xbc", True, False),  # an uncovered head that is not whitespace
        ([1], [3], " bc", True, True),
        ([], [], "", True, True),
    ],
)
def test_which_stored_offsets_fit_their_text(starts, ends, text, cover, fits):
    assert _offsets_fit(pack(starts, ends), text, cover) is fits


def test_offsets_that_are_not_a_blob_do_not_fit():
    assert _offsets_fit("[[0, 3]]", "abc", False) is False
    assert _offsets_fit(b"\x02\x00", "abc", False) is False  # torn
