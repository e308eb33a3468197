"""The command line: a thin shell; errors are one line, never a traceback."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator import __version__
from annotator.cli import cli
from annotator.store import Store

from .conftest import ROOT, SEEDS, running_in_ci


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working directory (no seeds/ unless a test copies them)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args, input=None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result


def test_version_and_help():
    assert __version__ in run("--version").output
    for cmd in ("init", "import", "export", "stats", "title"):
        res = run(cmd, "--help")
        assert res.exit_code == 0 and "Usage:" in res.output, cmd


def test_first_use_creates_the_database_and_imports_seeds(workdir):
    shutil.copytree(SEEDS, workdir / "seeds")
    res = run("init")
    assert res.exit_code == 0, res.output
    assert "imported the seed articles, 5 document(s)" in res.output
    assert (workdir / "labels.db").exists()
    res = run("stats", "--json")
    data = json.loads(res.output)
    assert data["documents"] == 5
    assert data["scheme"] == {"name": "alliance-framing", "version": 1}
    # Not imported a second time.
    out = run("stats").output
    assert "seed" not in out
    assert "Coders     0" in out.splitlines()  # the person who codes is a coder in the output too


def test_seed_files_are_byte_identical_to_the_shared_seeds():
    """``seeds/`` is a copy of the shared seed articles. CI checks out a fresh clone with
    a copy of ``shared/`` beside it (``.ci/run`` exports ``ANNOTATOR_SHARED_SEEDS``); there
    this test must run, so under ``CI=true`` missing shared seeds are a failure."""
    env = os.environ.get("ANNOTATOR_SHARED_SEEDS")
    shared = Path(env) if env else ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        why = (
            f"ANNOTATOR_SHARED_SEEDS={env} is not a folder"
            if env
            else f"no shared seeds beside this clone ({shared} does not exist)"
        )
        if running_in_ci():
            pytest.fail(f"CI must compare seeds/ with the shared seeds, but {why}")
        pytest.skip(f"{why}; only CI (CI=true, .ci/run) is guaranteed to have them")
    ours = sorted(p.name for p in SEEDS.iterdir())
    assert ours, "seeds/ is empty"
    assert ours == sorted(p.name for p in shared.iterdir())
    for name in ours:
        assert (SEEDS / name).read_bytes() == (shared / name).read_bytes(), name


def test_import_good_and_bad_files(workdir):
    (workdir / "a.txt").write_text("An article about the axis.\r\nSecond line.", encoding="utf-8")
    (workdir / "b.txt").write_bytes(b"\xff\xfe not utf8 \x80")
    (workdir / "c.txt").write_text("   \n\t\n")
    (workdir / "d.jsonl").write_text(
        '{"text": "From JSONL.", "meta": {"id": 7}}\nnot json\n{"meta": {}}\n', encoding="utf-8"
    )
    res = run("--db", "x.db", "import", "a.txt", "b.txt", "c.txt", "d.jsonl", "missing.txt")
    assert res.exit_code == 1
    assert "Imported 2 document(s); 0 already present; 5 skipped." in res.stdout
    err = res.stderr
    assert "b.txt: not UTF-8" in err
    assert "c.txt: empty or whitespace-only" in err
    assert "d.jsonl:2: not valid JSON" in err
    assert 'd.jsonl:3: no "text" field' in err
    assert "missing.txt: no such file" in err
    assert "Traceback" not in res.output
    with Store(workdir / "x.db") as s:
        texts = sorted(s.document(i).text for i in s.document_ids())
    assert texts == ["An article about the axis.\nSecond line.", "From JSONL."]
    res = run("--db", "x.db", "import", "a.txt")
    assert res.exit_code == 0
    assert "Imported 0 document(s); 1 already present" in res.output


def test_export_to_stdout_and_file(workdir):
    (workdir / "a.txt").write_text("North Korea sends troops.", encoding="utf-8")
    run("--db", "x.db", "import", "a.txt")
    with Store(workdir / "x.db") as s:
        s.add_span(s.document_ids()[0], "ana", 0, 11, "alarmist")
    res = run("--db", "x.db", "export", "-o", "-")
    assert res.exit_code == 0
    [rec] = [json.loads(line) for line in res.stdout.splitlines()]
    assert rec["spans"][0]["text"] == "North Korea"
    res = run("--db", "x.db", "export", "-o", "out.jsonl", "--annotator", "ana")
    assert res.exit_code == 0 and "Wrote 1 line(s)" in res.stderr
    res = run("--db", "x.db", "export", "-o", "out.jsonl", "--annotator", "zed")
    assert res.exit_code == 1 and "unknown coder 'zed'" in res.output


def test_bad_scheme_is_one_line_naming_the_file(workdir):
    (workdir / "bad.toml").write_text(
        'name = "x"\n[[span_labels]]\nname = "a"\nkey = "1"\ncolor = "red"\n'
    )
    res = run("--db", "x.db", "init", "--scheme", "bad.toml")
    assert res.exit_code == 1
    assert "bad.toml: span label 'a': color must look like #rrggbb, got 'red'" in res.output
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_init_with_a_newer_scheme_records_a_version(workdir):
    run("--db", "x.db", "init")
    text = (ROOT / "resources" / "labels.toml").read_text().replace("version = 1", "version = 2")
    (workdir / "v2.toml").write_text(text)
    res = run("--db", "x.db", "init", "--scheme", "v2.toml")
    assert res.exit_code == 0 and "v2" in res.output
    res = run("--db", "x.db", "init", "--scheme", str(ROOT / "resources" / "labels.toml"))
    assert res.exit_code == 1 and "older" in res.output


def test_not_a_database(workdir):
    (workdir / "x.db").write_text("hello " * 200)
    res = run("--db", "x.db", "stats")
    assert res.exit_code == 1 and "x.db: not a usable SQLite database" in res.output


def test_python_dash_m_works(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert __version__ in out.stdout


def test_title_lists_shows_and_sets(workdir):
    shutil.copytree(SEEDS, workdir / "seeds")
    listing = run("title")
    assert listing.exit_code == 0
    rows = [line.split("\t") for line in listing.stdout.splitlines()]
    assert len(rows) == 5 and rows[1][0] == "2"  # data only on stdout
    assert "imported the seed articles, 5 document(s)" in listing.stderr
    assert run("title", "2").stdout.strip() == rows[1][1]
    res = run("title", "2", "  Cracks   in the axis ")
    assert res.exit_code == 0 and res.stdout.strip() == "Cracks in the axis"
    with Store(workdir / "labels.db") as s:
        assert s.document(2).title == "Cracks in the axis"
    for args, message in ((("title", "99", "x"), "unknown document 99"),
                          (("title", "2", " "), "title is empty")):  # fmt: skip
        bad = run(*args)
        assert bad.exit_code != 0 and message in bad.output
        assert "Traceback" not in bad.output
    assert run("title", "2").stdout.strip() == "Cracks in the axis"


def test_import_with_a_pipeline_that_is_not_installed_is_one_line(workdir):
    (workdir / "a.txt").write_text("North Korea sends troops.", encoding="utf-8")
    res = run("--db", "x.db", "import", "a.txt", "--spacy-model", "no_such_pipeline")
    assert res.exit_code != 0
    assert "spaCy pipeline 'no_such_pipeline' is not installed" in res.output
    assert "Traceback" not in res.output
    with Store(workdir / "x.db") as s:
        assert s.document_count() == 0
    ok = run("--db", "x.db", "import", "a.txt", "--spacy-model", "blank:en")
    assert ok.exit_code == 0 and "Imported 1 document(s)" in ok.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_long_import_on_a_terminal_shows_a_progress_bar(workdir):
    """The bar is drawn only when stderr is a terminal, so run the CLI on a real pty."""
    import os
    import pty

    for i in range(12):
        (workdir / f"{i:02d}.txt").write_text(f"Article {i} about the axis.", encoding="utf-8")
    main_fd, child_fd = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator", "--db", "x.db", "import", str(workdir)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=child_fd, cwd=workdir,
    )  # fmt: skip
    os.close(child_fd)
    out, _ = proc.communicate(timeout=120)
    chunks = []
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:  # the child side is closed: everything has been read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main_fd)
    bar = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "Imported 12 document(s)" in out.decode()
    assert "Importing" in bar and "100%" in bar


def run_child(*args, cwd, env=None):
    """The real command line in a child process; ``args`` may be bytes (argv is bytes)."""
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"annotator", *args],
        cwd=cwd, capture_output=True, timeout=120, env=env,
    )  # fmt: skip


def test_a_non_utf8_argument_is_one_line_naming_it_and_writes_nothing(tmp_path):
    """Bytes that are not UTF-8 reach Python as lone surrogates: they must never become a
    database name, a file read, or a stored title."""
    (tmp_path / "ok.txt").write_text("Moscow and Pyongyang signed a pact.", encoding="utf-8")
    assert run_child(b"--db", b"x.db", b"import", b"ok.txt", cwd=tmp_path).returncode == 0
    before = (tmp_path / "x.db").read_bytes()
    for args in (
        [b"--db", b"caf\xe9.db", b"stats"],
        [b"--db", b"x.db", b"import", b"caf\xe9.txt"],
        [b"--db", b"x.db", b"title", b"1", b"Caf\xe9 au lait"],
        [b"--db", b"x.db", b"export", b"-o", b"out\xff.jsonl"],
        [b"--db", b"x.db", b"import-labels", b"--annotator", b"an\xe9", b"ok.txt"],
    ):
        res = run_child(*args, cwd=tmp_path)
        assert res.returncode == 1 and b"Traceback" not in res.stderr, res.stderr
        [line] = res.stderr.decode().splitlines()
        assert "is not valid UTF-8" in line and "\\x" in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.txt", "x.db"]
    assert (tmp_path / "x.db").read_bytes() == before


def test_the_window_coder_name_follows_the_name_rule_before_anything_opens(workdir):
    """``annotator --annotator NAME`` (the window's coder) is checked by the one name rule
    before a database is created or a window opened: one line, exit 1, nothing written."""
    for name in ("gold", "ana|ben", " ana", "x" * 101, "unlabelled"):
        res = run("--annotator", name)
        assert res.exit_code == 1, res.output
        assert res.stderr.startswith("Error: ") and res.stderr.count("\n") == 1, res.stderr
    assert list(workdir.iterdir()) == []


def test_a_source_named_coder_of_an_older_database_may_still_be_given(workdir):
    """A database from before the ``source:NAME`` rule may hold such a coder:
    ``--annotator`` lets the name through (before or after the command), and the window,
    which knows the database's coders, refuses it only as a new coder (in a message box:
    tests/gui/test_coder_prompt.py)."""
    import sqlite3

    Store(workdir / "old.db").close()
    with contextlib.closing(sqlite3.connect(workdir / "old.db")) as conn, conn:
        conn.execute("INSERT INTO annotators (name, created_at) VALUES ('source:x', '')")
    for args in (("--annotator", "source:x", "stats"), ("stats", "--annotator", "source:x")):
        res = run("--db", "old.db", *args)
        assert res.exit_code == 0, res.output
        assert "source:x" in res.output
    res = run("--annotator", "source:a|b")  # its spelling is still checked at once
    assert res.exit_code == 1 and res.stderr == "Error: coder name 'source:a|b' contains '|'\n"


def test_an_id_too_large_for_sqlite_is_one_line(workdir):
    assert run("init", "--no-seeds").exit_code == 0
    for args in (["title", "99999999999999999999"], ["title", "99999999999999999999", "New"]):
        res = run(*args)
        assert res.exit_code == 1, res.output
        assert res.stderr == "Error: no document with id 99999999999999999999\n"


def test_an_existing_folder_as_the_output_is_one_line(workdir):
    assert run("init", "--no-seeds").exit_code == 0
    (workdir / "out").mkdir()
    res = run("export", "-o", "out")
    assert res.exit_code == 1
    assert res.stderr == "Error: out: exists and is a folder, not a file; give a file name\n"


@pytest.fixture
def small_disk(tmp_path):
    """A real full disk: a 768 KB tmpfs (needs the right to mount; skipped otherwise)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=768k", "tmpfs", str(mnt)],
                         capture_output=True)  # fmt: skip
    if res.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {res.stderr!r}")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=False)


def test_a_full_disk_during_merge_and_import_labels_is_one_line(tmp_path, small_disk):
    from annotator.corpus import RawDocument
    from annotator.ingest import import_documents

    texts = [f"Moscow and Pyongyang signed pact number {i}. " * 40 for i in range(200)]
    with Store(tmp_path / "coder.db") as s:
        for d in import_documents(s, [RawDocument(t, "t") for t in texts], "blank:en").added:
            s.add_span(d, "cleo", 0, 6, "alarmist")
    assert (
        run_child(b"--db", b"coder.db", b"export", b"-o", b"coder.jsonl", cwd=tmp_path).returncode
        == 0
    )
    Store(small_disk / "lead.db").close()
    before = (small_disk / "lead.db").read_bytes()
    for args in ([b"merge", b"../coder.db"], [b"import-labels", b"../coder.jsonl"]):
        res = run_child(b"--db", b"lead.db", *args, cwd=small_disk)
        assert res.returncode == 1 and b"Traceback" not in res.stderr, res.stderr
        errors = res.stderr.decode()
        assert "lead.db: not saved: the disk or database is full" in errors, errors
        assert "savepoint" not in errors and len(errors.splitlines()) <= 2, errors
    assert (small_disk / "lead.db").read_bytes() == before
    res = run_child(b"--db", b"lead.db", b"stats", b"--json", cwd=small_disk)
    assert json.loads(res.stdout)["documents"] == 0
    filler = small_disk / "filler"  # fill the disk: not even a -shm fits now
    with open(filler, "wb", buffering=0) as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"x" * 4096)
    res = run_child(b"--db", b"lead.db", b"stats", cwd=small_disk)
    assert res.returncode == 1 and b"Traceback" not in res.stderr, res.stderr
    [line] = res.stderr.decode().splitlines()
    assert line.startswith("Error: lead.db: the disk or database is full"), line


def test_a_negative_bootstrap_seed_is_a_usage_error_not_a_traceback(workdir):
    with Store(workdir / "labels.db") as s:
        from annotator.corpus import RawDocument
        from annotator.ingest import import_documents

        [d] = import_documents(s, [RawDocument("Moscow and Pyongyang signed a pact.", "t")]).added
        s.add_span(d, "ana", 0, 6, "alarmist")
        s.add_span(d, "ben", 0, 6, "alarmist")
    res = CliRunner().invoke(cli, ["agreement", "--seed", "-5", "--bootstrap", "5"])
    assert res.exit_code == 2 and res.exception is not None and "Traceback" not in res.output
    assert "Invalid value for '--seed'" in res.stderr


def test_a_file_name_with_a_line_break_or_escape_is_still_one_line(workdir):
    """A file name may hold a line break (or a terminal escape): every message naming it
    printed it raw, so one error became two lines, the second starting 'Error: ' as if
    it were another message."""
    name = "x\nError: fake\x1b[31m.jsonl"
    with Store(workdir / "labels.db"):
        pass
    for args in (
        ["import-labels", name],
        ["import", name],
        ["export", "-o", f"{name}/out.jsonl"],
        ["merge", name],
        ["--db", f"{name}/db", "stats"],
    ):
        if args[0] != "--db":
            args = ["--db", "labels.db", *args]
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 1, res.output
        lines = res.output.splitlines()
        assert not any(line.startswith("Error: fake") for line in lines), lines
        assert "\x1b" not in res.output
        assert any("x\\nError: fake\\x1b[31m.jsonl" in line for line in lines), lines


def test_agreement_documents_must_not_be_negative(workdir):
    """--documents -5 listed every document but the last five as "the worst", exit 0."""
    with Store(workdir / "labels.db"):
        pass
    res = CliRunner().invoke(cli, ["agreement", "--bootstrap", "0", "--documents", "-5"])
    assert res.exit_code == 2 and "-5" in res.output, res.output


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE spans SET updated_at = '9999-99-99T00:00:00'",  # a date edited by hand
        "UPDATE documents SET tokens = X'0102'",  # a torn token blob
        "UPDATE doc_labels SET value = '{bad'",  # a label's JSON
    ],
)
def test_a_damaged_or_hand_edited_database_is_one_line_in_every_reading_command(workdir, damage):
    """Found by flipping random bytes of the lead's database: export, agreement and
    gold printed ValueError / IndexError / JSONDecodeError tracebacks."""
    import sqlite3

    with Store(workdir / "labels.db") as s:
        from annotator.corpus import RawDocument
        from annotator.ingest import import_documents

        [d] = import_documents(s, [RawDocument("Moscow and Pyongyang sign a pact.", "t")]).added
        for coder in ("ana", "ben"):
            s.add_span(d, coder, 0, 6, "alarmist")
            s.set_doc_label(d, coder, "dominant_frame", "alarmist")
    c = sqlite3.connect(workdir / "labels.db")
    c.execute(damage)
    c.commit()
    c.close()
    failed = 0
    for args in (["export", "-o", "out.jsonl"], ["agreement", "--bootstrap", "3"],
                 ["export", "--format", "spacy", "-o", "sp"], ["gold", "--auto"]):  # fmt: skip
        res = CliRunner().invoke(cli, args)
        assert res.exit_code in (0, 1), (args, res.output)
        assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit)
        if res.exit_code == 1:
            failed += 1
            [line] = [x for x in res.output.splitlines() if x.startswith("Error: ")]
            assert line.startswith("Error: labels.db: a stored value cannot be read"), line
    assert failed
    assert not (workdir / "out.jsonl").exists() or failed < 4


def _coder_db(path, coder):
    from annotator.corpus import RawDocument
    from annotator.ingest import import_documents

    with Store(path) as s:
        [d] = import_documents(
            s, [RawDocument("Moscow and Pyongyang signed.", "t")], "blank:en"
        ).added
        s.add_span(d, coder, 0, 6, "alarmist")


def test_global_options_are_accepted_after_the_command_too(workdir):
    _coder_db(workdir / "ana.db", "ana")
    _coder_db(workdir / "ben.db", "ben")
    res = run("merge", "ana.db", "ben.db", "--db", "project.db")  # the command
    assert res.exit_code == 0, res.output
    assert not (workdir / "labels.db").exists()
    with Store(workdir / "project.db") as s:
        assert sorted(s.coders()) == ["ana", "ben"]
    # after the command, every command reads the database it names
    res = run("stats", "--json", "--db", "ana.db", "--busy-timeout", "3")
    assert json.loads(res.output)["annotators"] == ["ana"], res.output
    # before the command, as always; both sides naming the same file is fine
    assert json.loads(run("--db", "ben.db", "stats", "--json").output)["annotators"] == ["ben"]
    res = run("--db", "ben.db", "stats", "--json", "--db", "./ben.db")
    assert json.loads(res.output)["annotators"] == ["ben"]
    assert not (workdir / "labels.db").exists()
    # the command's own --annotator keeps its meaning (only this coder's labels)
    res = run("export", "-o", "-", "--db", "project.db", "--annotator", "ben")
    assert res.exit_code == 0 and '"ben"' in res.output and '"ana"' not in res.output


@pytest.mark.parametrize(
    "before,after",
    [
        (["--db", "ana.db"], ["--db", "ben.db"]),
        (["--busy-timeout", "1"], ["--busy-timeout", "2"]),
        (["--annotator", "ana"], ["--annotator", "ben"]),
    ],
)
def test_a_global_option_given_twice_with_different_values_is_refused(workdir, before, after):
    _coder_db(workdir / "ana.db", "ana")
    res = CliRunner().invoke(cli, [*before, "stats", *after])
    assert res.exit_code == 2 and "Traceback" not in res.output
    [line] = [ln for ln in res.stderr.splitlines() if ln.startswith("Error:")]
    assert f"{before[0]} is given twice with different values" in line, res.stderr
    assert not (workdir / "ben.db").exists() and not (workdir / "labels.db").exists()


def test_a_bad_coder_name_after_the_command_is_one_line(workdir):
    res = CliRunner().invoke(cli, ["stats", "--annotator", " ana"])
    assert res.exit_code == 1 and len(res.stderr.splitlines()) == 1, res.stderr
    assert not (workdir / "labels.db").exists()


def test_every_command_shows_the_global_options_in_its_help():
    for name in cli.commands:
        out = run(name, "--help").output
        for opt in ("--db FILE", "--annotator", "--busy-timeout"):
            assert opt in out, (name, opt)
        assert "[default: labels.db]" in " ".join(out.split()), name


def test_stats_counts_the_coders_spans_and_lists_gold_on_its_own(workdir):
    _coder_db(workdir / "labels.db", "ana")
    with Store(workdir / "labels.db") as s:
        [doc] = s.document_ids()
        s.add_gold_span(doc, 0, 6, "alarmist", ["ana"])
        s.add_gold_span(doc, 7, 10, "policy_prescription", [])
    data = json.loads(run("stats", "--json").output)
    assert data["spans"] == 1 and data["spans_per_label"]["alarmist"] == 1
    assert data["spans_per_label"]["policy_prescription"] == 0
    assert data["gold"] == {"documents": 1, "spans": 2}
    lines = run("stats").output.splitlines()
    assert "Spans      1" in lines
    assert "Gold       2 span(s) on 1 document(s)" in lines
    assert "Gold" not in run("stats", "--db", "other.db").output  # no gold layer: no line


def test_numbers_are_never_shown_as_minus_zero():
    from annotator.report_text import fmt, number

    assert fmt(-0.0) == "0.000" and fmt(-0.0004) == "0.000" and fmt(-0.0006) == "-0.001"
    assert fmt(-1e-9, (-0.0001, 0.25)) == "0.000 [0.000, 0.250]"
    assert number(-0.004, 2) == "0.00" and number(-0.5, 2) == "-0.50"
    assert fmt(None) == "n/a" and fmt(0.8) == "0.800"


def test_the_json_report_never_holds_minus_zero():
    """A statistic or bound a hair below zero is reported as 0.0, not -0.0 (which
    ``--json`` would print as ``-0.0``); real negatives keep their sign."""
    import math

    from annotator.agreement.result import Interval, Stat
    from annotator.reliability import _ci, _num

    for tiny in (-0.0, -1e-9, -4e-7):
        value = _num(Stat(tiny))
        assert value == 0.0 and math.copysign(1.0, value) == 1.0
        assert json.dumps(value) == "0.0"
    assert _num(Stat(-0.25)) == -0.25
    lo, hi = _ci(Stat(0.1, ci=Interval(-1e-9, 0.3, 0.95, 100, 100)))
    assert math.copysign(1.0, lo) == 1.0 and hi == 0.3
