"""``scrapy dateline``: parse datelines from JSON lines on stdin, one answer per line.

Input, one object a line: ``{"text": "New Delhi, Sept 29 (PTI) ...", "reference": "2022-09-30"}``
(``reference``, the publication date that gives the year, is optional: today when absent).
Output, one line per input line: the Dateline as a JSON object, or ``null``. A malformed
line gets ``null`` too, and its error goes to stderr, so output lines stay aligned with
input lines and one bad line never stops a batch. Blank lines are skipped.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from dataclasses import asdict
from typing import Any, TextIO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawler.extract.dateline import parse_dateline


class DatelineCommand(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "< lines.jsonl"

    def short_desc(self) -> str:
        return 'Parse datelines: {"text", "reference"} JSON lines on stdin, a Dateline or null per line'

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"scrapy dateline reads JSON lines on stdin and takes no arguments, got {args}")
        stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
        run_lines(stdin, stdout, sys.stderr)
        stdout.flush()


def run_lines(lines: TextIO, out: TextIO, err: TextIO) -> int:
    """Answers every non-blank line of ``lines`` on ``out``; returns how many were malformed."""
    malformed = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            answer = _answer(line)
        except ValueError as error:
            malformed += 1
            err.write(f"scrapy dateline: line {number}: {error}\n")
            err.flush()
            answer = None
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
    return malformed


def _answer(line: str) -> dict[str, Any] | None:
    """The Dateline of one input line as a dict, or None; ValueError when the line is malformed."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(record, dict):
        raise ValueError(f'expected an object {{"text": ..., "reference": ...}}, got {type(record).__name__}')
    text, reference = record.get("text"), record.get("reference")
    if not isinstance(text, str):
        raise ValueError(f'"text" must be a string, got {type(text).__name__}')
    if reference is not None and not isinstance(reference, str):
        raise ValueError(f'"reference" must be a "YYYY-MM-DD" string, got {type(reference).__name__}')
    dateline = parse_dateline(text, reference or None)
    return asdict(dateline) if dateline is not None else None
