"""Hostile input through the real command line: `import`, `import-labels`, `init --scheme`.

Hypothesis builds files that mix valid records with the things issue 9 found (JSON or TOML
nested thousands deep, integers of thousands of digits, `NaN`, lone surrogates, a UTF-16
byte-order mark, a NUL byte after the first 8 KB, binary junk, CRLF, overlong lines, the
wrong type in every field of the canonical JSONL, impossible offsets) and runs the command
on a copy of a small labelled database. Whatever the input:

* the exit code is 0, 1 or 2 and no traceback reaches stderr;
* ``PRAGMA integrity_check`` says ``ok`` afterwards;
* a refused file changes no row of any table (`import-labels`, `init --scheme`), and
  `import` adds nothing from a record that is not a valid one.

Most examples run in-process through click's CliRunner (spaCy is loaded once); a subset runs
``python -m annotator`` as a real process. ``HYPOTHESIS_PROFILE=hostile-long`` runs more.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator import jsonsafe
from annotator.cli import cli
from annotator.corpus import RawDocument
from annotator.export import records
from annotator.ingest import import_documents
from annotator.store import Store

ROOT = Path(__file__).resolve().parent.parent

settings.register_profile(
    "hostile-ci",
    max_examples=40,
    derandomize=True,  # the same examples on every run: a CI failure is found again
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "hostile-long",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "hostile-long"
PROFILE = settings.get_profile("hostile-long" if LONG else "hostile-ci")


# --- the database ------------------------------------------------------------------

TEXT = "Kim Jong Un arrived in Moscow. Analysts warn of an arms race 😀 in Asia.\n\nEnd."
OTHER = "Second article: Beijing keeps its distance."


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, list[dict]]:
    """A small labelled database and its canonical export records."""
    path = tmp_path_factory.mktemp("hostile") / "labels.db"
    with Store(path) as s:
        d1, d2 = import_documents(
            s, [RawDocument(TEXT, "a.txt", {"title": "A"}), RawDocument(OTHER, "b.txt", {})]
        ).added
        s.add_span(d1, "ana", 0, 11, "alarmist", "a note")
        s.add_span(d1, "ben", TEXT.index("arms"), TEXT.index(" in Asia"), "alarmist")
        s.set_doc_label(d1, "ana", "dominant_frame", "alarmist")
        s.set_doc_label(d2, "ana", "frames_present", ["alarmist", "skeptical_of_alliance"])
        recs = list(records(s))
    return path, recs


def dump(db: Path) -> tuple[str, dict[str, list[str]]]:
    """``PRAGMA integrity_check`` and every row of every table."""
    con = sqlite3.connect(db)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        con.close()
    return ok, rows


def doc_texts(db: Path) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("SELECT text FROM documents")}
    finally:
        con.close()


def run(args: list[str], real: bool) -> tuple[int, str]:
    """Run the CLI; returns (exit code, stderr) — an escaped exception as a traceback."""
    if real:
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
        p = subprocess.run(
            [sys.executable, "-m", "annotator", *args],
            capture_output=True,
            env=env,
            timeout=120,
            cwd=tempfile.gettempdir(),  # no seeds/ folder here
        )
        return p.returncode, p.stderr.decode("utf-8", "replace")
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    err = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        err += "".join(traceback.format_exception(*result.exc_info))
    return result.exit_code, err


def check(db: Path, before: dict, code: int, err: str, what: str) -> dict:
    assert code in (0, 1, 2), (code, err[-3000:], what)
    assert "Traceback" not in err, (err[-3000:], what)
    ok, after = dump(db)
    assert ok == "ok", (ok, what)
    return after


def check_export(db: Path, what: str) -> None:
    """What was accepted can be exported again, as strict JSON (no NaN, no lone surrogate)."""
    out = db.parent / "export.jsonl"
    code, err = run(["--db", str(db), "export", "--all", "-o", str(out)], real=False)
    assert code == 0 and "Traceback" not in err, (err[-3000:], what)
    for n, line in enumerate(out.read_text(encoding="utf-8").splitlines(), 1):
        try:
            jsonsafe.loads(line)
        except jsonsafe.StrictJSONError as e:
            raise AssertionError(f"export line {n}: {e}; after {what}") from None


# --- hostile pieces ----------------------------------------------------------------

# Raw JSON text spliced in place of a field's value.
HOSTILE_JSON = {
    "deep_array": "[" * 1200 + "]" * 1200,
    "deep_object": '{"a": ' * 1200 + "1" + "}" * 1200,
    "huge_int": "9" * 5000,
    "big_int": "99999999999999999999",
    "int64_max": "9223372036854775807",
    "negative": "-1",
    "nan": "NaN",
    "infinity": "Infinity",
    "neg_infinity": "-Infinity",
    "float_overflow": "1e400",
    "float": "2.5",
    "surrogate": '"\\ud800"',
    "surrogate_low": '"x\\udfff"',
    "nul_char": '"a\\u0000b"',
    "empty_string": '""',
    "long_string": '"' + "x" * 20000 + '"',
    "string": '"alarmist"',
    "null": "null",
    "true": "true",
    "list": "[]",
    "list_of_junk": '[1, "a", null, {}]',
    "object": "{}",
}
HOLE = "\u2603HOLE\u2603"


def splice(record: dict, path: tuple, raw: str) -> str:
    """``record`` as a JSON line with the value at ``path`` replaced by raw JSON text."""
    rec = json.loads(json.dumps(record))
    target = rec
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = HOLE
    return json.dumps(rec, ensure_ascii=False).replace(json.dumps(HOLE, ensure_ascii=False), raw)


def encode(lines: list[str], how: str) -> bytes:
    """Join lines and apply a file-level transformation."""
    text = ("\r\n" if how == "crlf" else "\n").join(lines) + "\n"
    if how == "utf16":
        return text.encode("utf-16")  # with a byte-order mark
    data = text.encode("utf-8", "surrogatepass")
    if how == "utf8_bom":
        return b"\xef\xbb\xbf" + data
    if how == "nul_late":
        return data + b'{"text": "late' + b"\x00" + b'", "meta": {}}\n'
    if how == "no_final_newline":
        return data[:-1]
    if how == "truncated":
        return data[: max(1, len(data) * 2 // 3)]
    return data


FILE_HOWS = ["plain", "crlf", "utf16", "utf8_bom", "nul_late", "no_final_newline", "truncated"]


def pad_for_nul(lines: list[str], how: str, filler: str) -> list[str]:
    if how == "nul_late":  # the NUL must come after the first 8 KB
        lines = lines + [filler] * (8200 // len(filler) + 1)
    return lines


# --- import-labels -----------------------------------------------------------------

valid_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029"),
    min_size=1,
    max_size=60,
).filter(lambda t: t.strip())


def canonical_paths(rec: dict) -> list[tuple]:
    """Every field of a canonical record, and the fields of its first span, token, meta."""
    paths = [(k,) for k in rec]
    paths += [("meta", k) for k in rec["meta"]]
    if rec["spans"]:
        paths += [("spans", 0, k) for k in rec["spans"][0]] + [("spans", 0)]
    if rec["tokens"]:
        paths += [("tokens", 0, k) for k in rec["tokens"][0]] + [("tokens", 0)]
    paths += [("doc_labels", k) for k in rec["doc_labels"]]
    return paths


@st.composite
def label_lines(draw, recs: list[dict]) -> tuple[str, str]:
    rec = draw(st.sampled_from(recs))
    kinds = ["labels.valid", "labels.new_doc", "labels.wrong_type", "labels.bad_offset"]
    kind = draw(st.sampled_from([*kinds, "labels.junk"]))
    if kind in ("labels.valid", "labels.new_doc"):
        rec = json.loads(json.dumps(rec))
        coder = draw(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True))
        rec["_annotator_id"], rec["_session_id"] = coder, f"s-{coder}"
        if kind == "labels.new_doc":  # a text the database lacks: added with the labels
            rec["text"] += f" And {draw(valid_text)}"
            del rec["tokens"], rec["meta"]["sha256"], rec["meta"]["doc_id"]
        return kind, json.dumps(rec, ensure_ascii=False)
    if kind == "labels.wrong_type":
        path = draw(st.sampled_from(canonical_paths(rec)))
        name = draw(st.sampled_from([f"labels.json.{k}" for k in HOSTILE_JSON]))
        return f"{name}@{'.'.join(map(str, path))}", splice(
            rec, path, HOSTILE_JSON[name.rsplit(".", 1)[1]]
        )
    if kind == "labels.bad_offset" and rec["spans"]:
        field = draw(st.sampled_from(["start", "end", "token_start", "token_end"]))
        value = draw(st.sampled_from([-1, 0, 1, 5, 10**6, 2**63 - 1, -(2**63)]))
        return f"{kind}.{field}={value}", splice(rec, ("spans", 0, field), str(value))
    junk = draw(
        st.sampled_from(
            ["", "   ", "{", "[]", "null", '"text"', "{" + "x" * 300_000, "\x1b[31mred"]
        )
    )
    return "labels.junk", junk


@settings(PROFILE)
@given(data=st.data())
def test_import_labels_survives_hostile_files(template, data):
    db0, recs = template
    lines = data.draw(st.lists(label_lines(recs), min_size=1, max_size=4))
    how = data.draw(st.sampled_from([f"labels.file.{h}" for h in FILE_HOWS]))
    how = how.rsplit(".", 1)[1]
    add = data.draw(st.booleans())
    body = pad_for_nul([line for _, line in lines], how, json.dumps(recs[0]))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "labels.db"
        shutil.copy(db0, db)
        src = Path(tmp) / "labels.jsonl"
        src.write_bytes(encode(body, how))
        _, before = dump(db)
        args = ["--db", str(db), "import-labels", str(src)] + (["--add-labels"] if add else [])
        what = (how, [name for name, _ in lines])
        code, err = run(args, real=False)
        after = check(db, before, code, err, repr(what))
        if code != 0:  # each file is all or nothing
            assert after == before, what
        else:
            check_export(db, repr(what))


# --- import ------------------------------------------------------------------------


# JSON values no record may hold anywhere (not JSON, not text, or beyond any sane depth)
NEVER_VALID = {
    "deep_array", "deep_object", "huge_int", "nan", "infinity", "neg_infinity",
    "float_overflow", "surrogate", "surrogate_low",
}  # fmt: skip


def article_valid(path: tuple, name: str) -> bool | None:
    """Is an article line with HOSTILE_JSON[name] at ``path`` valid? None: either way."""
    if name in NEVER_VALID:
        return False
    if path == ("text",):
        return True if name in ("string", "long_string") else None if name == "nul_char" else False
    if path == ("meta",):
        return True if name == "object" else None if name == "null" else False
    return None  # a title or other meta value of another type may be kept or dropped


@st.composite
def article_lines(draw) -> tuple[str, str, str | None]:
    """(branch, line, its text if the line may be imported)."""
    kind = draw(st.sampled_from(["import.valid", "import.wrong_type", "import.junk"]))
    if kind == "import.valid":
        text = draw(valid_text)
        return kind, json.dumps({"text": text, "meta": {"title": "t"}}), text
    if kind == "import.wrong_type":
        text = f"A short article, number {draw(st.integers(0, 10**9))}."
        rec = {"text": text, "meta": {"title": "T", "url": "u"}}
        path = draw(st.sampled_from([("text",), ("meta",), ("meta", "title"), ("meta", "url")]))
        name = draw(st.sampled_from([f"import.json.{k}" for k in HOSTILE_JSON]))
        raw = HOSTILE_JSON[name.rsplit(".", 1)[1]]
        line = splice(rec, path, raw)
        ok = article_valid(path, name.rsplit(".", 1)[1])
        if ok is not False and path == ("text",):
            text = json.loads(raw)
        return f"{name}@{'.'.join(path)}", line, None if ok is False else text
    junk = draw(st.sampled_from(["{", "[1, 2]", "null", '"x"', "{" + "y" * 300_000]))
    return "import.junk", junk, None


def txt_allowed(data: bytes, how: str, text: str) -> set[str]:
    """The text a .txt file may be stored as: none for NUL bytes or bytes that are not UTF-8."""
    if how == "utf16":
        return {text}  # decoded, or refused with a reason
    if b"\x00" in data:
        return set()
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return set()
    return {decoded.replace("\r\n", "\n").removesuffix("\n")}


@settings(PROFILE)
@given(data=st.data())
def test_import_survives_hostile_files(template, data):
    db0, _ = template
    shape = data.draw(st.sampled_from(["import.jsonl", "import.txt", "import.binary"]))
    how = data.draw(st.sampled_from([f"{shape}.{h}" for h in FILE_HOWS]))
    how = how.rsplit(".", 1)[1]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "labels.db"
        shutil.copy(db0, db)
        if shape == "import.jsonl":
            lines = data.draw(st.lists(article_lines(), min_size=1, max_size=4))
            filler = json.dumps({"text": "Filler line.", "meta": {}})
            body = pad_for_nul([line for _, line, _ in lines], how, filler)
            allowed = {t for _, _, t in lines if t is not None} | {"Filler line."}
            src = Path(tmp) / "articles.jsonl"
            src.write_bytes(encode(body, how))
            what = (shape, how, [name for name, _, _ in lines])
        elif shape == "import.txt":
            text = data.draw(valid_text)
            src = Path(tmp) / "article.txt"
            src.write_bytes(encode(pad_for_nul([text], how, "filler line"), how))
            allowed = txt_allowed(src.read_bytes(), how, text)
            what = (shape, how, text)
        else:
            src = Path(tmp) / "junk.txt"
            src.write_bytes(data.draw(st.binary(min_size=1, max_size=3000)))
            allowed = txt_allowed(src.read_bytes(), "binary", "")
            what = (shape, src.read_bytes()[:100])
        _, before = dump(db)
        texts = doc_texts(db)
        code, err = run(["--db", str(db), "import", str(src)], real=False)
        after = check(db, before, code, err, repr(what))
        if code != 0 and not allowed:
            assert after == before, what
        allowed = {t.removesuffix("\n") for t in allowed}
        for text in doc_texts(db) - texts:  # nothing from a record that is not a valid one
            assert text.removesuffix("\n") in allowed, (text[:200], what)
        check_export(db, repr(what))


# --- the scheme loader (init --scheme) ---------------------------------------------

SCHEME = """\
name = {name}
version = {version}

[[span_labels]]
name = "alarmist"
key = {key1}
color = "#d62728"
description = {description}

[[span_labels]]
name = "skeptical_of_alliance"
key = {key2}
color = "#1f77b4"

[[doc_fields]]
name = "dominant_frame"
kind = "single"
options = ["alarmist", {option}]
"""

TOML_VALUES = {
    "ok": '"fine"',
    "surrogate": '"\\ud800"',
    "nul": '"x\\u0000"',
    "huge_int": "9" * 5000,
    "int64_max": "9223372036854775807",
    "int64_min": "-9223372036854775808",
    "nan": "nan",
    "inf": "inf",
    "deep_array": "[" * 5000 + "]" * 5000,
    "deep_table": "{a = " * 3000 + "1" + "}" * 3000,
    "long": '"' + "x" * 20000 + '"',
    "date": "1979-05-27T07:32:00Z",
    "bool": "true",
    "empty": '""',
}
KEYS = ["1", "s", "S", "!", "a", "A", "d", "😀", "İ", "ı", "é", " ", "", "ab", "\\u0000"]


@st.composite
def scheme_files(draw) -> tuple[str, bytes]:
    def value(kind: str) -> tuple[str, str]:
        name = draw(st.sampled_from([f"scheme.{kind}.{k}" for k in TOML_VALUES]))
        return name, TOML_VALUES[name.rsplit(".", 1)[1]]

    parts = {
        "name": value("name"),
        "description": value("description"),
        "option": value("option"),
        "version": draw(
            st.sampled_from(
                [("v2", "2"), ("v3", "3"), ("v1", "1"), ("v0", "0")]
                + [(f"v.{k}", v) for k, v in TOML_VALUES.items() if k != "ok"]
            )
        ),
    }
    for k in ("key1", "key2"):
        key = draw(st.sampled_from(KEYS))
        parts[k] = (f"key={key!r}", json.dumps(key) if not key.startswith("\\") else f'"{key}"')
    text = SCHEME.format(**{k: v for k, (_, v) in parts.items()})
    how = draw(st.sampled_from([f"scheme.file.{h}" for h in FILE_HOWS + ["junk"]]))
    how = how.rsplit(".", 1)[1]
    if how == "junk":
        data = draw(st.binary(min_size=1, max_size=500))
    else:
        lines = text.splitlines()
        if how == "nul_late":
            lines = ["# " + "padding " * 20] * 60 + lines
        data = encode(lines, how)
    return repr((how, sorted(n for n, _ in parts.values()))), data


def _scheme_case(template, what: str, data: bytes, real: bool) -> None:
    db0, _ = template
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "labels.db"
        shutil.copy(db0, db)
        src = Path(tmp) / "scheme.toml"
        src.write_bytes(data)
        _, before = dump(db)
        code, err = run(["--db", str(db), "init", "--scheme", str(src), "--no-seeds"], real)
        after = check(db, before, code, err, what)
        if code != 0:
            assert after == before, what
            assert len(err.strip().splitlines()) == 1, (err, what)  # one line


@settings(PROFILE)
@given(case=scheme_files())
def test_scheme_loader_survives_hostile_files(template, case):
    _scheme_case(template, *case, real=False)


@settings(PROFILE, max_examples=4)
@given(case=scheme_files())
def test_scheme_loader_survives_hostile_files_in_a_real_process(template, case):
    _scheme_case(template, *case, real=True)


# --- the issue's cases, each in a real process ---------------------------------------


REAL_CASES = {
    # name: (command, file name, file bytes, what stderr must say besides the file name)
    "labels-deep-json": ("import-labels", "l.jsonl", lambda t: (
        splice(t[1][0], ("meta",), HOSTILE_JSON["deep_object"]) + "\n").encode(), "nested"),
    "labels-huge-int": ("import-labels", "l.jsonl", lambda t: (
        splice(t[1][0], ("spans", 0, "start"), HOSTILE_JSON["huge_int"]) + "\n").encode(),
        "digits"),
    "labels-surrogate-note": ("import-labels", "l.jsonl", lambda t: (
        splice(t[1][0], ("spans", 0, "note"), HOSTILE_JSON["surrogate"]) + "\n").encode(),
        "surrogate"),
    "labels-nan-meta": ("import-labels", "l.jsonl", lambda t: (
        splice(t[1][0], ("meta", "x"), "NaN") + "\n").encode(), "NaN"),
    "labels-utf16": ("import-labels", "l.jsonl", lambda t: (
        json.dumps(t[1][0]) + "\n").encode("utf-16"), "UTF-16"),
    "import-deep-json": ("import", "a.jsonl", lambda t: (
        '{"text": "Deep.", "meta": ' + HOSTILE_JSON["deep_object"] + "}\n").encode(), "nested"),
    "import-huge-int": ("import", "a.jsonl", lambda t: (
        '{"text": "Huge.", "meta": {"n": ' + HOSTILE_JSON["huge_int"] + "}}\n").encode(),
        "digits"),
    "import-nan-meta": ("import", "a.jsonl", lambda t: (
        b'{"text": "Not a number.", "meta": {"score": NaN}}\n'), "NaN"),
    "import-surrogate-title": ("import", "a.jsonl", lambda t: (
        b'{"text": "S.", "meta": {"title": "\\ud800"}}\n'), "surrogate"),
    "import-utf16-txt": ("import", "a.txt", lambda t: "Ein Artikel.\n".encode("utf-16"),
        "UTF-16"),
    "import-nul-late": ("import", "a.txt", lambda t: b"word " * 2000 + b"\x00 end\n", "NUL"),
    "scheme-deep": ("init --scheme", "s.toml", lambda t: (
        'name = "x"\nv = ' + "[" * 5000 + "]" * 5000 + "\n").encode(), "nested"),
    "scheme-version-overflow": ("init --scheme", "s.toml", lambda t: (
        SCHEME.format(name='"x"', version="9223372036854775807", key1='"1"', key2='"2"',
                      description='""', option='"none"')).encode(), "version"),
    "scheme-huge-int": ("init --scheme", "s.toml", lambda t: (
        SCHEME.format(name='"x"', version="9" * 4400, key1='"1"', key2='"2"',
                      description='""', option='"none"')).encode(), "digits"),
    "scheme-surrogate": ("init --scheme", "s.toml", lambda t: (
        SCHEME.format(name='"x"', version="2", key1='"1"', key2='"2"',
                      description='"\\ud800"', option='"none"')).encode(), "Unicode"),
    "scheme-ambiguous-keys": ("init --scheme", "s.toml", lambda t: (
        SCHEME.format(name='"x"', version="2", key1='"s"', key2='"S"',
                      description='""', option='"none"')).encode(), "duplicate key"),
    "scheme-review-key": ("init --scheme", "s.toml", lambda t: (
        SCHEME.format(name='"x"', version="2", key1='"a"', key2='"2"',
                      description='""', option='"none"')).encode(), "Accept"),
    "scheme-emoji-key": ("init --scheme", "s.toml", lambda t: (
        SCHEME.format(name='"x"', version="2", key1='"😀"', key2='"2"',
                      description='""', option='"none"')).encode(), "key"),
}  # fmt: skip


# Cases other branches of issue 9 fix (name -> who, what happens on this branch today).
@pytest.mark.parametrize("name", REAL_CASES)
def test_issue_cases_in_a_real_process(template, name):
    command, fname, make, says = REAL_CASES[name]
    db0, _ = template
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "labels.db"
        shutil.copy(db0, db)
        src = Path(tmp) / fname
        src.write_bytes(make(template))
        _, before = dump(db)
        args = ["--db", str(db), *command.split(), str(src)]
        if command.startswith("init"):
            args.append("--no-seeds")
        code, err = run(args, real=True)
        after = check(db, before, code, err, name)
        assert code != 0, (name, err)  # every one of these is refused ...
        assert after == before, name  # ... and changes nothing
        assert str(src) in err or fname in err, (name, err)  # naming the file
        assert says.lower() in err.lower(), (name, says, err)  # and saying what is wrong


@pytest.mark.parametrize("name", [n for n in REAL_CASES if n.startswith("scheme-")])
def test_a_refused_scheme_creates_no_database(template, name, tmp_path):
    # `init --scheme` on a new path: the scheme is checked before anything is created.
    _, fname, make, says = REAL_CASES[name]
    src = tmp_path / fname
    src.write_bytes(make(template))
    db = tmp_path / "new.db"
    code, err = run(["--db", str(db), "init", "--scheme", str(src), "--no-seeds"], real=False)
    assert code == 1 and "Traceback" not in err, err
    assert says.lower() in err.lower() and len(err.strip().splitlines()) == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [fname]
