"""The review window's decision list: one row per decision, its detail line and key hints.

:class:`DecisionPanel` is the top of the side column: the "Decisions" heading with the
*Disagreements first* switch, the :class:`DecisionList` (agreement, label, text, coders,
gold), the detail of the current decision and the key hints. It shows what it is given
and says nothing to the store; the window fills it (:meth:`DecisionPanel.fill`) and
reacts to its list's signals.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QModelIndex, QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import pending as P
from ..decisions import (
    ACCEPTED,
    ADVANCE_RULE,
    AGREEMENT_RANK,
    EDITED,
    Decision,
    Key,
    Review,
    coders_text,
    excerpt,
)
from .label_panel import human, section_label, swatch
from .plaintext import plain_tooltip
from .review_fields import value_text
from .review_notes import SpanNotes, notes_text
from .review_rejections import rejection_unsaved
from .review_style import AGREEMENT_COLOR, AGREEMENT_TEXT, AGREEMENT_TIP, agreement_icon

COL_AGREE, COL_LABEL, COL_TEXT, COL_CODERS, COL_GOLD = range(5)
KEY_ROLE = Qt.ItemDataRole.UserRole
NO_COLOR = QColor("#888888")

KEY_HINTS = (
    "<b>A</b>/Enter accept · <b>R</b>/Del reject · <b>E</b> accept the text selection"
    " · <b>1–9</b> relabel · <b>J</b>/<b>K</b> move · <b>N</b>/<b>P</b> document"
    " · <b>G</b> accept all agreed · Ctrl+Z undo"
    f"<br><i>{ADVANCE_RULE}.</i>"
)


class DecisionList(QTreeWidget):
    """The decisions of one document, in the order given; ``rows`` is that order."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[Decision] = []
        self.setObjectName("decisionList")
        self.setColumnCount(5)
        self.setHeaderLabels(["Agreement", "Label", "Text", "Coders", "Gold"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setIconSize(QSize(12, 12))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setAllColumnsShowFocus(True)
        hdr = self.header()
        hdr.setStretchLastSection(False)
        hdr.setSectionResizeMode(COL_AGREE, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COL_LABEL, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        hdr.setSectionResizeMode(COL_CODERS, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COL_GOLD, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionsClickable(True)

    def fill(
        self,
        rows: list[Decision],
        text: str,
        colors: dict[str, QColor],
        rejected: Callable[[Decision], bool],
        unsaved: Callable[[Decision], bool],
        notes: SpanNotes | None = None,
    ) -> None:
        """Show ``rows`` (no signal): ``rejected(d)`` and ``unsaved(d)`` mark the gold column;
        a span the coders wrote ``notes`` on is marked ✎, its notes in the tooltip."""
        self.rows = rows
        self.blockSignals(True)
        self.clear()
        items = []
        for d in rows:
            it = QTreeWidgetItem()
            it.setData(0, KEY_ROLE, d.key)
            is_rejected = rejected(d) and not d.in_gold
            it.setIcon(COL_AGREE, agreement_icon(d.agreement))
            it.setText(COL_AGREE, AGREEMENT_TEXT[d.agreement])
            it.setForeground(COL_AGREE, QColor(AGREEMENT_COLOR[d.agreement]))
            it.setToolTip(COL_AGREE, AGREEMENT_TIP[d.agreement])
            if d.kind == "field":
                it.setIcon(COL_LABEL, swatch("#bdb9b0"))
                it.setText(COL_LABEL, human(d.label))
                it.setText(COL_TEXT, f"= {value_text(d.value)}")
                it.setToolTip(
                    COL_TEXT, plain_tooltip(f"Document field {d.label}: {value_text(d.value)}")
                )
            else:
                color = colors.get(d.label, NO_COLOR).name()
                it.setIcon(COL_LABEL, swatch(color))
                it.setText(COL_LABEL, human(d.label))
                said = (notes or {}).get((d.start, d.end, d.label), [])
                mark = "✎ " if said else ""
                it.setText(COL_TEXT, mark + excerpt(text, d.start, d.end, 60))
                tip = text[d.start : d.end][:600]
                if said:
                    tip = f"{tip}\n\nNotes:\n{notes_text(said)}"
                it.setToolTip(COL_TEXT, plain_tooltip(tip))
            it.setText(COL_CODERS, coders_text(d) if d.kind != "gold" else "—")
            it.setToolTip(
                COL_CODERS,
                plain_tooltip(f"Marked by {', '.join(d.coders)}") if d.kind != "gold" else "No coder marked exactly this",
            )  # fmt: skip
            gold_text, gold_color = "", "#5f6368"
            if d.gold == ACCEPTED:
                gold_text, gold_color = "✓ gold", "#1e6b33"
            elif d.gold == EDITED:
                gold_text, gold_color = "✎ edited", "#1a4f9c"
            elif is_rejected:
                gold_text, gold_color = "✗ rejected", "#80868b"
            if gold_text and unsaved(d):
                gold_text, gold_color = f"{gold_text} · unsaved", "#b3261e"
            it.setText(COL_GOLD, gold_text)
            it.setForeground(COL_GOLD, QColor(gold_color))
            it.setToolTip(COL_GOLD, plain_tooltip(gold_tip(d, text)))
            if d.in_gold or is_rejected:  # settled: recede
                for c in (COL_LABEL, COL_TEXT, COL_CODERS):
                    it.setForeground(c, QColor("#7d8187"))
            items.append(it)
        self.addTopLevelItems(items)
        self.blockSignals(False)

    def current_decision(self) -> Decision | None:
        it = self.currentItem()
        if it is None:
            return None
        key = it.data(0, KEY_ROLE)
        return next((d for d in self.rows if d.key == key), None)

    def has_decision(self, key: Key) -> bool:
        return any(d.key == key for d in self.rows)

    def select_row(self, i: int) -> None:
        it = self.topLevelItem(i)
        if it is not None:
            self.setCurrentItem(it)

    def clear_current(self) -> None:
        """No decision selected (no signal; the window updates itself)."""
        self.blockSignals(True)
        self.clearSelection()
        self.setCurrentIndex(QModelIndex())
        self.blockSignals(False)

    def select_decision(self, key: Key) -> bool:
        for i, d in enumerate(self.rows):
            if d.key == key:
                self.select_row(i)
                return True
        return False

    def step(self, delta: int) -> None:
        """Move the current row by ``delta`` (clamped; the first row if none is current)."""
        n = self.topLevelItemCount()
        if not n:
            return
        i = self.currentIndex().row()
        j = min(max(i + delta, 0), n - 1) if i >= 0 else 0
        self.select_row(j)


class DecisionPanel(QWidget):
    """The "Decisions" heading and switch, the list, the detail line and the key hints."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = DecisionList()
        self.disagreements_first = QCheckBox("Disagreements first")
        self.disagreements_first.setObjectName("disagreementsFirst")
        self.disagreements_first.setChecked(True)
        self.disagreements_first.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # The agreement column sorts disagreements first; any other, by position.
        self.list.header().sectionClicked.connect(
            lambda section: self.disagreements_first.setChecked(section == COL_AGREE)
        )
        head = QHBoxLayout()
        head.addWidget(section_label("Decisions"))
        head.addStretch(1)
        head.addWidget(self.disagreements_first)

        self.detail = QLabel()
        self.detail.setObjectName("decisionDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setMinimumHeight(54)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        hints = QLabel(KEY_HINTS)
        hints.setObjectName("keyHints")
        hints.setWordWrap(True)

        col = QVBoxLayout(self)
        col.setContentsMargins(8, 8, 8, 4)
        col.setSpacing(6)
        col.addLayout(head)
        col.addWidget(self.list, 1)
        col.addWidget(self.detail)
        col.addWidget(hints)

    def sorted_rows(self, rv: Review, field_order: dict[str, int]) -> list[Decision]:
        """``rv``'s decisions by position, disagreements first when switched on."""
        first = self.disagreements_first.isChecked()

        def key(d: Decision) -> tuple:
            pos = d.position(field_order)
            return (AGREEMENT_RANK[d.agreement], *pos) if first else pos

        return sorted(rv.decisions, key=key)


def gold_tip(d: Decision, text: str) -> str:
    """The gold column's tooltip."""
    if d.kind == "field":
        if d.gold:
            return f"Gold from {', '.join(d.gold_sources) or 'the adjudicator'}"
        return "Not in gold"
    g = d.gold_span
    if g is None:
        return "Not in gold"
    src = ", ".join(d.gold_sources) or "the adjudicator"
    if d.gold == EDITED:
        return f"Gold (edited): {g.label} “{excerpt(text, g.start, g.end, 80)}” — from {src}"
    return f"Gold from {src}"


def detail_html(
    d: Decision,
    text: str,
    colors: dict[str, QColor],
    rejected: bool,
    notes: list[tuple[str, str]] | None = None,
) -> str:
    """The detail line under the list (rich text; every stored string escaped), with the
    coders' ``notes`` on the span, each on its own lines."""
    agree = (
        f"<span style='color:{AGREEMENT_COLOR[d.agreement]}; font-weight:600'>"
        f"{AGREEMENT_TEXT[d.agreement].capitalize()}</span>"
    )
    if d.kind == "field":
        what = f"<b>{escape(human(d.label))}</b> = {escape(value_text(d.value))}"
    else:
        color = colors.get(d.label, NO_COLOR).name()
        what = (
            f"<span style='color:{color}'>■</span> <b>{escape(human(d.label))}</b>"
            f" · characters {d.start}–{d.end}"
        )
    who = (
        f"marked by {escape(coders_text(d))}"
        if d.kind != "gold"
        else "no coder marked exactly this"
    )
    if d.gold == ACCEPTED:
        gold = f"✓ in gold, from {escape(', '.join(d.gold_sources) or 'the adjudicator')}"
    elif d.gold == EDITED and d.gold_span is not None:
        g = d.gold_span
        gold = (
            f"✎ in gold as edited: {escape(human(g.label))} “{escape(excerpt(text, g.start, g.end, 60))}”"
            f" (from {escape(', '.join(d.gold_sources))})"
        )  # fmt: skip
    elif rejected:
        gold = "✗ rejected (not in gold)"
    else:
        gold = "not in gold"
    said = "".join(
        f"<br>✎ <b>{escape(coder)}</b>: {escape(note).replace(chr(10), '<br>')}"
        for coder, note in (notes or [])
        if d.kind != "field"
    )
    return f"{agree} · {what}<br>{who} · {gold}{said}"


def decision_unsaved(store: P.Overlay, pending: P.PendingEdits, doc_id: int, d: Decision) -> bool:
    """Whether this decision's gold (or rejection) is still waiting to be written."""
    if d.kind == "field":
        return d.label in store.unsaved_gold_fields(doc_id)
    if d.gold_span is not None:
        return d.gold_span.id in store.unsaved_gold_spans(doc_id)
    return rejection_unsaved(pending, doc_id, d.key)
