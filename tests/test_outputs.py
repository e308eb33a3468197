"""Outputs never destroy inputs (annotator.paths): every writer of a user-named file
refuses the open database and its companions, non-files and missing folders; every
reader refuses the database before opening it; killed exports' part files are cleaned."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.atomic import atomic_output
from annotator.cli import cli
from annotator.corpus import RawDocument
from annotator.errors import AnnotatorError
from annotator.export import export
from annotator.ingest import import_documents, import_paths
from annotator.labels_import import import_label_files
from annotator.merge import merge_database
from annotator.paths import STALE_AFTER_S, check_input, check_output, remove_stale_parts
from annotator.store import Store

TEXT = "Moscow and Pyongyang signed a pact. Beijing hedged its bets."


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_cli(*args, cwd, **kw):
    """The real command line in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, **kw,
    )  # fmt: skip


def one_line_error(res) -> str:
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    [line] = res.stderr.splitlines()
    assert line.startswith("Error: "), line
    return line


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Store(tmp_path / "labels.db") as s:
        [d] = import_documents(s, [RawDocument(TEXT, "t")]).added
        s.add_span(d, "ana", 0, 6, "alarmist")
        s.add_span(d, "ben", 0, 6, "alarmist")
    return tmp_path


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- outputs ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "spacy", "prodigy", "doccano", "brat"])
def test_export_over_the_database_is_refused_by_every_name(workdir, fmt):
    """By path, relative path, absolute path, symlink and hard link: the database and its
    -wal/-shm stay byte for byte, nothing is written, one line names the output."""
    (workdir / "link.db").symlink_to("labels.db")
    os.link(workdir / "labels.db", workdir / "hard.db")
    (workdir / "sub").mkdir()
    before = digest(workdir / "labels.db")
    names = ["labels.db", "./labels.db", str(workdir / "labels.db"), "sub/../labels.db"]
    names += ["link.db", "hard.db", "labels.db-wal", "labels.db-shm", "labels.db-journal"]
    for name in names:
        res = run("export", "--format", fmt, "-o", name)
        line = one_line_error(res)
        assert "open database" in line and name in line, line
    assert digest(workdir / "labels.db") == before
    assert listing(workdir) == ["hard.db", "labels.db", "link.db", "sub"]
    with Store(workdir / "labels.db") as s:
        assert s.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert len(s.spans(1)) == 2


def test_the_companions_of_a_database_opened_through_a_symlink_are_refused(workdir):
    """SQLite names the -wal/-shm after the resolved path: with ``--db link.db`` (a
    symlink to labels.db) the WAL is labels.db-wal. Exporting over it replaced the WAL
    that another process was writing to (exit 0), and the export itself vanished when
    SQLite deleted "its" WAL at close."""
    (workdir / "link.db").symlink_to("labels.db")
    (workdir / "sub").mkdir()
    (workdir / "sub" / "link.db").symlink_to("../labels.db")
    # another process using the database (the window, say): its WAL exists
    writer = Store(workdir / "labels.db")
    try:
        writer.conn.execute("PRAGMA wal_autocheckpoint = 0")
        writer.add_span(1, "ana", 7, 10, "alarmist")  # committed, in the WAL only
        wal = digest(workdir / "labels.db-wal")
        for db in ["link.db", "sub/link.db"]:
            for name in ["labels.db-wal", "labels.db-shm", "labels.db-journal"]:
                for args in (["export", "-o", name], ["import-labels", name]):
                    res = run_cli("--db", db, *args, cwd=workdir)
                    assert res.returncode == 1, res.stderr
                    assert "file of the open database" in res.stderr, res.stderr
        assert digest(workdir / "labels.db-wal") == wal
    finally:
        writer.close()
    with Store(workdir / "labels.db") as s:
        assert len(s.spans(1)) == 3


def test_the_wal_of_a_database_another_process_has_open_is_refused(workdir, tmp_path):
    """This process has another database open; the window (a second process) has
    labels.db open with saved labels still in its -wal. Exporting to labels.db-wal
    replaced that WAL (exit 0) and the labels in it were lost."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with Store(elsewhere / "other.db"):
        pass
    writer = Store(workdir / "labels.db")
    try:
        writer.conn.execute("PRAGMA wal_autocheckpoint = 0")
        writer.add_span(1, "ana", 7, 10, "alarmist")  # committed, in the WAL only
        wal = digest(workdir / "labels.db-wal")
        for fmt, name in [("jsonl", "labels.db-wal"), ("csv", "labels.db-shm"),
                          ("brat", "labels.db-wal"), ("jsonl", "labels.db-journal")]:  # fmt: skip
            res = run_cli("--db", str(elsewhere / "other.db"), "export", "--format", fmt,
                          "-o", name, cwd=workdir)  # fmt: skip
            assert res.returncode == 1, res.stderr
            assert "file of the database" in res.stderr, res.stderr
        assert digest(workdir / "labels.db-wal") == wal
        assert not (workdir / "labels.db-journal").exists()
    finally:
        writer.close()
    with Store(workdir / "labels.db") as s:
        assert len(s.spans(1)) == 3


def test_agreement_report_over_the_database_is_refused(workdir):
    before = digest(workdir / "labels.db")
    for name in ["labels.db", "./labels.db"]:
        line = one_line_error(run("agreement", "--bootstrap", "0", "--report", name))
        assert "open database" in line
    assert digest(workdir / "labels.db") == before
    assert run("agreement", "--bootstrap", "0", "--report", "r.html").exit_code == 0
    assert (workdir / "r.html").read_text().lstrip().lower().startswith("<!doctype html")


def test_a_companion_name_that_does_not_exist_yet_is_refused(workdir, tmp_path):
    """The -wal/-shm/-journal name is refused even before SQLite creates the file (and
    through a dangling symlink to it), by the core function every writer calls."""
    with Store(workdir / "labels.db") as s:
        assert not (workdir / "labels.db-journal").exists()
        (workdir / "dangling").symlink_to("labels.db-journal")
        for name in ["labels.db-journal", "dangling"]:
            with pytest.raises(AnnotatorError, match="journal file of the open database"):
                check_output(workdir / name, databases=[s])
            with pytest.raises(AnnotatorError, match="open database"):
                export(s, workdir / name, "csv")
        assert not (workdir / "labels.db-journal").exists()


def test_an_open_store_is_protected_from_any_writer_in_the_process(workdir):
    """The window's report writer calls atomic_output without naming the store: every
    store this process has open is protected."""
    with Store(workdir / "labels.db"):
        before = digest(workdir / "labels.db")
        with pytest.raises(AnnotatorError, match="open database"), atomic_output("labels.db"):
            pytest.fail("the block must not run")
        assert digest(workdir / "labels.db") == before


def test_an_export_never_replaces_another_database(workdir):
    """``export -o ana.db`` (a coder's database that is not open here, or any SQLite file)
    is refused, byte for byte unchanged; an earlier export at the same name is replaced."""
    with Store(workdir / "ana.db"):
        pass
    foreign = workdir / "other.sqlite"
    with sqlite3.connect(foreign) as c:
        c.execute("CREATE TABLE t (x)")
    c.close()
    for target in ("ana.db", "other.sqlite"):
        before = (workdir / target).read_bytes()
        for fmt in ("jsonl", "csv", "prodigy"):
            line = one_line_error(run("export", "--format", fmt, "-o", target))
            assert f"{target}: exists and is a SQLite database" in line, line
        assert (workdir / target).read_bytes() == before
    (workdir / "old.jsonl").write_text("an earlier export\n")
    assert run("export", "-o", "old.jsonl").exit_code == 0
    assert (workdir / "old.jsonl").read_text() != "an earlier export\n"


def test_outputs_that_are_not_files_are_refused(workdir):
    (workdir / "folder").mkdir()
    os.mkfifo(workdir / "fifo")
    os.mknod(workdir / "dev", stat.S_IFCHR | 0o600, os.makedev(1, 3))  # like /dev/null
    for name, kind in [("folder", "a folder"), ("fifo", "a named pipe"), ("dev", "a device")]:
        for fmt in ("jsonl", "csv"):
            line = one_line_error(run("export", "--format", fmt, "-o", name))
            assert f"{name}: exists and is {kind}, not a file" in line
    assert stat.S_ISFIFO(os.stat(workdir / "fifo").st_mode)
    assert stat.S_ISCHR(os.stat(workdir / "dev").st_mode)
    assert listing(workdir / "folder") == []
    (workdir / "plain").write_text("keep")
    for fmt in ("doccano", "brat", "spacy"):
        line = one_line_error(run("export", "--format", fmt, "-o", "plain"))
        assert "plain: exists and is not a folder" in line
        for name in ("fifo", "dev"):
            line = one_line_error(run("export", "--format", fmt, "-o", name))
            assert f"{name}: exists and is" in line and "not a folder" in line, line
    assert (workdir / "plain").read_text() == "keep"
    assert listing(workdir) == ["dev", "fifo", "folder", "labels.db", "plain"]


def test_a_folder_export_into_the_database_folder_is_refused(workdir):
    """A folder export replaces the whole folder: never one that holds the database."""
    (workdir / "sub").mkdir()
    for fmt in ("doccano", "brat", "spacy"):
        for name in (".", str(workdir), "sub/.."):
            line = one_line_error(run("export", "--format", fmt, "-o", name))
            assert "holds the open database" in line
    assert listing(workdir) == ["labels.db", "sub"]


def test_a_missing_output_folder_is_one_line(workdir):
    for fmt in ("jsonl", "csv", "spacy", "doccano", "brat"):
        line = one_line_error(run("export", "--format", fmt, "-o", "nope/deeper/out.x"))
        assert "nope/deeper/out.x: cannot write: the folder nope/deeper does not exist" in line
    line = one_line_error(run("agreement", "--bootstrap", "0", "--report", "nope/r.html"))
    assert "the folder nope does not exist" in line
    assert listing(workdir) == ["labels.db"]


def test_a_full_disk_during_an_export_is_one_line_and_keeps_the_old_file(workdir):
    """RLIMIT_FSIZE makes the part file's write fail with EFBIG, as a full disk would."""
    (workdir / "out.jsonl").write_text("previous export\n")
    with Store(workdir / "labels.db") as s:  # an export of well over 64 KB
        docs = [RawDocument(f"{TEXT} {i} " * 40, "t") for i in range(60)]
        for d in import_documents(s, docs, "blank:en").added:
            s.add_span(d, "ana", 0, 6, "alarmist")
    limit = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))"
    res = run_cli_limited(workdir, limit, "export", "-o", "out.jsonl")
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    [line] = res.stderr.splitlines()
    assert line.startswith("Error: out.jsonl: cannot write (File too large)"), line
    assert (workdir / "out.jsonl").read_text() == "previous export\n"
    assert listing(workdir) == ["labels.db", "out.jsonl"]


@pytest.mark.parametrize("fmt", ["brat", "spacy", "doccano"])
def test_a_full_disk_during_a_folder_export_names_the_folder(workdir, fmt):
    """A folder export the disk refused said only "Error: File too large" (no name);
    the earlier export stays as it was and no part folder is left."""
    assert run("export", "--format", fmt, "-o", "out").exit_code == 0
    before = {p.name: p.read_bytes() for p in (workdir / "out").rglob("*") if p.is_file()}
    import random

    rnd = random.Random(9)  # words that do not compress: every format is far over 64 KB
    text = " ".join("".join(rnd.choices("abcdefghijklmnopqrstuvwxyz", k=8)) for _ in range(30000))
    with Store(workdir / "labels.db") as s:
        [d] = import_documents(s, [RawDocument(text, "t")], "blank:en").added
        s.add_span(d, "ana", 0, 6, "alarmist")
    limit = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))"
    res = run_cli_limited(workdir, limit, "export", "--format", fmt, "-o", "out")
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    [line] = res.stderr.splitlines()
    assert line.startswith("Error: out: cannot write (File too large)"), line
    after = {p.name: p.read_bytes() for p in (workdir / "out").rglob("*") if p.is_file()}
    assert after == before
    assert listing(workdir) == ["labels.db", "out"]


def run_cli_limited(cwd: Path, setup: str, *args: str):
    code = f"import sys; {setup}; from annotator.cli import main; sys.argv[0] = 'annotator'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


# -- inputs -------------------------------------------------------------------------


def test_the_database_as_an_input_is_refused_by_every_name(workdir):
    (workdir / "link.db").symlink_to("labels.db")
    os.link(workdir / "labels.db", workdir / "hard.jsonl")
    before = digest(workdir / "labels.db")
    for cmd in (["import"], ["import-labels"], ["merge"]):
        for name in ("labels.db", "./labels.db", "link.db", "hard.jsonl", "labels.db-wal"):
            line = one_line_error(
                run(*cmd, "ok.txt", name) if cmd == ["import"] else run(*cmd, name)
            )
            assert name in line and ("into itself" in line or "wal file" in line), line
    assert digest(workdir / "labels.db") == before
    with Store(workdir / "labels.db") as s:
        assert s.document_count() == 1


def test_merge_checks_every_source_before_merging_any(workdir):
    with Store(workdir / "coder.db") as c:
        import_documents(c, [RawDocument("Another text entirely.", "t")])
    line = one_line_error(run("merge", "coder.db", "labels.db"))
    assert "labels.db: cannot merge a database into itself" in line
    with Store(workdir / "labels.db") as s:
        assert s.document_count() == 1  # coder.db was not merged either


def test_core_entry_points_refuse_the_database_before_opening_it(workdir):
    """Opening (and closing) any descriptor of the database would drop this process's
    SQLite locks; then another process's `stats` deletes the -wal while this store still
    writes to it, and those writes are lost. Each entry point refuses first: the locks
    hold, the -wal survives the other process, and a later write is seen by it."""
    db = workdir / "labels.db"
    with Store(db) as store:
        store.add_span(1, "cleo", 0, 6, "alarmist")  # the -wal now holds a frame
        calls = [
            lambda: import_label_files(store, [db]),
            lambda: import_paths(store, [db]),
            lambda: merge_database(store, db),
        ]
        for call in calls:
            with pytest.raises(AnnotatorError, match="into itself"):
                call()
        out = run_cli("stats", "--json", cwd=workdir)
        assert out.returncode == 0, out.stderr
        assert (workdir / "labels.db-wal").exists()
        store.add_span(1, "dora", 0, 6, "alarmist")
        out = run_cli("stats", "--json", cwd=workdir)
        assert '"dora"' in out.stdout


def test_check_input_accepts_other_files(workdir):
    (workdir / "a.txt").write_text(TEXT)
    assert check_input(workdir / "a.txt", [workdir / "labels.db"]) == workdir / "a.txt"


# -- part files of killed exports ------------------------------------------------------


def big_database(path: Path, n: int = 1500) -> None:
    """Enough documents and coders that an export runs for a while."""
    words = ["Moscow", "Pyongyang", "Beijing", "Tehran", "alliance", "sanctions", "pact", "summit"]
    texts = [" ".join(words[(i + j) % len(words)] for j in range(600)) + f" {i}." for i in range(n)]
    with Store(path) as s:
        docs = import_documents(
            s, [RawDocument(t, f"d{i}") for i, t in enumerate(texts)], "blank:en"
        )
        with s.transaction():
            for d in docs.added:
                for coder in ("ana", "ben", "cleo"):
                    s.add_span(d, coder, 0, 6, "alarmist")


def parts(folder: Path, name: str) -> list[str]:
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name.startswith(f".{name}.") and p.name.endswith(".part")
    )


def test_a_killed_export_leaves_a_part_file_that_the_next_export_removes(tmp_path):
    big_database(tmp_path / "big.db")
    for _ in range(3):  # a fast machine may finish before the kill: try a few times
        proc = subprocess.Popen(
            [sys.executable, "-m", "annotator", "--db", "big.db", "export", "-o", "out.jsonl"],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while (
            not parts(tmp_path, "out.jsonl") and proc.poll() is None and time.monotonic() < deadline
        ):
            time.sleep(0.01)
        while proc.poll() is None and time.monotonic() < deadline:
            [part] = parts(tmp_path, "out.jsonl")
            if (tmp_path / part).stat().st_size > 0:
                break
            time.sleep(0.01)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            break
    else:
        pytest.skip("the export finished before it could be killed")
    [stale] = parts(tmp_path, "out.jsonl")
    assert (tmp_path / stale).stat().st_size > 0 and not (tmp_path / "out.jsonl").exists()
    (tmp_path / ".out.jsonl.other.part").write_text("not of this pattern")
    (tmp_path / ".other.jsonl.999999-abc.part").write_text("another target's")
    res = run_cli("--db", "big.db", "export", "-o", "out.jsonl", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert parts(tmp_path, "out.jsonl") == [".out.jsonl.other.part"]
    assert (tmp_path / ".other.jsonl.999999-abc.part").exists()
    assert sum(1 for _ in (tmp_path / "out.jsonl").open()) == 4500


def test_a_live_exports_part_file_is_never_removed(tmp_path):
    """A concurrent export holds its part file's lock: the cleaner leaves it, even when
    old; an unlocked one of a dead writer goes; an old-style one goes only when old."""
    target = tmp_path / "out.jsonl"
    holder = (
        "import fcntl, os, sys\n"
        "path = os.path.join(sys.argv[1], f'.out.jsonl.{os.getpid()}-live1234.part')\n"
        "fd = os.open(path, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print(path, flush=True)\n"
        "sys.stdin.readline()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder, str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        live = Path(proc.stdout.readline().strip())
        old = time.time() - STALE_AFTER_S - 60
        os.utime(live, (old, old))
        dead = tmp_path / ".out.jsonl.999999-dead1234.part"  # no such pid, unlocked
        dead.write_text("x")
        fresh_legacy = tmp_path / ".out.jsonl.abcd1234.part"  # an older version's name
        fresh_legacy.write_text("x")
        old_legacy = tmp_path / ".out.jsonl.efgh5678.part"
        old_legacy.write_text("x")
        os.utime(old_legacy, (old, old))
        removed = remove_stale_parts(target)
        assert sorted(removed) == sorted([dead.name, old_legacy.name])
        assert live.exists() and fresh_legacy.exists()
    finally:
        proc.communicate("done\n", timeout=30)
    assert remove_stale_parts(target) == [live.name]  # its writer is gone now
    assert fresh_legacy.exists()


def test_a_folder_export_never_replaces_a_folder_of_the_users_files(workdir):
    """A folder export replaces the folder as a whole: only an empty folder or an earlier
    export may be replaced, never a folder of articles, a project or a home folder."""
    corpus = workdir / "corpus"
    corpus.mkdir()
    (corpus / "article.txt").write_text(TEXT)
    project = workdir / "project"
    (project / "src").mkdir(parents=True)
    (project / "notes.jsonl").write_text("{}\n")
    (project / "src" / "main.py").write_text("print()\n")
    linked = workdir / "linked"
    linked.mkdir()
    (linked / "a.jsonl").symlink_to(corpus / "article.txt")
    articles = workdir / "articles"  # looks like a doccano export, but has no marker
    articles.mkdir()
    (articles / "batch1.jsonl").write_text('{"text": "x"}\n')
    (articles / "batch2.spacy").write_bytes(b"\x00")
    fake = workdir / "fake"  # a marker that is not a file does not count
    (fake / ".annotator-export").mkdir(parents=True)
    for fmt in ("doccano", "brat", "spacy"):
        for folder, stranger in [
            (corpus, "article.txt"),
            (project, "notes.jsonl"),
            (linked, "a.jsonl"),
            (articles, "batch1.jsonl"),
            (fake, ".annotator-export"),
        ]:
            line = one_line_error(run("export", "--format", fmt, "-o", folder.name))
            assert f"is not an earlier export (it holds {stranger})" in line, line
    assert (corpus / "article.txt").read_text() == TEXT
    assert (project / "src" / "main.py").exists() and (project / "notes.jsonl").exists()
    assert sorted(p.name for p in articles.iterdir()) == ["batch1.jsonl", "batch2.spacy"]
    for fmt in ("doccano", "brat", "spacy"):  # an earlier export (or an empty folder) is replaced
        (workdir / fmt).mkdir()
        assert run("export", "--format", fmt, "-o", fmt).exit_code == 0
        assert run("export", "--format", fmt, "-o", fmt).exit_code == 0


def test_a_killed_folder_export_leaves_a_part_folder_that_a_later_export_removes(tmp_path):
    """A folder export holds no lock: its part folder is removed once nothing in it has
    changed for STALE_AFTER_S (aged here with utime), never while it is fresh."""
    big_database(tmp_path / "big.db")
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-m", "annotator", "--db", "big.db", "export", "--format", "brat",
             "-o", "out"],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            found = parts(tmp_path, "out")
            if found and sum(1 for _ in (tmp_path / found[0]).rglob("*.ann")) > 10:
                break
            time.sleep(0.01)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            break
    else:
        pytest.skip("the export finished before it could be killed")
    [stale] = parts(tmp_path, "out")
    assert not (tmp_path / "out").exists()
    res = run_cli("--db", "big.db", "export", "--format", "brat", "-o", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert parts(tmp_path, "out") == [stale]  # fresh: it might still be written
    old = time.time() - STALE_AFTER_S - 60
    for p in [tmp_path / stale, *(tmp_path / stale).rglob("*")]:
        os.utime(p, (old, old))
    res = run_cli("--db", "big.db", "export", "--format", "brat", "-o", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert parts(tmp_path, "out") == []
    assert len(list((tmp_path / "out").rglob("*.ann"))) == 4500


@pytest.mark.parametrize("name", ["../out", "."])
def test_a_folder_export_run_from_inside_the_folder_it_replaces(workdir, name):
    """Run from inside an earlier export with a relative -o: the part folder's relative
    name changed meaning once the working directory was moved aside, so the earlier
    export vanished into a hidden .out.XXXX.old folder and the new one stayed a .part
    folder ('-o ../out'), or the export failed with 'Device or resource busy' and left an
    .old folder inside the export ('-o .')."""
    assert run("export", "--format", "brat", "-o", "out").exit_code == 0
    (workdir / "out" / "stale.txt").write_text("from the earlier export")
    res = run_cli("--db", str(workdir / "labels.db"), "export", "--format", "brat", "-o", name,
                  cwd=workdir / "out")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert listing(workdir) == ["labels.db", "out"]
    assert ".annotator-export" in listing(workdir / "out")
    assert "stale.txt" not in listing(workdir / "out")
    assert not [n for n in listing(workdir / "out") if n.endswith((".old", ".part"))]


def test_a_folder_import_never_opens_the_database_through_a_link_in_it(workdir):
    """A .txt symlink to the database (or its -wal) inside an imported folder was read
    as an article: Python opened and closed a descriptor of the database file, which
    drops every SQLite lock the importing process holds (another process may then
    delete the WAL it writes to). Now it is skipped unread, with a reason."""
    (workdir / "in").mkdir()
    (workdir / "in" / "a.txt").write_text("An article about the pact.")
    (workdir / "in" / "db.txt").symlink_to("../labels.db")
    (workdir / "in" / "wal.txt").symlink_to("../labels.db-wal")
    watch = (
        "import os, sys; db = os.path.realpath('labels.db')\n"
        "def hook(event, args):\n"
        "    if event == 'open' and isinstance(args[0], (str, os.PathLike)) and"
        " os.path.realpath(args[0]).startswith(db):\n"
        "        sys.stderr.write('OPENED ' + str(args[0]) + chr(10))\n"
        "sys.addaudithook(hook)"
    )
    res = run_cli_limited(workdir, f"exec({watch!r})", "import", "in")
    assert "OPENED" not in res.stderr, res.stderr
    assert res.returncode == 1, res.stderr
    assert "in/db.txt: is the open database" in res.stderr
    assert "in/wal.txt: is the open database" in res.stderr
    assert "Imported 1 document(s)" in res.stdout


@pytest.mark.parametrize(("fmt", "name", "mode"), [("jsonl", "out.jsonl", 0o600),
                                                   ("csv", "out.csv", 0o640),
                                                   ("brat", "out", 0o700)])  # fmt: skip
def test_an_export_keeps_the_permissions_of_what_it_replaces(workdir, fmt, name, mode):
    """A private export (chmod 600) exported again became world-readable 0644 (the
    replacement took the umask's mode); a 0700 export folder became 0755."""
    assert run("export", "--format", fmt, "-o", name).exit_code == 0
    os.chmod(workdir / name, mode)
    assert run("export", "--format", fmt, "-o", name).exit_code == 0
    assert stat.S_IMODE(os.stat(workdir / name).st_mode) == mode
    new = f"new-{name}"
    assert run("export", "--format", fmt, "-o", new).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    default = (0o777 if fmt == "brat" else 0o666) & ~umask
    assert stat.S_IMODE(os.stat(workdir / new).st_mode) == default
