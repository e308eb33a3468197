"""A calm, low-contrast chrome so the article and the label colours stand out.

Every item view (lists, tables, trees, combo popups) and every menu gets dark text on a
light blue for the item under the mouse or selected: a style sheet that sets a widget's
background but not these leaves the platform's white highlighted text on it
(tests/gui/test_style_popups.py renders them and compares the pixels).

The article's text selection is not set here: its colour depends on the scheme's label
colours (``ArticleView.set_palette`` with :func:`annotator.colours.derive_palette`), so
that it never looks like a span."""

STYLE = """
QMainWindow, QWidget#leftPane, QWidget#labelPanel, QWidget#labelPanelInner { background: #f6f5f2; }
QWidget#centrePane { background: #fffdf9; }
QPlainTextEdit#articleView { background: #fffdf9; color: #202124; border: none; }
QLabel#docTitle { font-size: 15pt; font-weight: 600; color: #202124; }
QLabel#docMeta { color: #6b6f75; }
QLabel[role="section"] { color: #6b6f75; font-size: 8.5pt; font-weight: 600;
    letter-spacing: 1px; padding-top: 4px; }
QFrame[role="label"] { background: #ffffff; border: 1px solid #e3e1dc; border-radius: 6px; }
QFrame[role="label"]:hover { border-color: #b8b5ae; }
QFrame[role="field"] { background: #ffffff; border: 1px solid #e3e1dc; border-radius: 6px; }
QLabel[role="key"] { background: #efede8; border: 1px solid #cfccc5; border-radius: 4px;
    font-family: "DejaVu Sans Mono", monospace; font-weight: 700; color: #3c4043; }
QLabel[role="description"] { color: #5f6368; font-size: 9pt; }
QLabel[role="hint"] { color: #80868b; font-size: 8.5pt; }
QPushButton[role="link"] { color: #1a73e8; border: none; padding: 0 4px; }
QTableView#documentList { background: #ffffff; alternate-background-color: #faf9f7;
    border: 1px solid #e3e1dc; border-radius: 6px; selection-background-color: #dfe9f7;
    selection-color: #202124; }
QHeaderView::section { background: #f6f5f2; border: none; border-bottom: 1px solid #e3e1dc;
    padding: 4px; color: #6b6f75; }
QListWidget#spanList { background: #ffffff; border: 1px solid #e3e1dc; border-radius: 6px; }
QListWidget#spanList::item { padding: 3px 2px; }
QListWidget#spanList::item:selected { background: #dfe9f7; color: #202124; }
QLineEdit, QComboBox { background: #ffffff; border: 1px solid #d6d3cd; border-radius: 4px;
    padding: 3px 6px; }
QLineEdit:focus, QComboBox:focus, QTableView#documentList:focus,
QListWidget#spanList:focus { border-color: #1a73e8; }
QProgressBar { background: #e8e6e1; border: none; border-radius: 3px; }
QProgressBar::chunk { background: #2e7d32; border-radius: 3px; }
QToolButton#coderButton { border: 1px solid #d6d3cd; border-radius: 12px; padding: 3px 10px;
    background: #ffffff; color: #202124; }
QToolButton#coderButton::menu-indicator { image: none; width: 0; }
QStatusBar { background: #efede8; color: #3c4043; }
QStatusBar QLabel { padding: 0 8px; }
QSplitter::handle { background: #e3e1dc; }
QAbstractItemView { background: #ffffff; color: #202124;
    selection-background-color: #dfe9f7; selection-color: #202124; }
QAbstractItemView::item:hover { background: #eef3fb; color: #202124; }
QAbstractItemView::item:selected { background: #dfe9f7; color: #202124; }
QComboBox QAbstractItemView { border: 1px solid #d6d3cd; outline: 0; padding: 2px; min-width: 9em; }
QComboBox::item { color: #202124; }
QComboBox::item:selected { background: #dfe9f7; color: #202124; padding-left: 0px; }
QMenu { background: #ffffff; color: #202124; border: 1px solid #d6d3cd; padding: 4px 0; }
QMenu::item { padding: 4px 28px 4px 24px; background: transparent; }
QMenu::item:selected { background: #dfe9f7; color: #202124; }
QMenu::item:disabled { color: #9aa0a6; }
QMenu::separator { height: 1px; background: #e3e1dc; margin: 4px 8px; }
QMenuBar::item:selected { background: #dfe9f7; color: #202124; }
"""
