"""Right pane: span labels with codebook text, document fields, the document's spans.

The codebook text of each label and field shows as one line until its ▸ opens it (the
open ones are remembered per machine, ``panel/codebook_open`` in QSettings), so that the
document fields are on screen without scrolling on a 1366×768 laptop."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPaintEvent, QResizeEvent
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
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..records import FrozenRecord
from ..scheme import DocField, Scheme, SpanLabel
from .layouts import bold_label, column_scroll
from .memo_box import MemoBox
from .note_editor import note_menu, note_summary
from .plaintext import literal_mnemonic, plain_tooltip

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon, QPixmap

# QSettings: the codebook texts left open, "label:<name> field:<name> ..." (names have no spaces).
CODEBOOK_KEY = "panel/codebook_open"


def human(name: str) -> str:
    return name.replace("_", " ").replace("-", " ").capitalize()


def draw_swatch(color: str, size: int = 12) -> QPixmap:
    """A rounded square of ``color``, ``size`` pixels wide."""
    from PySide6.QtGui import QPainter, QPixmap

    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(color))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(0, 0, size, size, 3, 3)
    p.end()
    return pm


@lru_cache(maxsize=64)
def swatch(color: str, size: int = 12) -> QIcon:
    from PySide6.QtGui import QIcon

    return QIcon(draw_swatch(color, size))


SPAN_ICON = 10  # the span list's swatches, in pixels


@lru_cache(maxsize=64)
def span_swatch(color: str) -> QPixmap:
    """The span list's swatch: ``swatch``'s pixmap as a decoration ``SPAN_ICON`` wide,
    which the list's delegate draws exactly as it drew ``swatch(color)`` at that icon
    size (scaled down from 12 pixels, or not, as the screen's pixel ratio asks). Given as
    a pixmap, not an icon: PySide makes its QIcon class (about 1.5 ms) at the first
    QIcon, which was the first span a coder labels after the start. (Drawn, not copied
    from another pixmap: QPixmap's copy overload makes its QImage class.)"""
    pm = draw_swatch(color)
    pm.setDevicePixelRatio(pm.width() / SPAN_ICON)
    return pm


def section_label(title: str) -> QLabel:
    """A small upper-case heading above a group of the side panels (styled by ``role``)."""
    lab = QLabel(title.upper())
    lab.setProperty("role", "section")
    return lab


class Blurb(QLabel):
    """Codebook text: one line cut with "…" (collapsed; the whole text in its tooltip),
    or all of it, wrapped (expanded)."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.full = text.strip()
        self.flat = " ".join(text.split())
        self.expanded = False
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setProperty("role", "description")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_expanded(False)

    def set_expanded(self, on: bool) -> None:
        self.expanded = on
        self.setWordWrap(on)
        self.setToolTip("" if on else plain_tooltip(self.full))
        self._fill()
        self.updateGeometry()

    def _fill(self) -> None:
        if self.expanded:
            self.setText(self.full)
        else:
            width = max(self.contentsRect().width(), 20)
            self.setText(
                self.fontMetrics().elidedText(self.flat, Qt.TextElideMode.ElideRight, width)
            )

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        if not self.expanded:
            self._fill()

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())


def expander(name: str, tip: str) -> QToolButton:
    """The ▸ / ▾ button that opens and closes a codebook text."""
    b = QToolButton()
    b.setObjectName(f"codebook_{name}")
    b.setCheckable(True)
    b.setAutoRaise(True)
    b.setText("▸")
    b.setToolTip(tip)
    b.setFixedSize(22, 22)
    b.setCursor(Qt.CursorShape.ArrowCursor)
    b.toggled.connect(lambda on: b.setText("▾" if on else "▸"))
    return b


class ColourBar(QFrame):
    """A bar of one colour with rounded corners (2 px): what the style sheet
    ``background: <colour>; border-radius: 2px`` drew, pixel for pixel, without a style
    sheet of its own (each restyles the window's for its widget: about 0.5 ms a card at
    start)."""

    def __init__(self, color: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.color = QColor(color)

    def paintEvent(self, e: QPaintEvent) -> None:
        from PySide6.QtGui import QPainter

        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self.color)
        p.drawRoundedRect(self.rect(), 2, 2)
        p.end()


class LabelButton(QFrame):
    """One span label: swatch, hotkey, name, and the codebook description (one line
    until ``expand`` opens it)."""

    clicked = Signal(str)

    def __init__(self, label: SpanLabel, color: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = label
        self.setObjectName(f"label_{label.name}")
        self.setProperty("role", "label")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"Label the selection (or the selected span) as {label.name}")
        # the colour its spans' bands are painted in (``color``), which may differ from the
        # scheme's (a look-alike label moved apart, a pale colour darkened): colours.py
        bar = ColourBar(color or label.color)
        bar.setObjectName("labelBar")
        bar.setFixedWidth(5)
        key = QLabel(label.key)
        key.setProperty("role", "key")
        key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        key.setFixedSize(22, 22)
        name = bold_label(human(label.name))
        self.desc = Blurb(label.description)
        self.expand = expander(f"label_{label.name}", "Show or hide the codebook text")
        self.expand.toggled.connect(self.desc.set_expanded)
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(key)
        head.addWidget(name, 1)
        head.addWidget(self.expand)
        body = QVBoxLayout()
        body.setSpacing(1)
        body.addLayout(head)
        if label.description.strip():
            body.addWidget(self.desc)
        else:
            self.expand.hide()
        outer = QHBoxLayout(self)
        outer.setContentsMargins(6, 5, 8, 6)
        outer.setSpacing(8)
        outer.addWidget(bar)
        outer.addLayout(body, 1)

    def mouseReleaseEvent(self, e) -> None:
        if e.button() == Qt.MouseButton.LeftButton and self.rect().contains(e.position().toPoint()):
            self.clicked.emit(self.label.name)
        super().mouseReleaseEvent(e)


class FieldBox(QFrame):
    """A document field: radio buttons (single) or check boxes (multi); its description
    one line until ``expand`` opens it; Clear (single) in its heading."""

    edited = Signal(str, object)  # field name, new value (str, tuple or None)

    def __init__(self, spec: DocField, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"field_{spec.name}")
        self.setProperty("role", "field")
        title = bold_label(human(spec.name))
        hint = "choose one" if spec.kind == "single" else "all that apply"
        sub = QLabel(hint)
        sub.setProperty("role", "hint")
        head = QHBoxLayout()
        head.setSpacing(6)
        head.addWidget(title)
        head.addWidget(sub)
        head.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 5, 8, 6)
        lay.setSpacing(1)
        lay.addLayout(head)
        self.desc = Blurb(spec.description)
        self.expand = expander(f"field_{spec.name}", "Show or hide the field's description")
        self.expand.toggled.connect(self.desc.set_expanded)
        if spec.description.strip():
            lay.addWidget(self.desc)
        else:
            self.expand.hide()
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
            head.addWidget(self.clear_button)
        head.addWidget(self.expand)
        self.group.buttonClicked.connect(self._clicked)
        self._column = lay
        self.suggestion: QLabel | None = None  # "suggested: … · 0.83", made on first use

    def set_suggestion(self, text: str) -> None:
        """A suggested value under the field's name (dashed, small), or "" for none."""
        if self.suggestion is None:
            if not text:
                return
            self.suggestion = QLabel()
            self.suggestion.setObjectName(f"{self.spec.name}__suggestion")
            self.suggestion.setTextFormat(Qt.TextFormat.PlainText)
            self.suggestion.setWordWrap(True)  # a long multi value wraps in the box
            self.suggestion.setToolTip("Alt+Shift+D accepts the suggested fields")
            self.suggestion.setStyleSheet(
                "QLabel { border: 1px dashed #8a8f98; border-radius: 3px; padding: 0 3px;"
                " color: #5b6270; font-size: 11px; }"
            )
            # the box's width (not its own): a wrapped hint gets the height it needs
            self._column.insertWidget(1, self.suggestion)
        self.suggestion.setText(text)
        self.suggestion.setVisible(bool(text))

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


class SpanRow(FrozenRecord):
    id: int
    label: str
    color: str
    excerpt: str
    own: bool
    coder: str
    unsaved: bool  # not written to the database yet (see annotator/pending/)
    note: str  # the coder's note on the span (plain text)
    flag: str  # why the coder should look at it again (its text was corrected), or ""

    def __init__(
        self,
        id: int,
        label: str,
        color: str,
        excerpt: str,
        own: bool,
        coder: str,
        unsaved: bool = False,
        note: str = "",
        flag: str = "",
    ) -> None:
        d = self.__dict__
        d["id"] = id
        d["label"] = label
        d["color"] = color
        d["excerpt"] = excerpt
        d["own"] = own
        d["coder"] = coder
        d["unsaved"] = unsaved
        d["note"] = note
        d["flag"] = flag


class LabelPanel(QWidget):
    labelClicked = Signal(str)
    fieldEdited = Signal(str, object)
    spanActivated = Signal(int)
    noteRequested = Signal(int)  # the span list's context menu: "Note on span…"

    def __init__(
        self, scheme: Scheme, settings: QSettings | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setObjectName("labelPanel")
        self.settings = settings
        opened = str(settings.value(CODEBOOK_KEY, "") or "") if settings is not None else ""
        self.codebook_open = set(opened.split())  # "label:<name>", "field:<name>"
        inner = QWidget()
        inner.setObjectName("labelPanelInner")
        col = QVBoxLayout(inner)
        col.setContentsMargins(8, 8, 8, 8)
        col.setSpacing(6)
        col.addWidget(section_label("Span labels — select text, press the key"))
        self.label_buttons: dict[str, LabelButton] = {}
        palette = scheme.palette()
        for lab in scheme.offered_labels:  # a retired label is not offered
            paint = palette.paint(lab.name)
            b = LabelButton(lab, paint.band if paint is not None else None)
            b.clicked.connect(self.labelClicked)
            self.label_buttons[lab.name] = b
            self._remember(b.expand, f"label:{lab.name}")
            col.addWidget(b)
        # -- the document fields (a block of their own) --
        self.fields: dict[str, FieldBox] = {}
        self.fields_title: QLabel | None = None
        if scheme.doc_fields:
            col.addSpacing(6)
            self.fields_title = section_label("Document — Ctrl+D to set by key")
            self.fields_title.setToolTip(
                "Ctrl+D (or Alt+1 … Alt+9 for a field) opens the fields over the article:"
                " press an option's key; Esc closes"
            )
            col.addWidget(self.fields_title)
            for spec in scheme.doc_fields:
                box = FieldBox(spec)
                box.edited.connect(self.fieldEdited)
                self.fields[spec.name] = box
                self._remember(box.expand, f"field:{spec.name}")
                col.addWidget(box)
        # -- end of the document fields --
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
        self.span_list.setIconSize(QSize(SPAN_ICON, SPAN_ICON))
        self.span_list.setWordWrap(True)
        self.span_list.setUniformItemSizes(False)
        # rows wrap to the pane's width (laid out again when it changes): no sideways scrolling
        self.span_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.span_list.setResizeMode(QListWidget.ResizeMode.Adjust)
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

    # -- codebook texts: open or one line, remembered ----------------------------

    def _remember(self, button: QToolButton, key: str) -> None:
        button.setChecked(key in self.codebook_open)
        button.toggled.connect(lambda on, key=key: self._codebook_toggled(key, on))

    def _codebook_toggled(self, key: str, on: bool) -> None:
        (self.codebook_open.add if on else self.codebook_open.discard)(key)
        if self.settings is not None:
            self.settings.setValue(CODEBOOK_KEY, " ".join(sorted(self.codebook_open)))

    # -- document fields --------------------------------------------------------

    def set_field_values(self, values: dict) -> None:
        for name, box in self.fields.items():
            box.set_value(values.get(name))

    def set_field_suggestions(self, hints: dict[str, str]) -> None:
        """The suggested value of each field (``suggestion_layer.py``); others none."""
        for name, box in self.fields.items():
            box.set_suggestion(hints.get(name, ""))

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
            if r.flag:
                shown += "\n⚑ text corrected: check it"
            item = QListWidgetItem(shown)
            item.setData(Qt.ItemDataRole.DecorationRole, span_swatch(r.color))
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, r.unsaved)
            item.setData(Qt.ItemDataRole.UserRole + 2, r.own)
            tip = f"{r.label}{'' if r.own else f' (by {r.coder}, read-only)'}"
            tip += " — not saved yet, retrying" if r.unsaved else ""
            tip += (
                f"\n⚑ {r.flag}; once checked, press its label key again (or edit it)"
                if r.flag
                else ""
            )
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
