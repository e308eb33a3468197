"""A whole study through the real command line, each step a separate process on real
files: assign a pilot and a main round, pack each coder's part, code in the packs, merge
the packs back, follow progress, and measure agreement on the designed reliability
sample (checked against the same statistics on a database holding only those documents).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from annotator.corpus import RawDocument
from annotator.ingest import import_documents
from annotator.store import Store

from .conftest import ROOT

TOPICS = ("Russia", "Iran", "North Korea", "China")


def cli(db, *args, ok=True):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), *map(str, args)],
        capture_output=True, text=True, env=env, cwd=db.parent, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in res.stderr, res.stderr
    if ok:
        assert res.returncode == 0, res.stderr + res.stdout
    return res


def test_assign_pack_code_merge_progress_agreement(tmp_path):
    lead = tmp_path / "lead.db"
    with Store(lead) as store:
        docs = [
            RawDocument(
                f"Article {i}. {TOPICS[i % 4]} and its partners sign a pact. Analysts warn of"
                f" an axis of upheaval; others doubt it will last. Day {i}.",
                f"a{i}.txt",
                {"outlet": ("taz", "faz")[i % 2]},
            )
            for i in range(24)
        ]
        import_documents(store, docs)

    # Pilot: 4 articles to both coders; main round: the other 20, a fifth to both.
    pilot = json.loads(
        cli(lead, "assign", "--round", "pilot", "--coders", "ana,ben", "--docs", 4,
            "--overlap", 1, "--seed", 11, "--json").stdout
    )  # fmt: skip
    assert len(pilot["reliability"]) == 4
    main = json.loads(
        cli(lead, "assign", "--coders", "ana,ben", "--overlap", 0.2, "--seed", 11,
            "--stratify", "outlet", "--json").stdout
    )  # fmt: skip
    reliability = main["reliability"]
    assert len(reliability) == 4 and not set(reliability) & set(pilot["reliability"])
    queues = main["assignments"]
    assert sorted(len(q) for q in queues.values()) == [12, 12]  # 4 shared + 8 each

    # Each coder gets a pack of the main round and codes in it (as the window would:
    # --apply codes as the pack's coder), then marks everything done.
    for coder in ("ana", "ben"):
        cli(lead, "pack", "--coder", coder, "--round", "main", "-o", tmp_path / f"{coder}.db")
    cli(tmp_path / "ana.db", "search", "axis", "--apply", "--label", "alarmist")
    cli(tmp_path / "ben.db", "search", '"axis of upheaval"', "--apply", "--label", "alarmist")
    cli(tmp_path / "ben.db", "search", "doubt*", "--apply", "--label", "skeptical_of_alliance")
    for coder in ("ana", "ben"):
        with Store(tmp_path / f"{coder}.db") as pack:
            assert pack.pack_coder() == coder
            assert pack.reliability_documents() == []  # the sample is not in the pack
            for doc in pack.queue(coder, "main"):
                pack.set_doc_label(doc, coder, "dominant_frame", "alarmist")
                pack.set_status(doc, coder, "done")
                pack.add_time(doc, coder, 90.0)

    # Merging the packs back brings the work in and moves no assignment.
    before = Store(lead)
    assignments = before.assignments()
    before.close()
    cli(lead, "merge", tmp_path / "ana.db", tmp_path / "ben.db")
    cli(lead, "merge", tmp_path / "ana.db", tmp_path / "ben.db")  # twice changes nothing
    with Store(lead) as store:
        assert store.assignments() == assignments
        assert store.reliability_documents("main") == reliability
        for coder in ("ana", "ben"):
            for doc in queues[coder]:
                assert store.status(doc, coder) == "done"
        assert len(store.spans(reliability[0], "ana")) == 1  # "axis"
        assert len(store.spans(reliability[0], "ben")) == 2  # the phrase, and "doubt"

    progress = json.loads(cli(lead, "progress", "--json").stdout)
    assert progress["round"] == "main"
    for coder in ("ana", "ben"):
        row = progress["coders"][coder]
        assert (row["assigned"], row["coded"], row["done"]) == (12, 12, 12)
        assert (row["reliability_assigned"], row["reliability_coded"]) == (4, 4)
        assert row["median_seconds"] == 90.0
    pilot_progress = json.loads(cli(lead, "progress", "--round", "pilot", "--json").stdout)
    assert pilot_progress["coders"]["ana"]["coded"] == 0

    # Agreement on the designed sample = agreement on a database of only those documents.
    sample = json.loads(
        cli(lead, "agreement", "--sample", "reliability", "--json", "--bootstrap", 0).stdout
    )
    assert sample["design"]["round"] == "main"
    assert sample["design"]["seed"] == 11
    only = tmp_path / "only.db"
    with Store(lead) as store, Store(only) as target:
        keep = set(reliability)
        for sd in store.stored_documents():
            if store.document_id_by_hash(sd.sha256) in keep:
                target.add_stored_document(sd)
        for doc in reliability:
            new = target.document_id_by_hash(store.document(doc).sha256)
            for coder in ("ana", "ben"):
                for span in store.spans(doc, coder):
                    target.add_span(new, coder, span.start, span.end, span.label)
                for field, value in store.doc_labels(doc, coder).items():
                    target.set_doc_label(new, coder, field, value)
                target.set_status(new, coder, "done")
    plain = json.loads(cli(only, "agreement", "--json", "--bootstrap", 0).stdout)
    assert sample["n_documents"] == plain["n_documents"] == 4
    assert sample["annotators"] == plain["annotators"] == ["ana", "ben"]
    for key in ("doc_fields", "spans", "reasons"):
        assert sample[key] == plain[key], key
    alpha = sample["doc_fields"]["dominant_frame"]
    assert alpha  # both coded the field: a statistic is reported
