"""The classify (stdin -> stdout) and eval (labelled TSV -> report) commands."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from shopchat.assistant.nlu.commands import main, run_classify, run_eval

SAMPLE = Path(__file__).parent / "fixtures" / "intents-sample.tsv"
REPO_ROOT = Path(__file__).resolve().parents[2]


def classify_lines(text: str) -> list[str]:
    stdout = io.StringIO()
    assert run_classify(io.StringIO(text), stdout) == 0
    return stdout.getvalue().splitlines()


def test_classify_writes_one_intent_and_confidence_per_line() -> None:
    lines = classify_lines("where is my order 1042?\nI forgot my password\n")
    assert [line.split("\t")[0] for line in lines] == ["track_order", "recover_password"]
    for line in lines:
        _, confidence = line.split("\t")
        assert len(confidence.split(".")[1]) == 3
        assert 0.0 <= float(confidence) <= 1.0


def test_blank_line_is_out_of_scope_with_zero_confidence() -> None:
    assert classify_lines("\n   \nhello\n")[:2] == ["out_of_scope\t0.000", "out_of_scope\t0.000"]


def test_classify_handles_a_last_line_without_newline_and_crlf() -> None:
    lines = classify_lines("hello\r\nthanks, bye")
    assert [line.split("\t")[0] for line in lines] == ["greeting", "thanks_goodbye"]


def eval_output(path: Path) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run_eval(path, stdout, stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def test_eval_reports_accuracy_table_confusions_and_speed() -> None:
    code, out, _ = eval_output(SAMPLE)
    assert code == 0
    assert "utterances: 6" in out
    assert "top-1 accuracy: 1.0000 (6/6)" in out
    assert "track_order" in out and "precision" in out and "recall" in out and "f1" in out
    assert "most frequent confusions" in out
    assert "us per utterance" in out and "p95" in out


def test_eval_lists_confusions(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.tsv"
    wrong.write_text("instruction\tintent\nI forgot my password\ttrack_order\n", encoding="utf-8")
    code, out, _ = eval_output(wrong)
    assert code == 0
    assert "top-1 accuracy: 0.0000 (0/1)" in out
    assert "track_order -> recover_password: 1" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text\tlabel\nhello\tgreeting\n", "missing column(s) instruction, intent"),
        ("instruction\tcategory\nhello\tSHOP\n", "missing column(s) intent"),
        ("instruction\tintent\nhello\n", "malformed row"),
        ("instruction\tintent\nhello\t\n", "malformed row"),
        ("", "empty"),
        ("instruction\tintent\n", "no labelled rows"),
    ],
)
def test_eval_rejects_badly_shaped_files(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text(content, encoding="utf-8")
    code, out, err = eval_output(bad)
    assert code == 2
    assert out == ""
    assert message in err


def test_eval_rejects_a_missing_file(tmp_path: Path) -> None:
    code, _, err = eval_output(tmp_path / "nope.tsv")
    assert code == 2
    assert "no such file" in err


def test_unknown_subcommand_prints_usage() -> None:
    assert main(["frobnicate"]) == 2


def run_module(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shopchat.assistant.nlu.commands", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )


def test_module_runs_classify_over_stdin() -> None:
    result = run_module("classify", stdin="I forgot my password\n\n")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].startswith("recover_password\t")
    assert result.stdout.splitlines()[1] == "out_of_scope\t0.000"


def test_module_runs_eval_and_fails_cleanly_on_a_missing_file() -> None:
    assert "top-1 accuracy" in run_module("eval", str(SAMPLE)).stdout
    missing = run_module("eval", "/nonexistent/file.tsv")
    assert missing.returncode == 2
    assert "error:" in missing.stderr and "Traceback" not in missing.stderr
