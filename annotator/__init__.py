"""annotator: label news articles for framing, exactly, and get a clean dataset out.

The core (this package outside ``annotator.gui``) is plain Python and never imports Qt.
"""

from .errors import AnnotatorError, InputError, NotFoundError, SchemeError, ValidationError
from .models import DocLabel, Document, DocumentSummary, Progress, Span, Tokenization
from .scheme import DocField, Scheme, SpanLabel, load_scheme, parse_scheme
from .store import Store

__version__ = "0.1.0"

__all__ = [
    "AnnotatorError",
    "DocField",
    "DocLabel",
    "Document",
    "DocumentSummary",
    "InputError",
    "NotFoundError",
    "Progress",
    "Scheme",
    "SchemeError",
    "Span",
    "SpanLabel",
    "Store",
    "Tokenization",
    "ValidationError",
    "load_scheme",
    "parse_scheme",
]
