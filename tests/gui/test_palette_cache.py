"""The span palette stored between launches (annotator/gui/app.py ``load_palette`` and
``save_palette``, annotator/colours.py ``palette_to_json``/``palette_from_json``): what a
launch reads back equals what the colour rules derive; a corrupt entry, another scheme's
colours or another version of the rules are never taken."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QSettings

from annotator import colours as C
from annotator.gui.app import PALETTE_KEY, load_palette, save_palette
from annotator.store import Store


@pytest.fixture
def scheme(db):
    with Store(db) as s:
        return s.scheme


@pytest.fixture(autouse=True)
def forget():
    C._KNOWN.clear()
    yield
    C._KNOWN.clear()


def labels_of(scheme):
    return tuple((lab.name, lab.color) for lab in scheme.span_labels)


def test_the_stored_palette_equals_the_derived_one(scheme):
    settings = QSettings()
    assert not load_palette(settings, scheme)  # nothing stored yet
    save_palette(settings, scheme)
    derived = C._derive_palette(labels_of(scheme), C.PAGE, C.TEXT)
    read = C.palette_from_json(QSettings().value(PALETTE_KEY), labels_of(scheme))
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
        "not json",
        "[]",
        "{}",
        None,
        42,
        lambda good: good.replace('"#', '"#zz', 1),
        lambda good: good.replace('"warnings": [', '"warnings": [1, ', 1),
        lambda good: good.replace('"labels": [[', '"labels": [["x", "#000000", "#000000"], [', 1),
        lambda good: good.replace('"algorithm": "', '"algorithm": "old', 1),
    ],
)
def test_a_corrupt_entry_is_ignored(scheme, corrupt):
    settings = QSettings()
    save_palette(settings, scheme)
    good = settings.value(PALETTE_KEY)
    settings.setValue(PALETTE_KEY, corrupt(good) if callable(corrupt) else corrupt)
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
