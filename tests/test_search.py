"""Full-text search (migration m007, annotator/search.py, ``annotator search``): exact
offsets for every hit whatever the text around it, the index kept current by every write,
one-line errors for bad queries, and ``--apply`` labelling each hit once."""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import cli
from annotator.errors import AnnotatorError, DatabaseFullError, SearchQueryError, ValidationError
from annotator.search import apply_label, context, find, kwic_lines, marked_ranges
from annotator.store import Store
from annotator.store import schema as store_schema

TEXT = (
    "Cracks in the new ‘axis of upheaval’: Moscow 😀 and Pyongyang.\n"
    "Analysts call it an Axis of\nupheaval; others a résumé of old ties.\n"
    "مرحبا axis of upheaval عالم\n"
    "Cafe\u0301 talk: the axis\u00a0of upheaval again."
)


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def folded(s: str) -> str:
    """Case and diacritics removed, as the index's tokenizer compares words."""
    d = unicodedata.normalize("NFD", s.casefold())
    return "".join(c for c in d if not unicodedata.combining(c))


def test_a_phrase_is_found_exactly_across_line_breaks_emoji_rtl_and_nbsp(store, make_doc):
    doc = make_doc(TEXT)
    text = store.document(doc).text
    hits = list(find(store, '"axis of upheaval"'))
    assert [h.text for h in hits] == [
        "axis of upheaval",
        "Axis of\nupheaval",
        "axis of upheaval",
        "axis\u00a0of upheaval",
    ]
    for h in hits:
        assert text[h.start : h.end] == h.text
        assert re.fullmatch(r"axis\s+of\s+upheaval", folded(h.text))
    # Context: up to 60 characters on the hit's own line.
    assert hits[0].left == "Cracks in the new ‘" and hits[0].right.startswith("’: Moscow 😀")
    assert (
        hits[1].left == "Analysts call it an " and hits[1].right == "; others a résumé of old ties."
    )
    assert hits[2].left == "مرحبا " and hits[2].right == " عالم"


def test_case_diacritics_and_prefixes_follow_the_index(store, make_doc):
    doc = make_doc(TEXT)
    assert [h.text for h in find(store, "resume")] == ["résumé"]
    assert [h.text for h in find(store, "cafe")] == ["Cafe\u0301"]  # a combining accent
    assert [h.text for h in find(store, "upheav*")] == ["upheaval"] * 4
    assert [h.text for h in find(store, "moscow AND pyongyang")] == ["Moscow", "Pyongyang"]
    assert list(find(store, "moscow NOT pyongyang")) == []
    assert [h.text for h in find(store, "axis", limit=2)] == ["axis", "Axis"]
    assert all(h.doc_id == doc for h in find(store, "axis"))


def test_a_title_match_alone_gives_no_hit_but_finds_the_document(store, make_doc):
    doc = make_doc("Nothing here about it.")
    store.set_title(doc, "Sanctions now")
    assert list(find(store, "sanctions")) == []
    assert store.matching_documents("sanctions") == [doc]


def test_regular_expressions_run_over_the_texts(store, make_doc):
    make_doc(TEXT)
    hits = list(find(store, r"(?i)axis\s+of\s+upheaval", regex=True))
    assert len(hits) == 4
    assert [h.text for h in find(store, r"😀|عالم", regex=True)] == ["😀", "عالم"]
    assert list(find(store, r"q*", regex=True)) == []  # empty matches are no hits
    with pytest.raises(SearchQueryError, match=r"regular expression '\(unclosed': .* position"):
        list(find(store, "(unclosed", regex=True))


@pytest.mark.parametrize(
    "query",
    ['"unterminated', "(", "NEAR(", "axis-of", "title:", "*", "AND", "a\x00b", " ", "x" * 5000],
)
def test_a_bad_query_is_one_line(store, make_doc, query):
    make_doc(TEXT)
    try:
        list(find(store, query))
    except SearchQueryError as e:
        assert "\n" not in str(e) and len(str(e)) < 300
        assert str(e).startswith("search query")
    # else: FTS5 reads it (a long word is a word): no error to check


def test_a_query_of_too_many_words_is_refused_before_it_runs(store, make_doc):
    """FTS5's highlight() grows with the square of a query's terms: 20,000 words took over
    a minute (found by review). Refused in one line instead."""
    make_doc(TEXT)
    with pytest.raises(SearchQueryError, match="has 20000 words; at most 200"):
        list(find(store, "axis " * 20000))
    assert len(list(find(store, " OR ".join(["axis"] * 100)))) == 4  # 199 words run


def test_a_text_holding_the_index_markers_is_still_exact(store, make_doc):
    doc = make_doc("a\x1e axis \x1fb \U0010fffe axis")
    hits = list(find(store, "axis"))
    text = store.document(doc).text
    assert [(h.start, h.end) for h in hits] == [
        (m.start(), m.end()) for m in re.finditer("axis", text)
    ]


def test_the_first_hits_read_no_document_after_theirs(store, make_doc):
    """Documents are read and marked one at a time: the first screen of hits, all in the
    first document, never reads the next one (here the second text cannot be read: it is
    not UTF-8, so reading it would fail)."""
    first = make_doc("the cat and the dog and the bird")
    second = make_doc("the other text")
    with store.transaction():
        store.conn.execute(
            "UPDATE documents SET text = CAST(x'746865206f746865ff20' AS TEXT) WHERE id = ?",
            (second,),
        )
    hits = find(store, "the")
    assert [next(hits).doc_id for _ in range(3)] == [first] * 3
    with pytest.raises(sqlite3.OperationalError):
        next(hits)  # the second text is read only now


def test_marked_ranges_and_context():
    assert list(marked_ranges("a[bc] d[e]", "[", "]")) == [(1, 3), (5, 6)]
    assert list(marked_ranges("[]x", "[", "]")) == []
    assert context("one\ntwo hit three\nfour", 8, 11) == ("two ", " three")
    assert context("x" * 100 + "HIT", 100, 103, width=5) == ("xxxxx", "")
    assert context("a\u2028b HIT c\u2029d", 4, 7) == ("b ", " c")


def _context_by_expressions(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    """The context as ``context`` computed it before its printable fast path: the line's
    characters found by regular expressions alone (the oracle below)."""
    breaks = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    lo = max(0, start - width)
    left = re.split(f"[{breaks}]", text[lo:start])[-1]
    right = re.split(f"[{breaks}]", text[end : end + width])[0]
    return left, right


def test_every_line_break_is_unprintable():
    """``context`` takes a printable stretch as holding no line break: each of the
    characters that end a line (str.splitlines') must be unprintable."""
    from annotator.search import _LINE_BREAKS

    assert set(_LINE_BREAKS) == {
        c for c in map(chr, range(0x110000)) if len(f"a{c}b".splitlines()) == 2
    }
    assert not any(c.isprintable() for c in _LINE_BREAKS)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("ab é😀\t\u00a0\u200b") + list("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        ),
        max_size=200,
    ),
    st.data(),
)
def test_context_is_the_hits_line_within_the_width(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    width = data.draw(st.sampled_from([0, 1, 5, 60]))
    assert context(text, start, end, width) == _context_by_expressions(text, start, end, width)


def test_a_hit_is_a_frozen_record_equal_by_its_fields():
    import dataclasses

    from annotator.search import Hit

    a = Hit(3, "T", 10, 14, "axis", "the ", " of")
    assert a == Hit(3, "T", 10, 14, "axis", "the ", " of") and hash(a) == hash(
        Hit(3, "T", 10, 14, "axis", "the ", " of")
    )
    assert a != Hit(3, "T", 10, 14, "axis", "the ", " off")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.start = 0  # type: ignore[misc]
    assert dataclasses.replace(a, start=11).start == 11
    assert a.to_dict() == {
        "doc_id": 3,
        "title": "T",
        "start": 10,
        "end": 14,
        "text": "axis",
        "left": "the ",
        "right": " of",
    }


def test_a_store_reads_the_index_state_once_not_at_every_query(store, make_doc):
    make_doc("the axis of upheaval")
    assert [h.text for h in find(store, "axis")] == ["axis"]
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        assert [h.text for h in find(store, "upheaval")] == ["upheaval"]
    finally:
        store.conn.set_trace_callback(None)
    assert seen and not [q for q in seen if "file_settings" in q]


# Random documents: astral characters, combining marks, right-to-left letters, NBSP,
# U+2028, CRLF line ends, around a known phrase joined by varied white space.
FILLER = st.text(
    alphabet=st.sampled_from(
        list("😀👍🏽中文字١٢٣0123456789.,;:!?()«»‘’“”-—")
        + ["\u0301", "\u0308", "\u05d0", "\u05d1", "\u0627", "\u0644", "\u00a0", "\u2028"]
        + [" ", "\n", "\r", "\t"]
    ),
    max_size=40,
)
GAP = st.sampled_from([" ", "  ", "\n", "\r\n", "\u00a0", "\u2028", " \n "])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(st.tuples(FILLER, GAP, st.sampled_from(["zebra", "Zébra", "ZEBRA"]))))
def test_every_hit_is_exact_in_random_unicode(store, make_doc, parts):
    raw = " ".join(f"{filler} {word}{gap}crossing " for filler, gap, word in parts) + "end"
    doc = make_doc(raw)
    text = store.document(doc).text
    hits = [h for h in find(store, '"zebra crossing"') if h.doc_id == doc]
    assert len(hits) == len(parts)
    for h in hits:
        assert text[h.start : h.end] == h.text
        assert re.fullmatch(r"zebra\s+crossing", folded(h.text)), h.text
        assert not any(c in h.left + h.right for c in "\n\u2028")
    regex_hits = [h for h in find(store, r"(?i)z[eé]bra\s+crossing", regex=True) if h.doc_id == doc]
    assert [(h.start, h.end) for h in regex_hits] == [(h.start, h.end) for h in hits]


# -- the index is kept current -----------------------------------------------------


def test_import_title_edits_and_merge_keep_the_index_current(store, make_doc, tmp_path):
    assert list(find(store, "upheaval")) == []
    doc = make_doc(TEXT)
    assert len(list(find(store, "upheaval"))) == 4
    store.set_title(doc, "Sanctions first")
    assert store.matching_documents("sanctions") == [doc]
    store.set_title(doc, "Other title")
    assert store.matching_documents("sanctions") == []
    from annotator.merge import merge_database

    with Store(tmp_path / "other.db") as other:
        from annotator.corpus import RawDocument
        from annotator.ingest import import_documents

        import_documents(other, [RawDocument("A merged upheaval.", "m", {})])
    merge_database(store, tmp_path / "other.db")
    assert len(list(find(store, "upheaval"))) == 5


def test_an_existing_database_is_indexed_on_upgrade_with_progress(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    with Store(path) as s:
        from annotator.corpus import RawDocument
        from annotator.ingest import import_documents

        import_documents(s, [RawDocument(f"axis number {i}", f"t{i}", {}) for i in range(7)])
    con = sqlite3.connect(path)
    con.execute("DROP TABLE documents_fts")
    for t in ("insert", "delete", "update"):
        con.execute(f"DROP TRIGGER documents_fts_{t}")
    con.execute("DELETE FROM _sqlite_migrations WHERE name = 'm007_fulltext'")
    con.commit()
    con.close()
    seen: list[tuple[int, int]] = []
    monkeypatch.setattr(store_schema, "INDEX_CHUNK", 3)
    monkeypatch.setattr(store_schema, "index_progress", [lambda d, t: seen.append((d, t))])
    with Store(path) as s:
        assert len(list(find(s, "axis"))) == 7
    assert seen == [(3, 7), (6, 7), (7, 7)]


# -- --apply ------------------------------------------------------------------------


def test_apply_labels_every_hit_once_snapped_to_tokens(store, make_doc):
    doc = make_doc(TEXT)
    done = apply_label(store, find(store, "upheav*"), "ana", "alarmist")
    assert (done.added, done.skipped, done.documents) == (4, 0, 1)
    spans = store.spans(doc, "ana")
    text = store.document(doc).text
    assert [text[s.start : s.end] for s in spans] == ["upheaval"] * 4
    again = apply_label(store, find(store, "upheav*"), "ana", "alarmist")
    assert (again.added, again.skipped) == (0, 4)
    # Another label, or another coder, is a new span.
    assert apply_label(store, find(store, "upheaval"), "ben", "alarmist").added == 4
    # A hit inside an existing span of that label and coder is skipped.
    assert apply_label(store, find(store, '"axis of upheaval"'), "ana", "alarmist").added == 4
    assert apply_label(store, find(store, "axis"), "ana", "alarmist").skipped == 4


def test_apply_exact_keeps_the_hit_as_found(store, make_doc):
    doc = make_doc("The axis-of-upheaval idea.")
    done = apply_label(store, find(store, "ax", regex=True), "ana", "alarmist", snap="exact")
    assert done.added == 1
    [span] = store.spans(doc, "ana")
    assert (span.start, span.end) == (4, 6)
    apply_label(store, find(store, "ax", regex=True), "ben", "alarmist")
    [span] = store.spans(doc, "ben")
    assert store.document(doc).text[span.start : span.end] == "axis"  # spaCy's token


def test_apply_is_all_or_nothing(store, make_doc):
    for i in range(30):
        make_doc(f"Article {i}: sanctions now, sanctions later, sanctions forever. " * 20)
    with pytest.raises(ValidationError, match="unknown span label 'nope'"):
        apply_label(store, find(store, "sanctions"), "ana", "nope")
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count={pages + 2}")
    with pytest.raises(DatabaseFullError):
        apply_label(store, find(store, "sanctions"), "ana", "alarmist")
    store.conn.execute("PRAGMA max_page_count=1073741823")
    assert store.conn.execute("SELECT count(*) FROM spans").fetchone()[0] == 0


# -- the command ------------------------------------------------------------------


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "labels.db"
    with Store(path) as s:
        from annotator.corpus import RawDocument
        from annotator.ingest import import_documents

        import_documents(s, [RawDocument(TEXT, "src", {"title": "Axis piece"})])
    return str(path)


def test_search_json_is_one_exact_object_per_hit(db):
    res = run("--db", db, "search", '"axis of upheaval"', "--json")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert len(rows) == 4
    with Store(db) as s:
        text = s.document(rows[0]["doc_id"]).text
    for r in rows:
        assert set(r) == {"doc_id", "title", "start", "end", "text", "left", "right"}
        assert text[r["start"] : r["end"]] == r["text"]


def test_search_lists_hits_in_context_aligned_on_the_hit(db):
    res = CliRunner().invoke(cli, ["--db", db, "search", "upheaval"])
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert len(lines) == 4
    assert len({line.index("[") for line in lines}) == 1  # the hits line up
    assert "4 hit(s) in 1 article(s)." in res.stderr
    assert all("\n" not in line for line in lines)


def test_search_apply_from_the_command_line_is_idempotent(db):
    res = run("--db", db, "search", "upheaval", "--apply", "--label", "alarmist", "--coder", "ana")
    assert res.exit_code == 0 and "Added 4 alarmist span(s) for ana in 1 article(s)" in res.output
    res = run("--db", db, "search", "upheaval", "--apply", "--label", "alarmist", "--coder", "ana")
    assert "Added 0" in res.output and "skipped 4" in res.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["search", "axis-of"], "double quotes"),
        (["search", '"open'], "search query"),
        (["search", "(x", "--regex"], "regular expression"),
        (["search", "x", "--apply", "--label", "alarmist"], "--apply needs --label and --coder"),
        (["search", "x", "--label", "alarmist"], "only with --apply"),
        (["search", "x", "--apply", "--label", "zz", "--coder", "ana"], "unknown span label"),
        (["search", "x", "--limit", "-1"], "-1"),
    ],
)
def test_search_errors_are_one_line(db, args, message):
    res = CliRunner().invoke(cli, ["--db", db, *args])
    assert res.exit_code != 0
    assert message in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_kwic_lines_escape_nothing_they_need_not():
    from annotator.search import Hit

    [line] = kwic_lines([Hit(3, "T", 10, 14, "axis", "the ", " of")])
    assert line.endswith("the [axis] of")


def test_documents_written_with_the_index_suspended_are_indexed_at_the_first_search(
    store, make_doc
):
    """A pack fills its documents with the index suspended (one build at the first search
    is cheaper than indexing each as it comes); the first search builds it, once."""
    from annotator.store import search as store_search

    make_doc("An old axis.")
    with store.transaction() as s, store_search.suspended_index(s.conn):
        make_doc("A new axis of upheaval.")
    assert store.setting(store_search.INDEX_STATE) == "stale"
    raw = store.conn.execute(
        "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'upheaval'"
    ).fetchone()[0]
    assert raw == 0  # not indexed yet
    make_doc("Later: the axis again.")  # the trigger is back
    assert [h.text for h in find(store, "axis")] == ["axis"] * 3
    assert store.setting(store_search.INDEX_STATE) is None
    path = store.path
    with store.transaction() as s, store_search.suspended_index(s.conn):
        make_doc("One more axis.")
    store.close()
    with Store(path, readonly=True) as ro, pytest.raises(AnnotatorError, match="not built yet"):
        list(find(ro, "axis"))
    with Store(path) as rw:
        assert len(list(find(rw, "axis"))) == 4
