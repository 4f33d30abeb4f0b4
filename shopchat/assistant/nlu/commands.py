"""Command-line entry points: `classify` (stdin to stdout) and `eval FILE.tsv`.

The `shopchat assistant classify|eval` commands call these; this module also
runs on its own: `python -m shopchat.assistant.nlu.commands eval FILE.tsv`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from shopchat.assistant.nlu.evaluation import (
    EvalFileError,
    evaluate,
    format_report,
    read_labelled_file,
)
from shopchat.assistant.nlu.intents import OUT_OF_SCOPE, classify

EXIT_OK = 0
EXIT_BAD_INPUT = 2
_USAGE = "usage: python -m shopchat.assistant.nlu.commands (classify | eval FILE.tsv)\n"


def run_classify(stdin: TextIO, stdout: TextIO) -> int:
    """One utterance a line in, `intent<TAB>confidence` a line out."""
    for line in stdin:
        text = line.rstrip("\r\n")
        if not text.strip():
            stdout.write(f"{OUT_OF_SCOPE}\t0.000\n")
            continue
        prediction = classify(text)
        stdout.write(f"{prediction.intent}\t{prediction.confidence:.3f}\n")
    stdout.flush()
    return EXIT_OK


def run_eval(path: Path, stdout: TextIO, stderr: TextIO | None = None) -> int:
    """Print accuracy, per-intent scores, confusions and speed on a labelled TSV file."""
    try:
        utterances = read_labelled_file(path)
    except (EvalFileError, UnicodeDecodeError) as error:
        (stderr or sys.stderr).write(f"error: {error}\n")
        return EXIT_BAD_INPUT
    if not utterances:
        (stderr or sys.stderr).write(f"error: {path}: no labelled rows\n")
        return EXIT_BAD_INPUT
    stdout.write(format_report(evaluate(utterances, classify)))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["classify"]:
        return run_classify(sys.stdin, sys.stdout)
    if len(args) == 2 and args[0] == "eval":
        return run_eval(Path(args[1]), sys.stdout)
    sys.stderr.write(_USAGE)
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    raise SystemExit(main())
