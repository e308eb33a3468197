"""Peak memory of ``import-labels`` on the app's own canonical export.

Builds a database of ``--docs`` synthetic articles of ``--paragraphs`` seed paragraphs
x ``--coders`` coders x ``--spans`` spans (as ``bench/export.py`` does), exports it as
canonical JSONL (about 356 MB for the defaults: 2,000 documents x 3 coders), then imports that file into a new database in a child
process and reports the child's peak RSS (VmHWM: ``ru_maxrss`` would include the parent's)
and time. The import is streamed (a checking pass, a tokenising pass for new texts and a
writing pass, one line in memory at a time), so the peak should not grow with the file;
the target is <= 400 MB.

    python bench/labels_import_memory.py [--docs 2000] [--coders 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 400

CHILD = r"""
import sys, time
from pathlib import Path
from annotator.labels_import import import_label_files
from annotator.store import Store
t0 = time.perf_counter()
with Store(sys.argv[2]) as store:
    [r] = import_label_files(store, [Path(sys.argv[1])])
assert r.ok, r.errors[:3]
hwm = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
print(r.tasks, r.spans_added, time.perf_counter() - t0, hwm)
"""


def build(path: Path, n_docs: int, paragraphs: int, coders: int, n_spans: int) -> None:
    import re

    from annotator.corpus import RawDocument, derive_title
    from annotator.models import Tokenization
    from annotator.store import Store

    rng = random.Random(0)
    word = re.compile(r"\w+|[^\w\s]|\s{2,}|\n")
    pool = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        pool += [ln for ln in p.read_text(encoding="utf-8").split("\n") if ln.strip()]
    with Store(path) as store:
        labels = store.scheme.label_names
        options = store.scheme.field("dominant_frame").options
        for lo in range(0, n_docs, 500):
            batch = []
            for i in range(lo, min(n_docs, lo + 500)):
                text = f"Article {i}\n\n" + "\n\n".join(rng.choices(pool, k=paragraphs))
                words = [m.span() for m in word.finditer(text)]
                starts, ends = tuple(a for a, _ in words), tuple(b for _, b in words)
                tok = Tokenization(starts, ends, frozenset(), (), ())
                batch.append((RawDocument(text, f"synthetic/{i}", {}), tok, derive_title(text)))
            ids = store.add_documents(batch, "regex")
            with store.transaction():
                for doc_id, (_raw, tok, _t) in zip(ids, batch, strict=True):
                    n = len(tok.token_starts)
                    for c in range(coders):
                        for _ in range(n_spans):
                            a = rng.randrange(n - 8)
                            b = a + rng.randint(1, 8)
                            store.add_span(
                                doc_id, f"coder{c + 1}", tok.token_starts[a], tok.token_ends[b],
                                rng.choice(labels),
                            )  # fmt: skip
                        store.set_doc_label(
                            doc_id, f"coder{c + 1}", "dominant_frame", rng.choice(options)
                        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--paragraphs", type=int, default=19)
    ap.add_argument("--coders", type=int, default=3)
    ap.add_argument("--spans", type=int, default=20)
    ap.add_argument("--keep", type=Path, default=None, help="reuse / keep the export here")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        jsonl = folder / f"canonical-{args.docs}x{args.paragraphs}x{args.coders}.jsonl"
        if not jsonl.exists():
            from annotator.export import export_jsonl
            from annotator.store import Store

            db = Path(tmp) / "source.db"
            build(db, args.docs, args.paragraphs, args.coders, args.spans)
            with Store(db) as store:
                export_jsonl(store, jsonl)
        size = jsonl.stat().st_size / 1e6
        target = Path(tmp) / "imported.db"
        target.unlink(missing_ok=True)
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(jsonl), str(target)],
            capture_output=True,
            text=True,
        )
        if out.returncode:
            sys.exit(out.stderr.strip().splitlines()[-1])
        tasks, spans, secs, hwm = out.stdout.split()
        mb = int(hwm) / 1024
        verdict = "ok" if mb <= TARGET_MB else "MISSED"
        print(
            f"import-labels of a {size:.0f} MB canonical file ({tasks} tasks, {spans} spans):"
            f" {float(secs):.0f} s, peak RSS {mb:.0f} MB (target <= {TARGET_MB} MB) {verdict}"
        )


if __name__ == "__main__":
    main()
