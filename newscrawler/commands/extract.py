"""``scrapy extract PATH [PATH...]``: run the article extractor on saved pages, by hand.

Reads ``.html`` and ``.html.gz`` files and prints one JSON object per file,
``{"path": ..., <every Article field>, "warnings": [...]}``. ``--url`` gives the page's
URL (default: the file's ``file://`` URL), which resolves relative links and names the
site. A file that cannot be read still gets a line, with its error, and the exit status
is 1; extraction itself never fails.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawler.extract.article import extract_article


class ExtractCommand(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "PATH [PATH...] [--url URL]"

    def short_desc(self) -> str:
        return "Extract the article from saved .html/.html.gz pages, one JSON object per file"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", metavar="URL",
                            help="the pages' URL (resolves relative links; default: the file's file:// URL)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("scrapy extract needs at least one .html or .html.gz file")
        stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
        failures = 0
        for path in args:
            record = extract_file(Path(path), opts.url)
            failures += "error" in record
            stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        stdout.flush()
        if failures:
            self.exitcode = 1


def read_page(path: Path) -> bytes:
    """The page's bytes, gunzipped when the file is gzip (by name or by its magic number)."""
    data = path.read_bytes()
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    return data


def extract_file(path: Path, url: str | None = None) -> dict[str, Any]:
    """``{"path", <Article fields>, "warnings"}`` for one file, or ``{"path", "error"}``."""
    try:
        data = read_page(path)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        return {"path": str(path), "error": f"cannot read {path}: {error}"}
    warnings: list[str] = []
    article = extract_article(data, url or path.resolve().as_uri(), warnings=warnings)
    return {"path": str(path), **article.to_dict(), "warnings": warnings}
