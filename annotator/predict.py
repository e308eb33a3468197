"""Prediction over a whole archive (issue 15): a trained pipeline (:mod:`annotator.learn`)
run over ``.txt`` / ``.jsonl`` files and folders that need not be in any database,
written as canonical-shaped JSON lines. An engine: no database, no Qt.

- **Inputs** are read exactly as ``annotator import`` reads them
  (:func:`annotator.corpus.expand_paths`, :func:`~annotator.corpus.read_text_file`,
  :func:`~annotator.corpus.read_jsonl`): the same normalised text, the same ``source``
  (``file`` or ``file:line``), and an unreadable file or a bad ``.jsonl`` line is skipped
  with a one-line reason naming it, as import skips it; the rest is predicted.
- **Streaming**: inputs are generators feeding ``nlp.pipe(..., as_tuples=True)`` and every
  prediction is written as it comes, so memory does not grow with the archive.
- **Output**: one line per document, in input order: ``_annotator_id`` (``"model:<name>"``,
  first, so a file is recognised by its first bytes), ``text``, ``meta`` (the input's
  ``meta`` with ``source`` and ``sha256`` set), ``spans`` (``start``, ``end``, ``label``,
  ``text``, ``score``, ``origin``), ``doc_labels``, ``doc_label_scores``,
  ``doc_label_origins``, ``trained_on`` (whether the model was trained on this text) and
  ``threshold`` (the run's ``--threshold``). Tokens are left out: they are several times
  the size of the text and ``spacy`` rebuilds them from the text in milliseconds.
- **Resume**: lines are appended and flushed once per batch, so a killed run loses at most
  the batch it was in. On start the existing file is read back line by line: every
  complete line must be a prediction of this model for the input at the same place (the
  same ``source`` and ``sha256``, and the same ``threshold``); those inputs are skipped,
  a torn last line (no line end) is cut off, and the rest is appended. Nothing else of
  the file is ever changed.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from . import jsonsafe
from .atomic import dumps_line
from .corpus import JSONL_SUFFIXES, RawDocument, Skipped, expand_paths, read_jsonl, read_text_file
from .errors import AnnotatorError

try:  # POSIX: two runs never append to one file at once
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

DEFAULT_BATCH = 16  # spancat scores every 1-3 token n-gram: a batch of long articles weighs
MODEL_PREFIX = "model:"


@dataclass(frozen=True)
class PredictProgress:
    """Where a run stands: documents predicted in this run, found in the output already
    (resumed), skipped, and seconds since it started."""

    predicted: int
    resumed: int
    skipped: int
    elapsed: float

    @property
    def rate(self) -> float:
        """Documents predicted per second in this run."""
        return self.predicted / self.elapsed if self.elapsed > 0 else 0.0

    def describe(self) -> str:
        """One line: ``1,200 predicted (35/s) · 4,000 already in the output · 2 skipped``."""
        parts = [f"{self.predicted:,} predicted ({self.rate:,.1f}/s)"]
        if self.resumed:
            parts.append(f"{self.resumed:,} already in the output")
        if self.skipped:
            parts.append(f"{self.skipped:,} skipped")
        return " · ".join(parts)


@dataclass(frozen=True)
class PredictSummary:
    """What a run did: ``predicted`` lines appended, ``resumed`` found in the output from
    an earlier run, ``skipped`` inputs (one line each, naming ``file`` or ``file:line``),
    the output, the model's name and the seconds it took."""

    output: str
    model: str
    predicted: int
    resumed: int
    skipped: tuple[str, ...]
    seconds: float


ProgressFn = Callable[[PredictProgress], None]


def annotator_id(name: str) -> str:
    """The ``_annotator_id`` of a prediction made by the model named ``name``."""
    return f"{MODEL_PREFIX}{name}"


def line_head(name: str) -> bytes:
    """The bytes every prediction line of model ``name`` starts with."""
    return dumps_line({"_annotator_id": annotator_id(name)})[:-1].encode("utf-8") + b", "


def prediction_record(
    doc: RawDocument,
    spans: Iterable[Any],
    labels: Iterable[Any],
    name: str,
    trained: bool = False,
    threshold: float | None = None,
) -> dict[str, Any]:
    """One output record: ``doc`` (as read) with the model's ``spans`` and ``labels``
    (:class:`annotator.learn.ModelSpan` / ``ModelLabel``); a multi field none of whose
    options reached the threshold is left out, as ``suggest --model`` leaves it.
    ``trained``: the model was trained on this text (``trained_on``, which
    ``import-suggestions`` keeps so that agreement leaves the document out).
    ``threshold``: the run's ``--threshold``, recorded so that a resumed run cannot mix
    two thresholds in one file."""
    text = doc.text
    origin = f"suggestion:{name}"
    meta = dict(doc.meta)
    meta["source"] = doc.source
    meta["sha256"] = doc.sha256
    doc_labels: dict[str, Any] = {}
    scores: dict[str, float] = {}
    for lab in labels:
        if lab.value == ():
            continue  # a multi field with no option at the threshold: nothing predicted
        doc_labels[lab.field] = list(lab.value) if isinstance(lab.value, tuple) else lab.value
        scores[lab.field] = round(float(lab.score), 6)
    return {
        "_annotator_id": annotator_id(name),
        "text": text,
        "meta": meta,
        "spans": [
            {
                "start": s.start,
                "end": s.end,
                "label": s.label,
                "text": text[s.start : s.end],
                "score": round(float(s.score), 6),
                "origin": origin,
            }
            for s in spans
        ],
        "doc_labels": doc_labels,
        "doc_label_scores": scores,
        "doc_label_origins": dict.fromkeys(doc_labels, origin),
        "trained_on": trained,
        **({} if threshold is None else {"threshold": threshold}),
    }


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def read_inputs(
    paths: Iterable[str | Path],
    skip: Callable[[Skipped], None],
    exclude: tuple[int, int] | None = None,
    max_length: int | None = None,
) -> Iterator[RawDocument]:
    """The documents of ``paths``, lazily, in input order, read as ``annotator import``
    reads them; each input that cannot be read goes to ``skip``. A file that is
    ``exclude`` (the output, found in a folder) is passed over; a text longer than
    ``max_length`` (the pipeline's) is skipped."""
    for item in expand_paths(paths):
        if isinstance(item, Skipped):
            skip(item)
            continue
        if exclude is not None and _identity(item) == exclude:
            continue
        docs: Iterable[RawDocument | Skipped]
        if item.suffix.lower() in JSONL_SUFFIXES:
            docs = read_jsonl(item)
        else:
            docs = (read_text_file(item),)
        for doc in docs:
            if isinstance(doc, Skipped):
                skip(doc)
            elif max_length is not None and len(doc.text) > max_length:
                skip(
                    Skipped(
                        doc.source,
                        f"longer ({len(doc.text):,} characters) than the pipeline takes"
                        f" (its max_length, {max_length:,})",
                    )
                )
            else:
                yield doc


class _Output:
    """The output file: open for reading back and appending, locked, its complete lines
    checked against the model and the inputs."""

    def __init__(self, path: Path, name: str, threshold: float | None = None) -> None:
        self.path, self.name, self.threshold = path, name, threshold
        self.head = line_head(name)
        created = not path.exists()
        self.fh: IO[bytes] = open(path, "a+b")  # noqa: SIM115 - closed by close()
        self.created = created
        if fcntl is not None:
            try:
                fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                self.fh.close()
                raise AnnotatorError(
                    f"{path}: another 'annotator predict' is writing to this file; wait for"
                    " it or choose another output file"
                ) from None
        self.fh.seek(0)
        self.lineno = 0
        self.torn_at: int | None = None  # where a torn last line starts

    def identity(self) -> tuple[int, int]:
        st = os.fstat(self.fh.fileno())
        return st.st_dev, st.st_ino

    def _refuse(self, lineno: int, why: str) -> AnnotatorError:
        return AnnotatorError(
            f"{self.path}:{lineno}: {why}; 'annotator predict' appends only to its own"
            f" output for model '{self.name}': choose another output file"
        )

    def existing(self) -> Iterator[tuple[str, str]]:
        """``(source, sha256)`` of each complete line, checked, in order; a torn last line
        is remembered (``torn_at``), not yielded."""
        fh = self.fh
        while True:
            at = fh.tell()
            raw = fh.readline()
            if not raw:
                return
            self.lineno += 1
            if not raw.endswith(b"\n"):
                if not (raw.startswith(self.head) or self.head.startswith(raw)):
                    raise self._refuse(self.lineno, "the last line is not a prediction")
                self.torn_at = at
                return
            yield self._key(raw)

    def _key(self, raw: bytes) -> tuple[str, str]:
        n = self.lineno
        try:
            rec = jsonsafe.loads(raw)
        except (jsonsafe.StrictJSONError, UnicodeDecodeError):
            raise self._refuse(n, "not a JSON line") from None
        if not isinstance(rec, dict):
            raise self._refuse(n, "not a JSON object")
        who = rec.get("_annotator_id")
        if who != annotator_id(self.name):
            if isinstance(who, str) and who.startswith(MODEL_PREFIX):
                raise self._refuse(n, f"a prediction of model '{who[len(MODEL_PREFIX) :]}'")
            raise self._refuse(n, "not a prediction (no _annotator_id 'model:...')")
        meta = rec.get("meta")
        source = meta.get("source") if isinstance(meta, dict) else None
        sha = meta.get("sha256") if isinstance(meta, dict) else None
        if not isinstance(source, str) or not isinstance(sha, str):
            raise self._refuse(n, "a prediction without meta.source and meta.sha256")
        made = rec.get("threshold")  # absent in files written before it was recorded
        if made is not None and self.threshold is not None and made != self.threshold:
            raise AnnotatorError(
                f"{self.path}:{n}: predicted with --threshold {made}, this run has"
                f" {self.threshold}: resume with --threshold {made}, or give another output"
                " file (one file keeps one threshold)"
            )
        return source, sha

    def start_appending(self) -> None:
        """Cut a torn last line off (nothing else is ever cut) and write after the rest."""
        if self.torn_at is not None:
            self.fh.truncate(self.torn_at)
        self.fh.seek(0, os.SEEK_END)

    def write(self, lines: list[str]) -> None:
        self.fh.write("".join(lines).encode("utf-8"))
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


def _resume(out: _Output, docs: Iterator[RawDocument]) -> int:
    """Walk the output's complete lines beside the inputs; each must be the prediction of
    the input at the same place. Returns how many there were (the inputs they stand for
    are consumed from ``docs``)."""
    n = 0
    for source, sha in out.existing():
        doc = next(docs, None)
        if doc is None:
            raise AnnotatorError(
                f"{out.path}:{out.lineno}: the output holds more predictions than the inputs"
                " have documents; give the inputs of the interrupted run, or another output"
                " file"
            )
        if doc.source != source or doc.sha256 != sha:
            what = "another source" if doc.source != source else "another text"
            raise AnnotatorError(
                f"{out.path}:{out.lineno}: predicted {source}, but the input at this place is"
                f" {doc.source} ({what}); give the inputs of the interrupted run in the same"
                " order, or another output file"
            )
        n += 1
    return n


def predict(
    model_dir: str | Path,
    paths: Iterable[str | Path],
    out: str | Path,
    n_process: int = 1,
    batch_size: int = DEFAULT_BATCH,
    threshold: float | None = None,
    progress: ProgressFn | None = None,
) -> PredictSummary:
    """Predict every document of ``paths`` with the pipeline in ``model_dir`` into the
    JSON lines file ``out`` (see the module's docstring), resuming an interrupted run.

    ``threshold``: the least score of a span or field value written (default
    :data:`annotator.learn.DEFAULT_THRESHOLD`). ``progress`` gets a
    :class:`PredictProgress` after each batch written.
    """
    from . import learn
    from .paths import check_output

    started = time.perf_counter()
    if n_process < 1:
        raise AnnotatorError(f"--n-process must be at least 1 (got {n_process})")
    if batch_size < 1:
        raise AnnotatorError(f"--batch-size must be at least 1 (got {batch_size})")
    threshold = learn.DEFAULT_THRESHOLD if threshold is None else threshold
    if not 0.0 <= threshold <= 1.0:
        raise AnnotatorError(f"--threshold must be between 0 and 1 (got {threshold})")
    if str(out) == "-":
        raise AnnotatorError(
            "predict writes to a file, not standard output (an interrupted run resumes from"
            " it); give -o FILE.jsonl"
        )
    inputs = [Path(p) for p in paths]
    if not inputs:
        raise AnnotatorError("no input given: name .txt or .jsonl files or folders")
    target = check_output(out)
    ident = _identity(target)
    for p in inputs:
        if ident is not None and _identity(p) == ident:
            raise AnnotatorError(f"{p}: is the output file; an input cannot be the output")
    nlp = learn.load_model(model_dir)
    learn.use_threshold(nlp, threshold)
    name = learn.model_name(nlp)
    fields = learn.fields_of(nlp)
    learned = learn.trained_texts(nlp)
    skipped: list[str] = []
    output = _Output(target, name, threshold)
    predicted = resumed = 0
    try:
        docs = read_inputs(
            inputs, lambda s: skipped.append(str(s)), output.identity(), nlp.max_length
        )
        resumed = _resume(output, docs)
        output.start_appending()

        def report() -> None:
            if progress is not None:
                elapsed = time.perf_counter() - started
                progress(PredictProgress(predicted, resumed, len(skipped), elapsed))

        report()
        pending: list[str] = []
        stream = nlp.pipe(
            ((d.text, d) for d in docs), as_tuples=True, n_process=n_process, batch_size=batch_size
        )
        try:
            for doc, raw in stream:
                spans, labels = learn.predict_doc(doc, threshold, fields)
                record = prediction_record(
                    raw, spans, labels, name, raw.sha256 in learned, threshold
                )
                pending.append(dumps_line(record) + "\n")
                if len(pending) >= batch_size:
                    output.write(pending)
                    predicted += len(pending)
                    pending = []
                    report()
        except KeyboardInterrupt:  # Ctrl+C: keep the complete lines made so far
            output.write(pending)
            raise
        if pending:
            output.write(pending)
            predicted += len(pending)
        report()
        with contextlib.suppress(OSError):
            os.fsync(output.fh.fileno())
    except OSError as e:
        where = e.filename or target
        raise AnnotatorError(f"{where}: cannot read or write ({e.strerror or e})") from None
    finally:
        output.close()
        if output.created and predicted == 0 and resumed == 0:
            with contextlib.suppress(OSError):
                if target.stat().st_size == 0:
                    target.unlink()
    return PredictSummary(
        str(target), name, predicted, resumed, tuple(skipped), time.perf_counter() - started
    )
