"""Suggestions in the article (issue 15): the stored suggestion layer drawn as dashed
outlines in the label's colour, never filled like a coder's spans, and the document
fields' suggested values as a hint beside each field.

Blind first: on a document of any round's reliability sample suggestions are never
shown, whatever the toggle; elsewhere the scheme's ``suggestions`` mode decides
(``always``, ``after-first-pass``: once the coder has marked the document done,
``never``), then the coder's toggle (View → Suggestions, remembered). What the status
bar says must not reveal the sample: a reliability document reads exactly as a document
with no suggestions stored in the same state ("" or "suggestions after your first
pass"), never "hidden because ...".

The layer is read after the document is shown (the window hands the read to
``deferred.AfterStart``), once per document; an edit only filters what was read (a
suggestion the coder has as a span, same start, end and label, or rejected, is not
drawn). Thousands of suggestions cost a list and the visible outlines, no widget each.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any, Protocol

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QStatusBar

from ..models import Document, Span, SuggestedLabel, Suggestion
from ..scheme import Scheme
from ..store import Store
from .article_view import ArticleView, PaintSpan
from .span_display import NO_COLOR

SHOW_KEY = "suggestions/show"  # QSettings: the coder's toggle (default: shown)

# Why nothing is drawn: the coder's toggle, the scheme, not yet done once. A
# reliability document has no reason of its own (it reads as "nothing stored").
OFF, NEVER, FIRST_PASS, BLIND = "off", "never", "first-pass", "blind"


def shown_by_default(settings: QSettings) -> bool:
    return str(settings.value(SHOW_KEY, "true")).lower() not in ("false", "0")


def hidden_reason(store: Store, doc_id: int, coder: str, mode: str, toggled_on: bool) -> str | None:
    """Why the window shows no suggestions on ``doc_id`` to ``coder`` (None: it shows
    them). The reasons the coder may be told (the scheme, the toggle, the first pass) are
    the same on every document, so they come first; then the reliability sample (of any
    round): never there, and told as nothing."""
    if mode == "never":
        return NEVER
    if not toggled_on:
        return OFF
    if mode == "after-first-pass" and not store.done_once(doc_id, coder):
        return FIRST_PASS
    if doc_id in set(store.reliability_documents()):
        return BLIND
    return None


def hint_text(reason: str | None, spans: int, fields: int) -> str:
    """The status bar's words: neutral, the same for a reliability document as for one
    with nothing stored."""
    if reason == OFF:
        return "Suggestions off (Ctrl+Shift+H)"
    if reason == FIRST_PASS:
        return "Suggestions after your first pass"
    if reason is not None or spans + fields == 0:
        return ""
    parts = []
    if spans:
        parts.append(f"{spans} suggested span{'s' if spans != 1 else ''}")
    if fields:
        parts.append(f"{fields} suggested field{'s' if fields != 1 else ''}")
    return " · ".join(parts) + " — Alt+Enter accepts"


def field_hint(label: SuggestedLabel) -> str:
    """``suggested: Skeptical of alliance · 0.61``: the options in the buttons' words."""
    values = (label.value,) if isinstance(label.value, str) else label.value
    value = ", ".join(v.replace("_", " ").replace("-", " ").capitalize() for v in values)
    value = value or "none"
    score = "" if label.score is None else f" · {label.score:.2f}"
    return f"suggested: {value}{score}"


class LayerHost(Protocol):
    """What the layer needs of the main window."""

    store: Store
    coder: str
    scheme: Scheme
    doc: Document | None
    view: ArticleView
    settings: QSettings

    @property
    def panel(self) -> Any: ...

    def statusBar(self) -> QStatusBar: ...


class SuggestionLayer:
    """The suggestions of the open document, for one main window."""

    def __init__(self, host: LayerHost):
        self.w = host
        self.doc_id: int | None = None
        self.key: tuple[object, str, int, int | None, str] | None = None  # read_for's
        self.reason: str | None = NEVER
        self._stored: list[Suggestion] = []
        self._labels: list[SuggestedLabel] = []
        self.rejected: set[tuple[str, str]] = set()
        self._painted: dict[int, PaintSpan] = {}
        self.shown: list[Suggestion] = []  # drawn, by position
        self.shown_fields: dict[str, SuggestedLabel] = {}  # field -> the value hinted
        self.current: int | None = None  # the suggestion last gone to (next / previous)
        self.hint = QLabel("")
        self.hint.setObjectName("suggestionHint")
        self.hint.setProperty("role", "hint")
        host.statusBar().addPermanentWidget(self.hint)

    @property
    def toggled_on(self) -> bool:
        return shown_by_default(self.w.settings)

    def read_for(self, doc_id: int | None) -> tuple[object, str, int, int | None, str]:
        """What the layer read depends on: the database, the coder, the scheme, the
        document and its text (another database or coder on the same document id, or
        the text corrected by ``import --update``, reads again). The store itself,
        compared by identity: a closed one's id could be reused."""
        w = self.w
        doc = w.doc
        sha = doc.sha256 if doc is not None and doc.id == doc_id else ""
        return (w.store, w.coder, w.scheme.version, doc_id, sha)

    def load(self, doc_id: int | None) -> None:
        """Read the layer of ``doc_id`` (None: no document) and whether it is shown."""
        self.doc_id, self.current = doc_id, None
        self.key = self.read_for(doc_id)
        self._stored, self._labels, self.rejected = [], [], set()
        self._painted = {}  # suggestion id -> as drawn (made once per document)
        if doc_id is None:
            self.reason = NEVER
            return
        w = self.w
        self.reason = hidden_reason(w.store, doc_id, w.coder, w.scheme.suggestions, self.toggled_on)
        if self.reason is None:
            self._stored = w.store.suggestions(doc_id)
            self._labels = w.store.suggested_labels(doc_id)
            self.rejected = w.store.rejected_suggestions(doc_id, w.coder)

    def show(self, own: list[Span], fields: dict[str, Any]) -> None:
        """Draw what is left of the layer given the coder's spans and field values."""
        if self.reason == FIRST_PASS and self.doc_id is not None:
            w = self.w
            if w.store.done_once(self.doc_id, w.coder):  # marked done since it was read
                self.load(self.doc_id)
        have = {(s.start, s.end, s.label) for s in own}
        labels = {lab.name for lab in self.w.scheme.offered_labels}  # never a retired one
        rejected = self.rejected
        self.shown = [
            s
            for s in self._stored
            if (s.start, s.end, s.label) not in have
            and s.label in labels
            and not (rejected and (s.source, s.target) in rejected)
        ]
        self.shown_fields = {}
        for lab in sorted(self._labels, key=lambda x: -(x.score or 0.0)):
            if (lab.source, lab.target) in self.rejected or lab.field in self.shown_fields:
                continue
            given = fields.get(lab.field)
            if given is not None:  # the coder has chosen: no hint
                continue
            self.shown_fields[lab.field] = lab
        if self.current not in {s.id for s in self.shown}:
            self.current = None
        self._paint()
        self.hint.setText(hint_text(self.reason, len(self.shown), len(self.shown_fields)))

    def _paint(self) -> None:
        view = self.w.view
        palette = self.w.scheme.palette()
        colors = {p.name: QColor(p.band) for p in palette.labels}
        bands = {lab.name: i for i, lab in enumerate(self.w.scheme.span_labels)}
        offsets = view.offsets
        made = self._painted
        paint = []
        for s in self.shown:
            p = made.get(s.id)
            if p is None:
                s16, e16 = offsets.range_to_utf16(s.start, s.end)
                color = colors.get(s.label, NO_COLOR)
                band = bands.get(s.label, 0)
                p = made[s.id] = PaintSpan(s.id, s16, e16, s.label, color, band, False, s.source)
            paint.append(p)
        view.set_suggestions(paint)
        panel = self.w.panel
        if hasattr(panel, "set_field_suggestions"):
            panel.set_field_suggestions(
                {f: field_hint(lab) for f, lab in self.shown_fields.items()}
            )

    # -- which suggestion ------------------------------------------------------------

    def under_cursor(self) -> Suggestion | None:
        """The suggestion the coder means: the one exactly selected, else the one last
        gone to if the cursor is in it, else the shortest containing the cursor (or the
        character before it: the cursor just after a word)."""
        view = self.w.view
        sel = view.selection_cp()
        if sel is not None:
            exact = [s for s in self.shown if (s.start, s.end) == sel]
            if exact:
                current = [s for s in exact if s.id == self.current]
                return (current or exact)[0]
        pos = view.cursor_cp()
        for p in (pos, pos - 1):
            hits = [s for s in self.shown if s.start <= p < s.end]
            if hits:
                current = [s for s in hits if s.id == self.current]
                return (current or sorted(hits, key=lambda s: (s.end - s.start, s.start)))[0]
        return None

    def in_range(self, start: int, end: int) -> list[Suggestion]:
        """The suggestions inside ``[start, end)``, by position, one per (start, end,
        label) (two sources suggesting the same span make one span)."""
        seen: set[tuple[int, int, str]] = set()
        out = []
        for s in self.shown:
            key = (s.start, s.end, s.label)
            if start <= s.start and s.end <= end and key not in seen:
                seen.add(key)
                out.append(s)
        return out

    def step(self, delta: int) -> Suggestion | None:
        """The next (``delta`` 1) or previous (-1) suggestion from the cursor, wrapping."""
        if not self.shown:
            return None
        starts = [s.start for s in self.shown]
        ids = [s.id for s in self.shown]
        if self.current in ids:
            j = (ids.index(self.current) + delta) % len(ids)
        else:
            view = self.w.view
            sel = view.selection_cp()
            pos = sel[0] if sel is not None else view.cursor_cp()
            if delta > 0:
                j = bisect_left(starts, pos + (1 if sel is not None else 0)) % len(ids)
            else:
                j = (bisect_left(starts, pos) - 1) % len(ids)
        self.current = ids[j]
        return self.shown[j]
