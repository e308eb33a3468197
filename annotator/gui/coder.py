"""The current coder: remembered in QSettings per database, asked for when unsure,
switchable (Coder menu).

Which coder a database opens as (:func:`start_coder`, and File → Open database in
``switching.py``): ``--annotator`` when given; else the coder a pack was made for
(``Store.pack_coder``, fixed in the file by ``annotator pack``; switching away from it
asks first, ``switching.switch_coder``); else the coder remembered for *this* database
(:func:`database_key`: its resolved path), if that is still one of its coders;
else the last coder of any database when this one has no other coders (a new database);
else the window asks, listing the database's coders. A coder other than the last
session's is announced (:func:`announce_coder`): a status-bar line and a highlighted
coder button, until the Coder menu is opened.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QMenu,
    QStatusBar,
    QWidget,
)

from ..errors import AnnotatorError, ValidationError
from ..store import Store, check_coder_name
from .coder_names import window_coder_name
from .plaintext import literal_mnemonic


def __getattr__(name: str) -> object:
    # The dialog asking for a name lives in coder_dialog.py: its Qt classes (QInputDialog,
    # QDialog) are made when it is first asked for, not at start-up.
    if name == "CoderNameDialog":
        from .coder_dialog import CoderNameDialog

        return CoderNameDialog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# SHA-256 without loading hashlib (and OpenSSL, ~3 ms) at start-up, as the standard
# library's random module does for SHA-512: CPython's own implementation when built in.
try:
    if sys.version_info >= (3, 12):
        from _sha2 import sha256 as _sha256
    else:
        from _sha256 import sha256 as _sha256  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import sha256 as _sha256


def remembered_coder_for(settings: QSettings, path: str | Path, known: Sequence[str]) -> str | None:
    """The coder remembered for this database, while it is one of the database's coders
    ``known`` (or the database has none yet: a file replaced by a new one)."""
    name = _valid(settings.value(database_key(path)), known)
    if name is None or (known and name not in known):
        return None
    return name


def remember_coder(settings: QSettings, name: str, path: str | Path | None = None) -> None:
    """Remember ``name`` as the last coder and, with ``path``, as that database's coder.
    Nothing is written when both are remembered already (a coder reopening a database:
    writing the settings file is a wait for the disk at start-up)."""
    keys = [KEY] if path is None else [KEY, database_key(path)]
    if all(settings.value(k) == name for k in keys):
        return
    for k in keys:
        settings.setValue(k, name)
    settings.sync()


def choose_coder(
    settings: QSettings,
    path: str | Path,
    known: Sequence[str],
    ask: Callable[[list[str]], str | None],
    current: str | None = None,
    packed: str | None = None,
) -> str | None:
    """Who codes in the database at ``path`` (with coders ``known``) when nobody said:
    ``packed``, the coder the file was packed for, if it is a valid name; else the coder
    remembered for it; else ``current`` (the last coder, or the window's) when the
    database has no other coders; else ``ask(known)`` (None: cancelled)."""
    if packed is not None:
        try:
            return window_coder_name(packed, tuple(known))
        except ValidationError:
            pass  # a name no window may code under: as if the file had none
    name = remembered_coder_for(settings, path, known)
    if name is not None:
        return name
    if current is not None and set(known) <= {current}:
        return current
    return ask(list(known))


def start_coder(settings: QSettings, store: Store, coder: str | None) -> tuple[str, str | None]:
    """The coder a window on ``store`` starts as (``coder``: ``--annotator``, which wins),
    remembered for it; and the last session's coder (None: none)."""
    previous = remembered_coder(settings)
    known = store.coders()
    if coder:
        try:
            name: str | None = window_coder_name(coder, known)
        except ValidationError as e:
            raise AnnotatorError(f"--annotator: {e}") from None
    else:
        name = choose_coder(
            settings,
            store.path,
            known,
            lambda k: ask_coder_name(None, k),
            previous,
            store.pack_coder(),
        )
    if name is None:
        raise AnnotatorError("no coder name given")
    remember_coder(settings, name, store.path)
    return name, previous


class CoderShown(Protocol):
    """What announcing the coder needs from the main window."""

    coder: str
    coder_menu: QMenu

    @property
    def coder_button(self) -> QAbstractButton: ...

    @property
    def coder_label(self) -> QLabel: ...

    def statusBar(self) -> QStatusBar: ...


def announce_coder(w: CoderShown, previous: str | None, where: str = "") -> bool:
    """When ``w.coder`` is not ``previous`` (the last session's coder): say so in the status
    bar and highlight the coder button until the Coder menu is opened. Whether it did."""
    if previous is None or previous == w.coder:
        return False
    place = f" in {where}" if where else ""
    w.statusBar().showMessage(
        f"Coding as {w.coder}{place}, not {previous} as last time (Coder menu to change).",
        30000,
    )
    button, label = w.coder_button, w.coder_label
    tip = button.toolTip()
    button.setProperty("coderChanged", True)
    button.setStyleSheet(CHANGED_STYLE)
    button.setToolTip(f"Coding as {w.coder} (last time: {previous}). Click to change.")
    label.setStyleSheet(LABEL_CHANGED_STYLE)

    def seen() -> None:
        button.setProperty("coderChanged", False)
        button.setStyleSheet("")
        button.setToolTip(tip)
        label.setStyleSheet("")
        w.coder_menu.aboutToShow.disconnect(seen)

    w.coder_menu.aboutToShow.connect(seen)
    return True


def ask_coder_name(parent: QWidget | None = None, known: list[str] | None = None) -> str | None:
    """Ask for a coder name until it is valid; None when cancelled."""
    from .coder_dialog import CoderNameDialog

    dlg = CoderNameDialog(parent, known)
    try:
        if dlg.exec() != CoderNameDialog.DialogCode.Accepted:
            return None
        return dlg.name
    finally:
        dlg.deleteLater()


def fill_coder_menu(
    menu: QMenu,
    names: Iterable[str],
    current: str,
    switch: Callable[[str], None],
    new: Callable[[], None],
) -> None:
    """The Coder menu: one checkable entry per coder (the current one checked), then
    "New coder…"."""
    from PySide6.QtGui import QActionGroup  # (its class is made at first use: not at start)

    menu.clear()
    for old in menu.findChildren(QActionGroup):  # the group of the last opening
        old.setParent(None)
        old.deleteLater()
    group = QActionGroup(menu)
    for name in names:
        a = menu.addAction(literal_mnemonic(name))
        a.setCheckable(True)
        a.setChecked(name == current)
        a.setObjectName(f"coder_{name}")
        group.addAction(a)
        a.triggered.connect(lambda _=False, n=name: switch(n))
    menu.addSeparator()
    add = menu.addAction("New coder…")
    add.setObjectName("newCoder")
    add.triggered.connect(new)


ORGANISATION = "annotator"
APPLICATION = "annotator"
KEY = "coder/name"  # the last coder, whatever the database
DATABASE_KEYS = "coder/by_database"  # + "/" + the database's key: its coder
CHANGED_STYLE = (
    "QToolButton#coderButton { background: #fde68a; color: #3c2a00; font-weight: 700;"
    " border: 2px solid #b45309; border-radius: 4px; padding: 2px 8px; }"
    " QToolButton#coderButton::menu-indicator { image: none; width: 0; }"
)
LABEL_CHANGED_STYLE = "background: #fde68a; color: #3c2a00; font-weight: 700; padding: 0 6px;"


def app_settings() -> QSettings:
    return QSettings(ORGANISATION, APPLICATION)


def _valid(value: object, known: Sequence[str] = ()) -> str | None:
    """``value`` if it may name a coder (one of ``known`` keeps a name the rule for new
    coders refuses, e.g. ``source:x`` from before that rule), else None."""
    if not isinstance(value, str):
        return None
    try:
        return check_coder_name(value, known)
    except ValidationError:
        return None


def remembered_coder(settings: QSettings) -> str | None:
    """The last coder, in any database (None: none, or a name no longer allowed)."""
    return _valid(settings.value(KEY))


def database_key(path: str | Path) -> str:
    """The settings key of the coder remembered for the database at ``path``: its
    resolved path, hashed (a settings key holds no slashes or drive letters)."""
    resolved = str(Path(path).resolve())
    return f"{DATABASE_KEYS}/{_sha256(resolved.encode()).hexdigest()[:24]}"
