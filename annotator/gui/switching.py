"""Changing who codes and which database the main window is on: the Coder menu (switch
to a known coder, or a new one) and File → Open database (``file_actions.py`` calls
:meth:`MainWindow.switch_database`). Functions over :class:`SwitchHost`, the window's
public members."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMenu, QStatusBar, QWidget

from ..errors import AnnotatorError
from ..models import Document
from ..pending import PendingEdits
from ..scheme import Scheme
from ..store import Store
from .article_view import ArticleView
from .coder import ask_coder_name, fill_coder_menu, remember_coder
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


def switch_coder(w: SwitchHost, name: str) -> bool:
    """Code as ``name`` from now on (registered if new); whether the coder changed."""
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
    remember_coder(w.settings, name)
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


def switch_database(w: SwitchHost, path: Path, open_store: Callable[[Path], Store]) -> bool:
    """Open the database at ``path`` (with ``open_store``) in the window instead of the
    current one (the coder stays, registered there unless it is read-only). On error (said
    in one line) the current database stays open; returns whether it switched."""
    if not may_switch_database(w):
        return False
    store = None
    try:
        store = open_store(path)
        store.scheme  # noqa: B018 - fails early on a foreign database
        known = store.coders()
        # A read-only database cannot register the coder: the window only shows it.
        coder = w.coder if store.readonly or w.coder in known else store.add_coder(w.coder)
    except AnnotatorError as e:
        if store is not None:
            store.close()
        w.report_error(str(e))
        return False
    w.navigator.record_time()
    w.store.close()
    w.store = store
    w.coder = coder
    w.read_only_told = False
    w.undo_stack.clear()
    w.doc = None
    if store.scheme != w.scheme:
        w.reload_scheme()
    w.reload_documents()
    return True
