"""Merge details that surviving mutants showed no test pinned (see bench/mutation.md): the
conflict and summary lines, conflict names at the length limit, and which stored token
offsets count as usable; from the second run (the 419 mutants the first left unrun): which
tokens a copied document keeps, the pipeline a recomputation uses, span bounds and scheme
versions, duplicate and document-label counts, gold, the order coders are merged in. Expected
values are literal."""

from __future__ import annotations

import pytest

from annotator.corpus import text_hash
from annotator.errors import AnnotatorError
from annotator.merge import Conflict, MergeReport, _conflict_name, _offsets_fit, merge_database
from annotator.packing import pack, unpack
from annotator.scheme import extend_scheme, load_scheme, parse_scheme, scheme_to_toml
from annotator.store import Store
from tests.test_merge import ONLY_OTHER, SECOND, add_docs, coder_db, corrupt, make_other, spans_of


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


# ----------------------------------------------- survivors of the second run (merging files)

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


def test_a_span_that_is_empty_is_refused_one_ending_at_the_text_end_is_merged(lead, tmp_path):
    other = coder_db(tmp_path / "coder.db")
    corrupt(other, "UPDATE spans SET start = 3, end = 3 WHERE document_id = 2")
    with pytest.raises(AnnotatorError) as e:
        merge_database(lead, other)
    assert str(e.value) == (
        f"{other}: document 2: ana's span [3, 3) does not lie inside the text (length 29)"
    )
    other = coder_db(tmp_path / "coder2.db")
    corrupt(other, "UPDATE spans SET start = 21, end = 29 WHERE document_id = 2")
    report = merge_database(lead, other)
    assert report.spans_added == 2
    doc_id = lead.document_id_by_hash(text_hash(SECOND))
    assert spans_of(lead, doc_id, "ana") == [(21, 29, "alarmist", "")]


def test_a_scheme_version_that_is_not_an_integer_is_refused(lead, tmp_path):
    other = coder_db(tmp_path / "coder.db")
    corrupt(other, "UPDATE spans SET scheme_version = 'v1' WHERE document_id = 2")
    with pytest.raises(AnnotatorError) as e:
        merge_database(lead, other)
    assert str(e.value) == (
        f"{other}: document 2: ana's span [0, 8): scheme_version must be an integer"
    )


def test_copied_spans_keep_a_known_scheme_version_and_drop_an_unknown_one(lead, tmp_path):
    # the lead is at v2; a span made under v1 keeps v1, one with a version no database
    # recorded (99) gets the lead's current version instead
    other = coder_db(tmp_path / "coder.db")
    corrupt(other, "UPDATE spans SET scheme_version = 99 WHERE document_id = 1")
    lead.record_scheme(extend_scheme(load_scheme(), 2, labels=["hawkish"]))
    merge_database(lead, other)
    versions = {
        (s.document_id, s.start): s.scheme_version
        for d in lead.stored_documents()
        for s in lead.spans(d.id)
    }
    first = lead.document_id_by_hash(text_hash(ONLY_OTHER))
    second = lead.document_id_by_hash(text_hash(SECOND))
    assert versions == {(first, ONLY_OTHER.index("China")): 2, (second, 0): 1}


def test_copies_of_a_span_beyond_the_ones_here_are_added(lead, tmp_path):
    # the lead has a span twice, the coder three times: one more copy is added
    [doc] = add_docs(lead, SECOND)
    for _ in range(2):
        lead.add_span(doc, "ana", 0, 8, "alarmist")
    lead.set_doc_label(doc, "ana", "dominant_frame", "alarmist")

    def build(other):
        [d] = add_docs(other, SECOND)
        for _ in range(3):
            other.add_span(d, "ana", 0, 8, "alarmist")
        other.set_doc_label(d, "ana", "dominant_frame", "alarmist")  # the same value

    report = merge_database(lead, make_other(tmp_path / "three.db", build))
    assert (report.spans_added, report.doc_labels_set, report.conflicts) == (1, 0, [])
    assert spans_of(lead, doc, "ana") == [(0, 8, "alarmist", "")] * 3


def test_each_document_label_set_is_counted(lead, tmp_path):
    def build(other):
        [d] = add_docs(other, SECOND)
        other.set_doc_label(d, "ana", "dominant_frame", "alarmist")
        other.set_doc_label(d, "ana", "frames_present", ["alarmist"])

    report = merge_database(lead, make_other(tmp_path / "two.db", build))
    assert report.doc_labels_set == 2
    doc = lead.document_id_by_hash(text_hash(SECOND))
    assert {(dl.field, dl.value) for dl in lead.all_doc_labels(doc)} == {
        ("dominant_frame", "alarmist"),
        ("frames_present", ("alarmist",)),
    }


def test_gold_of_each_document_is_counted_and_coders_after_gold_still_merge(lead, tmp_path):
    def build(other):
        for doc in add_docs(other, SECOND, ONLY_OTHER):
            other.add_gold_span(doc, 0, 5, "alarmist", sources=[])
            other.add_span(doc, "zoe", 0, 5, "alarmist")  # "zoe" sorts after "gold"
            other.set_status(doc, "zoe", "done")  # after gold's status too

    report = merge_database(lead, make_other(tmp_path / "adjudicated.db", build))
    assert report.gold_skipped == 2 and report.spans_added == 2
    doc = lead.document_id_by_hash(text_hash(SECOND))
    assert spans_of(lead, doc, "zoe") == [(0, 5, "alarmist", "")]
    assert lead.statuses(doc) == {"zoe": ("done", 0.0)}  # gold's status is not merged


def test_a_coder_already_merged_or_kept_does_not_stop_the_next_coder(lead, tmp_path):
    [doc] = add_docs(lead, SECOND)
    lead.add_span(doc, "ana", 0, 8, "alarmist")
    lead.add_span(doc, "bea", 0, 8, "alarmist")

    def first(other):
        [d] = add_docs(other, SECOND)
        other.add_span(d, "ana", 0, 8, "alarmist")  # the same as here
        other.add_span(d, "bea", 9, 14, "alarmist")  # a conflict: kept as bea@coder

    (tmp_path / "a").mkdir()
    report = merge_database(lead, make_other(tmp_path / "a" / "coder.db", first))
    assert [c.kept_as for c in report.conflicts] == ["bea@coder"]

    def second(other):
        [d] = add_docs(other, SECOND)
        other.add_span(d, "ana", 0, 8, "alarmist")
        other.add_span(d, "bea", 9, 14, "alarmist")  # kept by the first merge
        other.add_span(d, "cy", 15, 19, "alarmist")  # new, after both

    (tmp_path / "b").mkdir()
    report = merge_database(lead, make_other(tmp_path / "b" / "coder.db", second))
    assert [(c.kept_as, c.new) for c in report.conflicts] == [("bea@coder", False)]
    assert report.spans_added == 1
    assert spans_of(lead, doc, "cy") == [(15, 19, "alarmist", "")]


def test_a_conflict_name_holding_another_version_stops_the_merge(lead, tmp_path):
    [doc] = add_docs(lead, SECOND)
    lead.add_span(doc, "ana", 0, 8, "alarmist")
    lead.add_span(doc, "ana@coder", 21, 28, "alarmist")

    def build(other):
        [d] = add_docs(other, SECOND)
        other.add_span(d, "ana", 9, 14, "alarmist")

    path = make_other(tmp_path / "coder.db", build)
    with pytest.raises(AnnotatorError) as e:
        merge_database(lead, path)
    assert str(e.value) == (
        f"{path}: document 1: 'ana@coder' already holds a different version;"
        " rename the file and merge again"
    )


EXACT = {
    "text a blob": (
        "UPDATE documents SET text = CAST(text AS BLOB) WHERE id = 2",
        "document 2: text is not text (a bytes)",
    ),
    "text blank": (
        "UPDATE documents SET text = ' ' || char(10) WHERE id = 2",
        "document 2: text is empty",
    ),
    "text with CR": (
        "UPDATE documents SET text = 'a' || char(13) || 'b' WHERE id = 2",
        "document 2: text has \\r line breaks or a byte-order mark",
    ),
    "sha256 wrong": (
        "UPDATE documents SET sha256 = '0123456789abcdef0123' WHERE id = 2",
        "document 2: sha256 '0123456789abcdef'... does not match the text",
    ),
    "title a blob": (
        "UPDATE documents SET title = X'4142' WHERE id = 2",
        "document 2: title is not text",
    ),
    "status unknown": (
        "UPDATE status SET state = 'finished' WHERE document_id = 2",
        "document 2: ana's status 'finished' is not one of ('new', 'in_progress', 'done')",
    ),
}


@pytest.mark.parametrize("case", EXACT)
def test_the_whole_message_for_a_refused_document_or_status(lead, tmp_path, case):
    sql, message = EXACT[case]
    other = coder_db(tmp_path / "coder.db")
    corrupt(other, sql)
    with pytest.raises(AnnotatorError) as e:
        merge_database(lead, other)
    assert str(e.value) == f"{other}: {message}"


def test_the_coders_merged_are_reported_by_name(lead, tmp_path):
    report = merge_database(lead, coder_db(tmp_path / "coder.db"))
    assert report.coders == {"ana"}


def test_the_whole_message_for_a_scheme_that_differs_or_was_never_recorded(lead, tmp_path):
    default = load_scheme()
    path = tmp_path / "differs.db"
    with Store(path, scheme=parse_scheme(scheme_to_toml(default).replace('"none"', '"neutral"'))):
        pass
    with pytest.raises(AnnotatorError) as e:
        merge_database(lead, path)
    assert str(e.value) == (
        f"{path}: scheme v1 differs from this database's v1;"
        " the databases were not made with the same scheme"
    )
    lead.record_scheme(extend_scheme(default, 3, labels=["hawkish"]))
    path = tmp_path / "v2.db"
    with Store(path) as other:
        other.record_scheme(extend_scheme(default, 2, labels=["dovish"]))
    with pytest.raises(AnnotatorError) as e:
        merge_database(lead, path)
    assert str(e.value) == (f"{path}: has scheme v2, which this database (at v3) never recorded")


def test_merging_the_database_into_itself_names_it_once(lead):
    with pytest.raises(AnnotatorError) as e:
        merge_database(lead, lead.path)
    assert str(e.value) == f"{lead.path}: cannot merge a database into itself, nor import it"


def test_a_row_the_store_refuses_is_named_with_file_and_document(lead, tmp_path):
    other = coder_db(tmp_path / "coder.db")
    corrupt(other, "UPDATE spans SET label = 'nonsense' WHERE document_id = 2")
    with pytest.raises(AnnotatorError) as e:
        merge_database(lead, other)
    message = str(e.value)
    assert message.startswith(f"{other}: document 2: ") and "'nonsense'" in message, message


@pytest.mark.parametrize("value", ["5", '{"a": 1}'])
def test_a_field_value_that_is_not_text_is_refused(lead, tmp_path, value):
    other = coder_db(tmp_path / "coder.db")
    corrupt(other, f"UPDATE doc_labels SET value = '{value}'")
    with pytest.raises(AnnotatorError) as e:
        merge_database(lead, other)
    shown = "5" if value == "5" else "{'a': 1}"
    assert str(e.value) == (
        f"{other}: document 1: ana's field 'dominant_frame': {shown} is not an option"
    )


def test_two_new_scheme_versions_are_recorded_in_order(lead, tmp_path):
    default = load_scheme()
    path = tmp_path / "v3.db"
    with Store(path) as other:
        other.record_scheme(extend_scheme(default, 2, labels=["dovish"]))
        other.record_scheme(extend_scheme(default, 3, labels=["dovish", "hawkish"]))
    report = merge_database(lead, path)
    assert report.schemes_added == [2, 3]
    assert lead.scheme_versions() == [1, 2, 3]


def test_a_stored_scheme_that_does_not_parse_is_named_with_its_version(lead, tmp_path):
    default = load_scheme()
    path = tmp_path / "bad.db"
    with Store(path) as other:
        other.record_scheme(extend_scheme(default, 2, labels=["dovish"]))
        other.record_scheme(extend_scheme(default, 3, labels=["dovish", "hawkish"]))
    corrupt(path, "UPDATE schemes SET toml = 'name = [' WHERE version = 2")
    with pytest.raises(AnnotatorError) as e:
        merge_database(lead, path)
    assert str(e.value).startswith(f"{path} (scheme v2)"), str(e.value)


@pytest.mark.parametrize(
    ("coder", "stem", "name"),
    [
        # underscores are stripped before the cut (else fewer characters of the name stay)
        ("c" * 100, "_____" + "s" * 30, "c" * 79 + "@" + "s" * 20),
        # and after it: a cut that ends in "_" drops it, and the coder gets the room
        ("c" * 100, "s" * 19 + "_" + "t" * 10, "c" * 80 + "@" + "s" * 19),
        # the stem gets all the room the coder leaves: exactly 100 characters
        ("c" * 70, "s" * 40, "c" * 70 + "@" + "s" * 29),
        # a shortened coder name loses a space at its end, not at its start
        ("c" * 78 + " " + "d" * 21, "s" * 30, "c" * 78 + "@" + "s" * 20),
    ],
)
def test_conflict_names_where_the_cut_falls(coder, stem, name):
    assert _conflict_name(coder, stem) == name
    assert len(name) <= 100


def test_summary_says_what_to_do_with_gold_not_merged():
    report = MergeReport("b.db", gold_skipped=2)
    assert report.summary() == (
        "b.db: 0 new document(s), 0 span(s) and 0 document label(s) added for 0 coder(s),"
        " 0 new conflict(s); the gold labels of 2 document(s) were not merged"
        " (adjudicate in this database, or export them with --gold and import-labels)"
    )
