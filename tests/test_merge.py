"""``annotator merge``: other databases into this one, by SHA-256, never overwriting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.corpus import RawDocument, text_hash
from annotator.errors import AnnotatorError
from annotator.export import records
from annotator.ingest import import_documents
from annotator.merge import MergeConflictError, merge_database
from annotator.nlp import tokenize
from annotator.packing import pack, unpack
from annotator.scheme import extend_scheme, load_scheme, parse_scheme, scheme_to_toml
from annotator.store import Store

SHARED = "Shared article: Russia and North Korea sign a defence pact."
ALSO_SHARED = "Another shared article about Iran's drones."
ONLY_OTHER = "Only in the other database:\nChina 🇨🇳 hedges, e\u0301tat."
TABLES = ("schemes", "documents", "annotators", "spans", "doc_labels", "status")


def dump(store: Store) -> dict[str, list[tuple]]:
    return {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}


def add_docs(store: Store, *texts: str) -> list[int]:
    import_documents(store, [RawDocument(t, "src", {"n": i}) for i, t in enumerate(texts)])
    return [store.document_id_by_hash(text_hash(t)) for t in texts]


def spans_of(store: Store, doc_id: int, coder: str) -> list[tuple]:
    return [(s.start, s.end, s.label, s.note) for s in store.spans(doc_id, coder)]


@pytest.fixture
def lead(tmp_path):
    s = Store(tmp_path / "lead.db")
    yield s
    s.close()


def make_other(path: Path, build) -> Path:
    with Store(path) as other:
        build(other)
    return path


def build_other(other: Store) -> None:
    """Documents in another order, one the lead lacks; ana disagrees, ben is new."""
    only, shared, also = add_docs(other, ONLY_OTHER, SHARED, ALSO_SHARED)
    other.add_span(shared, "ana", 0, 6, "skeptical_of_alliance", "her other reading")
    other.set_doc_label(shared, "ana", "dominant_frame", "skeptical_of_alliance")
    other.set_status(shared, "ana", "done")
    other.add_span(shared, "ben", 8, 14, "alarmist")
    other.set_status(shared, "ben", "done")
    other.add_time(shared, "ben", 42.5)
    other.add_span(also, "ana", 0, 7, "alarmist")  # a superset of the lead's ana here
    other.add_span(also, "ana", 8, 14, "policy_prescription")
    other.add_span(only, "ben", ONLY_OTHER.index("China"), ONLY_OTHER.index(" hedges"), "alarmist")
    other.set_doc_label(only, "ben", "frames_present", ["alarmist"])


def build_lead(lead: Store) -> tuple[int, int]:
    shared, also = add_docs(lead, SHARED, ALSO_SHARED)
    lead.add_span(shared, "ana", 0, 6, "alarmist", "my reading")
    lead.set_doc_label(shared, "ana", "dominant_frame", "alarmist")
    lead.add_span(also, "ana", 0, 7, "alarmist")
    lead.set_status(also, "ana", "done")
    return shared, also


def test_merge_overlapping_documents_with_a_conflict(lead, tmp_path):
    shared, also = build_lead(lead)
    other_path = make_other(tmp_path / "bens-laptop.db", build_other)
    report = merge_database(lead, other_path)

    assert report.documents_added == 1
    [conflict] = report.conflicts
    assert (conflict.doc_id, conflict.coder, conflict.kept_as) == (
        shared,
        "ana",
        "ana@bens-laptop",
    )
    assert "ana@bens-laptop" in str(conflict) and f"document {shared}" in str(conflict)
    # Both versions stay visible; nothing was overwritten.
    assert spans_of(lead, shared, "ana") == [(0, 6, "alarmist", "my reading")]
    assert lead.doc_labels(shared, "ana") == {"dominant_frame": "alarmist"}
    assert spans_of(lead, shared, "ana@bens-laptop") == [
        (0, 6, "skeptical_of_alliance", "her other reading")
    ]
    assert lead.doc_labels(shared, "ana@bens-laptop") == {"dominant_frame": "skeptical_of_alliance"}
    # A new coder comes in under their own name, status and time included.
    assert spans_of(lead, shared, "ben") == [(8, 14, "alarmist", "")]
    assert lead.statuses(shared)["ben"] == ("done", 42.5)
    # The conflicting version's status goes with it; the lead's own ana is unchanged.
    assert lead.statuses(shared)["ana@bens-laptop"][0] == "done"
    assert lead.statuses(shared)["ana"][0] == "in_progress"
    # Where the other side is a superset, the missing labels are simply added.
    assert spans_of(lead, also, "ana") == [
        (0, 7, "alarmist", ""),
        (8, 14, "policy_prescription", ""),
    ]
    assert report.spans_added == 4 and "1 new conflict(s)" in report.summary()
    assert sorted(lead.coders()) == ["ana", "ana@bens-laptop", "ben"]


def test_documents_the_lead_lacks_are_copied_with_their_tokens(lead, tmp_path):
    build_lead(lead)
    other_path = make_other(tmp_path / "other.db", build_other)
    merge_database(lead, other_path)
    with Store(other_path, readonly=True) as other:
        theirs = {d.sha256: d for d in other.stored_documents()}
    ours = {d.sha256: d for d in lead.stored_documents()}
    assert set(ours) == set(theirs)
    copied = ours[text_hash(ONLY_OTHER)]
    original = theirs[text_hash(ONLY_OTHER)]
    for attr in (
        "text",
        "title",
        "source",
        "meta",
        "token_offsets",
        "sentence_offsets",
        "pipeline",
    ):
        assert getattr(copied, attr) == getattr(original, attr), attr
    assert lead.tokenization(copied.id) is not None
    assert spans_of(lead, copied.id, "ben") == [
        (ONLY_OTHER.index("China"), ONLY_OTHER.index(" hedges"), "alarmist", "")
    ]
    assert lead.doc_labels(copied.id, "ben") == {"frames_present": ("alarmist",)}


def test_documents_copied_with_stored_tokens_not_retokenised(lead, tmp_path):
    """Tokens are copied as stored: a different pipeline's tokens survive unchanged."""
    path = tmp_path / "odd.db"
    with Store(path) as other:
        [d] = add_docs(other, "Tokens from elsewhere.")
        other.add_span(d, "ana", 0, 6, "alarmist")
        other.conn.execute(
            "UPDATE documents SET tokens = ?, pipeline = 'x'",
            [pack((0, 7, 12, 21), (6, 11, 21, 22))],
        )
        other.conn.commit()
    merge_database(lead, path)
    [doc] = list(lead.stored_documents())
    assert (unpack(doc.token_offsets), doc.pipeline) == (((0, 7, 12, 21), (6, 11, 21, 22)), "x")
    assert lead.tokenization(doc.id).token_ends == (6, 11, 21, 22)


def older_database(path: Path) -> Path:
    """A coder's database as the version before packed offsets left it (schema m001-m003,
    offsets as JSON): ONLY_OTHER with one span and one document label of ben's."""
    import sqlite_utils

    from annotator.store import migrations

    tok = next(tokenize([ONLY_OTHER]))
    db = sqlite_utils.Database(path)
    migrations().apply(db, stop_before="m004_binary_offsets")
    scheme = load_scheme()
    db["schemes"].insert(
        {"version": scheme.version, "name": scheme.name, "toml": scheme.source_toml}
    )
    offsets = {"start": list(tok.token_starts), "end": list(tok.token_ends)}
    sentences = {"start": list(tok.sentence_starts), "end": list(tok.sentence_ends)}
    db["documents"].insert(
        {
            "id": 1, "sha256": text_hash(ONLY_OTHER), "title": "Only", "source": "o.txt",
            "text": ONLY_OTHER, "length": len(ONLY_OTHER), "meta": "{}",
            "tokens": json.dumps(offsets), "sentences": json.dumps(sentences),
            "pipeline": "blank:en", "added_at": "",
        }
    )  # fmt: skip
    db["annotators"].insert({"id": 1, "name": "ben", "created_at": ""})
    china = ONLY_OTHER.index("China")
    db["spans"].insert(
        {"document_id": 1, "annotator_id": 1, "start": china, "end": china + 5,
         "label": "alarmist", "scheme_version": 1}
    )  # fmt: skip
    db["doc_labels"].insert(
        {"document_id": 1, "annotator_id": 1, "field": "dominant_frame", "value": '"alarmist"'}
    )
    db.close()
    return path


def test_a_database_of_an_older_version_is_merged_without_changing_it(lead, tmp_path):
    """The lead need not ask a coder to upgrade: an older file is read through an upgraded
    temporary copy, and the coder's own file stays byte for byte as it was."""
    old = older_database(tmp_path / "ben-old.db")
    before = old.read_bytes()
    with pytest.raises(AnnotatorError, match="needs an upgrade"):
        Store(old, readonly=True)
    report = merge_database(lead, old)
    assert report.documents_added == 1
    doc = lead.document_id_by_hash(text_hash(ONLY_OTHER))
    china = ONLY_OTHER.index("China")
    assert spans_of(lead, doc, "ben") == [(china, china + 5, "alarmist", "")]
    assert lead.doc_labels(doc, "ben") == {"dominant_frame": "alarmist"}
    assert lead.tokenization(doc) == next(tokenize([ONLY_OTHER]))
    assert old.read_bytes() == before
    assert not list(tmp_path.glob("ben-old.db-*"))  # no WAL or journal left beside it


def test_a_foreign_or_schemeless_file_is_refused_not_upgraded(lead, tmp_path):
    """Only a file an earlier annotator made is upgraded (in a copy); another SQLite file,
    or an older database without a scheme, is refused and nothing is merged."""
    import sqlite3

    foreign = tmp_path / "notes.db"
    with sqlite3.connect(foreign) as c:
        c.execute("CREATE TABLE notes (x)")
    before = dump(lead)
    with pytest.raises(AnnotatorError, match="notes.db: not an annotator database"):
        merge_database(lead, foreign)
    old = older_database(tmp_path / "old.db")
    with sqlite3.connect(old) as c:
        c.execute("DELETE FROM schemes")
    with pytest.raises(AnnotatorError, match="old.db: database has no scheme"):
        merge_database(lead, old)
    assert dump(lead) == before


def test_merging_twice_changes_nothing(lead, tmp_path):
    build_lead(lead)
    other_path = make_other(tmp_path / "other.db", build_other)
    merge_database(lead, other_path)
    before = dump(lead)
    again = merge_database(lead, other_path)
    assert dump(lead) == before  # rows and timestamps
    assert (again.documents_added, again.spans_added, again.doc_labels_set) == (0, 0, 0)
    assert again.statuses_updated == 0
    # The conflict is still named, as one an earlier merge already kept.
    assert [(c.coder, c.new) for c in again.conflicts] == [("ana", False)]
    assert "0 new conflict(s) (and 1 kept by an earlier merge)" in again.summary()


def test_strict_stops_and_writes_nothing(lead, tmp_path):
    build_lead(lead)
    other_path = make_other(tmp_path / "other.db", build_other)
    before = dump(lead)
    with pytest.raises(MergeConflictError) as e:
        merge_database(lead, other_path, strict=True)
    assert "1 conflict(s); nothing merged (--strict)" in str(e.value)
    assert e.value.report.conflicts[0].coder == "ana"
    assert dump(lead) == before  # not even the new document or ben's labels


def test_strict_without_conflicts_merges(lead, tmp_path):
    def build(other):
        [d] = add_docs(other, SHARED)
        other.add_span(d, "ben", 0, 6, "alarmist")

    build_lead(lead)
    report = merge_database(lead, make_other(tmp_path / "b.db", build), strict=True)
    assert report.conflicts == [] and report.spans_added == 1


def test_this_side_a_superset_is_no_conflict(lead, tmp_path):
    shared, _ = build_lead(lead)

    def build(other):
        [d] = add_docs(other, SHARED)
        other.add_span(d, "ana", 0, 6, "alarmist", "my reading")

    before = dump(lead)
    report = merge_database(lead, make_other(tmp_path / "sub.db", build))
    assert report.conflicts == [] and report.spans_added == 0
    assert dump(lead)["spans"] == before["spans"]


def test_status_keeps_the_further_state_and_larger_time(lead, tmp_path):
    a, b, c = add_docs(lead, "Doc A text.", "Doc B text.", "Doc C text.")
    lead.set_status(a, "ana", "done")
    lead.add_time(a, "ana", 100)
    lead.set_status(b, "ana", "in_progress")
    lead.add_time(b, "ana", 5)

    def build(other):
        a, b, c = add_docs(other, "Doc A text.", "Doc B text.", "Doc C text.")
        other.set_status(a, "ana", "in_progress")
        other.add_time(a, "ana", 10)
        other.set_status(b, "ana", "done")
        other.add_time(b, "ana", 50)
        other.add_time(c, "ana", 7)

    report = merge_database(lead, make_other(tmp_path / "st.db", build))
    assert lead.statuses(a)["ana"] == ("done", 100.0)
    assert lead.statuses(b)["ana"] == ("done", 50.0)
    assert lead.statuses(c)["ana"] == ("new", 7.0)
    assert report.statuses_updated == 2


# --- schemes -----------------------------------------------------------------------------


def test_scheme_version_mismatch_is_refused(lead, tmp_path):
    build_lead(lead)
    default = load_scheme()
    other_toml = scheme_to_toml(default).replace('"none"', '"neutral"')
    path = tmp_path / "differs.db"
    with Store(path, scheme=parse_scheme(other_toml)) as other:
        [d] = add_docs(other, SHARED)
        other.add_span(d, "ben", 0, 6, "alarmist")
    before = dump(lead)
    with pytest.raises(AnnotatorError, match="scheme v1 differs from this database's v1"):
        merge_database(lead, path)
    assert dump(lead) == before


def test_other_with_an_older_unknown_version_is_refused(lead, tmp_path):
    default = load_scheme()
    lead.record_scheme(extend_scheme(default, 3, labels=["hawkish"]))
    path = tmp_path / "v2.db"
    with Store(path) as other:
        other.record_scheme(extend_scheme(default, 2, labels=["dovish"]))
    before = dump(lead)
    with pytest.raises(AnnotatorError, match="has scheme v2, which this database"):
        merge_database(lead, path)
    assert dump(lead) == before


def test_a_newer_scheme_version_is_recorded(lead, tmp_path):
    default = load_scheme()
    newer = extend_scheme(default, 2, labels=["hawkish"])
    path = tmp_path / "newer.db"
    with Store(path) as other:
        other.record_scheme(newer)
        [d] = add_docs(other, SHARED)
        other.add_span(d, "ben", 0, 6, "hawkish")
    report = merge_database(lead, path)
    assert report.schemes_added == [2]
    assert lead.scheme_versions() == [1, 2] and lead.scheme.label("hawkish") is not None
    [span] = lead.spans(lead.document_id_by_hash(text_hash(SHARED)), "ben")
    assert (span.label, span.scheme_version) == ("hawkish", 2)


def test_a_coder_file_whose_scheme_an_earlier_version_stored_merges(lead, tmp_path):
    """A scheme recorded under an earlier version's looser hotkey rule (``a`` is review's
    Accept today) is taken as stored: the merge neither refuses it nor rewrites it."""
    default = load_scheme()
    old_toml = scheme_to_toml(extend_scheme(default, 2, labels=["hawkish"])).replace(
        'key = "4"', 'key = "a"'
    )
    with pytest.raises(AnnotatorError, match="reserved"):
        parse_scheme(old_toml, "old.toml")
    path = tmp_path / "old-keys.db"
    with Store(path) as other:
        other.record_scheme(parse_scheme(old_toml, "old.toml", stored=True))
        [d] = add_docs(other, SHARED)
        other.add_span(d, "ben", 0, 6, "hawkish")
    assert merge_database(lead, path).schemes_added == [2]
    assert lead.scheme.label("hawkish").key == "a"
    [span] = lead.spans(lead.document_id_by_hash(text_hash(SHARED)), "ben")
    assert span.label == "hawkish"


def test_merging_a_database_into_itself_is_refused(lead):
    with pytest.raises(AnnotatorError, match="into itself"):
        merge_database(lead, lead.path)


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Store(tmp_path / "x.db") as s:
        build_lead(s)
    make_other(tmp_path / "other.db", build_other)
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, ["--db", "x.db", *args], catch_exceptions=False)


def test_cli_merge_reports_the_conflict(workdir):
    res = run("merge", "other.db")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "other.db: 1 new document(s), 4 span(s)" in res.stdout
    [line] = res.stderr.splitlines()
    assert line.startswith("  conflict: ana labelled document 1")
    assert line.endswith("kept as 'ana@other'")


def test_cli_merge_strict(workdir):
    with Store(workdir / "x.db") as s:
        before = dump(s)
    res = run("merge", "--strict", "other.db")
    assert res.exit_code == 1 and "Traceback" not in res.output
    err = res.stderr.splitlines()
    assert err[0].startswith("  conflict: ana labelled document 1")
    assert err[-1] == "Error: other.db: 1 conflict(s); nothing merged (--strict)"
    with Store(workdir / "x.db") as s:
        assert dump(s) == before


def test_cli_merge_errors_are_one_line(workdir):
    (workdir / "junk.db").write_text("not a database at all " * 10)
    for args, message in [
        (("merge", "missing.db"), "Error: missing.db: no such database"),
        (("merge", "junk.db"), "Error: junk.db: not a usable SQLite database"),
        (("merge", "x.db"), "Error: x.db: cannot merge a database into itself"),
    ]:
        res = run(*args)
        assert res.exit_code == 1 and "Traceback" not in res.output, args
        [line] = res.stderr.splitlines()
        assert line.startswith(message), line


def test_cli_merge_without_conflict_exits_zero(workdir):
    with Store(workdir / "clean.db") as s:
        [d] = add_docs(s, SHARED)
        s.add_span(d, "cleo", 0, 6, "alarmist")
    res = run("merge", "clean.db")
    assert res.exit_code == 0, res.output
    assert "clean.db: 0 new document(s), 1 span(s)" in res.stdout


# -- rows from another file are checked, never trusted (issue 9, point 5) ----------------

SECOND = "A second coder text, shorter."


def coder_db(path: Path) -> Path:
    """A coder's database with two documents the lead lacks and a few labels."""
    with Store(path) as s:
        first, second = add_docs(s, ONLY_OTHER, SECOND)
        s.add_span(first, "ana", ONLY_OTHER.index("China"), ONLY_OTHER.index(" hedges"), "alarmist")
        s.set_doc_label(first, "ana", "dominant_frame", "alarmist")
        s.add_span(second, "ana", 0, 8, "alarmist")
        s.set_status(second, "ana", "done")
        s.add_time(second, "ana", 12.5)
    return path


def corrupt(path: Path, *statements: str) -> None:
    """Change a coder's file behind annotator's back (as a broken tool or a person might)."""
    import sqlite3

    conn = sqlite3.connect(path)
    with conn:
        for sql in statements:
            conn.execute(sql)
    conn.close()


REFUSED = {
    "text stored as a blob": (
        "UPDATE documents SET text = CAST(text AS BLOB) WHERE id = 2",
        "document 2: text is not text",
    ),
    "text not UTF-8": (
        "UPDATE documents SET text = CAST(X'41FF42' AS TEXT) WHERE id = 2",
        "cannot be read",
    ),
    "sha256 of another text": (
        f"UPDATE documents SET sha256 = '{text_hash('something else')}' WHERE id = 2",
        "document 2: sha256",
    ),
    "meta a list": (
        "UPDATE documents SET meta = '[1, 2]' WHERE id = 1",
        "document 1: meta is not a JSON object",
    ),
    "meta with NaN": (
        "UPDATE documents SET meta = '{\"x\": NaN}' WHERE id = 1",
        "document 1: meta: NaN",
    ),
    "meta not JSON": (
        "UPDATE documents SET meta = '{oops' WHERE id = 1",
        "document 1: meta: invalid JSON",
    ),
    "infinite seconds": ("UPDATE status SET seconds_spent = 9e999", "seconds_spent inf"),
    "seconds as text": ("UPDATE status SET seconds_spent = 'a while'", "seconds_spent 'a while'"),
    "unknown state": ("UPDATE status SET state = 'finished'", "status 'finished'"),
    "span outside the text": (
        "UPDATE spans SET end = 9999 WHERE document_id = 2",
        "inside the text",
    ),
    "span offset as text": ("UPDATE spans SET start = 'zero' WHERE document_id = 2", "integers"),
    "note as a blob": ("UPDATE spans SET note = X'4142' WHERE document_id = 2", "label and note"),
    "field value not JSON": ("UPDATE doc_labels SET value = 'alarm'", "labels cannot be read"),
    "coder name with |": ("UPDATE annotators SET name = 'a|b'", "contains '|'"),
    "coder name reserved": ("UPDATE annotators SET name = 'unlabelled'", "reserved"),
    "a new coder named as a source": (
        "UPDATE annotators SET name = 'source:x'",
        "coder name 'source:x' begins with 'source:'",
    ),
    "coder name with a line break": (
        "UPDATE annotators SET name = 'an' || char(10) || 'a'",
        "non-printable",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_corrupt_coder_file_is_refused_and_changes_nothing(lead, tmp_path, case):
    sql, reason = REFUSED[case]
    build_lead(lead)
    other = coder_db(tmp_path / "coder.db")
    corrupt(other, sql)
    before = dump(lead)
    with pytest.raises(AnnotatorError) as e:
        merge_database(lead, other)
    message = str(e.value)
    assert message.startswith(f"{other}: ") and reason in message, message
    assert "\n" not in message
    assert dump(lead) == before
    lead.reload_scheme()
    assert sum(1 for _ in records(lead)) == 2  # the lead's database still exports


def test_a_coder_the_lead_has_from_before_the_source_rule_merges(lead, tmp_path):
    """A coder named ``source:x`` before that name was refused (an older database, whose
    pack went to them) merges back into the database that has them; a new one does not
    (``REFUSED``)."""
    build_lead(lead)
    lead.close()
    corrupt(lead.path, "INSERT INTO annotators (name, created_at) VALUES ('source:x', '')")
    other = coder_db(tmp_path / "coder.db")
    corrupt(other, "UPDATE annotators SET name = 'source:x' WHERE name = 'ana'")
    with Store(lead.path) as again:
        report = merge_database(again, other)
        assert report.documents_added == 2
        assert sum(len(again.spans(d, "source:x")) for d in again.document_ids()) == 2


def test_a_document_whose_id_is_null_is_refused_not_merged_without_its_labels(lead, tmp_path):
    # documents.id is the rowid in every file annotator writes; a table rebuilt by another
    # tool may hold a NULL id, whose spans and status were once dropped without a word
    build_lead(lead)
    other = coder_db(tmp_path / "coder.db")
    corrupt(
        other,
        "CREATE TABLE copied AS SELECT * FROM documents",
        "DROP TABLE documents",
        "ALTER TABLE copied RENAME TO documents",
        "UPDATE documents SET id = NULL WHERE id = 2",
    )
    before = dump(lead)
    with pytest.raises(AnnotatorError) as e:
        merge_database(lead, other)
    assert str(e.value) == f"{other}: document None: its id is empty (NULL)"
    assert dump(lead) == before


@pytest.mark.parametrize(
    "tokens",
    [
        "X'05FFFF'",  # an unknown blob format
        "X'02'",  # decodes to no tokens at all: the text is not covered
        "X'0201'",  # torn
        "(SELECT tokens FROM documents WHERE id = 1)",  # the tokens of another, longer text
        "'not a blob'",
    ],
)
def test_unusable_token_offsets_are_recomputed(lead, tmp_path, tokens):
    build_lead(lead)
    other = coder_db(tmp_path / "coder.db")
    corrupt(other, f"UPDATE documents SET tokens = {tokens}, sentences = {tokens} WHERE id = 2")
    report = merge_database(lead, other)
    assert report.documents_added == 2 and report.retokenised == 1
    assert "tokens recomputed for 1 document(s)" in report.summary()
    doc_id = lead.document_id_by_hash(text_hash(SECOND))
    fresh = next(tokenize([SECOND]))
    assert lead.tokenization(doc_id) == fresh
    out = tmp_path / "out.jsonl"
    from annotator.export import export

    assert export(lead, out) == 4
    [rec] = [r for r in map(json.loads, out.read_text("utf-8").splitlines()) if r["text"] == SECOND]
    assert [t["text"] for t in rec["tokens"]] == [
        "A",
        "second",
        "coder",
        "text",
        ",",
        "shorter",
        ".",
    ]


def test_good_tokens_are_copied_as_stored(lead, tmp_path):
    other = coder_db(tmp_path / "coder.db")
    report = merge_database(lead, other)
    assert report.retokenised == 0 and "recomputed" not in report.summary()
    with Store(other) as s:
        theirs = {d.sha256: (d.token_offsets, d.sentence_offsets) for d in s.stored_documents()}
    ours = {d.sha256: (d.token_offsets, d.sentence_offsets) for d in lead.stored_documents()}
    assert ours == theirs


def test_cli_merge_of_a_corrupt_file_is_one_line_and_the_export_still_works(workdir):
    coder_db(workdir / "bad.db")
    corrupt(workdir / "bad.db", "UPDATE documents SET meta = '[1]' WHERE id = 1")
    with Store(workdir / "x.db") as s:
        before = dump(s)
    res = run("merge", "bad.db")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.stderr.splitlines() == ["Error: bad.db: document 1: meta is not a JSON object"]
    with Store(workdir / "x.db") as s:
        assert dump(s) == before
    res = run("export", "-o", "all.jsonl")
    assert res.exit_code == 0, res.output


def test_duplicate_spans_are_kept_as_given(lead, tmp_path):
    """A span list is a list: the same range and label twice stays twice (point 11)."""
    [shared] = add_docs(lead, SHARED)

    def build(other):
        [d] = add_docs(other, SHARED)
        other.add_span(d, "ana", 0, 6, "alarmist")
        other.add_span(d, "ana", 0, 6, "alarmist")
        other.add_span(d, "ana", 7, 13, "alarmist", "a note")
        other.add_span(d, "ana", 7, 13, "alarmist", "a note")
        other.add_span(d, "ana", 7, 13, "alarmist", "a note")

    other = make_other(tmp_path / "dup.db", build)
    report = merge_database(lead, other)
    assert report.spans_added == 5 and not report.conflicts
    assert (
        sorted(spans_of(lead, shared, "ana"))
        == [(0, 6, "alarmist", "")] * 2 + [(7, 13, "alarmist", "a note")] * 3
    )
    again = merge_database(lead, other)
    assert again.spans_added == 0 and not again.conflicts
    assert len(spans_of(lead, shared, "ana")) == 5


def test_a_conflict_name_follows_the_name_rule(lead, tmp_path):
    shared, _also = build_lead(lead)
    name = "laptop | " + "x" * 200
    other_path = make_other(tmp_path / f"{name}.db", build_other)
    report = merge_database(lead, other_path)
    [conflict] = report.conflicts
    assert conflict.kept_as.startswith("ana@laptop_") and "|" not in conflict.kept_as
    assert len(conflict.kept_as) <= 100
    assert spans_of(lead, shared, conflict.kept_as) == [
        (0, 6, "skeptical_of_alliance", "her other reading")
    ]


def test_a_scheme_that_is_not_text_or_a_title_with_line_breaks(lead, tmp_path):
    other = coder_db(tmp_path / "coder.db")
    corrupt(other, "UPDATE schemes SET toml = X'00'")
    with pytest.raises(AnnotatorError, match=r"coder.db: scheme v1 is not text"):
        merge_database(lead, other)
    other = coder_db(tmp_path / "titled.db")
    corrupt(other, "UPDATE documents SET title = 'Two' || char(10) || 'lines' WHERE id = 2")
    merge_database(lead, other)
    assert lead.document(lead.document_id_by_hash(text_hash(SECOND))).title == "Two lines"


def test_a_gold_layer_that_is_not_merged_is_reported(tmp_path, lead):
    """Gold labels in a coder's file are not merged (adjudication happens in the lead's
    database); the summary used to say nothing about them (exit 0, "0 coder(s)"), so an
    adjudicator's work in another copy was dropped without a word."""

    def build(other):
        [doc] = add_docs(other, SHARED)
        other.add_span(doc, "ana", 0, 6, "alarmist")
        other.add_gold_span(doc, 0, 6, "alarmist", sources=["ana"])

    make_other(tmp_path / "adjudicated.db", build)
    res = CliRunner().invoke(
        cli, ["--db", str(lead.path), "merge", str(tmp_path / "adjudicated.db")]
    )
    assert res.exit_code == 0, res.output
    assert "gold labels of 1 document(s) were not merged" in res.output
    assert not lead.has_gold()
    # the same gold already in the lead's database: nothing to say
    lead.add_gold_span(1, 0, 6, "alarmist", sources=[])
    res = CliRunner().invoke(
        cli, ["--db", str(lead.path), "merge", str(tmp_path / "adjudicated.db")]
    )
    assert res.exit_code == 0, res.output
    assert "not merged" not in res.output


def test_a_conflict_of_a_coder_with_a_name_of_the_longest_length_is_kept(tmp_path, lead):
    """A 100-character coder name (the rule's limit) left no room for '@file': the
    conflict name was the coder's own name, and the merge stopped with 'rename the file
    and merge again', which could never help."""
    coder = "c" * 100
    [doc] = add_docs(lead, SHARED)
    lead.add_span(doc, coder, 0, 6, "alarmist")
    make_other(
        tmp_path / "ben.db", lambda o: o.add_span(add_docs(o, SHARED)[0], coder, 8, 14, "alarmist")
    )
    report = merge_database(lead, tmp_path / "ben.db")
    [c] = report.conflicts
    assert c.kept_as != coder and c.kept_as.endswith("@ben") and len(c.kept_as) <= 100
    assert spans_of(lead, doc, coder) == [(0, 6, "alarmist", "")]
    assert spans_of(lead, doc, c.kept_as) == [(8, 14, "alarmist", "")]
