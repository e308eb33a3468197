"""``annotator agreement`` runs numpy's BLAS on one thread (the bootstrap's many dot
products are several times faster so, and do not depend on the number of cores), unless
the user chose a number; the report is the same either way."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from annotator.corpus import RawDocument
from annotator.ingest import import_documents

PROBE = """
import json, os, sys
from annotator.cli import cli
try:
    cli.main(["--db", sys.argv[1], "agreement", "--json", "--bootstrap", "50"],
             standalone_mode=False)
finally:
    from threadpoolctl import threadpool_info
    blas = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
    print(json.dumps({"env": os.environ.get("OPENBLAS_NUM_THREADS"), "blas": blas}),
          file=sys.stderr)
"""


@pytest.fixture
def db(store):
    docs = import_documents(
        store,
        [RawDocument(f"Article {i}: the alliance is a threat.", f"{i}.txt") for i in range(6)],
    ).added
    for i, d in enumerate(docs):
        for c in ("ana", "ben"):
            store.set_doc_label(
                d, c, "dominant_frame", ["alarmist", "none"][(i + (c == "ben")) % 3 > 0]
            )
            store.add_span(d, c, 0, 7 + i % 2 * (c == "ben"), "alarmist")
    path = store.path
    store.close()
    return path


def _probe(db, **env):
    pytest.importorskip("threadpoolctl")
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS",
             "MKL_NUM_THREADS", "OMP_NUM_THREADS")}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(db)], capture_output=True, text=True,
        env={**clean, **env},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), json.loads(done.stderr.strip().splitlines()[-1])


def test_agreement_runs_blas_on_one_thread_and_a_users_choice_wins(db):
    one, probe = _probe(db)
    assert probe["env"] == "1"
    assert all(n == 1 for n in probe["blas"])
    two, probe = _probe(db, OPENBLAS_NUM_THREADS="2")
    assert probe["env"] == "2"
    assert one == two  # the same report
