"""The main window's menu bar: File, Edit, Label, Article, View, Coder, Tools, Help.

A builder, not a mix-in: :func:`build_main_menus` makes a window's menu bar and returns
what the window keeps (:class:`MainMenus`); the actions call the public slots of a
:class:`MenuHost` (the main window). The first screen needs only the menus' titles and
the label keys: the other actions are made by :meth:`MainMenus.ensure_filled`
(:func:`fill_main_menus`), which the window runs after its first paint. Every action is
also added to the window, so its shortcut works anywhere in it, and is listed in the
keyboard shortcuts table (:attr:`MenuBuilder.shortcut_rows`). The File menu's jobs live in ``file_actions.py``
(``host.files``, loaded on first use).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu

if TYPE_CHECKING:
    from ..scheme import Scheme
    from .file_actions import FileActions

TITLES = (
    "&File", "&Edit", "&Label", "&Article", "&Suggestions", "&View", "&Coder", "&Tools", "&Help",
)  # fmt: skip

# (text, slot, keys, status tip, object name); None: a separator.
Entry = tuple[str, Callable[..., Any], list[str] | None, str, str] | None


# What the keys of the document fields popup do (``field_picker.FieldPicker.keyPressEvent``),
# for the shortcuts table; here so that building the menus does not load the popup.
PICKER_ROWS = [
    ("1 … 9, 0, a … z (fields popup)",
     "Choose that option of the field (one choice: set, go to the next field) or tick/untick it"),
    ("Tab / Shift+Tab, → / ← (fields popup)", "Next / previous field"),
    ("↑ / ↓, Space (fields popup)", "Move to an option, choose or tick it (any number of options)"),
    ("Enter (fields popup)", "Next field; on the last one, close"),
    ("Delete (fields popup)", "Clear the field"),
    ("Esc (fields popup)", "Close, back to the article"),
]  # fmt: skip


def key_text(sequences: Sequence[QKeySequence]) -> str:
    return " or ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences)


def add_separator(menu: QMenu) -> QAction:
    """What ``menu.addSeparator()`` adds, made here: the action that call returns goes
    through PySide's search for its class among QAction's subclasses, which makes the
    QWidgetAction class (about 0.8 ms) at start."""
    sep = QAction(menu)
    sep.setSeparator(True)
    menu.addAction(sep)
    return sep


class StackAction(QAction):
    """What ``stack.createUndoAction(window, prefix)`` (``undo``) or ``createRedoAction``
    makes: enabled while there is something to undo (redo), its text ``prefix`` and the
    next command's text, undoing (redoing) when triggered. Made here: the action
    ``createUndoAction`` returns goes through PySide's search for its class among
    QAction's subclasses, which makes the QWidgetAction class (about 0.8 ms) at start.
    Its slots are its own, so the stack's signals let go of it when it is deleted."""

    def __init__(self, window: QMainWindow, stack: QUndoStack, prefix: str, undo: bool):
        super().__init__(window)
        self.prefix = prefix
        self.verb = "Undo" if undo else "Redo"  # Qt's words when there is no prefix
        self.setEnabled(stack.canUndo() if undo else stack.canRedo())
        self.set_command(stack.undoText() if undo else stack.redoText())
        (stack.canUndoChanged if undo else stack.canRedoChanged).connect(self.setEnabled)
        (stack.undoTextChanged if undo else stack.redoTextChanged).connect(self.set_command)
        self.triggered.connect(stack.undo if undo else stack.redo)

    def set_command(self, command: str) -> None:
        prefix = self.prefix or self.verb
        self.setText(f"{prefix} {command}" if command else prefix)


class MenuBuilder:
    """Adds actions to a window's menus, and to the window (its shortcuts work anywhere
    in it), and keeps the rows of the keyboard shortcuts table."""

    def __init__(self, window: QMainWindow, titles: Iterable[str] = TITLES):
        self.window = window
        self.menus: dict[str, QMenu] = {t: window.menuBar().addMenu(t) for t in titles}
        self.shortcut_rows: list[tuple[str, str]] = []

    def action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[..., Any],
        keys: list[str] | None = None,
        tip: str = "",
        name: str = "",
        checkable: bool = False,
    ) -> QAction:
        # QAction(text, parent) would make PySide's QIcon and QPixmap classes (about 1.5 ms;
        # an overload takes an icon), which a first screen without spans does without
        a = QAction(self.window)
        a.setText(text)
        if name:
            a.setObjectName(name)
        if keys:
            seqs = [QKeySequence(k) for k in keys]
            a.setShortcuts(seqs)
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.shortcut_rows.append((key_text(seqs), tip or text.replace("&", "").rstrip("…")))
        if tip:
            a.setStatusTip(tip)
        a.setCheckable(checkable)
        (a.toggled if checkable else a.triggered).connect(slot)
        menu.addAction(a)
        self.window.addAction(a)
        return a

    def add(self, menu: QMenu, action: QAction) -> None:
        """An action made elsewhere (undo, redo): in the menu, the window and the table."""
        menu.addAction(action)
        self.window.addAction(action)
        self.shortcut_rows.append((key_text(action.shortcuts()), action.text().replace("&", "")))

    def fill(self, title: str, entries: list[Entry]) -> QMenu:
        """Fill a menu from ``(text, slot, keys, tip, name)`` entries; ``None``: a separator."""
        menu = self.menus[title]
        for entry in entries:
            if entry is None:
                add_separator(menu)
            else:
                text, slot, keys, tip, name = entry
                self.action(menu, text, slot, keys, tip, name)
        return menu

    def remove(self, actions: Iterable[QAction]) -> None:
        """Take actions out of the window and the shortcuts table (their menu is cleared
        by the caller)."""
        actions = list(actions)
        tips = {a.statusTip() for a in actions}
        self.shortcut_rows[:] = [r for r in self.shortcut_rows if r[1] not in tips]
        for a in actions:
            self.window.removeAction(a)
            a.deleteLater()


class MenuHost(Protocol):
    """The main window's public slots the menus call."""

    undo_stack: QUndoStack

    @property
    def files(self) -> FileActions: ...

    def close(self) -> bool: ...

    def delete_span(self) -> None: ...

    def edit_note(self) -> None: ...

    def focus_memo(self) -> None: ...

    def select_sentence(self) -> None: ...

    def clear_selection(self) -> None: ...

    def focus_filter(self) -> None: ...

    def open_search(self) -> object: ...

    def apply_label(self, label: str) -> None: ...

    def open_fields(self, field: int | None = None) -> None: ...

    def done_and_next(self) -> None: ...

    def mark_not_done(self) -> None: ...

    def edit_title(self) -> None: ...

    def step_document(self, delta: int) -> None: ...

    def next_span(self, delta: int) -> None: ...

    def zoom(self, steps: int) -> None: ...

    def set_show_others(self, on: bool) -> None: ...

    def open_agreement(self) -> object: ...

    def open_progress(self) -> object: ...

    def open_trend(self) -> object: ...

    def open_review(self, doc_id: int | None = None) -> object: ...

    def open_list_filters(self) -> None: ...

    def show_shortcuts(self) -> None: ...

    def accept_suggestion(self) -> None: ...

    def reject_suggestion(self) -> None: ...

    def accept_sentence_suggestions(self) -> None: ...

    def next_suggestion(self, delta: int) -> None: ...

    def accept_field_suggestions(self) -> None: ...

    def set_show_suggestions(self, on: bool) -> None: ...

    def suggestions_shown(self) -> bool: ...

    def show_about(self) -> None: ...


class MainMenus:
    """What the main window keeps of its menus. The menu bar's titles and the Label
    menu's label actions (the label keys) are made with the window; every other action
    (File, Edit with undo and redo, the field actions, Article, Suggestions, View, Tools,
    Help) by :meth:`ensure_filled`, which the window runs after its first paint
    (``window.after_start``). Reading an action made there (``undo_action`` …) or the
    shortcuts table fills the menus first, so they are never read half made. (A plain
    class: a dataclass is made from source text when the module is imported, about
    0.5 ms of the start-up.)"""

    def __init__(
        self,
        builder: MenuBuilder,
        host: MenuHost,
        scheme: Scheme,
        label_actions: dict[str, QAction],
    ):
        self.builder = builder
        self.label_menu = builder.menus["&Label"]
        self.coder_menu = builder.menus["&Coder"]  # filled when opened (gui/coder.py)
        self.label_actions = label_actions
        self._host: MenuHost | None = host
        self._scheme = scheme
        self._undo: QAction
        self._redo: QAction
        self._others: QAction
        self._suggestions: QAction
        self._field_actions: list[QAction] = []
        # A key pressed before the job that fills the menus (Ctrl+Z just after a label
        # key at the first paint) fills them first, so that its action exists when Qt
        # looks the key up: it was lost without a word. (An event filter on the window
        # only, till the fill: a key a child does not take for itself reaches the window
        # as a ShortcutOverride before Qt tries the shortcuts.)
        self._key_filter: _FillOnKey | None = _FillOnKey(self)
        for title, menu in builder.menus.items():  # a menu opened by a click fills them too
            if title != "&Coder":  # (filled when opened: gui/coder.py)
                menu.aboutToShow.connect(self.ensure_filled)

    @property
    def filled(self) -> bool:
        """Whether :meth:`ensure_filled` has made the menus' other actions."""
        return self._host is None

    def ensure_filled(self) -> None:
        """Make every action but the label keys, once (``fill_main_menus``)."""
        host, self._host = self._host, None
        if host is not None:
            if self._key_filter is not None:
                self.builder.window.removeEventFilter(self._key_filter)
                self._key_filter = None
            fill_main_menus(self, host, self._scheme)

    @property
    def undo_action(self) -> QAction:
        self.ensure_filled()
        return self._undo

    @property
    def redo_action(self) -> QAction:
        self.ensure_filled()
        return self._redo

    @property
    def others_action(self) -> QAction:
        """View → Show other coders' spans."""
        self.ensure_filled()
        return self._others

    @property
    def suggestions_action(self) -> QAction:
        """Suggestions → Show suggestions."""
        self.ensure_filled()
        return self._suggestions

    @property
    def field_actions(self) -> list[QAction]:
        """Ctrl+D, Alt+1 … Alt+9 (rebuilt when the scheme changes)."""
        self.ensure_filled()
        return self._field_actions

    @field_actions.setter
    def field_actions(self, actions: list[QAction]) -> None:
        self._field_actions = actions

    @property
    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, what it does) of every action with a shortcut: the Help table's rows."""
        self.ensure_filled()
        return self.builder.shortcut_rows


_MODIFIER_KEYS = frozenset(
    (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_AltGr, Qt.Key.Key_Meta)
)


class _FillOnKey(QObject):
    """Till the menus are filled: a key that is no label key (nor a lone modifier)
    fills them (``MainMenus.ensure_filled``) before Qt looks for its action."""

    def __init__(self, menus: MainMenus):
        window = menus.builder.window
        super().__init__(window)
        self.menus = menus
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ShortcutOverride and not self.menus.filled:
            combo = e.keyCombination()  # type: ignore[attr-defined]
            if combo.key() not in _MODIFIER_KEYS:
                pressed = QKeySequence(combo)
                labels = self.menus.label_actions.values()
                if not any(pressed in a.shortcuts() for a in labels):
                    self.menus.ensure_filled()
        return False


def build_main_menus(window: QMainWindow, host: MenuHost, scheme: Scheme) -> MainMenus:
    """Build the main window's menu bar, ``window`` being ``host`` as a QMainWindow: its
    titles and the label keys now, the rest when :meth:`MainMenus.ensure_filled` runs."""
    b = MenuBuilder(window)
    label_actions = build_label_actions(b, b.menus["&Label"], scheme, host.apply_label)
    return MainMenus(b, host, scheme, label_actions)


def fill_main_menus(m: MainMenus, host: MenuHost, scheme: Scheme) -> None:
    """Every menu's actions but the label keys (``MainMenus.ensure_filled`` calls it once).
    The shortcuts table keeps the menus' order: File's and Edit's rows before the
    labels'."""
    b, window = m.builder, m.builder.window
    label_rows = b.shortcut_rows[:]
    b.shortcut_rows.clear()

    def files(method: str, *args: Any) -> Callable[[], Any]:
        return lambda: getattr(host.files, method)(*args)

    b.fill("&File", [
        ("&Open database…", files("open_database_dialog"), ["Ctrl+O"], "", "openDb"),
        ("&Import articles…", files("import_dialog"), ["Ctrl+I"], "", "importArticles"),
        ("Import &labels…", files("import_labels_dialog"), ["Ctrl+Shift+I"],
         "Import labels from JSONL files (annotator, Prodigy, doccano)", "importLabels"),
        None,
        ("&Export…", files("ask_export"), ["Ctrl+Shift+E"],
         "Export labels (JSONL, Prodigy, doccano, spaCy, CSV, brat)", "export"),
        ("Export &my labels as JSONL…", files("export_dialog", True), ["Ctrl+E"], "",
         "exportMine"),
        ("Export &all coders as JSONL…", files("export_dialog", False), None, "",
         "exportAll"),
        None,
        ("&Merge database…", files("merge_dialog"), None,
         "Merge other coders' databases into this one", "mergeDb"),
        None,
        ("&Quit", host.close, ["Ctrl+Q"], "", "quit"),
    ])  # fmt: skip

    e = b.menus["&Edit"]
    m._undo = undo = StackAction(window, host.undo_stack, "&Undo", undo=True)
    undo.setShortcuts([QKeySequence("Ctrl+Z")])
    m._redo = redo = StackAction(window, host.undo_stack, "&Redo", undo=False)
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    for a in (undo, redo):
        b.add(e, a)
    add_separator(e)
    b.fill("&Edit", [
        ("&Delete span", host.delete_span, ["Del", "Backspace"], "Delete the selected span",
         "deleteSpan"),
        ("&Note on span…", host.edit_note, ["Ctrl+N"],
         "Write or change the note on the selected span", "editNote"),
        ("Select &sentence", host.select_sentence, ["Ctrl+L"],
         "Select the sentence at the cursor", "selectSentence"),
        ("Clear selection", host.clear_selection, ["Esc"], "Clear the selection",
         "clearSelection"),
        ("&Filter articles", host.focus_filter, ["Ctrl+F"], "Filter the article list",
         "filter"),
        ("Filter articles &by…", host.open_list_filters, ["Ctrl+Shift+L"],
         "Filter the article list by label, document field, coder or full text",
         "listFilters"),
        ("Find in &all articles…", lambda: host.open_search(), ["Ctrl+Shift+F"],
         "Search every article's text; open, walk and label the hits", "findAll"),
    ])  # fmt: skip

    b.shortcut_rows += label_rows
    m.field_actions = build_field_actions(b, b.menus["&Label"], scheme, host.open_fields)

    b.fill("&Article", [
        ("Mark &done and go to next", host.done_and_next, ["Ctrl+Return", "Ctrl+Enter"],
         "Mark the article done and open the next one not done", "doneNext"),
        ("Mark &not done", host.mark_not_done, ["Ctrl+Shift+Return"],
         "Reopen the article (in progress)", "notDone"),
        ("My &memo on this article", host.focus_memo, ["Ctrl+M"],
         "Write your memo on this article (why this dominant frame…)", "focusMemo"),
        ("Edit &title…", host.edit_title, ["F2"],
         "Edit the article's title (shown in the list and exports)", "editTitle"),
        None,
        ("&Next article", lambda: host.step_document(1), ["Ctrl+PgDown", "Alt+Down"],
         "Next article", "nextDoc"),
        ("&Previous article", lambda: host.step_document(-1), ["Ctrl+PgUp", "Alt+Up"],
         "Previous article", "prevDoc"),
        ("Next &span", lambda: host.next_span(1), ["Ctrl+J"],
         "Next span (also Tab in the article)", "nextSpan"),
        ("Pre&vious span", lambda: host.next_span(-1), ["Ctrl+K"],
         "Previous span (also Shift+Tab)", "prevSpan"),
    ])  # fmt: skip

    sm = b.fill("&Suggestions", [
        ("&Accept suggestion", host.accept_suggestion, ["Alt+Return", "Alt+Enter"],
         "Accept the suggestion at the cursor: it becomes your span", "acceptSuggestion"),
        ("&Reject suggestion", host.reject_suggestion, ["Alt+Backspace", "Alt+Del"],
         "Reject the suggestion at the cursor (it is not shown again)", "rejectSuggestion"),
        ("Accept all in &sentence", host.accept_sentence_suggestions,
         ["Alt+Shift+Return", "Alt+Shift+Enter"],
         "Accept every suggestion in the sentence at the cursor (one undo step)",
         "acceptSentenceSuggestions"),
        ("Accept suggested &fields", host.accept_field_suggestions, ["Alt+Shift+D"],
         "Accept the suggested values of the document fields you have not set",
         "acceptFieldSuggestions"),
        None,
        ("&Next suggestion", lambda: host.next_suggestion(1), ["Alt+Right"],
         "Go to the next suggestion", "nextSuggestion"),
        ("&Previous suggestion", lambda: host.next_suggestion(-1), ["Alt+Left"],
         "Go to the previous suggestion", "prevSuggestion"),
        None,
    ])  # fmt: skip
    m._suggestions = suggestions = b.action(
        sm, "S&how suggestions", host.set_show_suggestions, ["Ctrl+Shift+H"],
        "Show or hide suggestions (dashed outlines; never on documents coded blind)",
        name="showSuggestions", checkable=True,
    )  # fmt: skip

    v = b.fill("&View", [
        ("Zoom &in", lambda: host.zoom(1), ["Ctrl++", "Ctrl+="], "Larger text", "zoomIn"),
        ("Zoom &out", lambda: host.zoom(-1), ["Ctrl+-"], "Smaller text", "zoomOut"),
        ("&Actual size", lambda: host.zoom(0), ["Ctrl+0"], "Default text size", "zoomReset"),
        None,
    ])  # fmt: skip
    m._others = b.action(
        v, "Show &other coders' spans (read-only)", host.set_show_others, ["Ctrl+Shift+O"],
        "Show everyone's spans for discussion (blind coding is the default)", name="showOthers", checkable=True,
    )  # fmt: skip

    suggestions.blockSignals(True)  # the coder's toggle, remembered
    suggestions.setChecked(host.suggestions_shown())
    suggestions.blockSignals(False)

    b.fill("&Tools", [
        ("&Agreement…", lambda: host.open_agreement(), ["Ctrl+Shift+A"],
         "Inter-coder agreement: tables, α chart, coder heat map, documents", "agreement"),
        ("Agreement over &time…", lambda: host.open_trend(), None,
         "Alpha per field and label across rounds, scheme versions or weeks", "agreementTrend"),
        ("&Progress…", lambda: host.open_progress(), None,
         "How far each coder of a round is: counts, pace, a bar chart", "progress"),
        ("&Review document…", lambda: host.open_review(), ["Ctrl+Shift+R"],
         "Compare the coders' labels on this article", "reviewDocument"),
    ])  # fmt: skip
    b.fill("&Help", [
        ("&Keyboard shortcuts", host.show_shortcuts, ["F1", "Ctrl+/"],
         "Show all keyboard shortcuts", "shortcuts"),
        ("&About", host.show_about, None, "", "about"),
    ])  # fmt: skip


def build_label_actions(
    b: MenuBuilder, menu: QMenu, scheme: Scheme, apply_label: Callable[[str], None]
) -> dict[str, QAction]:
    """The Label menu: one action per span label of ``scheme``, on the label's key."""
    actions: dict[str, QAction] = {}
    for lab in scheme.offered_labels:  # a retired label is not offered
        actions[lab.name] = b.action(
            menu, f"{lab.name}", lambda _=False, n=lab.name: apply_label(n), [lab.key],
            f"Label the selection (or relabel the selected span) as {lab.name}", name=f"labelAction_{lab.name}",
        )  # fmt: skip
    return actions


def build_field_actions(
    b: MenuBuilder, menu: QMenu, scheme: Scheme, open_fields: Callable[[int | None], None]
) -> list[QAction]:
    """Below the labels: the document fields popup (Ctrl+D, ``field_picker.py``) and one
    action per field of ``scheme`` opening it on that field (Alt+1 … Alt+9), with the
    popup's own keys in the shortcuts table."""
    if not scheme.doc_fields:
        return []
    add_separator(menu)
    actions = [b.action(
        menu, "Document &fields…", lambda: open_fields(None), ["Ctrl+D"],
        "Set the document fields by key (a popup over the article)", name="fieldPicker",
    )]  # fmt: skip
    for i, spec in enumerate(scheme.doc_fields[:9]):
        name = spec.name.replace("_", " ").replace("-", " ").capitalize()
        actions.append(b.action(
            menu, f"{name}…", lambda _=False, i=i: open_fields(i), [f"Alt+{i + 1}"],
            f"Set the document field {spec.name} by key", name=f"fieldAction_{spec.name}",
        ))  # fmt: skip
    b.shortcut_rows += PICKER_ROWS
    return actions


def rebuild_label_actions(
    menus: MainMenus,
    scheme: Scheme,
    apply_label: Callable[[str], None],
    open_fields: Callable[[int | None], None] | None = None,
) -> None:
    """The scheme changed: the Label menu's actions (and their table rows) anew."""
    menus.ensure_filled()  # the field actions are made there, then remade here
    menus.builder.remove([*menus.label_actions.values(), *menus.field_actions])
    rows = menus.builder.shortcut_rows
    rows[:] = [r for r in rows if r not in PICKER_ROWS]
    menus.label_menu.clear()
    menus.label_actions = build_label_actions(menus.builder, menus.label_menu, scheme, apply_label)
    menus.field_actions = []
    if open_fields is not None:
        menus.field_actions = build_field_actions(
            menus.builder, menus.label_menu, scheme, open_fields
        )
