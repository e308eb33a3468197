"""Importing into a real Store: deduplication, bad inputs kept apart, meta and titles, progress."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator import corpus, ingest
from annotator.corpus import RawDocument, read_text_file, text_hash
from annotator.errors import AnnotatorError
from annotator.ingest import import_documents, import_paths
from annotator.nlp import tokenize
from annotator.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_TITLES = [
    "Is a New Alliance Emerging with North Korea, Iran, and China Supporting Russia\u2019s War?",
    "Cracks in the New \u2018Axis of Evil\u2019: China, Russia, North Korea, Iran",
    "The Shifting Dynamics of Global Alliances: A New Coalition Emerges",
    "North Korea-Russia Military Ties: Potential Burden for China",
    "Nuclear Alliance: China, Russia, and North Korea Towards \u201cThe Holy Resolve\u201d",
]


@pytest.fixture
def db(tmp_path):
    s = Store(tmp_path / "x.db")
    yield s
    s.close()


def write(p: Path, data: bytes | str) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


class Recorder:
    def __init__(self):
        self.calls: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.calls.append((done, total))

    def check(self, total: int) -> None:
        assert self.calls, "progress was never called"
        assert all(t == total for _, t in self.calls), self.calls
        dones = [d for d, _ in self.calls]
        assert dones == sorted(dones) and all(0 <= d <= total for d in dones), self.calls
        assert self.calls[-1] == (total, total), self.calls


# --- the seeds ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """One database with the five seeds imported (spaCy runs once for the module)."""
    path = tmp_path_factory.mktemp("seeded") / "x.db"
    store = Store(path)
    progress = Recorder()
    report = import_paths(store, [SEEDS], progress=progress)
    yield store, report, progress
    store.close()


def test_seeds_import(seeded):
    store, report, progress = seeded
    assert report.ok and report.skipped == [] and report.duplicates == []
    assert len(report.added) == 5 == store.document_count()
    assert store.document_ids() == sorted(report.added)
    progress.check(5)
    assert progress.calls[0] == (0, 5)
    titles = [store.document(i).title for i in report.added]
    assert titles == SEED_TITLES
    assert [s.title for s in store.list_documents()] == SEED_TITLES


def test_seed_texts_stored_exactly_with_hash_and_source(seeded):
    store, report, _ = seeded
    for doc_id, path in zip(report.added, sorted(SEEDS.glob("*.txt")), strict=True):
        doc = store.document(doc_id)
        expected = read_text_file(path).text
        assert doc.text == expected
        assert doc.sha256 == text_hash(expected)
        assert doc.source == str(path)
        assert store.document_by_hash(doc.sha256).id == doc_id


def test_stored_tokenization_matches_spacy(seeded):
    store, report, _ = seeded
    docs = [store.document(i) for i in report.added]
    for doc, tok in zip(docs, tokenize(d.text for d in docs), strict=True):
        assert store.tokenization(doc.id) == tok


def test_seeds_reimport_is_all_duplicates(seeded):
    store, _, _ = seeded
    progress = Recorder()
    again = import_paths(store, [SEEDS], progress=progress)
    assert again.added == [] and again.skipped == []
    assert len(again.duplicates) == 5
    assert store.document_count() == 5
    progress.check(5)  # import_paths counts inputs read (it streams: new ones are not known ahead)


# --- deduplication ------------------------------------------------------------------


def test_same_file_twice_in_one_call(db, tmp_path):
    p = write(tmp_path / "a.txt", "Russia and Iran deepen ties.")
    report = import_paths(db, [p, p])
    assert len(report.added) == 1 and report.duplicates == [str(p)]
    assert db.document_count() == 1


def test_two_files_same_content(db, tmp_path):
    a = write(tmp_path / "a.txt", "Same words here.\n")
    b = write(tmp_path / "sub" / "b.txt", "Same words here.\n")
    report = import_paths(db, [tmp_path])
    assert len(report.added) == 1 and report.duplicates == [str(b)]
    assert db.document(report.added[0]).source == str(a)


def test_crlf_lf_cr_and_bom_versions_are_one_document(db, tmp_path):
    write(tmp_path / "1.txt", b"Line one.\nLine two.\n")
    write(tmp_path / "2.txt", b"Line one.\r\nLine two.\r\n")
    write(tmp_path / "3.txt", b"Line one.\rLine two.\r")
    write(tmp_path / "4.txt", b"\xef\xbb\xbfLine one.\r\nLine two.\r\n")
    write(tmp_path / "5.jsonl", json.dumps({"text": "Line one.\r\nLine two.\r\n"}) + "\n")
    report = import_paths(db, [tmp_path])
    assert len(report.added) == 1 and len(report.duplicates) == 4
    assert db.document(report.added[0]).text == "Line one.\nLine two.\n"


def test_reimport_in_a_later_session(tmp_path):
    p = write(tmp_path / "a.txt", "Persisted text.")
    with Store(tmp_path / "x.db") as s:
        first = import_paths(s, [p])
    with Store(tmp_path / "x.db") as s:
        second = import_paths(s, [p])
        assert second.added == [] and second.duplicates == [str(p)]
        assert s.document_ids() == first.added


def test_different_whitespace_is_a_different_text(db):
    report = import_documents(db, [RawDocument("a b", "1"), RawDocument("a  b", "2")])
    assert len(report.added) == 2


def test_import_documents_dedups_within_and_across_calls(db):
    docs = [RawDocument("Alpha text.", "a"), RawDocument("Beta text.", "b"),
            RawDocument("Alpha text.", "c")]  # fmt: skip
    r1 = import_documents(db, docs)
    assert len(r1.added) == 2 and r1.duplicates == ["c"]
    assert [db.document(i).source for i in r1.added] == ["a", "b"]
    r2 = import_documents(db, [RawDocument("Beta text.", "d"), RawDocument("Gamma.", "e")])
    assert len(r2.added) == 1 and r2.duplicates == ["d"]
    assert db.document_count() == 3


def test_add_documents_returns_the_known_id_for_a_known_text(db):
    """The store's own guard (below import's dedupe): a known text is never inserted twice."""
    alpha, beta = RawDocument("Alpha text.", "a"), RawDocument("Beta text.", "b")
    first = db.add_documents([(alpha, t, "A") for t in tokenize([alpha.text])], "blank:en")
    again = RawDocument("Alpha text.", "elsewhere")
    batch = [beta, again, beta]
    items = [(d, t, "x") for d, t in zip(batch, tokenize(d.text for d in batch), strict=True)]
    ids = db.add_documents(items, "blank:en")
    assert ids[1] == first[0] and ids[0] == ids[2] != first[0]
    assert db.document_count() == 2
    assert db.document(first[0]).source == "a" and db.document(first[0]).title == "A"


def test_import_documents_normalises_direct_input(db):
    r = import_documents(
        db, [RawDocument("One.\nTwo.", "lf"), RawDocument("\ufeffOne.\r\nTwo.", "crlf")]
    )
    assert len(r.added) == 1 and r.duplicates == ["crlf"]
    assert "\r" not in db.document(r.added[0]).text


# --- bad inputs -----------------------------------------------------------------------


def test_folder_with_one_bad_file_imports_the_rest(db, tmp_path):
    folder = tmp_path / "in"
    write(folder / "a.txt", "First good article about sanctions.")
    bad = write(folder / "b.txt", b"caf\xe9 au lait, latin-1")
    write(folder / "c.txt", "Second good article about diplomacy.")
    progress = Recorder()
    report = import_paths(db, [folder], progress=progress)
    assert len(report.added) == 2
    assert not report.ok
    assert len(report.skipped) == 1
    assert str(bad) in report.skipped[0] and "UTF-8" in report.skipped[0]
    assert "\n" not in report.skipped[0]
    assert sorted(db.document(i).text for i in report.added) == [
        "First good article about sanctions.",
        "Second good article about diplomacy.",
    ]
    progress.check(3)  # inputs read, the skipped one included


def test_every_kind_of_bad_input_is_listed(db, tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 1000)
    write(tmp_path / "ok.txt", "Fine text.")
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "blank.txt", " \n\t\n")
    write(tmp_path / "bin.txt", b"\x00\x01\x02binary")
    write(tmp_path / "big.txt", "x" * 1001)
    write(tmp_path / "t.jsonl", '{"text": "From jsonl."}\nnot json\n{"meta": {}}\n')
    missing = tmp_path / "missing.txt"
    report = import_paths(db, [tmp_path, missing])
    assert len(report.added) == 2
    where = sorted(s.split(": ", 1)[0] for s in report.skipped)
    assert where == sorted(
        [
            str(tmp_path / "empty.txt"),
            str(tmp_path / "blank.txt"),
            str(tmp_path / "bin.txt"),
            str(tmp_path / "big.txt"),
            f"{tmp_path / 't.jsonl'}:2",
            f"{tmp_path / 't.jsonl'}:3",
            str(missing),
        ]
    )
    assert all("\n" not in s for s in report.skipped)


def test_only_bad_inputs(db, tmp_path):
    progress = Recorder()
    report = import_paths(db, [tmp_path / "nope"], progress=progress)
    assert report.added == [] and len(report.skipped) == 1
    assert "no such file" in report.skipped[0]
    assert db.document_count() == 0
    progress.check(0)


# --- jsonl meta and titles -------------------------------------------------------------


def test_jsonl_meta_kept_and_title_used(db, tmp_path):
    meta = {"title": "Given Title", "url": "https://x.org/a", "tags": ["a", "b"],
            "nested": {"k": 1}, "city": "\u0627\u0644\u0642\u0627\u0647\u0631\u0629"}  # fmt: skip
    lines = [
        json.dumps({"text": "Menu\nSome Headline Derived From The Text\nBody.", "meta": meta}),
        json.dumps({"text": "Menu\nAnother Headline Derived From Text\nBody.", "meta": {"n": 2}}),
        json.dumps({"text": "Third Headline That Gets Derived\nBody.", "meta": {"title": 7}}),
    ]
    p = write(tmp_path / "tasks.jsonl", "\n".join(lines) + "\n")
    report = import_paths(db, [p])
    assert report.ok and len(report.added) == 3
    d1, d2, d3 = (db.document(i) for i in report.added)
    assert d1.meta == meta and d1.title == "Given Title"
    assert d2.meta == {"n": 2} and d2.title == "Another Headline Derived From Text"
    assert d3.meta == {"title": 7} and d3.title == "Third Headline That Gets Derived"
    assert [d.source for d in (d1, d2, d3)] == [f"{p}:1", f"{p}:2", f"{p}:3"]


def test_txt_meta_is_empty_and_title_derived(db, tmp_path):
    p = write(tmp_path / "a.txt", "Updated: 10:30 am\nA Headline Worth Keeping Here\n\nBody text.")
    doc = db.document(import_paths(db, [p]).added[0])
    assert doc.meta == {} and doc.title == "A Headline Worth Keeping Here"


def test_blank_meta_title_falls_back_to_derived(db):
    r = import_documents(
        db, [RawDocument("A Proper Headline For This Text\nBody.", "s", {"title": "   "})]
    )
    assert db.document(r.added[0]).title == "A Proper Headline For This Text"


# --- progress ---------------------------------------------------------------------------


def test_progress_in_batches(db, monkeypatch):
    monkeypatch.setattr(ingest, "BATCH", 2)
    docs = [RawDocument(f"Document number {i}.", f"s{i}") for i in range(5)]
    progress = Recorder()
    report = import_documents(
        db, docs + [RawDocument("Document number 0.", "dup")], progress=progress
    )
    assert len(report.added) == 5 and report.duplicates == ["dup"]
    assert progress.calls == [(0, 5), (2, 5), (4, 5), (5, 5)]
    progress.check(5)


def test_progress_batch_boundary(db, monkeypatch):
    monkeypatch.setattr(ingest, "BATCH", 2)
    progress = Recorder()
    import_documents(db, [RawDocument(f"Text {i}.", "s") for i in range(4)], progress=progress)
    assert progress.calls == [(0, 4), (2, 4), (4, 4)]


def test_batches_committed_before_a_failure(db, monkeypatch):
    monkeypatch.setattr(ingest, "BATCH", 2)

    def boom(done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_documents(db, [RawDocument(f"Text {i}.", "s") for i in range(5)], progress=boom)
    assert db.document_count() == 2
    report = import_documents(db, [RawDocument(f"Text {i}.", "s") for i in range(5)])
    assert len(report.added) == 3 and len(report.duplicates) == 2


def test_import_without_progress_and_empty_input(db):
    assert import_documents(db, []).added == []
    progress = Recorder()
    report = import_documents(db, iter(()), progress=progress)
    assert report.ok and report.added == []
    progress.check(0)


# --- long texts, per-document failures, streaming ------------------------------------------


def test_folder_with_a_text_over_spacy_max_length_imports_everything(db, tmp_path):
    """250 good files and one of 2.5 MB (over spaCy's 1,000,000-character max_length, which
    aborted the whole import with E088): all are imported, the long one with exactly the
    tokens and sentences of a pipeline whose max_length is raised to take it whole."""
    import spacy

    from annotator.nlp import tokenization_from_doc

    folder = tmp_path / "in"
    for i in range(250):
        write(folder / f"a{i:03d}.txt", f"Article {i} on sanctions.\nSecond line {i}.")
    para = (
        "Officials met again on Tuesday. \u201cWe are not an axis,\u201d one said \U0001f600.\n\n"
    )
    big = (para * (2_500_000 // len(para) + 1))[:2_500_000]
    write(folder / "big.txt", big)
    report = import_paths(db, [folder])
    assert report.ok, report.skipped
    assert len(report.added) == 251 == db.document_count()
    [big_id] = [i for i in report.added if db.document(i).source.endswith("big.txt")]
    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    reference.max_length = 3_000_000
    assert db.tokenization(big_id) == tokenization_from_doc(reference(big), big)


def test_a_document_spacy_fails_on_is_skipped_with_its_reason(db, tmp_path, monkeypatch):
    """A per-document failure in tokenisation is one skipped line naming the document; the
    rest of its batch and of the import is stored. (A model pipeline with a small
    max_length stands in for any failure: a stretch without whitespace longer than it.)"""
    from annotator import nlp as nlp_module

    monkeypatch.setattr(nlp_module, "is_light", lambda _nlp: False)
    monkeypatch.setattr(nlp_module.load_pipeline(), "max_length", 200)
    write(tmp_path / "in" / "a.txt", "First good article.")
    bad = write(tmp_path / "in" / "b.txt", "x" * 300)
    write(tmp_path / "in" / "c.jsonl", json.dumps({"text": "Good line.\n" * 40}) + "\n")
    report = import_paths(db, [tmp_path / "in"])
    assert len(report.added) == 2 == db.document_count()
    assert len(report.skipped) == 1 and report.skipped[0].startswith(f"{bad}: ")
    assert "max_length" in report.skipped[0] and "\n" not in report.skipped[0]
    again = [RawDocument("y" * 300, "direct"), RawDocument("New one.", "n")]
    r2 = import_documents(db, [*again, RawDocument("y" * 300, "copy")])
    assert len(r2.added) == 1 and r2.duplicates == []  # a copy of a failed text is no duplicate
    assert [s.split(": ")[0] for s in r2.skipped] == ["direct", "copy"]


def test_a_lone_surrogate_in_a_direct_document_is_skipped(db):
    report = import_documents(
        db, [RawDocument("bad \ud800 text", "s1"), RawDocument("Fine.", "s2")]
    )
    assert len(report.added) == 1 and report.skipped == ["s1: text contains a lone surrogate"]


def test_jsonl_is_stored_while_it_is_still_being_read(db, tmp_path, monkeypatch):
    """Streaming: the first batches are committed before the rest of the file is parsed
    (the whole file used to be read, then tokenised, then stored)."""
    import sqlite3

    monkeypatch.setattr(ingest, "BATCH", 10)
    p = write(
        tmp_path / "many.jsonl",
        "".join(json.dumps({"text": f"Article number {i}."}) + "\n" for i in range(1000)),
    )
    parsed = []
    real = corpus._jsonl_record
    monkeypatch.setattr(corpus, "_jsonl_record", lambda *a: parsed.append(1) or real(*a))
    seen_at: list[int] = []
    other = sqlite3.connect(db.path)

    def progress(done, total):
        if not seen_at and other.execute("SELECT count(*) FROM documents").fetchone()[0]:
            seen_at.append(len(parsed))

    report = import_paths(db, [p], progress=progress)
    other.close()
    assert len(report.added) == 1000
    assert seen_at and seen_at[0] < 200, seen_at


def test_hostile_jsonl_lines_are_skipped_and_the_rest_imported(db, tmp_path):
    lines = [
        '{"text": "NaN meta", "meta": {"score": NaN}}',
        '{"text": "deep", "meta": ' + "[" * 1000 + "]" * 1000 + "}",
        '{"text": "big int", "meta": {"n": ' + "9" * 5000 + "}}",
        '{"text": "lone \\ud800"}',
        '{"text": "Good one.", "meta": {"n": 1}}',
    ]
    p = write(tmp_path / "h.jsonl", "\n".join(lines) + "\n")
    report = import_paths(db, [p])
    assert len(report.added) == 1 and db.document(report.added[0]).meta == {"n": 1}
    assert [s.split(": ", 1)[0] for s in report.skipped] == [f"{p}:{n}" for n in (1, 2, 3, 4)]


def test_a_batch_is_stored_by_one_insert_statement(db):
    """The documents of a batch are one INSERT (the full-text index writes a segment at
    the end of each statement: one per text cost about twice the index's work), and
    each text still gets its own id, a text already stored its old one."""
    first = import_documents(db, [RawDocument("Known text.", "k.txt", {})]).added
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    texts = [f"Article {i} about the axis." for i in range(ingest.BATCH + 50)]
    docs = [RawDocument(t, f"{i}.txt", {}) for i, t in enumerate(texts)]
    ids = db.add_documents(
        [(d, tok, "T") for d, tok in zip(docs + [RawDocument("Known text.", "again.txt", {})],
                                        tokenize(texts + ["Known text."]), strict=True)],
        "blank:en",
    )  # fmt: skip
    db.conn.set_trace_callback(None)
    # (SQLite traces the statement again for each row its trigger indexes)
    inserts = {s for s in statements if s.lstrip().startswith("INSERT INTO documents (")}
    assert len(inserts) == 1
    assert ids[-1] == first[0] and len(set(ids)) == len(ids)
    assert [db.document(i).text for i in ids] == texts + ["Known text."]
    from annotator.search import find

    assert len(list(find(db, "axis"))) == len(texts)  # indexed in the same statement


def test_spacy_works_on_its_own_thread_and_its_failure_is_the_imports(db, monkeypatch):
    """While a batch is stored, spaCy tokenises the next on a thread of its own; an
    error there is raised by the import as it was, and only the batches before it stay."""
    import threading

    real = ingest.tokenize_each
    threads: set[str] = set()

    def failing(texts, pipeline):
        for n, tok in enumerate(real(texts, pipeline)):
            threads.add(threading.current_thread().name)
            if n == ingest.BATCH + 30:
                raise RuntimeError("spaCy broke")
            yield tok

    monkeypatch.setattr(ingest, "tokenize_each", failing)
    docs = [RawDocument(f"Text number {i}.", f"{i}.txt", {}) for i in range(ingest.BATCH * 2)]
    with pytest.raises(RuntimeError, match="spaCy broke"):
        import_documents(db, docs)
    assert threads and threading.current_thread().name not in threads
    assert db.document_count() == ingest.BATCH  # the first batch; nothing of the second
    assert not any(t.name == "import-tokenize" for t in threading.enumerate())


@pytest.mark.parametrize("ahead_chars", [1, 10**9])
def test_reading_ahead_for_spacy_stops_at_whole_batches(db, monkeypatch, ahead_chars):
    """However little is read ahead (a character cap for long articles), spaCy is always
    given whole nlp.pipe batches or the end, so its tokens come; inputs that are already
    stored, between new ones, are reported in order."""
    import threading

    monkeypatch.setattr(ingest, "BATCH", 10)
    monkeypatch.setattr(ingest, "AHEAD_CHARS", ahead_chars)
    docs = [RawDocument(f"Text {i}.", f"{i}.txt", {}) for i in range(150)]
    docs.insert(70, RawDocument("Stored before.", "again.txt", {}))
    done: list[object] = []

    def run() -> None:  # on a thread: a wait that never ends fails the test, not the run
        with Store(db.path) as s:
            import_documents(s, [RawDocument("Stored before.", "old.txt", {})])
            done.append(import_documents(s, docs))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "the import waits for tokens that never come"
    [report] = done
    assert len(report.added) == 150 and report.duplicates == ["again.txt"]


def test_a_pipeline_that_is_not_installed_fails_the_import_even_with_nothing_new(db):
    import_documents(db, [RawDocument("Stored before.", "a.txt", {})])
    with pytest.raises(AnnotatorError, match="'no_such_pipeline' is not installed"):
        import_documents(db, [RawDocument("Stored before.", "b.txt", {})], "no_such_pipeline")
    with pytest.raises(AnnotatorError, match="'no_such_pipeline' is not installed"):
        import_documents(db, [RawDocument("New text.", "c.txt", {})], "no_such_pipeline")
    assert db.document_count() == 1


def test_an_interrupt_does_not_wait_for_spacys_batch(monkeypatch):
    """A second Ctrl+C (KeyboardInterrupt in the import's thread) stops at once: the
    import does not wait for spaCy's thread to finish its batch (seconds on long texts;
    the thread is a daemon and drops its tokens)."""
    import threading

    busy, release = threading.Event(), threading.Event()

    def slow(texts, pipeline):
        for _text in texts:
            busy.set()
            release.wait(timeout=30)  # spaCy on a long batch
            yield ingest.Untokenizable("never asked for")

    monkeypatch.setattr(ingest, "tokenize_each", slow)
    breaker = threading.Timer(10, release.set)  # before the fix: the join ends only then
    breaker.start()
    try:
        with pytest.raises(KeyboardInterrupt), ingest._Tokenizer("blank:en") as spacy:
            spacy.put("A long article.")
            assert busy.wait(timeout=30)
            raise KeyboardInterrupt
        assert not release.is_set(), "the interrupt waited for spaCy's batch"
    finally:
        release.set()
        breaker.cancel()


def spacy_busy_on_the_batch_read_ahead(monkeypatch):
    """spaCy's thread made to stop in the batch it reads ahead (as on long articles):
    ``busy`` is set when it is there, and it goes on when ``release`` is set."""
    import itertools
    import threading

    from annotator import nlp

    real = ingest.tokenize_each
    busy, release = threading.Event(), threading.Event()

    def slow(texts, pipeline):
        texts = iter(texts)
        yield from real(list(itertools.islice(texts, nlp.BATCH_SIZE)), pipeline)
        ahead = list(itertools.islice(texts, nlp.BATCH_SIZE))  # the batch read ahead
        busy.set()
        release.wait(timeout=30)  # spaCy on it: long articles
        yield from real(ahead + list(texts), pipeline)

    monkeypatch.setattr(ingest, "tokenize_each", slow)
    return busy, release


def test_a_cancel_does_not_wait_for_the_batch_spacy_reads_ahead(db, monkeypatch, tmp_path):
    """Cancel (the window's button, a first Ctrl+C) stops at the next input, as it did
    when spaCy ran on the import's thread: the batch spaCy is tokenising ahead, whose
    tokens are thrown away, is not waited for (it took seconds on long articles)."""
    import threading

    busy, release = spacy_busy_on_the_batch_read_ahead(monkeypatch)
    breaker = threading.Timer(10, release.set)  # before the fix: the import ends only then
    breaker.start()
    path = tmp_path / "in.jsonl"
    path.write_text("".join(f'{{"text": "Text number {i}."}}\n' for i in range(ingest.BATCH)))
    try:
        with pytest.raises(ingest.ImportCancelled):
            import_paths(db, [path], cancelled=lambda: busy.wait(timeout=30))
        assert not release.is_set(), "the cancel waited for spaCy's batch read ahead"
        assert db.document_count() == 0
    finally:
        release.set()
        breaker.cancel()


def test_the_next_import_waits_for_spacys_thread_left_by_a_cancel(db, monkeypatch, tmp_path):
    """The thread a cancel did not wait for is waited for by the next import, before its
    own starts: one pipeline is never used by two threads at once."""
    import threading

    real = ingest.tokenize_each
    busy, release = spacy_busy_on_the_batch_read_ahead(monkeypatch)
    path = tmp_path / "in.jsonl"
    path.write_text("".join(f'{{"text": "Text number {i}."}}\n' for i in range(ingest.BATCH)))
    with pytest.raises(ingest.ImportCancelled):
        import_paths(db, [path], cancelled=lambda: busy.wait(timeout=30))
    [left] = [t for t in threading.enumerate() if t.name == "import-tokenize"]
    threading.Timer(2, release.set).start()  # spaCy's batch ends while the next waits
    monkeypatch.setattr(ingest, "tokenize_each", real)
    try:
        report = import_paths(db, [path])
        assert not left.is_alive()
        assert len(report.added) == ingest.BATCH
    finally:
        release.set()
