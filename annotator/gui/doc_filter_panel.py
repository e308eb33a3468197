"""The article list's Filters popup (the list's Filters button, Ctrl+Shift+L).

Built on first use. Its controls set the list's conditions as they change
(``DocumentList.set_conditions``; ``annotator.doc_filters`` evaluates them): the status
(the same choices as the combo above the list, kept in step), has / has not a span
label (mine or anyone's), a document field's value or "not set" (mine or anyone's),
coded by a coder, and a full-text query (FTS5 syntax, as Edit → Find in all articles),
run on Enter or after a pause in typing. A query the index cannot read is said in one
line under it. Esc closes the popup; "Clear filters" clears every filter of the list.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

TEXT_PAUSE_MS = 700  # the full-text query runs after this pause in typing (or on Enter)
NOT_SET = "\x00not set"  # the field value combo's "not set" item (no option can be this)
GOLD = "gold"  # the adjudicated layer: not a coder to filter by

STYLE = """
QFrame#listFilters { background: #ffffff; border: 1px solid #b8b5ae; border-radius: 8px; }
QFrame#listFilters QLabel { background: transparent; color: #202124; }
QFrame#listFilters QLabel#filterQueryError { color: #b3261e; }
QFrame#listFilters QLabel#filtersTitle { font-weight: 600; }
"""


def _combo(name: str, items: list[tuple[str, Any]]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for text, data in items:
        box.addItem(text, data)
    return box


def _refill(box: QComboBox, items: list[tuple[str, Any]]) -> None:
    """``box`` with ``items``, keeping the chosen item if it is still among them."""
    was = box.currentData()
    box.blockSignals(True)
    box.clear()
    for text, data in items:
        box.addItem(text, data)
    i = box.findData(was)
    box.setCurrentIndex(max(i, 0))
    box.blockSignals(False)


class DocFilterPanel(QFrame):
    """The popup of one document list."""

    def __init__(self, doc_list: Any):  # a DocumentList (which imports this module)
        super().__init__(doc_list, Qt.WindowType.Popup)
        self.doc_list = doc_list
        self.setObjectName("listFilters")
        self.setStyleSheet(STYLE)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)

        # the status: the list's own combo's choices, kept in step with it
        self.status = QComboBox()
        self.status.setObjectName("filterStatus")
        self.status.setModel(doc_list.state.model())
        self.status.currentIndexChanged.connect(self._status_chosen)
        doc_list.state.currentIndexChanged.connect(self._status_followed)

        self.label = _combo("filterLabel", [("any label", "")])
        self.has_label = _combo("filterHasLabel", [("has", True), ("has not", False)])
        self.label_whose = _combo("filterLabelWhose", [("mine", False), ("anyone's", True)])
        self.field = _combo("filterField", [("any field", "")])
        self.value = _combo("filterValue", [])
        self.field_whose = _combo("filterFieldWhose", [("mine", False), ("anyone's", True)])
        self.coded_by = _combo("filterCodedBy", [("anyone", "")])
        self.text = QLineEdit()
        self.text.setObjectName("filterText")
        self.text.setPlaceholderText('words, "a phrase", prefix*, OR, NOT')
        self.text.setClearButtonEnabled(True)
        self.text.setToolTip(
            "Full text of titles and articles, as Edit → Find in all articles: "
            'words, "phrases", prefix*, AND / OR / NOT, NEAR. Runs on Enter or after a pause.'
        )
        self.error = QLabel()
        self.error.setObjectName("filterQueryError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # the query is data
        self.error.setWordWrap(True)
        self.error.hide()
        for box in (self.label, self.field, self.coded_by, self.value):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.setMinimumContentsLength(10)

        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(6)
        rows: list[tuple[str, list[QWidget]]] = [
            ("&Status", [self.status]),
            ("&Label", [self.has_label, self.label, self.label_whose]),
            ("F&ield", [self.field, self.value, self.field_whose]),
            ("&Coded by", [self.coded_by]),
            ("&Text", [self.text]),
        ]
        for r, (name, widgets) in enumerate(rows):
            caption = QLabel(name)
            caption.setBuddy(widgets[0] if name != "&Label" else self.label)
            grid.addWidget(caption, r, 0)
            if len(widgets) == 1:
                grid.addWidget(widgets[0], r, 1, 1, 3)
            else:
                for c, w in enumerate(widgets, 1):
                    grid.addWidget(w, r, c)
        grid.addWidget(self.error, len(rows), 1, 1, 3)
        self.error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.clear = QPushButton("Clear filters")
        self.clear.setObjectName("filterClear")
        self.clear.setAutoDefault(False)
        self.clear.clicked.connect(doc_list.clear_filters)
        close = QPushButton("Close")
        close.setObjectName("filterClose")
        close.setAutoDefault(False)
        close.clicked.connect(self.close_popup)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear)
        buttons.addStretch(1)
        buttons.addWidget(close)

        title = QLabel("Show only the articles that…")
        title.setObjectName("filtersTitle")
        from PySide6.QtWidgets import QVBoxLayout

        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.setSpacing(8)
        lay.addWidget(title)
        lay.addLayout(grid)
        lay.addLayout(buttons)

        self.pause = QTimer(self)
        self.pause.setSingleShot(True)
        self.pause.setInterval(TEXT_PAUSE_MS)
        self.pause.timeout.connect(self.apply)
        self.text.textEdited.connect(self._typed)
        self.text.returnPressed.connect(self.apply)
        for box in (
            self.label,
            self.has_label,
            self.label_whose,
            self.value,
            self.field_whose,
            self.coded_by,
        ):
            box.currentIndexChanged.connect(self.apply)
        self.field.currentIndexChanged.connect(self._field_chosen)
        self._applying = False

    # -- what the database offers ---------------------------------------------------

    def refresh_choices(self) -> None:
        """The labels, fields and coders of the open database (kept chosen if present)."""
        host = self.doc_list.filter_host
        if host is None:
            return
        store = host.store
        labels = list(store.scheme.label_names)
        labels += [x for x in store.span_labels() if x not in labels]
        _refill(self.label, [("any label", "")] + [(x, x) for x in labels])
        _refill(
            self.field, [("any field", "")] + [(f.name, f.name) for f in store.scheme.doc_fields]
        )
        self._fill_values()
        coders = [c for c in store.coders() if c != GOLD]
        _refill(self.coded_by, [("anyone", "")] + [(c, c) for c in coders])
        self._enable()

    def _fill_values(self) -> None:
        host = self.doc_list.filter_host
        field = self.field.currentData()
        options: list[tuple[str, Any]] = []
        if host is not None and field:
            found = host.store.scheme.field(field)
            options = [(f"= {o}", o) for o in (found.options if found else ())]
            options.append(("not set", NOT_SET))
        _refill(self.value, options)

    def _enable(self) -> None:
        has_label = bool(self.label.currentData())
        self.has_label.setEnabled(has_label)
        self.label_whose.setEnabled(has_label)
        has_field = bool(self.field.currentData())
        self.value.setEnabled(has_field)
        self.field_whose.setEnabled(has_field)

    def _field_chosen(self) -> None:
        self._fill_values()
        self.apply()

    # -- the conditions -------------------------------------------------------------

    def conditions(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.label.currentData():
            out["label"] = self.label.currentData()
            out["has_label"] = bool(self.has_label.currentData())
            out["label_anyone"] = bool(self.label_whose.currentData())
        if self.field.currentData() and self.value.currentData() is not None:
            value = self.value.currentData()
            out["field"] = self.field.currentData()
            out["value"] = None if value == NOT_SET else value
            out["field_anyone"] = bool(self.field_whose.currentData())
        if self.coded_by.currentData():
            out["coded_by"] = self.coded_by.currentData()
        if self.text.text().strip():
            out["text"] = self.text.text().strip()
        return out

    def apply(self) -> None:
        """The list filtered by the popup's conditions now."""
        if self._applying:
            return
        self.pause.stop()
        self._enable()
        self._applying = True
        try:
            self.doc_list.set_conditions(self.conditions())
        finally:
            self._applying = False

    def _typed(self, text: str) -> None:
        if text.strip():
            self.pause.start()
        else:
            self.apply()  # cleared: at once

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setToolTip(message)
        self.error.setVisible(bool(message))
        if self.isVisible():
            self.adjustSize()

    def reset(self) -> None:
        """No condition (the list's "Clear filters", another database)."""
        self.pause.stop()
        for box in (self.label, self.has_label, self.label_whose, self.field, self.field_whose):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.coded_by.blockSignals(True)
        self.coded_by.setCurrentIndex(0)
        self.coded_by.blockSignals(False)
        self._fill_values()
        self.text.clear()
        self.show_error("")
        self._enable()

    # -- status, kept in step with the list's combo ----------------------------------

    def _status_chosen(self, i: int) -> None:
        if self.doc_list.state.currentIndex() != i:
            self.doc_list.state.setCurrentIndex(i)

    def _status_followed(self, i: int) -> None:
        if self.status.currentIndex() != i:
            self.status.blockSignals(True)
            self.status.setCurrentIndex(i)
            self.status.blockSignals(False)

    # -- the popup ------------------------------------------------------------------

    def popup_under(self, anchor: QWidget) -> None:
        """Show the popup beside the list (the list stays in view and narrows as the
        conditions change), level with ``anchor`` (the Filters button)."""
        from PySide6.QtCore import QPoint

        self.refresh_choices()
        self._status_followed(self.doc_list.state.currentIndex())
        self.adjustSize()
        pane = self.doc_list
        x = pane.mapToGlobal(QPoint(pane.width(), 0)).x() + 4
        y = anchor.mapToGlobal(QPoint(0, 0)).y()
        screen = anchor.screen()
        if screen is not None:
            room = screen.availableGeometry()
            x = max(room.left(), min(x, room.right() - self.width()))
            y = max(room.top(), min(y, room.bottom() - self.height()))
        self.move(x, y)
        self.show()
        self.raise_()
        self.activateWindow()
        self.label.setFocus(Qt.FocusReason.PopupFocusReason)

    def close_popup(self) -> None:
        if self.text.text().strip() != self.doc_list.conditions.get("text", ""):
            self.apply()  # a query typed but not yet run
        self.hide()
        self.doc_list.view.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_popup()
            return
        super().keyPressEvent(event)
