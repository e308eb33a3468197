"""The main window: composition of the panes, the undo stack, the editor protocol.

Menus and actions are built by ``menus.build_main_menus`` from the window's public
slots; the File menu's jobs live in ``file_actions.py`` (``window.files``), Tools →
Agreement in ``agreement_view.py``, review mode in ``review.py``. Those talk to the
window through the Protocols they declare (``FileActionsHost``, ``AgreementHost``,
``ReviewHost``), i.e. through its public API only: :meth:`MainWindow.switch_database`,
:meth:`~MainWindow.reload_scheme`, :meth:`~MainWindow.open_agreement`,
:meth:`~MainWindow.open_review`, :meth:`~MainWindow.report_error` /
:meth:`~MainWindow.notify`, :meth:`~MainWindow.current_document_id` and
:attr:`~MainWindow.jobs`. The window keeps the agreement and review windows it opened.

Every edit goes through an undoable command (``commands.py``) that hands its store
call to :meth:`MainWindow.write`, the one path of every write the window makes. The
store commits durably before returning: there is nothing to save. A write the database
refuses for now (busy beyond a short timeout, full, read-only) stays on screen as
unsaved in the pending queue (``annotator/pending/``), is retried in order with a
backing-off timer, and closing with unsaved edits offers to wait or to write them to a
recovery file for ``annotator import-labels``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QCloseEvent, QColor, QUndoStack
from PySide6.QtWidgets import (
    QMainWindow,
    QSplitter,
)

from .. import pending as P
from ..errors import AnnotatorError
from ..models import Document, Span
from ..records import replace
from ..store import RESERVED_NAMES, Store, check_coder_name
from . import commands as cmd
from . import lockguard
from .article_view import ArticleView
from .chrome import DocHeader, StatusLabels, message_box, read_only_message, window_title
from .deferred import AfterStart, FirstPaint
from .document_list import DocumentList
from .labelling import Labelling
from .layouts import centre_pane, fit_window, restore_view, save_view, save_window, three_panes
from .menus import build_main_menus, rebuild_label_actions
from .navigation import Navigator
from .saving import Saver
from .span_display import span_display
from .style import STYLE

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from .agreement_view import AgreementWindow
    from .field_picker import FieldKeys
    from .file_actions import FileActions
    from .jobs import Jobs
    from .label_panel import LabelPanel
    from .progress_view import ProgressWindow
    from .recode_queue import RecodeQueue
    from .review import ReviewWindow
    from .search_pane import SearchPane
    from .suggestion_layer import SuggestionLayer
    from .trend_view import TrendWindow


class MainWindow(QMainWindow):
    """The coding window on one database (``store``) for one coder (``coder``).

    ``open_store`` opens another database for :meth:`switch_database` (the application
    passes ``app.open_store``: read-write, or read-only if the file cannot be written).
    """

    panel: LabelPanel
    splitter: QSplitter
    header: DocHeader  # the row above the article (``_build_panes``)

    def __init__(
        self,
        store: Store,
        coder: str,
        settings: QSettings,
        *,
        open_store: Callable[[Path], Store],
    ):
        super().__init__()
        self.setObjectName("mainWindow")
        self.store = store
        self._open_store = open_store
        self.settings = settings
        self.saver = Saver(self, self)  # the write path: pending edits, retries, recovery
        self.pending = self.saver.pending  # edits the database could not take yet, in order
        self.saver.short_timeout()
        # Registering a known coder would be a write (and wait for a busy database); a
        # read-only database cannot register one (the window shows it, refuses edits).
        known = store.coders()
        if coder in known and coder not in RESERVED_NAMES:
            self.coder = coder
        elif store.readonly:
            self.coder = check_coder_name(coder)
        else:
            self.coder = store.add_coder(coder)
        self.read_only_told = False  # the read-only refusal was shown in a box once
        self.scheme = store.scheme
        self.doc: Document | None = None
        self.show_others = False
        self.undo_stack = QUndoStack(self)
        # What the first screen does not need runs after the label panel's first paint.
        self.after_start = AfterStart(self)
        self._jobs: Jobs | None = None  # worker threads, made on first use (``jobs``)
        self._agreement: AgreementWindow | None = None  # Tools → Agreement, made on first use
        self._progress: ProgressWindow | None = None  # Tools → Progress, made on first use
        self._trend: TrendWindow | None = None  # Tools → Agreement over time, on first use
        self._review: ReviewWindow | None = None  # Tools → Review document, while open
        self._files: FileActions | None = None
        self._search: SearchPane | None = None  # Edit → Find in all articles, made on first use
        # the bands' colours (annotator.colours): swatches and marks match the article
        self._colors = {p.name: QColor(p.band) for p in self.scheme.palette().labels}
        self._bands = {lab.name: i for i, lab in enumerate(self.scheme.span_labels)}
        self._notes: dict[int, str] = {}  # the notes of the spans shown (tooltips)
        # the suggestion layer (suggestion_layer.py), read after a document is shown
        self._suggestion_layer: SuggestionLayer | None = None
        self._suggestions_waiting = False
        # the recode worklist (recode_queue.py), above the articles while spans await recoding
        self._recode: RecodeQueue | None = None
        self._recode_waiting = False

        self.navigator = Navigator(self, self)  # the open article, moving, coding time
        self.labelling = Labelling(self)
        self._field_keys: FieldKeys | None = None  # Ctrl+D's popup, made on first use
        self._build_panes()
        lockguard.protect(self)  # from here on only SQLite may open this window's database file
        # the menus' titles and the label keys; their other actions after the first paint
        self.menus = build_main_menus(self, self, self.scheme)
        self.label_menu = self.menus.label_menu
        self.coder_menu = self.menus.coder_menu
        self.coder_menu.aboutToShow.connect(self.refresh_coder_menu)
        self.header.coder_button.setMenu(self.coder_menu)
        self._build_status_bar()
        self.setStyleSheet(STYLE)
        fit_window(self.settings, self)  # the last size on this machine, within the screen
        restore_view(self.settings, self.view, self.splitter)
        self.reload_documents()
        # The article's token offsets (a long article's take a while) are loaded after
        # the start, not before its first paint.
        self.navigator.preload.stop()
        self.after_start.add(self._preload_tokens)
        # Not the first job: a key pressed at the first paint waits for that one (cheap).
        self.after_start.add(self.menus.ensure_filled)

    # -- construction -------------------------------------------------------------

    @property
    def files(self) -> FileActions:
        """The File menu's jobs (``file_actions.py``), loaded on first use."""
        if self._files is None:
            from .file_actions import FileActions

            self._files = FileActions(self)
        return self._files

    @property
    def field_keys(self) -> FieldKeys:
        """The document fields popup (``field_picker.py``), loaded on first use."""
        if self._field_keys is None:
            from .field_picker import FieldKeys

            self._field_keys = FieldKeys(self, self.labelling.set_field)
        return self._field_keys

    @property
    def jobs(self) -> Jobs:
        """The worker threads (import, export, merge, agreement), made on first use."""
        if self._jobs is None:
            from .jobs import Jobs

            self._jobs = Jobs(self)
        return self._jobs

    @jobs.setter
    def jobs(self, jobs: Jobs) -> None:
        self._jobs = jobs

    def _preload_tokens(self) -> None:
        if self.doc is not None and self.isVisible() and not self.navigator.preload.isActive():
            self.navigator.preload.start(0)

    @property
    def label_actions(self) -> dict[str, QAction]:
        """The Label menu's actions by label name (rebuilt when the scheme changes)."""
        return self.menus.label_actions

    @property
    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, what it does) of every action with a shortcut: the Help table's rows."""
        return self.menus.shortcut_rows

    @property
    def undo_action(self) -> QAction:
        return self.menus.undo_action

    @property
    def redo_action(self) -> QAction:
        return self.menus.redo_action

    @property
    def others_action(self) -> QAction:
        return self.menus.others_action

    def suggestions_shown(self) -> bool:
        """The coder's Show suggestions toggle, remembered on this machine (default: on)."""
        from .suggestion_layer import shown_by_default

        return shown_by_default(self.settings)

    @property
    def panel_ready(self) -> bool:
        """Whether the label panel is built: always, with the window (its first paint is
        the window's; building it one event later cost a second layout and paint)."""
        return True

    @property
    def started(self) -> bool:
        """Whether the label panel has been painted (the label keys are bound from the
        start): the window is ready for a coder, and the deferred work runs."""
        return self.after_start.started

    def _build_panes(self) -> None:
        self.doc_list = DocumentList()
        self.doc_list.setObjectName("leftPane")
        self.doc_list.documentChosen.connect(self.open_document)

        self.view = ArticleView(palette=self.scheme.palette())
        self.view.spanClicked.connect(self.labelling.span_clicked)
        self.view.selectionInfo.connect(self.labelling.selection_info)
        self.view.nextSpanRequested.connect(self.labelling.next_span)

        self.header = DocHeader()
        self.title_label = self.header.title_label
        self.meta_label = self.header.meta_label
        self.coder_button = self.header.coder_button
        centre = centre_pane(self.header.row, self.view)

        panel = self._make_panel()
        from .note_editor import SpanTooltips

        self._span_tips = SpanTooltips(
            self.view, lambda span_id: self._notes.get(span_id, ""), self.labelling.note_from_list
        )
        # The label keys are bound in the constructor: once the panel is painted the coder
        # can label, and what waits for the start runs (``deferred.AfterStart``).
        self._panel_paint_hook = FirstPaint(panel, self.after_start.start)

        self.splitter = three_panes(self.doc_list, centre, panel)
        self.setCentralWidget(self.splitter)

    def _make_panel(self) -> LabelPanel:
        from .label_panel import LabelPanel

        panel = LabelPanel(self.scheme, self.settings)
        panel.labelClicked.connect(self.apply_label)
        panel.fieldEdited.connect(self.labelling.set_field)
        panel.spanActivated.connect(self.labelling.jump_to_span)
        panel.noteRequested.connect(self.labelling.note_from_list)
        panel.memo.committed.connect(self.commit_memo)
        panel.memo.set_read_only(self.store.readonly)
        self.panel = panel
        return panel

    def _build_status_bar(self) -> None:
        self.saved_label = self.saver.saved_label
        self.status_labels = StatusLabels(self.statusBar(), self.saved_label)
        self.sel_label = self.status_labels.sel_label
        self.coder_label = self.status_labels.coder_label
        self.read_only_label = self.status_labels.read_only_label
        self.status_labels.show_read_only(self.store.path, self.store.readonly)

    # -- documents ----------------------------------------------------------------

    def reload_documents(self) -> None:
        self.navigator.reload_documents()
        if self._search is not None:  # another coder or database, new articles or labels
            self._search.documents_changed()

    def open_document(self, doc_id: int, keep_position: bool = False) -> None:
        self.navigator.open_document(doc_id, keep_position)

    def step_document(self, delta: int) -> None:
        self.navigator.step_document(delta)

    # -- refreshing from the store ------------------------------------------------

    def refresh_spans(self, select: int | None = None) -> None:
        if self.doc is None:
            return
        doc_id = self.doc.id
        own, unsaved = self.own_spans(doc_id)
        spans = own
        if self.show_others:
            spans = own + [s for s in self.store.spans(doc_id) if s.coder != self.coder]
        self._notes = {s.id: s.note for s in spans if s.note}
        paint, rows = span_display(
            spans, self.doc.text, self.view.offsets, self._colors, self._bands, self.coder,
            unsaved,
        )  # fmt: skip
        if select is not None:
            self.view.select_span(select)
        self.view.set_spans(paint)
        from .label_panel import SpanRow

        try:  # spans a correction of the text changed (import --update): to check again
            flags = self.store.flagged_spans(doc_id)
        except sqlite3.Error:
            flags = {}
        mine = flags and self.pending.belongs_to(self.store)
        for e in self.pending.edits if mine else ():  # checked, not written yet
            if isinstance(e, cmd.CheckSpan):
                flags.pop(e.span_id, None)
        rows_ = [
            SpanRow(*r, note=self._notes.get(r[0], ""), flag=flags.get(r[0], "") if r[4] else "")
            for r in rows
        ]
        self.panel.set_spans(rows_, self.view.selected_span)
        self.doc_list.update_document(doc_id, self.own_status(doc_id), len(own))
        self._show_suggestions(doc_id, own)
        self.refresh_recode()

    def check_span(self, span_id: int) -> bool:
        """The coder has looked again at a span a correction of the text changed
        (``import --update``): its flag goes. False if it had none (or it was refused)."""
        if self.doc is None:
            return False
        try:
            if span_id not in self.store.flagged_spans(self.doc.id) or any(
                isinstance(e, cmd.CheckSpan) and e.span_id == span_id
                for e in (self.pending.edits if self.pending.belongs_to(self.store) else ())
            ):
                return False
            self.write(cmd.CheckSpan(self.doc.id, span_id))  # kept pending if busy
        except (AnnotatorError, sqlite3.Error) as e:
            self.report_error(str(e))
            return False
        self.refresh_spans(span_id)
        return True

    def refresh_recode(self) -> None:
        """Read the coder's recode worklist again, after the start (a split label's spans
        to recode, issue 16): shown above the articles while any is left, with a count and
        a queue."""
        if not self._recode_waiting:
            self._recode_waiting = True
            self.after_start.add(self._load_recode)

    def _load_recode(self) -> None:
        self._recode_waiting = False
        try:
            split = bool(self.store.split_labels())
            newest = self.store.scheme_versions()[-1:]
        except (AnnotatorError, sqlite3.Error):
            return
        if newest and newest[0] != self.scheme.version:
            # a codebook change from the command line while the window is open (a split:
            # the worklist needs the new labels, and the split one is no longer offered)
            self.reload_scheme()
            if self.doc is not None:
                self.open_document(self.doc.id, keep_position=True)
            self.statusBar().showMessage(
                f"The codebook changed (scheme v{self.scheme.version}): the labels are the new ones.",
                8000,
            )
        if self._recode is None:
            if not split:
                return  # nothing was ever split: nothing shown, nothing loaded
            from .recode_queue import RecodeQueue

            # above the articles, in the list's own pane (made there: shown without a
            # parent it would be a window of its own and take the keyboard)
            self._recode = RecodeQueue(self.store, self.coder, self.open_document, self.doc_list)
            self.doc_list.add_above_list(self._recode)
        self._recode.store, self._recode.coder = self.store, self.coder
        try:
            self._recode.refresh()
        except (AnnotatorError, sqlite3.Error) as e:
            self.report_error(str(e))

    @property
    def recode_queue(self) -> RecodeQueue | None:
        """The recode worklist's widget (None until something was split)."""
        return self._recode

    def refresh_fields(self) -> None:
        if self.doc is None:
            return
        self.panel.set_field_values(self.own_fields(self.doc.id))
        if self._field_keys is not None:
            self._field_keys.refresh()
        self.panel.memo.set_read_only(self.store.readonly)
        self.panel.memo.show_memo(self.doc.id, self.own_memo(self.doc.id))

    # -- what the coder sees: the store with the pending edits laid over it ----------

    def own_spans(self, doc_id: int) -> tuple[list[Span], set[int]]:
        """The coder's spans as edited (pending edits included), and the unsaved ids."""
        return self.pending.shown_spans(self.store, doc_id, self.coder)

    def own_span(self, span_id: int) -> Span:
        if self.doc is not None:
            for s in self.own_spans(self.doc.id)[0]:
                if s.id == span_id:
                    return s
        return self.store.span(self.pending.resolve(span_id))

    def own_fields(self, doc_id: int) -> dict:
        return self.pending.shown_fields(self.store, doc_id, self.coder)

    def own_status(self, doc_id: int) -> str:
        return self.pending.shown_status(self.store, doc_id, self.coder)

    def own_memo(self, doc_id: int) -> str:
        return self.pending.shown_memo(self.store, doc_id, self.coder)

    # -- the coder's memo on a document (the panel's memo box, memo_box.py) ----------

    def focus_memo(self) -> None:
        """Article → My memo (Ctrl+M): into the memo box."""
        if self.doc is not None:
            self.panel.memo.focus()

    def commit_memo(self, doc_id: int, text: str) -> None:
        """What was typed in the memo box for ``doc_id``: one undoable step (written like
        every edit; for an article already left, recorded without opening it again)."""
        old = self.own_memo(doc_id)
        if text.strip() == old.strip():
            return
        command = cmd.SetMemo(self, doc_id, self.coder, old, text)
        if self.doc is not None and self.doc.id == doc_id:
            self._push(command)
        else:
            try:
                cmd.push_unshown(self.undo_stack, command)
            except AnnotatorError as e:
                self.report_error(str(e))
            self.saver.changed()
        # The box hands a memo on when it loses focus, often to the review window, which
        # has just read the memos (on its activation): it shows this one too.
        shown = getattr(self._review, "doc", None)
        if self._review is not None and shown is not None and shown.id == doc_id:
            with contextlib.suppress(AnnotatorError, sqlite3.Error, RuntimeError):
                self._review.refresh()

    def _commit_memo(self, forget: bool = False) -> None:
        """Hand on what is typed in the memo box now (before closing or switching); with
        ``forget`` the box then shows no article (the coder or the database changes)."""
        self.panel.memo.commit()
        if forget:
            self.panel.memo.forget()

    def refresh_progress(self) -> None:
        self.doc_list.set_progress(self.store.progress(self.coder))

    def update_meta(self) -> None:
        if self.doc is not None:
            self.header.show_meta(self.doc, self.doc_list.state_of(self.doc.id))

    def update_title(self) -> None:
        self.setWindowTitle(
            window_title(self.doc, self.coder, self.store.path, self.store.readonly)
        )
        if hasattr(self, "status_labels"):
            self.status_labels.show_read_only(self.store.path, self.store.readonly)

    def read_only_message(self) -> str:
        return read_only_message(self.store.path)

    def update_coder_display(self) -> None:
        self.header.show_coder(self.coder)
        self.status_labels.show_coder(self.coder)
        self.update_title()

    # -- the editor protocol used by commands --------------------------------------

    def write(self, edit: P.Edit) -> tuple[bool, object]:
        """The one path of every write the window makes: write ``edit`` now, or keep it
        pending (shown as unsaved, retried in order) if the database cannot take it yet.

        Returns ``(written, result)``; an edit refused for good raises AnnotatorError,
        and so does every edit on a database opened read-only (nothing is queued).
        """
        return self.saver.write(edit)

    def flush_pending(self, auto_close: bool = True) -> None:
        """Retry the pending edits now: in order, each once (``saving.Saver.flush``)."""
        self.saver.flush(auto_close)

    def show_written(self) -> None:
        """Pending edits were written (or given up): show the store's state again."""
        self._redraw(self.pending.visible_id(self.view.selected_span))
        review = self._review
        if review is not None and getattr(review, "doc", None) is not None:
            with contextlib.suppress(AnnotatorError, sqlite3.Error, RuntimeError):
                review.refresh()  # its gold edits are written now
                review.show_saved()

    def after_edit(self, doc_id: int, select_span: int | None = None) -> None:
        select_span = self.pending.visible_id(select_span)
        if self.doc is None or self.doc.id != doc_id:
            self.open_document(doc_id)
        self._redraw(select_span)
        self.saver.changed()

    def _redraw(self, selected: int | None) -> None:
        self.refresh_spans(selected)
        self.refresh_fields()
        self.refresh_progress()
        self.update_meta()
        if selected is not None:
            self.panel.select_span(selected)

    def edit_title(self) -> None:
        self.labelling.edit_title()

    def show_title(self, doc_id: int, title: str) -> None:
        """A document's title changed: the list, and the header if it is open."""
        self.doc_list.set_title(doc_id, title)
        if self.doc is not None and self.doc.id == doc_id:
            self.doc = replace(self.doc, title=title)
            self.title_label.setText(title)
            self.update_title()

    def report_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        if self.store.readonly and message == self.read_only_message():
            if self.read_only_told:  # said once in a box; the banner keeps saying it
                return
            self.read_only_told = True
        if self.isVisible():
            self.notify("Not saved", message, warning=True)

    def notify(self, title: str, message: str, warning: bool = False) -> QMessageBox:
        """A non-blocking message box (the window keeps running, tests are not stuck)."""
        return message_box(self, title, message, warning)

    # -- labelling ----------------------------------------------------------------

    def _push(self, command: cmd.StoreCommand) -> bool:
        return cmd.try_push(self.undo_stack, command)

    # The Label and Article menus' slots (``labelling.py``).

    def apply_label(self, label: str) -> None:
        self.labelling.apply_label(label)

    def delete_span(self) -> None:
        self.labelling.delete_span()

    def open_fields(self, field: int | None = None) -> None:
        """Label → Document fields… (Ctrl+D, again: close; Alt+N: field N, 0-based here):
        the fields popup (``field_picker.py``)."""
        self.field_keys.open(field)

    def edit_note(self) -> None:
        self.labelling.edit_note()

    def done_and_next(self) -> None:
        """Article → Mark done and go to next (Ctrl+Enter): in a coder's queue, its next
        not done (``navigation.Navigator.next_in_queue``); else the list's."""
        if self.navigator.queue is None or self.doc is None:
            self.labelling.done_and_next()
            return
        doc_id, old = self.doc.id, self.own_status(self.doc.id)
        if old == "done" or self._push(cmd.SetStatus(self, doc_id, self.coder, old, "done")):
            self.navigator.next_in_queue()

    def mark_not_done(self) -> None:
        self.labelling.mark_not_done()

    def next_span(self, delta: int) -> None:
        self.labelling.next_span(delta)

    def clear_selection(self) -> None:
        self.labelling.clear_selection()

    # -- view ---------------------------------------------------------------------

    def zoom(self, steps: int) -> None:
        if steps == 0:
            self.view.set_font(self.view.font_family, 12.0)
        else:
            self.view.zoom(steps)
        self.settings.setValue("view/font_pt", self.view.font_point_size)

    def set_show_others(self, on: bool) -> None:
        self.show_others = on
        self.refresh_spans(self.view.selected_span)
        self.statusBar().showMessage(
            "Showing other coders' spans (dashed, read-only)."
            if on
            else "Blind coding: only your spans.",
            4000,
        )

    def select_sentence(self) -> None:
        self.view.select_sentence()

    def focus_filter(self) -> None:
        self.doc_list.filter.setFocus()
        self.doc_list.filter.selectAll()

    def open_list_filters(self) -> None:
        """Edit → Filter articles by… (Ctrl+Shift+L): the article list's Filters popup."""
        self.doc_list.open_filters()

    @property
    def search_pane(self) -> SearchPane | None:
        """The search pane, once opened (closing it only hides it)."""
        return self._search

    def open_search(self) -> SearchPane:
        """Edit → Find in all articles… (Ctrl+Shift+F): the search pane below the article
        (``search_pane.py``), its query box focused."""
        from PySide6.QtCore import Qt

        from .search_pane import SearchPane

        pane = self._search
        if pane is None:
            pane = self._search = SearchPane(self, self)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, pane)
            self.resizeDocks([pane], [max(200, self.height() // 3)], Qt.Orientation.Vertical)
        pane.start()
        return pane

    def refresh_documents(self, doc_ids) -> None:
        """The list's rows of ``doc_ids`` anew (their status and span count, as edited)."""
        for doc_id in doc_ids:
            self.doc_list.update_document(
                doc_id, self.own_status(doc_id), len(self.own_spans(doc_id)[0])
            )

    def show_shortcuts(self) -> None:
        from .dialogs import shortcuts_dialog

        shortcuts_dialog(self, self.shortcut_rows).exec()

    def show_about(self) -> None:
        from .dialogs import about
        from .plaintext import escape

        # The About box is rich text: the scheme's name is data, shown literally.
        about(self, _version(), escape(self.scheme.name), self.scheme.version)

    # -- coders -------------------------------------------------------------------

    def refresh_coder_menu(self) -> None:
        """The Coder menu anew from the database's coders (it may have new ones)."""
        from . import switching

        switching.refresh_coder_menu(self, self)

    def switch_coder(self, name: str) -> None:
        from . import switching

        self._commit_memo(forget=True)
        if not switching.switch_coder(self, name):
            self.refresh_fields()  # the same coder: the memo box shows the memo again
        else:
            self.refresh_coder_menu()
            self.statusBar().showMessage(f"Now coding as {self.coder}.", 4000)

    # -- the database and its scheme (the File menu's jobs: file_actions.py) --------

    def may_switch_database(self) -> bool:
        """Whether another database may be opened now; if not (edits wait to be saved in
        this one), says why."""
        from . import switching

        self._commit_memo()  # a memo being typed is an edit that must be saved first
        return switching.may_switch_database(self)

    def switch_database(self, path: Path) -> bool:
        """Open the database at ``path`` in this window, instead of the current one (the
        coder stays, registered there unless it is read-only). On error (said in one line)
        the current database stays open; returns whether it switched."""
        from . import switching

        self._commit_memo(forget=True)
        if not switching.switch_database(self, path, self._open_store):
            self.refresh_fields()  # the memo box shows this database's memo again
            return False
        self.refresh_coder_menu()
        self.statusBar().showMessage(f"Opened {path}.", 4000)
        return True

    def reload_scheme(self) -> None:
        """Rebuild what depends on the scheme (an import or merge extended it, or another
        database was opened): colours, the Label menu's actions, the label panel."""
        self.store.reload_scheme()  # another connection may have recorded a newer version
        self.scheme = self.store.scheme
        # the bands' colours (annotator.colours): swatches and marks match the article
        self._colors = {p.name: QColor(p.band) for p in self.scheme.palette().labels}
        self._bands = {lab.name: i for i, lab in enumerate(self.scheme.span_labels)}
        self.view.set_palette(self.scheme.palette())
        if self._search is not None:
            self._search.scheme_changed()
        self._commit_memo()
        rebuild_label_actions(self.menus, self.scheme, self.apply_label, self.open_fields)
        old, sizes = self.panel, self.splitter.sizes()
        self.splitter.replaceWidget(2, self._make_panel())
        self.splitter.setSizes(sizes)
        old.deleteLater()

    # -- suggestions (suggestion_layer.py, suggestion_actions.py; issue 15) -----------

    @property
    def suggestion_layer(self) -> SuggestionLayer:
        """The open document's suggestions, made on first use (never before the start)."""
        if self._suggestion_layer is None:
            from .suggestion_layer import SuggestionLayer

            self._suggestion_layer = SuggestionLayer(self)
        return self._suggestion_layer

    def _show_suggestions(self, doc_id: int, own: list[Span]) -> None:
        """The same document: filter what was read; another: read it after it is shown."""
        layer = self._suggestion_layer
        if layer is not None and layer.key == layer.read_for(doc_id):
            layer.show(own, self.own_fields(doc_id))
        elif not self._suggestions_waiting:
            self._suggestions_waiting = True
            self.after_start.add(self._load_suggestions)

    def _load_suggestions(self, force: bool = False) -> None:
        self._suggestions_waiting = False
        layer = self.suggestion_layer
        doc_id = self.doc.id if self.doc is not None else None
        if layer.key != layer.read_for(doc_id) or force:
            try:
                layer.load(doc_id)
                if self.pending and self.pending.belongs_to(self.store):
                    from .suggestion_actions import replay_pending

                    replay_pending(layer, self.pending, self.coder)
            except (AnnotatorError, sqlite3.Error) as e:
                layer.load(None)
                self.report_error(str(e))
        if doc_id is not None:
            layer.show(self.own_spans(doc_id)[0], self.own_fields(doc_id))
        else:
            layer.show([], {})

    def field_suggestions(self) -> dict[str, tuple[str, ...]]:
        """The suggested options of the document fields shown as suggested (the fields
        popup marks them)."""
        layer = self._suggestion_layer
        if layer is None or self.doc is None or layer.doc_id != self.doc.id:
            return {}
        return {
            f: (lab.value,) if isinstance(lab.value, str) else tuple(lab.value)
            for f, lab in layer.shown_fields.items()
        }

    def push_command(self, command: cmd.StoreCommand) -> bool:
        """Apply an undoable command and record it (a refused one is reported)."""
        return self._push(command)

    def _suggestion_slot(self, name: str, *args: object) -> None:
        from . import suggestion_actions

        if name != "go" and self.doc is not None:
            # another process changed the codebook (rename-label ...): the suggestions
            # are read again under the new names before one is accepted or rejected
            sel = self.view.selection_cp() or (self.view.cursor_cp(),) * 2
            if self.labelling.codebook_moved() is not None:
                self.view.select_cp(*sel)
                self._load_suggestions(force=True)
        if self._suggestions_waiting or self._suggestion_layer is None:
            self._load_suggestions()  # a key pressed before the deferred read
        getattr(suggestion_actions, name)(self, self.suggestion_layer, *args)

    def accept_suggestion(self) -> None:
        """Suggestions → Accept (Alt+Enter): the suggestion at the cursor becomes a span."""
        self._suggestion_slot("accept")

    def reject_suggestion(self) -> None:
        """Suggestions → Reject (Alt+Backspace): hide it for good (undoable)."""
        self._suggestion_slot("reject")

    def accept_sentence_suggestions(self) -> None:
        """Suggestions → Accept all in sentence (Alt+Shift+Enter): one undo step."""
        self._suggestion_slot("accept_sentence")

    def next_suggestion(self, delta: int) -> None:
        """Suggestions → Next / Previous (Alt+Right / Alt+Left): select it and scroll."""
        self._suggestion_slot("go", delta)

    def accept_field_suggestions(self) -> None:
        """Suggestions → Accept suggested fields (Alt+Shift+D): the fields not set yet."""
        self._suggestion_slot("accept_fields")

    def set_show_suggestions(self, on: bool) -> None:
        """Suggestions → Show suggestions (Ctrl+Shift+H), remembered on this machine.
        Never on a reliability document, whatever it says."""
        from .suggestion_layer import SHOW_KEY

        self.settings.setValue(SHOW_KEY, "true" if on else "false")
        self._load_suggestions(force=True)

    def import_paths(self, paths: list[str]):
        return self.files.import_paths(paths)

    def export_to(self, path: Path, coder: str | None):
        return self.files.export_to(path, coder)

    # -- tools: the windows this one opens and keeps --------------------------------

    def current_document_id(self) -> int | None:
        """The id of the article open in this window, if any."""
        return self.doc.id if self.doc is not None else None

    def show_document(self, doc_id: int) -> None:
        """Open ``doc_id`` here and bring this window to the front."""
        self.open_document(doc_id)
        self.raise_()
        self.activateWindow()

    @property
    def agreement_window(self) -> AgreementWindow | None:
        """The Tools → Agreement window, once opened (closing it only hides it)."""
        return self._agreement

    @property
    def review_window(self) -> ReviewWindow | None:
        """The review window opened from here, until it is closed."""
        return self._review

    def open_agreement(self) -> AgreementWindow:
        """Tools → Agreement…: one agreement window per main window, recomputed when shown."""
        from .agreement_view import AgreementWindow

        view = self._agreement
        if view is None:
            view = self._agreement = AgreementWindow(self)
            view.destroyed.connect(lambda _=None: setattr(self, "_agreement", None))
        elif not view.isVisible():
            view.refresh_coders()
            view.refresh_scopes()
            view.compute()
        view.show()
        view.raise_()
        view.activateWindow()
        return view

    def open_trend(self) -> TrendWindow:
        """Tools → Agreement over time…: one such window per main window, computed again
        when shown again."""
        from .trend_view import TrendWindow

        view = self._trend
        if view is None:
            view = self._trend = TrendWindow(self)
            view.destroyed.connect(lambda _=None: setattr(self, "_trend", None))
        elif not view.isVisible():
            view.compute()
        view.show()
        view.raise_()
        view.activateWindow()
        return view

    @property
    def progress_window(self) -> ProgressWindow | None:
        """The Tools → Progress window, once opened (closing it only hides it)."""
        return self._progress

    def open_progress(self) -> ProgressWindow:
        """Tools → Progress…: one progress window per main window, read again when shown."""
        from .progress_view import ProgressWindow

        view = self._progress
        if view is None:
            view = self._progress = ProgressWindow(self)
            view.destroyed.connect(lambda _=None: setattr(self, "_progress", None))
        elif not view.isVisible():
            view.refresh()
        view.show()
        view.raise_()
        view.activateWindow()
        return view

    def open_review(self, doc_id: int | None = None) -> ReviewWindow | None:
        """Tools → Review document…: the review mode on ``doc_id`` (default: the open
        article); None (said why) if there is none or it cannot open."""
        if doc_id is None:
            doc_id = self.current_document_id()
        if doc_id is None:
            self.statusBar().showMessage("Open an article first.", 4000)
            return None
        self._commit_memo()  # the memo being typed is one the adjudicator must see
        try:
            from .review import open_review
        except ImportError as e:
            self.notify("Review", f"The review mode is not available in this version.\n\n({e})")
            return None
        try:
            return open_review(self, doc_id)
        except AnnotatorError as e:
            self.notify("Review", str(e), warning=True)
            return None

    def keep_review_window(self, window: ReviewWindow) -> None:
        """``window`` is this window's review window (``review.open_review``), until it
        closes (it is deleted on close)."""
        self._review = window

        def gone(_obj=None, window=window) -> None:
            if self._review is window:
                self._review = None

        window.destroyed.connect(gone)

    # -- closing ------------------------------------------------------------------

    def closeEvent(self, e: QCloseEvent) -> None:
        self.navigator.preload.stop()
        with contextlib.suppress(sqlite3.Error):  # the store may already be closed
            self._commit_memo()
        with contextlib.suppress(sqlite3.Error):  # the store may already be closed
            self.navigator.record_time()
        if self.pending and not self.saver.may_close:
            with contextlib.suppress(sqlite3.Error):
                self.flush_pending(auto_close=False)
            if self.pending:
                e.ignore()
                if self.doc is not None:
                    self.navigator.visit.start()
                self.saver.warn_unsaved()
                return
        self.saver.retry.stop()
        self.after_start.drop()  # closed: what waited for the start is not needed now
        if self._jobs is not None:
            self._jobs.cancel(5000)
        save_window(self.settings, self)
        save_view(self.settings, self.view, self.splitter)
        lockguard.release(self)  # closed: it writes no more, so its files need no guard
        super().closeEvent(e)


def _version() -> str:
    from .. import __version__

    return __version__
