"""Changing who codes and which database the main window is on: the Coder menu (switch
to a known coder, or a new one) and File → Open database (``file_actions.py`` calls
:meth:`MainWindow.switch_database`). Functions over :class:`SwitchHost`, the window's
public members."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QAbstractButton, QLabel, QMenu, QStatusBar, QWidget

from ..errors import AnnotatorError
from ..models import Document
from ..pending import PendingEdits
from ..scheme import Scheme
from ..store import Store
from .article_view import ArticleView
from .coder import announce_coder, ask_coder_name, choose_coder, fill_coder_menu, remember_coder
from .navigation import Navigator


class SwitchHost(Protocol):
    """What switching coders and databases needs from the main window."""

    store: Store
    coder: str
    scheme: Scheme
    doc: Document | None
    pending: PendingEdits
    settings: QSettings
    undo_stack: QUndoStack
    view: ArticleView
    navigator: Navigator
    coder_menu: QMenu
    read_only_told: bool

    @property
    def coder_button(self) -> QAbstractButton: ...

    @property
    def coder_label(self) -> QLabel: ...

    def statusBar(self) -> QStatusBar: ...

    def report_error(self, message: str) -> None: ...

    def read_only_message(self) -> str: ...

    def reload_documents(self) -> None: ...

    def reload_scheme(self) -> None: ...

    def switch_coder(self, name: str) -> None: ...


def refresh_coder_menu(w: SwitchHost, parent: QWidget) -> None:
    """The Coder menu anew from the database's coders (it may have new ones)."""

    def new_coder() -> None:
        name = ask_coder_name(parent, w.store.coders())
        if name:
            w.switch_coder(name)

    fill_coder_menu(w.coder_menu, w.store.coders(), w.coder, w.switch_coder, new_coder)


def confirm_unpacked_coder(parent: QWidget | None, packed: str, name: str) -> bool:
    """Whether to code as ``name`` in a file packed for ``packed`` (asked in a box)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Switch coder",
        f"This file was packed for {packed}. Code as {name}?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setObjectName("confirmPackCoder")
    box.setTextFormat(Qt.TextFormat.PlainText)  # coder names are data
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    try:
        return box.exec() == QMessageBox.StandardButton.Yes
    finally:
        box.deleteLater()


def switch_coder(
    w: SwitchHost, name: str, confirm: Callable[[str, str], bool] | None = None
) -> bool:
    """Code as ``name`` from now on (registered if new); whether the coder changed. In a
    file packed for another coder, only once ``confirm(packed, name)`` agrees (default:
    asked in a box)."""
    if name != w.coder:
        packed = w.store.pack_coder()
        if packed is not None and packed != name:
            if confirm is None:
                parent = w if isinstance(w, QWidget) else None
                confirm = lambda p, n: confirm_unpacked_coder(parent, p, n)  # noqa: E731
            if not confirm(packed, name):
                return False
    if w.store.readonly and name not in w.store.coders():
        w.report_error(w.read_only_message())
        return False
    try:
        if name not in w.store.coders():
            name = w.store.add_coder(name)
    except AnnotatorError as e:
        w.report_error(str(e))
        return False
    if name == w.coder:
        return False
    w.navigator.record_time()
    w.coder = name
    remember_coder(w.settings, name, w.store.path)
    w.undo_stack.clear()
    w.view.select_span(None)
    w.reload_documents()
    return True


def may_switch_database(w: SwitchHost) -> bool:
    """Whether another database may be opened now; if not (edits wait to be saved in
    this one), says why."""
    if w.pending:
        w.report_error(
            f"{w.pending.summary()}: wait until they are saved before opening another database."
        )
        return False
    return True


def switch_database(
    w: SwitchHost,
    path: Path,
    open_store: Callable[[Path], Store],
    ask: Callable[[list[str]], str | None] | None = None,
) -> bool:
    """Open the database at ``path`` (with ``open_store``) in the window instead of the
    current one, as the coder remembered for it, else as the window's coder when the
    database has no other coders, else as the coder ``ask`` (the prompt) names
    (``coder.choose_coder``); registered there unless it is read-only. On error (said in
    one line) or a cancelled prompt the current database stays open; returns whether it
    switched."""
    if not may_switch_database(w):
        return False
    if ask is None:
        parent = w if isinstance(w, QWidget) else None
        ask = lambda known: ask_coder_name(parent, known)  # noqa: E731
    store = None
    try:
        store = open_store(path)
        store.scheme  # noqa: B018 - fails early on a foreign database
        known = store.coders()
        chosen = choose_coder(w.settings, store.path, known, ask, w.coder, store.pack_coder())
        if chosen is None:
            store.close()
            w.report_error(f"{path} not opened: no coder chosen.")
            return False
        # A read-only database cannot register the coder: the window only shows it.
        coder = chosen if store.readonly or chosen in known else store.add_coder(chosen)
    except AnnotatorError as e:
        if store is not None:
            store.close()
        w.report_error(str(e))
        return False
    remember_coder(w.settings, coder, store.path)
    w.navigator.record_time()
    w.store.close()
    w.store = store
    before, w.coder = w.coder, coder
    w.read_only_told = False
    w.undo_stack.clear()
    w.doc = None
    if store.scheme != w.scheme:
        w.reload_scheme()
    w.reload_documents()
    announce_coder(w, before, path.name)
    return True
