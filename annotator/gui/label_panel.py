"""Right pane: span labels with codebook text, document fields, the document's spans."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..scheme import DocField, Scheme, SpanLabel
from .layouts import column_scroll
from .memo_box import MemoBox
from .note_editor import note_menu, note_summary
from .plaintext import literal_mnemonic, plain_tooltip


def human(name: str) -> str:
    return name.replace("_", " ").replace("-", " ").capitalize()


@lru_cache(maxsize=64)
def swatch(color: str, size: int = 12) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(color))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(0, 0, size, size, 3, 3)
    p.end()
    return QIcon(pm)


def section_label(title: str) -> QLabel:
    """A small upper-case heading above a group of the side panels (styled by ``role``)."""
    lab = QLabel(title.upper())
    lab.setProperty("role", "section")
    return lab


class LabelButton(QFrame):
    """One span label: swatch, hotkey, name, and the codebook description."""

    clicked = Signal(str)

    def __init__(self, label: SpanLabel, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = label
        self.setObjectName(f"label_{label.name}")
        self.setProperty("role", "label")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"Label the selection (or the selected span) as {label.name}")
        bar = QFrame()
        bar.setFixedWidth(5)
        bar.setStyleSheet(f"background: {label.color}; border-radius: 2px;")
        key = QLabel(label.key)
        key.setProperty("role", "key")
        key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        key.setFixedSize(22, 22)
        name = QLabel(f"<b>{human(label.name)}</b>")
        name.setTextFormat(Qt.TextFormat.RichText)
        desc = QLabel(label.description)
        desc.setTextFormat(Qt.TextFormat.PlainText)
        desc.setWordWrap(True)
        desc.setProperty("role", "description")
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(key)
        head.addWidget(name, 1)
        body = QVBoxLayout()
        body.setSpacing(3)
        body.addLayout(head)
        body.addWidget(desc)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(6, 6, 8, 8)
        outer.setSpacing(8)
        outer.addWidget(bar)
        outer.addLayout(body, 1)

    def mouseReleaseEvent(self, e) -> None:
        if e.button() == Qt.MouseButton.LeftButton and self.rect().contains(e.position().toPoint()):
            self.clicked.emit(self.label.name)
        super().mouseReleaseEvent(e)


class FieldBox(QFrame):
    """A document field: radio buttons (single) or check boxes (multi)."""

    edited = Signal(str, object)  # field name, new value (str, tuple or None)

    def __init__(self, spec: DocField, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"field_{spec.name}")
        self.setProperty("role", "field")
        title = QLabel(f"<b>{human(spec.name)}</b>")
        hint = "choose one" if spec.kind == "single" else "all that apply"
        sub = QLabel(hint)
        sub.setProperty("role", "hint")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addWidget(sub)
        head.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 8)
        lay.setSpacing(3)
        lay.addLayout(head)
        if spec.description:
            desc = QLabel(spec.description)
            desc.setTextFormat(Qt.TextFormat.PlainText)
            desc.setWordWrap(True)
            desc.setProperty("role", "description")
            lay.addWidget(desc)
        self.buttons: dict[str, QAbstractButton] = {}
        self.group = QButtonGroup(self)
        self.group.setExclusive(spec.kind == "single")
        for opt in spec.options:
            b: QAbstractButton = (
                QRadioButton(literal_mnemonic(human(opt)))
                if spec.kind == "single"
                else QCheckBox(literal_mnemonic(human(opt)))
            )
            b.setObjectName(f"{spec.name}__{opt}")
            self.group.addButton(b)
            self.buttons[opt] = b
            lay.addWidget(b)
        self.clear_button = None
        if spec.kind == "single":
            self.clear_button = QPushButton("Clear")
            self.clear_button.setObjectName(f"{spec.name}__clear")
            self.clear_button.setFlat(True)
            self.clear_button.setProperty("role", "link")
            self.clear_button.clicked.connect(lambda: self.edited.emit(self.spec.name, None))
            lay.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignRight)
        self.group.buttonClicked.connect(self._clicked)

    def _clicked(self, _button) -> None:
        self.edited.emit(self.spec.name, self.value())

    def value(self):
        chosen = [o for o, b in self.buttons.items() if b.isChecked()]
        if self.spec.kind == "single":
            return chosen[0] if chosen else None
        return tuple(chosen)

    def set_value(self, value) -> None:
        exclusive = self.group.exclusive()
        self.group.setExclusive(False)  # allows clearing a radio group
        chosen = {value} if isinstance(value, str) else set(value or ())
        for opt, b in self.buttons.items():
            b.blockSignals(True)
            b.setChecked(opt in chosen)
            b.blockSignals(False)
        self.group.setExclusive(exclusive)


@dataclass(frozen=True)
class SpanRow:
    id: int
    label: str
    color: str
    excerpt: str
    own: bool
    coder: str
    unsaved: bool = False  # not written to the database yet (see annotator/pending/)
    note: str = ""  # the coder's note on the span (plain text)


class LabelPanel(QWidget):
    labelClicked = Signal(str)
    fieldEdited = Signal(str, object)
    spanActivated = Signal(int)
    noteRequested = Signal(int)  # the span list's context menu: "Note on span…"

    def __init__(self, scheme: Scheme, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("labelPanel")
        inner = QWidget()
        inner.setObjectName("labelPanelInner")
        col = QVBoxLayout(inner)
        col.setContentsMargins(8, 8, 8, 8)
        col.setSpacing(6)
        col.addWidget(section_label("Span labels — select text, press the key"))
        self.label_buttons: dict[str, LabelButton] = {}
        for lab in scheme.span_labels:
            b = LabelButton(lab)
            b.clicked.connect(self.labelClicked)
            self.label_buttons[lab.name] = b
            col.addWidget(b)
        self.fields: dict[str, FieldBox] = {}
        if scheme.doc_fields:
            col.addSpacing(6)
            col.addWidget(section_label("Document"))
            for spec in scheme.doc_fields:
                box = FieldBox(spec)
                box.edited.connect(self.fieldEdited)
                self.fields[spec.name] = box
                col.addWidget(box)
        self.memo = MemoBox()  # the coder's memo on the article (memo_box.py)
        col.addWidget(self.memo)
        col.addStretch(1)
        scroll = column_scroll(inner)

        spans_box = QWidget()
        sl = QVBoxLayout(spans_box)
        sl.setContentsMargins(8, 4, 8, 8)
        self.spans_title = section_label("Spans in this article")
        sl.addWidget(self.spans_title)
        self.span_list = QListWidget()
        self.span_list.setObjectName("spanList")
        self.span_list.setIconSize(QSize(10, 10))
        self.span_list.setWordWrap(True)
        self.span_list.setUniformItemSizes(False)
        self.span_list.itemClicked.connect(self._span_clicked)
        self.span_list.itemActivated.connect(self._span_clicked)
        note_menu(self.span_list, self.noteRequested)
        sl.addWidget(self.span_list, 1)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(scroll)
        split.addWidget(spans_box)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setSizes([640, 200])
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)

    # -- document fields --------------------------------------------------------

    def set_field_values(self, values: dict) -> None:
        for name, box in self.fields.items():
            box.set_value(values.get(name))

    # -- span list --------------------------------------------------------------

    def set_spans(self, rows: list[SpanRow], selected: int | None = None) -> None:
        self.span_list.blockSignals(True)
        self.span_list.clear()
        own = 0
        for r in rows:
            prefix = "" if r.own else f"{r.coder}: "
            if r.unsaved:
                prefix = "UNSAVED · "
            shown = f"{prefix}{r.excerpt}" + (f"\n✎ {note_summary(r.note)}" if r.note else "")
            item = QListWidgetItem(swatch(r.color), shown)
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, r.unsaved)
            item.setData(Qt.ItemDataRole.UserRole + 2, r.own)
            tip = f"{r.label}{'' if r.own else f' (by {r.coder}, read-only)'}"
            tip += " — not saved yet, retrying" if r.unsaved else ""
            item.setToolTip(plain_tooltip(f"{tip}\nNote: {r.note}" if r.note else tip))
            if not r.own:
                item.setForeground(QColor("#80868b"))
            else:
                own += 1
            if r.unsaved:
                font = item.font()
                font.setItalic(True)
                item.setFont(font)
                item.setForeground(QColor("#b3261e"))
            self.span_list.addItem(item)
            if r.id == selected:
                item.setSelected(True)
                self.span_list.setCurrentItem(item)
        self.span_list.blockSignals(False)
        self.spans_title.setText(f"SPANS IN THIS ARTICLE ({own})")

    def select_span(self, span_id: int | None) -> None:
        self.span_list.blockSignals(True)
        self.span_list.clearSelection()
        for i in range(self.span_list.count()):
            item = self.span_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == span_id:
                item.setSelected(True)
                self.span_list.setCurrentItem(item)
                self.span_list.scrollToItem(item)
                break
        self.span_list.blockSignals(False)

    def _span_clicked(self, item: QListWidgetItem) -> None:
        self.spanActivated.emit(item.data(Qt.ItemDataRole.UserRole))
