"""annotator predict: a trained pipeline over files that are in no database, streamed,
resumable, in input order (annotator/predict.py, annotator/cli/predict.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator import learn
from annotator.cli import cli
from annotator.errors import AnnotatorError
from annotator.predict import predict, read_inputs

ROOT = Path(__file__).resolve().parent.parent
FIELD = "dominant_frame"
POLICY = "Leaders imposed sanctions on the regime."
ALARM = "Experts warned of a looming catastrophe."
FILLER = ("The council met on Monday.", "Prices rose again.", "Markets were calm.")


def build_pipeline(path: Path, name: str = "tiny", steps: int = 10) -> Path:
    """A small pipeline laid out as annotator/learn.py says (spancat on SPANS_KEY, one
    textcat per field with cat_label labels), trained a few steps on two phrases, so its
    predictions are known: "imposed sanctions" is policy, "looming catastrophe" alarmist.
    Built with spaCy directly (not with 'annotator train'); bench/suggest.py uses it too."""
    import random

    import spacy
    from spacy.training import Example

    spacy.util.fix_random_seed(0)
    nlp = spacy.blank("en")
    nlp.meta["name"] = name
    spancat = nlp.add_pipe("spancat", config={"spans_key": learn.SPANS_KEY})
    textcat = nlp.add_pipe("textcat", name=learn.textcat_name(FIELD))
    for label in ("policy", "alarmist"):
        spancat.add_label(label)
    for option in ("economic", "security"):
        textcat.add_label(learn.cat_label(FIELD, option))
    rng = random.Random(0)
    examples = []
    for i in range(20):
        sentence, phrase, label, frame = (
            (POLICY, "imposed sanctions", "policy", "security")
            if i % 2
            else (ALARM, "looming catastrophe", "alarmist", "economic")
        )
        text = f"{rng.choice(FILLER)} {sentence}"
        ref = nlp.make_doc(text)
        at = text.index(phrase)
        ref.spans[learn.SPANS_KEY] = [ref.char_span(at, at + len(phrase), label=label)]
        ref.cats = {learn.cat_label(FIELD, o): float(o == frame) for o in ("economic", "security")}
        examples.append(Example(nlp.make_doc(text), ref))
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(steps):
        nlp.update(examples, sgd=optimizer)
    nlp.to_disk(path)
    return path


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pipeline(tmp_path_factory.mktemp("model") / "tiny")


def corpus_texts(n: int) -> list[str]:
    """``n`` distinct texts, half with each phrase, some with an emoji before it."""
    out = []
    for i in range(n):
        lead = "🙂 " if i % 3 == 0 else ""
        out.append(f"{lead}Item {i}. {FILLER[i % 3]} {POLICY if i % 2 else ALARM}")
    return out


def write_jsonl(path: Path, texts: list[str]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i, t in enumerate(texts):
            fh.write(json.dumps({"text": t, "meta": {"n": i}}, ensure_ascii=False) + "\n")
    return path


def lines(path: Path) -> list[dict]:
    return [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines()]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args], capture_output=True, text=True, env=_env()
    )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def test_records_of_a_folder_of_txt_and_jsonl_in_input_order(model_dir, tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text(f"🙂 {ALARM}\r\n", encoding="utf-8")
    (src / "sub" / "c.txt").write_text(POLICY, encoding="utf-8")
    (src / "b.jsonl").write_text(
        json.dumps({"text": POLICY, "meta": {"outlet": "nyt"}}) + "\nnot json\n"
        + json.dumps({"text": "Prices rose again."}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    (src / "notes.md").write_text("not read", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = predict(model_dir, [src], out)
    assert (summary.predicted, summary.resumed, summary.model) == (4, 0, "tiny")
    assert summary.skipped == (
        f"{src / 'b.jsonl'}:2: not valid JSON (Expecting value at column 1)",
    )
    recs = lines(out)
    assert [r["meta"]["source"] for r in recs] == [
        str(src / "a.txt"), f"{src / 'b.jsonl'}:1", f"{src / 'b.jsonl'}:3", str(src / "sub" / "c.txt"),
    ]  # fmt: skip
    assert recs[0]["text"] == f"🙂 {ALARM}\n"  # read as import reads it: CRLF -> LF
    assert recs[1]["meta"]["outlet"] == "nyt"
    assert recs[0]["meta"]["sha256"] == (
        __import__("hashlib").sha256(f"🙂 {ALARM}\n".encode()).hexdigest()
    )
    assert {r["_annotator_id"] for r in recs} == {"model:tiny"}
    assert "tokens" not in recs[0]
    for r in recs:
        assert set(r) == {
            "_annotator_id", "text", "meta", "spans", "doc_labels", "doc_label_scores",
            "doc_label_origins", "trained_on", "threshold",
        }  # fmt: skip
        assert r["trained_on"] is False  # its meta lists no training texts
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"]
            assert 0.5 <= s["score"] <= 1 and s["origin"] == "suggestion:tiny"
        assert set(r["doc_labels"]) == set(r["doc_label_scores"]) == {FIELD}
    # the model learned its two phrases: the emoji counts as one code point
    assert [(s["start"], s["end"], s["label"]) for s in recs[0]["spans"]] == [(22, 41, "alarmist")]
    assert [(s["text"], s["label"]) for s in recs[3]["spans"]] == [("imposed sanctions", "policy")]
    assert (recs[0]["doc_labels"][FIELD], recs[3]["doc_labels"][FIELD]) == ("economic", "security")


def test_two_processes_write_exactly_what_one_does(model_dir, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", corpus_texts(40))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    predict(model_dir, [src], one, n_process=1, batch_size=3)
    predict(model_dir, [src], two, n_process=2, batch_size=3)
    assert len(lines(one)) == 40
    assert [r["meta"]["n"] for r in lines(two)] == list(range(40))
    assert two.read_bytes() == one.read_bytes()


KILL_DOCS = 800


@pytest.fixture(scope="module")
def uninterrupted(model_dir, tmp_path_factory):
    """An input of KILL_DOCS documents and the file an uninterrupted run writes for it."""
    tmp = tmp_path_factory.mktemp("whole")
    src = write_jsonl(tmp / "in.jsonl", corpus_texts(KILL_DOCS))
    predict(model_dir, [src], tmp / "whole.jsonl", batch_size=8)
    return src, tmp / "whole.jsonl"


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_a_killed_run_resumes_to_exactly_the_uninterrupted_file(
    model_dir, uninterrupted, tmp_path, how
):
    src, whole = uninterrupted
    killed = tmp_path / "killed.jsonl"
    args = ["predict", "--model", str(model_dir), str(src), "-o", str(killed), "--batch-size", "8"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator", *args],
        env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        # a shell's background job ignores SIGINT, and so would its children: Ctrl+C's default
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if killed.exists() and killed.stat().st_size > 20_000:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the run ended before it could be killed"
        os.kill(proc.pid, how)
    finally:
        _, err = proc.communicate(timeout=60)
    if how == signal.SIGINT:  # Ctrl+C: the lines made so far are written, one line said
        assert proc.returncode == 130
        assert err == (
            f"Interrupted; the predictions written so far are kept in {killed}: run the same"
            " command again to go on.\n"
        )
    else:
        assert proc.returncode == -signal.SIGKILL
    done = killed.read_bytes()
    assert 0 < done.count(b"\n") < KILL_DOCS  # killed mid-run
    if how == signal.SIGINT:
        assert done.endswith(b"\n")  # no torn line after Ctrl+C
    assert whole.read_bytes().startswith(done)  # what was written is exactly a prefix
    res = run_cli(*args)
    assert res.returncode == 0, res.stderr
    n_done = done.count(b"\n")
    assert f"; {n_done:,} were already there;" in res.stdout
    assert killed.read_bytes() == whole.read_bytes()


def test_a_torn_last_line_is_cut_and_predicted_again(model_dir, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", corpus_texts(12))
    whole, torn = tmp_path / "whole.jsonl", tmp_path / "torn.jsonl"
    predict(model_dir, [src], whole, batch_size=4)
    data = whole.read_bytes()
    ends = [i for i, b in enumerate(data) if b == ord("\n")]
    for cut in (ends[4] + 1 + 10, ends[4] + 1 + 2, ends[4] + 1 + 200, ends[4]):
        torn.write_bytes(data[:cut])  # a kill mid-line (ends[4]: all but its line end)
        summary = predict(model_dir, [src], torn, batch_size=4)
        assert (summary.resumed, summary.predicted) == (
            5 if cut > ends[4] else 4,
            7 if cut > ends[4] else 8,
        )
        assert torn.read_bytes() == data
    summary = predict(model_dir, [src], torn)  # complete: nothing to do, nothing changed
    assert (summary.resumed, summary.predicted) == (12, 0)
    assert torn.read_bytes() == data


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b'{"text": "my article"}\n{"text": "another"}\n', "1: not a prediction (no _annotator_id"),
        (b"Some notes\nwithout a line end", "1: not a JSON line"),
        (b"a single line without a line end", "1: the last line is not a prediction"),
        (
            b'{"_annotator_id": "model:other", "text": "x", "meta": {}}\n',
            "1: a prediction of model 'other'",
        ),
    ],
)
def test_an_output_that_is_not_this_models_predictions_is_refused_untouched(
    model_dir, tmp_path, content, why
):
    src = write_jsonl(tmp_path / "in.jsonl", corpus_texts(3))
    out = tmp_path / "mine.jsonl"
    out.write_bytes(content)
    with pytest.raises(AnnotatorError) as e:
        predict(model_dir, [src], out)
    assert str(e.value).startswith(f"{out}:{why}")
    assert "\n" not in str(e.value)
    assert out.read_bytes() == content


def test_changed_inputs_are_refused_without_writing(model_dir, tmp_path):
    texts = corpus_texts(6)
    src = write_jsonl(tmp_path / "in.jsonl", texts)
    out = tmp_path / "out.jsonl"
    predict(model_dir, [src], out)
    before = out.read_bytes()
    write_jsonl(src, texts[:2] + ["A new text."] + texts[3:])
    with pytest.raises(AnnotatorError, match=rf"^{out}:3: predicted {src}:3, but the input at"):
        predict(model_dir, [src], out)
    write_jsonl(src, texts[:4])
    with pytest.raises(AnnotatorError, match=rf"^{out}:5: the output holds more predictions"):
        predict(model_dir, [src], out)
    assert out.read_bytes() == before


def test_an_output_inside_the_input_folder_is_not_read_as_input(model_dir, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    write_jsonl(src / "a.jsonl", corpus_texts(5))
    out = src / "predictions.jsonl"
    assert predict(model_dir, [src], out).predicted == 5
    again = predict(model_dir, [src], out)
    assert (again.predicted, again.resumed, again.skipped) == (0, 5, ())
    with pytest.raises(AnnotatorError, match="is the output file; an input cannot be the output"):
        predict(model_dir, [src / "a.jsonl", out], out)


def test_inputs_are_read_lazily(model_dir, tmp_path, monkeypatch):
    """Bounded memory: files are read as the pipeline needs them, never all first."""
    import annotator.predict as predict_module

    src = tmp_path / "in"
    src.mkdir()
    for i, text in enumerate(corpus_texts(200)):
        (src / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    read = []
    real = predict_module.read_text_file

    def counting(path):
        read.append(path)
        return real(path)

    monkeypatch.setattr(predict_module, "read_text_file", counting)
    docs = read_inputs([src], lambda s: None)
    next(docs)
    assert len(read) == 1
    read.clear()
    seen = []
    summary = predict(
        model_dir, [src], tmp_path / "out.jsonl", batch_size=4,
        progress=lambda p: seen.append((p.predicted, len(read))),
    )  # fmt: skip
    assert summary.predicted == 200 and len(read) == 200
    assert seen[0] == (0, 0)
    first_write = next(n for done, n in seen if done >= 4)
    assert first_write <= 16  # a few batches ahead at most, not 200


def test_cli_errors_are_one_line(model_dir, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", corpus_texts(2))
    res = run_cli(
        "predict", "--model", str(tmp_path / "nope"), str(src), "-o", str(tmp_path / "o.jsonl")
    )
    assert res.returncode == 1
    assert (
        res.stderr
        == f"Error: {tmp_path / 'nope'}: not a spaCy pipeline folder (no meta.json and config.cfg)\n"
    )
    assert not (tmp_path / "o.jsonl").exists()
    res = run_cli("predict", "--model", str(model_dir), str(src), "-o", "-")
    assert res.returncode == 1 and res.stderr.count("\n") == 1
    assert res.stderr.startswith("Error: predict writes to a file, not standard output")
    res = run_cli(
        "predict",
        "--model",
        str(model_dir),
        str(tmp_path / "missing.txt"),
        "-o",
        str(tmp_path / "o.jsonl"),
    )
    assert res.returncode == 1
    assert res.stderr == f"skipped {tmp_path / 'missing.txt'}: no such file or folder\n"
    assert "Predicted 0 document(s) with model 'tiny'" in res.stdout
    assert not (tmp_path / "o.jsonl").exists()


def test_cli_predicts_without_a_database(model_dir, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", corpus_texts(5))
    res = CliRunner().invoke(
        cli,
        ["predict", "--model", str(model_dir), str(src), "-o", str(tmp_path / "o.jsonl"),
         "--n-process", "1", "--batch-size", "2", "--threshold", "0.99", "--db", str(tmp_path / "x.db")],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert res.output.startswith(
        f"Predicted 5 document(s) with model 'tiny' into {tmp_path / 'o.jsonl'};"
    )
    assert not (tmp_path / "x.db").exists()
    for r in lines(tmp_path / "o.jsonl"):
        assert all(s["score"] >= 0.99 for s in r["spans"])


def test_the_cli_default_batch_is_the_cores():
    from annotator import predict as core
    from annotator.cli import predict as command

    assert command.DEFAULT_BATCH == core.DEFAULT_BATCH == 16


def test_a_text_the_model_was_trained_on_is_marked(model_dir, tmp_path):
    """A pipeline whose meta lists the SHA-256 of its training texts (``annotator train``
    writes them) marks those records ``trained_on``, and only those."""
    import hashlib
    import shutil

    from annotator.corpus import text_hash
    from annotator.learn import META_KEY, TRAINED_ON

    model = tmp_path / "trained"
    shutil.copytree(model_dir, model)
    texts = corpus_texts(6)
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    meta.setdefault(META_KEY, {})[TRAINED_ON] = [text_hash(texts[1]), text_hash(texts[4])]
    (model / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    src = write_jsonl(tmp_path / "in.jsonl", texts)
    out = tmp_path / "out.jsonl"
    res = run_cli("predict", "--model", str(model), str(src), "-o", str(out))
    assert res.returncode == 0, res.stderr
    recs = lines(out)
    assert [r["trained_on"] for r in recs] == [False, True, False, False, True, False]
    assert recs[1]["meta"]["sha256"] == hashlib.sha256(texts[1].encode()).hexdigest()


def test_a_resume_with_another_threshold_is_refused_and_the_file_kept(model_dir, tmp_path):
    """One output file keeps one ``--threshold``: each line records it, and a resumed run
    with another is refused in one line naming the line (the file unchanged); the same
    threshold resumes; a line written before thresholds were recorded resumes as before."""
    src = write_jsonl(tmp_path / "in.jsonl", corpus_texts(6))
    part = write_jsonl(tmp_path / "part.jsonl", corpus_texts(6)[:3])
    out = tmp_path / "out.jsonl"
    first = run_cli("predict", "--model", str(model_dir), str(part), "-o", str(out),
                    "--threshold", "0.6")  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert {r["threshold"] for r in lines(out)} == {0.6}
    # the part's three inputs are the first three of the full input: a resume, same places
    before = out.read_bytes().replace(str(part).encode(), str(src).encode())
    out.write_bytes(before)
    res = run_cli("predict", "--model", str(model_dir), str(src), "-o", str(out))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr.strip() == (
        f"Error: {out}:1: predicted with --threshold 0.6, this run has 0.5: resume with"
        " --threshold 0.6, or give another output file (one file keeps one threshold)"
    )
    assert out.read_bytes() == before
    res = run_cli("predict", "--model", str(model_dir), str(src), "-o", str(out),
                  "--threshold", "0.6")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert [r["threshold"] for r in lines(out)] == [0.6] * 6
    # a file from before the threshold was recorded: resumed as before
    old = tmp_path / "old.jsonl"
    old.write_text(
        "".join(json.dumps({k: v for k, v in r.items() if k != "threshold"}) + "\n"
                for r in lines(out)[:2]),
        encoding="utf-8",
    )  # fmt: skip
    res = run_cli("predict", "--model", str(model_dir), str(src), "-o", str(old))
    assert res.returncode == 0, res.stderr
    assert len(lines(old)) == 6
