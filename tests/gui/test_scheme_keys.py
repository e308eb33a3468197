"""Label hotkeys against the keys Qt can bind and the keys the windows use themselves.

The core (annotator/scheme.py) keeps both sets as plain data, without Qt:
``ALLOWED_KEYS`` (what a scheme may give a label) and ``RESERVED_KEYS`` (every key the
main window and review mode take without Ctrl/Alt). These tests hold that data to the
real Qt key sequences and to the windows' real actions, so neither can drift.
"""

from __future__ import annotations

import string

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from annotator.scheme import ALLOWED_KEYS, RESERVED_KEYS, extend_scheme, key_id
from annotator.store import Store

PORTABLE = QKeySequence.SequenceFormat.PortableText
# Keys the windows handle in event() rather than as actions, and Space (buttons, lists).
NOT_ACTIONS = {"Tab", "Backtab", "Space"}


def bound(key: str) -> QKeySequence:
    return QKeySequence(key)


@pytest.mark.parametrize("key", sorted(ALLOWED_KEYS))
def test_every_allowed_key_is_one_qt_key_without_modifiers(key):
    seq = bound(key)
    assert seq.count() == 1, key
    assert seq[0].keyboardModifiers() == Qt.KeyboardModifier.NoModifier, key
    # Round trip: Qt names the key as key_id() says (letters in upper case) and reads
    # that name back as the same key, so `a` and `A` are one key to Qt and to the core.
    assert seq.toString(PORTABLE) == key_id(key), key
    assert QKeySequence(key_id(key)) == seq, key


def test_the_allowed_set_is_every_ascii_character_qt_binds_as_itself():
    for ch in map(chr, range(0x21, 0x7F)):
        seq = bound(ch)
        as_itself = seq.count() == 1 and seq.toString(PORTABLE) == key_id(ch)
        assert (ch in ALLOWED_KEYS) == as_itself, ch


@pytest.mark.parametrize(
    ("key", "qt_name"),
    [("😀", ""), ("İ", ""), ("ı", "I"), ("é", "É"), (" ", "Space")],
)
def test_keys_qt_cannot_bind_as_themselves_are_not_allowed(key, qt_name):
    # emoji and İ do not survive the round trip; ı becomes the key of `i`; é is a key on
    # some keyboards only; space is a named key (buttons, lists)
    assert bound(key).toString(PORTABLE) == qt_name
    assert key not in ALLOWED_KEYS


def _single_key_shortcuts(window) -> dict[str, list[str]]:
    """Every modifier-free one-key shortcut of the window's actions, by Qt key name,
    leaving out the label actions (whose keys come from the scheme)."""
    found: dict[str, list[str]] = {}
    for a in window.actions():  # every shortcut action is added to its window
        name = a.objectName()
        if name.startswith(("labelAction_", "relabel_")):
            continue
        for seq in a.shortcuts():
            if seq.count() != 1 or seq[0].keyboardModifiers() != Qt.KeyboardModifier.NoModifier:
                continue
            found.setdefault(seq.toString(PORTABLE), []).append(name or a.text())
    return found


def _all_shortcuts(window) -> list[str]:
    out = []
    for a in window.actions():
        out += [s.toString(PORTABLE) for s in a.shortcuts()]
    return out


@pytest.fixture
def extended_db(db):
    """The test database with seven labels added the way `import-labels --add-labels`
    adds them (the seventh used to get `a`, review mode's Accept)."""
    with Store(db) as s:
        s.record_scheme(extend_scheme(s.scheme, s.scheme.version + 1, [f"x{i}" for i in range(7)]))
    return db


def test_reserved_keys_are_exactly_the_windows_single_key_shortcuts(open_window, extended_db):
    from annotator.gui.review import open_review

    w = open_window("alice", extended_db)
    rv = open_review(w, None)
    used = _single_key_shortcuts(w) | _single_key_shortcuts(rv)
    missing = {k: v for k, v in used.items() if k not in RESERVED_KEYS}
    assert not missing, f"add these to annotator/scheme.py RESERVED_KEYS: {missing}"
    stale = set(RESERVED_KEYS) - set(used) - NOT_ACTIONS
    assert not stale, f"RESERVED_KEYS lists keys no window uses: {stale}"
    rv.close()


def test_no_key_is_bound_twice_with_an_extended_scheme(open_window, extended_db, qtbot):
    from annotator.gui.review import open_review

    w = open_window("alice", extended_db)
    assert len(w.scheme.span_labels) == 10
    rv = open_review(w, None)
    for window in (w, rv):
        keys = _all_shortcuts(window)
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        assert not dupes, dupes  # Qt: "Ambiguous shortcut overload", neither action runs
    # and review mode's Accept still answers its key, pressed for real
    qtbot.waitUntil(rv.isActiveWindow, timeout=2000)
    accept = rv.findChild(QAction, "accept")
    with qtbot.waitSignal(accept.triggered, timeout=2000):  # an ambiguous key triggers none
        qtbot.keyClick(rv, Qt.Key.Key_A)
    rv.close()


def test_reserved_keys_are_named_as_qt_names_them():
    for k in RESERVED_KEYS:
        assert k == key_id(k) or len(k) > 1
    assert set(string.ascii_uppercase) & set(RESERVED_KEYS) == set("AREJKNPGD")
