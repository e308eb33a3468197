"""The export-format registry: every format it lists is written by ``export()`` and offered
by ``annotator export --format`` with the words the command line has always printed."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.corpus import RawDocument
from annotator.errors import AnnotatorError
from annotator.export import export
from annotator.formats.registry import EXPORT_FORMATS, EXPORT_KEYS, FOLDER_KEYS, export_format
from annotator.ingest import import_documents
from annotator.store import Store
from tests.folders import exported

TEXT = "Moscow and Pyongyang signed a pact. Beijing hedged."

# What each format is, literally (the registry must keep these: the CLI and window show them).
EXPECTED = {
    # key: (folder, suffix, CLI unit, window unit, count for the store below)
    "jsonl": (False, ".jsonl", "line(s)", "line(s)", 2),
    "prodigy": (False, ".jsonl", "line(s)", "line(s)", 2),
    "doccano": (True, "", "line(s)", "line(s)", 2),
    "spacy": (True, "", "document(s)", "document(s)", 2),
    "csv": (False, ".csv", "row(s)", "row(s)", 3),
    "brat": (True, "", "document(s)", "document file pair(s)", 2),
}


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Store(tmp_path / "x.db") as s:
        import_documents(s, [RawDocument(TEXT, "src", {})])
        [doc] = s.list_documents()
        s.add_span(doc.id, "ana", 0, 6, "alarmist")
        s.add_span(doc.id, "ana", 11, 20, "alarmist")
        s.add_span(doc.id, "ben", 0, 6, "skeptical_of_alliance")
    return tmp_path


def test_keys_and_titles_are_unique_and_the_registry_is_complete():
    assert EXPORT_KEYS == ("jsonl", "prodigy", "doccano", "spacy", "csv", "brat")
    assert len({f.title for f in EXPORT_FORMATS}) == len(EXPORT_FORMATS)
    assert FOLDER_KEYS == ("doccano", "spacy", "brat")
    assert {f.key: (f.folder, f.suffix, f.unit, f.long_unit) for f in EXPORT_FORMATS} == {
        k: v[:4] for k, v in EXPECTED.items()
    }


def test_an_unknown_format_is_one_line_naming_the_known_ones():
    with pytest.raises(AnnotatorError) as e:
        export_format("xml")
    assert str(e.value) == (
        "unknown export format 'xml' (choose from jsonl, prodigy, doccano, spacy, csv, brat)"
    )


@pytest.mark.parametrize("fmt", EXPORT_KEYS)
def test_export_writes_every_registered_format(workdir, fmt):
    target = workdir / f"out-{fmt}"
    with Store(workdir / "x.db") as s:
        n = export(s, target, fmt)
    assert n == EXPECTED[fmt][4]
    if EXPECTED[fmt][0]:
        assert target.is_dir() and exported(target)
    else:
        assert target.is_file() and target.read_text(encoding="utf-8")


def test_the_cli_offers_exactly_the_registered_formats():
    [option] = [p for p in cli.commands["export"].params if p.name == "fmt"]
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == EXPORT_KEYS
    assert option.help == (
        "jsonl: canonical; prodigy: Prodigy's fields only; doccano: a folder with one JSONL"
        " per coder; spacy: a folder of DocBin shards; csv: one row per span; brat: a folder of"
        " .txt/.ann pairs."
    )
    [output] = [p for p in cli.commands["export"].params if p.name == "output"]
    assert output.help == (
        "Output file ('-' for stdout), or folder for doccano, spacy and brat. Written atomically."
    )


@pytest.mark.parametrize("fmt", EXPORT_KEYS)
def test_the_cli_names_what_each_format_counted(workdir, fmt):
    res = CliRunner().invoke(
        cli, ["--db", "x.db", "export", "--format", fmt, "-o", "out"], catch_exceptions=False
    )
    assert res.exit_code == 0, res.output
    _folder, _suffix, unit, _long, n = EXPECTED[fmt]
    assert res.stderr.strip() == f"Wrote {n} {unit} to out ({fmt})."
