"""Training time and peak memory of ``annotator train`` on synthetic documents (issue 15),
against bare spaCy training of the same pipeline on the same documents in the same run.

A corpus of ``--docs`` synthetic articles (tests/train_corpus.py: template sentences about
sanctions, catastrophe and doubt, labelled spans and both document fields in the gold
layer; about 350 characters each) is stored once in a temporary database. Then, in
fresh child processes that take turns (``--repeat`` times, the app first in odd runs):

- **app**: ``annotator train -o DIR --epochs E --json`` through the command line:
  reading the gold layer, the split, aligning, training, the held-out evaluation and the
  atomic model folder;
- **bare**: the same training with spaCy alone, without the app's layers: the same
  training and held-out documents (the app's split, read from a JSON file written before
  the timed runs), the same components (spancat with the same suggester range, a bag of
  words text classifier per field), the same seed, batches and epochs, then the held-out
  documents predicted and the pipeline written with ``nlp.to_disk``. Its output is
  checked in the run: its held-out span F1 (exact match) must equal the app's.

Each child reports its own wall and CPU time (from before spaCy is imported) and peak
RSS (``VmHWM``, read as it exits). Printed: seconds and MB for each side (medians) and
**ratio = app seconds / bare seconds**, wall and CPU (the app's own cost: reading the
store, the split, alignment, the evaluation's bookkeeping and the atomic folder).

    python bench/suggest_train.py [--docs 500] [--epochs 10] [--repeat 1] [--seed 0]

Last run (defaults: 500 documents, 400 trained and 100 held out, 10 epochs; shared 2-core
machine at load 9-13, so the wall times are mostly waiting): app 447.6 s wall, **82.9 s
CPU**, peak 416 MB; bare 338.6 s wall, 81.9 s CPU, peak 412 MB; **ratio app / bare: CPU
1.01** (wall 1.32, noise at that load); held-out span F1 1.0 on both sides (equal).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APP = """
import sys, time
from annotator.cli import cli
t0, c0 = time.perf_counter(), time.process_time()
try:
    cli.main(sys.argv[1:], prog_name="annotator", standalone_mode=False)
    code = 0
except SystemExit as e:
    code = e.code or 0
except Exception as e:
    print(f"child failed: {type(e).__name__}: {e}", file=sys.stderr)
    code = 1
secs = time.perf_counter() - t0
hwm = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
print("RESULT", code, secs, time.process_time() - c0, hwm, file=sys.stderr)
"""

BARE = """
import json, random, sys, time
t0, c0 = time.perf_counter(), time.process_time()
import spacy
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch
from thinc.api import compounding

data = json.load(open(sys.argv[1], encoding="utf-8"))
out = sys.argv[2]
epochs, seed = data["epochs"], data["seed"]
labels, fields = data["span_labels"], data["doc_fields"]
nlp0 = spacy.blank("en")

def ref(item):
    doc = nlp0.make_doc(item["text"])
    doc.spans["sc"] = [doc.char_span(s, e, label=l, alignment_mode="expand")
                       for s, e, l in item["spans"]]
    return doc

train = [ref(x) for x in data["train"]]
held = [ref(x) for x in data["eval"]]
fix_random_seed(seed)
nlp = spacy.blank("en")
sc = nlp.add_pipe("spancat", config={"spans_key": "sc", "threshold": 0.5, "suggester": {
    "@misc": "spacy.ngram_range_suggester.v1", "min_size": data["suggester"][0],
    "max_size": data["suggester"][1]}})
for l in labels:
    sc.add_label(l)
for f, (kind, options) in fields.items():
    model = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": kind == "single",
             "ngram_size": 2, "no_output_layer": False, "length": 262144}
    tc = nlp.add_pipe("textcat" if kind == "single" else "textcat_multilabel",
                      name="textcat_" + f, config={"model": model})
    for o in options:
        tc.add_label(f + "=" + o)
span_egs = [Example(nlp.make_doc(r.text), r) for r in train]
field_egs = {}
for f, (kind, options) in fields.items():
    row = []
    for x, r in zip(data["train"], train):
        g = nlp0.make_doc(r.text)
        v = x["fields"][f]
        chosen = {v} if isinstance(v, str) else set(v)
        g.cats = {f + "=" + o: float(o in chosen) for o in options}
        row.append(Example(nlp.make_doc(r.text), g))
    field_egs["textcat_" + f] = row
opt = nlp.initialize(lambda: span_egs)
names = list(field_egs)
rng = random.Random(seed)
order = list(range(len(train)))
for _ in range(epochs):
    rng.shuffle(order)
    losses = {}
    for batch in minibatch(order, size=compounding(4.0, 16.0, 1.001)):
        nlp.update([span_egs[i] for i in batch], sgd=opt, drop=0.1, losses=losses, exclude=names)
        for n, row in field_egs.items():
            nlp.update([row[i] for i in batch], sgd=opt, drop=0.1, losses=losses,
                       exclude=[m for m in nlp.pipe_names if m != n])
gold = {(i, s.start_char, s.end_char, s.label_) for i, r in enumerate(held) for s in r.spans["sc"]}
pred = {(i, s.start_char, s.end_char, s.label_)
        for i, d in enumerate(nlp.pipe(r.text for r in held)) for s in d.spans["sc"]}
tp = len(gold & pred)
f1 = 2 * tp / (len(gold) + len(pred)) if gold or pred else None
nlp.to_disk(out)
secs = time.perf_counter() - t0
hwm = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
print("F1", json.dumps(f1), file=sys.stderr)
print("RESULT", 0, secs, time.process_time() - c0, hwm, file=sys.stderr)
"""


def child(script: str, args: list[str]) -> tuple[float, float, int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, cwd="/tmp"
    )
    line = [ln for ln in out.stderr.splitlines() if ln.startswith("RESULT ")]
    if out.returncode != 0 or not line or line[-1].split()[1] != "0":
        raise SystemExit(f"child failed: {' '.join(args)}\n{out.stderr[-3000:]}")
    _, _code, secs, cpu, hwm = line[-1].split()
    return float(secs), float(cpu), int(hwm) // 1024, out.stdout + out.stderr


def build(folder: Path, n: int, epochs: int, seed: int) -> tuple[Path, Path]:
    """The database of ``n`` synthetic articles in the gold layer, and the JSON file the
    bare side reads (the app's split of them)."""
    import spacy

    from annotator.corpus import RawDocument
    from annotator.ingest import import_documents
    from annotator.learn import suggester_range
    from annotator.store import Store
    from annotator.training import plan
    from tests.train_corpus import synthetic_articles

    db = folder / "labels.db"
    store = Store(db)
    articles = synthetic_articles(n, seed=seed)
    report = import_documents(
        store, [RawDocument(t, "bench", {"n": i}) for i, (t, *_r) in enumerate(articles)]
    )
    ids = list(report.added)
    with store.transaction():
        for doc_id, (_t, spans, dominant, present) in zip(ids, articles, strict=True):
            for s, e, label in spans:
                store.add_gold_span(doc_id, s, e, label, ())
            store.set_gold_label(doc_id, "dominant_frame", dominant, ())
            store.set_gold_label(doc_id, "frames_present", present, ())
    split = plan(store, "gold", 0.2, seed)
    by_id = dict(zip(ids, articles, strict=True))

    def item(doc_id: int) -> dict[str, object]:
        text, spans, dominant, present = by_id[doc_id]
        return {
            "text": text,
            "spans": spans,
            "fields": {"dominant_frame": dominant, "frames_present": list(present)},
        }

    nlp = spacy.blank("en")
    lengths = [
        len(nlp.make_doc(by_id[d][0]).char_span(s, e, alignment_mode="expand") or ())
        for d in split.train_ids
        for s, e, _l in by_id[d][1]
    ]
    scheme = store.scheme
    data = {
        "epochs": epochs,
        "seed": seed,
        "span_labels": list(scheme.label_names),
        "doc_fields": {f.name: [f.kind, list(f.options)] for f in scheme.doc_fields},
        "suggester": list(suggester_range(lengths)),
        "train": [item(d) for d in split.train_ids],
        "eval": [item(d) for d in split.eval_ids],
    }
    store.close()
    spec = folder / "bare.json"
    spec.write_text(json.dumps(data), encoding="utf-8")
    return db, spec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="suggest-train-") as tmp:
        folder = Path(tmp)
        db, spec = build(folder, args.docs, args.epochs, args.seed)
        app: list[tuple[float, float, int]] = []
        bare: list[tuple[float, float, int]] = []
        f1s: set[str] = set()
        for run in range(args.repeat):
            sides = ["app", "bare"] if run % 2 == 0 else ["bare", "app"]
            for side in sides:
                out = folder / f"{side}-{run}"
                if side == "app":
                    secs, cpu, mb, text = child(
                        APP,
                        ["--db", str(db), "train", "-o", str(out), "--epochs",
                         str(args.epochs), "--seed", str(args.seed), "--json"],
                    )  # fmt: skip
                    result = json.loads(text[: text.rindex("}") + 1])
                    f1s.add(f"app {result['spans']['f1']}")
                    app.append((secs, cpu, mb))
                else:
                    secs, cpu, mb, text = child(BARE, [str(spec), str(out)])
                    f1 = [ln.split()[1] for ln in text.splitlines() if ln.startswith("F1 ")][0]
                    value = json.loads(f1)
                    f1s.add(f"bare {None if value is None else round(value, 6)}")
                    bare.append((secs, cpu, mb))
                print(
                    f"run {run + 1} {side}: {secs:.1f} s, CPU {cpu:.1f} s, peak {mb} MB", flush=True
                )
        a = statistics.median(s for s, _c, _m in app)
        b = statistics.median(s for s, _c, _m in bare)
        ac = statistics.median(c for _s, c, _m in app)
        bc = statistics.median(c for _s, c, _m in bare)
        values = {v.split()[1] for v in f1s}
        same = "equal" if len(values) == 1 else "DIFFERENT"
        print(
            f"{args.docs} documents, {args.epochs} epochs, held-out span F1: {sorted(f1s)} ({same})"
        )
        print(f"app  {a:.1f} s (CPU {ac:.1f} s), peak {max(m for *_x, m in app)} MB")
        print(f"bare {b:.1f} s (CPU {bc:.1f} s), peak {max(m for *_x, m in bare)} MB")
        print(f"ratio app / bare: wall {a / b:.2f}, CPU {ac / bc:.2f}")
        if same != "equal":
            raise SystemExit(1)


if __name__ == "__main__":
    main()
