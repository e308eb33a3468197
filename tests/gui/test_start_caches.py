"""What a launch stores for the next one's start (annotator/gui/app.py).

The span palette (``load_palette``/``save_palette``, annotator/colours.py
``palette_to_literal``/``palette_from_literal``): what a launch reads back equals what the
colour rules derive; a corrupt entry, another scheme's colours or another version of the
rules are never taken. The scheme's TOML tables (``save_scheme_toml``, annotator/scheme.py
``toml_as_literal``/``remember_toml``): the scheme read from them equals the one parsed;
a corrupt entry or another scheme's text is not used."""

from __future__ import annotations

import ast
import dataclasses
import json

import pytest
from PySide6.QtCore import QSettings

from annotator import colours as C
from annotator import scheme as S
from annotator.gui.app import (
    PALETTE_KEY,
    SCHEME_KEY,
    load_palette,
    remember_toml,
    save_palette,
    save_scheme_toml,
)
from annotator.store import Store


@pytest.fixture
def scheme(db):
    with Store(db) as s:
        return s.scheme


@pytest.fixture(autouse=True)
def forget():
    C._KNOWN.clear()
    S._REMEMBERED.clear()
    yield
    C._KNOWN.clear()
    S._REMEMBERED.clear()


def labels_of(scheme):
    return tuple((lab.name, lab.color) for lab in scheme.span_labels)


def test_the_stored_palette_equals_the_derived_one(scheme):
    settings = QSettings()
    assert not load_palette(settings, scheme)  # nothing stored yet
    save_palette(settings, scheme)
    derived = C._derive_palette(labels_of(scheme), C.PAGE, C.TEXT)
    read = C.palette_from_literal(QSettings().value(PALETTE_KEY), labels_of(scheme))
    assert read == derived
    assert load_palette(QSettings(), scheme)
    assert C._KNOWN[(labels_of(scheme), C.PAGE, C.TEXT)] == derived
    assert scheme.palette() == derived


def test_the_window_stores_it_after_start_and_takes_it_at_the_next(qtbot, open_window, scheme):
    w = open_window()
    qtbot.waitUntil(lambda: w.after_start.started and not w.after_start.waiting, timeout=5000)
    assert QSettings().value(PALETTE_KEY) is not None  # stored after the start
    C._KNOWN.clear()
    assert load_palette(QSettings(), scheme)  # what the next launch takes
    w2 = open_window("bob")
    assert w2.scheme.palette() == C._derive_palette(labels_of(scheme), C.PAGE, C.TEXT)


@pytest.mark.parametrize(
    "corrupt",
    [
        "not a literal",
        "[]",
        "{}",
        None,
        42,
        "__import__('os')",  # a literal only: nothing is run
        "{" * 10_000,
        lambda good: good.replace("'#", "'#zz", 1),
        lambda good: good.replace("'warnings': [", "'warnings': [1, ", 1),
        lambda good: good.replace("'labels': [[", "'labels': [['x', '#000000', '#000000'], [", 1),
        lambda good: good.replace("'algorithm': '", "'algorithm': 'old", 1),
        lambda good: json.dumps(ast.literal_eval(good)),  # as JSON, as stored before
    ],
)
def test_a_corrupt_entry_is_ignored(scheme, corrupt):
    settings = QSettings()
    save_palette(settings, scheme)
    good = settings.value(PALETTE_KEY)
    bad = corrupt(good) if callable(corrupt) else corrupt
    assert bad != good
    settings.setValue(PALETTE_KEY, bad)
    assert not load_palette(settings, scheme)
    assert not C._KNOWN
    assert scheme.palette() == C._derive_palette(labels_of(scheme), C.PAGE, C.TEXT)


def test_a_changed_label_colour_misses(scheme):
    settings = QSettings()
    save_palette(settings, scheme)
    first = scheme.span_labels[0]
    changed = dataclasses.replace(
        scheme,
        span_labels=(dataclasses.replace(first, color="#123456"), *scheme.span_labels[1:]),
    )
    assert not load_palette(settings, changed)
    assert changed.palette().paint(first.name).color == "#123456"


def stored_toml(db) -> str:
    with Store(db) as s:
        return s.scheme_version_toml(s.scheme_versions()[-1])


def test_the_scheme_read_from_the_stored_tables_equals_the_parsed_one(db):
    settings = QSettings()
    with Store(db) as store:
        save_scheme_toml(settings, store, None)
        parsed = store.scheme
    text = stored_toml(db)
    assert remember_toml(QSettings().value(SCHEME_KEY)) == text
    assert S._REMEMBERED[text] == __import__("tomllib").loads(text)
    with Store(db) as store:
        assert store.scheme == parsed
    assert not S._REMEMBERED  # taken once
    # Unchanged: nothing is written again.
    settings.setValue(SCHEME_KEY, "kept")
    with Store(db) as store:
        save_scheme_toml(settings, store, text)
    assert settings.value(SCHEME_KEY) == "kept"


@pytest.mark.parametrize(
    "corrupt",
    [
        "not a literal",
        "[]",
        "(1, {})",
        "('x',)",
        "('', [])",
        "('', {}, 1)",
        "__import__('os')",
        "(" * 10_000,
        None,
        7,
        '{"toml": "x", "tables": {}}',  # JSON, as an earlier version stored it
    ],
)
def test_a_corrupt_scheme_entry_is_ignored(db, corrupt):
    assert remember_toml(corrupt) is None
    assert not S._REMEMBERED


def test_another_scheme_text_is_parsed(db):
    text = stored_toml(db)
    other = text.replace('name = "', 'name = "x', 1)
    assert other != text
    settings = QSettings()
    with Store(db) as store:
        save_scheme_toml(settings, store, None)
    remember_toml(settings.value(SCHEME_KEY))
    scheme = S.parse_scheme(other)
    assert scheme.name.startswith("x")
    assert text in S._REMEMBERED  # not used for another text


def test_toml_json_cannot_hold_is_not_stored():
    assert S.toml_as_literal('name = "a"\nwhen = 1979-05-27') is None
    assert S.toml_as_literal("not = = toml") is None
    assert S.toml_as_literal("x = inf") is None  # a literal does not spell it
    assert S.toml_as_literal("x = nan") is None
    assert S.toml_as_literal('x = 1\ny = "\U0001f600"') is not None


def test_the_coder_s_database_key_is_the_sha256_of_the_resolved_path(tmp_path):
    # gui/coder.py hashes without hashlib at start-up: the keys stay those stored before
    import hashlib
    from pathlib import Path

    from annotator.gui.coder import DATABASE_KEYS, database_key

    path = tmp_path / "ä" / ".." / "labels.db"
    digest = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:24]
    assert database_key(path) == f"{DATABASE_KEYS}/{digest}"
