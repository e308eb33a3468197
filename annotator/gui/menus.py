"""The main window's menu bar: File, Edit, Label, Article, View, Coder, Tools, Help.

A mix-in of :class:`~annotator.gui.window.MainWindow` (split out of ``window.py``):
every action is also added to the window, so its shortcut works anywhere in it, and
is listed in the keyboard shortcuts dialog. The File menu's jobs live in
``file_actions.py`` and are loaded on first use.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu


def key_text(sequences: list[QKeySequence]) -> str:
    return " or ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences)


class MenuBar:
    """Menu-building methods of the main window (uses its slots and attributes)."""

    def _act(
        self,
        menu: QMenu,
        text: str,
        slot,
        keys: list[str] | None = None,
        tip: str = "",
        name: str = "",
        checkable: bool = False,
    ) -> QAction:
        a = QAction(text, self)
        if name:
            a.setObjectName(name)
        if keys:
            seqs = [QKeySequence(k) for k in keys]
            a.setShortcuts(seqs)
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self._shortcut_rows.append((key_text(seqs), tip or text.replace("&", "").rstrip("…")))
        if tip:
            a.setStatusTip(tip)
        a.setCheckable(checkable)
        (a.toggled if checkable else a.triggered).connect(slot)
        menu.addAction(a)
        self.addAction(a)
        return a

    def _build_menu_bar(self) -> None:
        from .lockguard import protect

        protect(self)  # from here on only SQLite may open this window's database file
        titles = ("&File", "&Edit", "&Label", "&Article", "&View", "&Coder", "&Tools", "&Help")
        self._menus = {t: self.menuBar().addMenu(t) for t in titles}
        self.label_menu = self._menus["&Label"]
        self.coder_menu = self._menus["&Coder"]
        self.coder_menu.aboutToShow.connect(self._fill_coder_menu)
        self.coder_button.setMenu(self.coder_menu)

    def _menu(self, title: str, entries: list) -> QMenu:
        """Fill a menu from ``(text, slot, keys, tip, name)`` entries; ``None``: a separator."""
        menu = self._menus[title]
        for entry in entries:
            if entry is None:
                menu.addSeparator()
            else:
                text, slot, keys, tip, name = entry
                self._act(menu, text, slot, keys, tip, name)
        return menu

    def _build_actions(self) -> None:
        def files(method: str, *args):
            return lambda: getattr(self.files, method)(*args)

        self._menu("&File", [
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
            ("&Quit", self.close, ["Ctrl+Q"], "", "quit"),
        ])  # fmt: skip

        e = self._menus["&Edit"]
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for a in (self.undo_action, self.redo_action):
            e.addAction(a)
            self.addAction(a)
            self._shortcut_rows.append((key_text(a.shortcuts()), a.text().replace("&", "")))
        e.addSeparator()
        for text, slot, keys, tip, name in [
            ("&Delete span", self.delete_span, ["Del", "Backspace"], "Delete the selected span",
             "deleteSpan"),
            ("Select &sentence", self.view.select_sentence, ["Ctrl+L"],
             "Select the sentence at the cursor", "selectSentence"),
            ("Clear selection", self.clear_selection, ["Esc"], "Clear the selection",
             "clearSelection"),
            ("&Filter articles", self._focus_filter, ["Ctrl+F"], "Filter the article list",
             "filter"),
        ]:  # fmt: skip
            self._act(e, text, slot, keys, tip, name)

        self._build_label_actions()

        self._menu("&Article", [
            ("Mark &done and go to next", self.done_and_next, ["Ctrl+Return", "Ctrl+Enter"],
             "Mark the article done and open the next one not done", "doneNext"),
            ("Mark &not done", self.mark_not_done, ["Ctrl+Shift+Return"],
             "Reopen the article (in progress)", "notDone"),
            ("Edit &title…", self.edit_title, ["F2"],
             "Edit the article's title (shown in the list and exports)", "editTitle"),
            None,
            ("&Next article", lambda: self.step_document(1), ["Ctrl+PgDown", "Alt+Down"],
             "Next article", "nextDoc"),
            ("&Previous article", lambda: self.step_document(-1), ["Ctrl+PgUp", "Alt+Up"],
             "Previous article", "prevDoc"),
            ("Next &span", lambda: self.next_span(1), ["Ctrl+J"],
             "Next span (also Tab in the article)", "nextSpan"),
            ("Pre&vious span", lambda: self.next_span(-1), ["Ctrl+K"],
             "Previous span (also Shift+Tab)", "prevSpan"),
        ])  # fmt: skip

        v = self._menu("&View", [
            ("Zoom &in", lambda: self.zoom(1), ["Ctrl++", "Ctrl+="], "Larger text", "zoomIn"),
            ("Zoom &out", lambda: self.zoom(-1), ["Ctrl+-"], "Smaller text", "zoomOut"),
            ("&Actual size", lambda: self.zoom(0), ["Ctrl+0"], "Default text size", "zoomReset"),
            None,
        ])  # fmt: skip
        self.others_action = self._act(
            v, "Show &other coders' spans (read-only)", self.set_show_others, ["Ctrl+Shift+O"],
            "Show everyone's spans for discussion (blind coding is the default)", name="showOthers", checkable=True,
        )  # fmt: skip

        self._menu("&Tools", [
            ("&Agreement…", self.show_agreement, ["Ctrl+Shift+A"],
             "Inter-coder agreement: tables, α chart, coder heat map, documents", "agreement"),
            ("&Review document…", lambda: self.review_document(), ["Ctrl+Shift+R"],
             "Compare the coders' labels on this article", "reviewDocument"),
        ])  # fmt: skip
        self._menu("&Help", [
            ("&Keyboard shortcuts", self.show_shortcuts, ["F1", "Ctrl+/"],
             "Show all keyboard shortcuts", "shortcuts"),
            ("&About", self._about, None, "", "about"),
        ])  # fmt: skip

    def _build_label_actions(self) -> None:
        self.label_actions: dict[str, QAction] = {}
        for lab in self.scheme.span_labels:
            self.label_actions[lab.name] = self._act(
                self.label_menu, f"{lab.name}", lambda _=False, n=lab.name: self.apply_label(n), [lab.key],
                f"Label the selection (or relabel the selected span) as {lab.name}", name=f"labelAction_{lab.name}",
            )  # fmt: skip
