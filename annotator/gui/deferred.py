"""The label panel's stand-in until the article is first painted (see
``MainWindow._first_paint``): building, polishing and painting the panel is a good part
of the start-up time, so it appears one frame after the article."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class PanelStandIn:
    """Takes the label panel's calls until the panel is built."""

    def set_spans(self, rows, selected=None) -> None:
        pass

    def set_field_values(self, values) -> None:
        pass

    def select_span(self, span_id) -> None:
        pass


class FirstPaint(QObject):
    """Calls ``then`` once, from the event loop, after ``widget`` is first painted."""

    def __init__(self, widget: QWidget, then: Callable[[], None]):
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)

    def eventFilter(self, obj, e) -> bool:
        if e.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self.then)
        return False
