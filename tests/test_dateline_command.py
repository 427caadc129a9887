"""``scrapy dateline`` run for real in a subprocess, inside and outside the project folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_command(stdin: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "SCRAPY_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-m", "scrapy", "dateline", *args], input=stdin, cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


LINES = [
    {"text": "New Delhi, Sept 29- According to data updated on Thursday", "reference": "2022-09-30"},
    {"text": "On Tuesday, Russia said it will demand answers", "reference": "2022-09-30"},
    {"text": "SRINAGAR, Dec 31 (PTI) Snow closed the highway", "reference": "2024-01-02"},
    {"text": "МОСКВА, 3 января (ТАСС) - Президент"},
]


@pytest.mark.parametrize("where", ["outside", "project"])
def test_one_answer_per_line(tmp_path, where):
    cwd = tmp_path if where == "outside" else REPO
    result = run_command("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in LINES), cwd)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(LINES)
    assert answers[0] == {"raw": "New Delhi, Sept 29-", "location": "New Delhi", "month": 9, "day": 29,
                          "year": None, "date": "2022-09-29", "agency": None, "end": 20}
    assert answers[1] is None
    assert (answers[2]["location"], answers[2]["agency"], answers[2]["date"]) == ("SRINAGAR", "PTI", "2023-12-31")
    assert (answers[3]["location"], answers[3]["month"], answers[3]["day"]) == ("МОСКВА", 1, 3)
    assert result.stderr == ""


def test_malformed_lines_answer_null_and_go_on(tmp_path):
    stdin = "\n".join([
        "this is not json",
        json.dumps({"text": "CAIRO — Egypt's president spoke", "reference": "2024-05-01"}),
        json.dumps(["a", "list"]),
        json.dumps({"text": 42}),
        json.dumps({"text": "CAIRO — Egypt", "reference": "next week"}),
        "",
        json.dumps({"text": "HANOI, Jan. 14 (Xinhua) -- Vietnam", "reference": "2024-01-20"}),
    ]) + "\n"
    result = run_command(stdin, tmp_path)
    assert result.returncode == 0
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [answer and answer["location"] for answer in answers] == [None, "CAIRO", None, None, None, "HANOI"]
    errors = result.stderr.splitlines()
    assert [error.split(":")[1].strip() for error in errors] == ["line 1", "line 3", "line 4", "line 5"]
    assert "not JSON" in errors[0] and "ISO date" in errors[3]


def test_arguments_are_a_usage_error(tmp_path):
    result = run_command("", tmp_path, "file.jsonl")
    assert result.returncode == 2
    assert "takes no arguments" in result.stderr
