"""Package WARCs as a WACZ (py-wacz): one file ReplayWeb.page and pywb open as it is.

py-wacz writes the CDXJ index and the package's metadata; this module supplies its
``pages.jsonl``: the entry pages, then one entry per stored article (URL, title, capture
time), each only when the WARCs hold a capture of it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}


class WaczError(RuntimeError):
    """The package could not be written (py-wacz missing, or it refused the input)."""


@dataclass(frozen=True)
class Page:
    """A page to list in ``pages.jsonl``."""

    url: str
    title: str = ""


def captures(warc_files: Iterable[Path]) -> dict[str, str]:
    """URL -> ``WARC-Date`` of its first response or revisit record."""
    found: dict[str, str] = {}
    for path in warc_files:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in {"response", "revisit"}:
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    found.setdefault(uri, record.rec_headers.get_header("WARC-Date"))
    return found


def pages_jsonl(entry_pages: Iterable[Page], articles: Iterable[Page], captured: dict[str, str]) -> str:
    """``pages.jsonl`` text: entry pages first, then articles, each URL once, captured ones only."""
    lines, seen = [json.dumps(PAGES_HEADER)], set()
    for page in [*entry_pages, *articles]:
        if page.url in seen or page.url not in captured:
            continue
        seen.add(page.url)
        entry = {"id": uuid.uuid5(uuid.NAMESPACE_URL, page.url).hex, "url": page.url, "ts": captured[page.url]}
        if page.title:
            entry["title"] = page.title
        lines.append(json.dumps(entry, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def write_wacz(warc_files: list[Path], dest: Path, entry_pages: Iterable[Page] = (),
               articles: Iterable[Page] = (), title: str = "") -> Path:
    """Write ``dest`` from ``warc_files`` with py-wacz; return its path."""
    try:
        import wacz  # noqa: F401 - only to say clearly that it is missing
    except ImportError:
        raise WaczError("packaging a WACZ needs py-wacz: pip install 'newscrawler[archive]'") from None
    if not warc_files:
        raise WaczError("no WARC file to package")
    dest.parent.mkdir(parents=True, exist_ok=True)
    captured = captures(warc_files)
    entries = list(entry_pages)
    with tempfile.TemporaryDirectory(prefix="newscrawler-wacz-") as tmp:
        pages = Path(tmp) / "pages.jsonl"
        pages.write_text(pages_jsonl(entries, articles, captured), encoding="utf-8")
        command = [sys.executable, "-m", "wacz", "create", "-o", str(dest), "-p", str(pages), "--copy-pages"]
        if title:
            command += ["--title", title]
        result = subprocess.run([*command, *map(str, warc_files)], capture_output=True, text=True)
    if result.returncode != 0 or not dest.exists():
        output = (result.stderr or result.stdout).strip().splitlines()
        raise WaczError(f"py-wacz could not write {dest}: {output[-1] if output else 'no output'}")
    return dest
