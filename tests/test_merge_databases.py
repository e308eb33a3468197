"""``merge_databases``: the one loop over several databases that ``annotator merge`` and
File → Merge database… share, and ``conflict_line``, the one formatter of a conflict."""

from __future__ import annotations

import pytest

from annotator.errors import AnnotatorError
from annotator.merge import Conflict, MergeConflictError, conflict_line, merge_databases
from annotator.paths import InputError
from annotator.store import Store
from tests.test_merge import ONLY_OTHER, add_docs, build_lead, build_other, dump, make_other


def build_new_coder(other: Store) -> None:
    """No conflict with the lead: only a coder the lead has not seen."""
    [only] = add_docs(other, ONLY_OTHER)
    other.add_span(only, "cleo", 0, 4, "alarmist")


@pytest.fixture
def lead(tmp_path):
    s = Store(tmp_path / "lead.db")
    build_lead(s)
    yield s
    s.close()


@pytest.fixture
def dbs(tmp_path):
    return (
        make_other(tmp_path / "conflicting.db", build_other),
        make_other(tmp_path / "clean.db", build_new_coder),
    )


def test_every_database_is_merged_in_order(lead, dbs):
    conflicting, clean = dbs
    steps = []
    results = list(merge_databases(lead, [conflicting, clean], progress=lambda *a: steps.append(a)))
    assert [(r.path, r.error) for r in results] == [(str(conflicting), None), (str(clean), None)]
    assert [len(r.report.new_conflicts) for r in results] == [1, 0]
    assert [sorted(r.report.coders) for r in results] == [["ana", "ben"], ["cleo"]]
    assert steps == [(1, 2), (2, 2)]
    assert sorted(lead.coders()) == ["ana", "ana@conflicting", "ben", "cleo"]


def test_strict_stops_at_the_first_conflicting_database(lead, dbs):
    conflicting, clean = dbs
    before = dump(lead)
    [result] = merge_databases(lead, [conflicting, clean], strict=True)
    assert isinstance(result.error, MergeConflictError)
    assert str(result.error) == f"{conflicting}: 1 conflict(s); nothing merged (--strict)"
    assert [c.kept_as for c in result.report.conflicts] == ["ana@conflicting"]
    assert dump(lead) == before  # neither database was merged


def test_strict_keep_going_merges_the_next_database(lead, dbs):
    conflicting, clean = dbs
    steps = []
    results = list(
        merge_databases(
            lead, [conflicting, clean], strict=True, keep_going=True,
            progress=lambda *a: steps.append(a),
        )
    )  # fmt: skip
    assert [type(r.error) for r in results] == [MergeConflictError, type(None)]
    assert steps == [(1, 2), (2, 2)]
    assert sorted(lead.coders()) == ["ana", "cleo"]


def test_every_path_is_checked_before_anything_is_merged(lead, dbs, tmp_path):
    conflicting, clean = dbs
    before = dump(lead)
    with pytest.raises(InputError, match="lead.db: cannot merge a database into itself"):
        list(merge_databases(lead, [clean, lead.path]))
    assert dump(lead) == before


def test_a_refused_database_ends_the_run_and_keeps_what_came_before(lead, dbs, tmp_path):
    conflicting, clean = dbs
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)  # passes the input check only
    results = list(merge_databases(lead, [clean, junk, conflicting]))
    assert [r.path for r in results] == [str(clean), str(junk)]
    assert results[1].report is None and isinstance(results[1].error, AnnotatorError)
    assert "cleo" in lead.coders() and "ben" not in lead.coders()


def test_keep_going_reports_each_refused_database_and_merges_the_rest(lead, dbs, tmp_path):
    conflicting, clean = dbs
    results = list(merge_databases(lead, [tmp_path / "missing.db", clean], keep_going=True))
    assert str(results[0].error) == f"{tmp_path / 'missing.db'}: no such database"
    assert results[0].report is None
    assert results[1].error is None and results[1].report.coders == {"cleo"}


def test_conflict_line_in_each_front_ends_wording():
    long = "A" * 67 + " BCDEF"  # 73 characters: cut at 68, the space dropped
    assert conflict_line(Conflict(7, "Pact", "ana", "ana@laptop")) == (
        "conflict: ana labelled document 7 (Pact) differently;"
        " the other version is kept as 'ana@laptop'"
    )
    assert conflict_line(Conflict(7, "Pact", "ana", "ana@laptop"), "window") == (
        "ana labelled “Pact” (document 7) differently; kept as 'ana@laptop'"
    )
    assert conflict_line(Conflict(7, long, "ana", "ana@laptop", new=False), "window") == (
        f"ana labelled “{'A' * 67}…” (document 7) differently; kept as 'ana@laptop'"
        " (by an earlier merge)"
    )
    assert str(Conflict(7, long, "ana", "ana@laptop", new=False)) == (
        f"conflict: ana labelled document 7 ({'A' * 60}) differently;"
        " the other version was already kept as 'ana@laptop'"
    )
