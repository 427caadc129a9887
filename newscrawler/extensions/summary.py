"""End-of-crawl summary: what was fetched, what came out, what was skipped and why.

Printed when the crawl closes and written as JSON to ``NEWSCRAWLER_REPORT_DIR``
(``output/reports/<crawl-id>.json``) so scheduled runs leave a record a person or a
monitor can read.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from newscrawler.extensions.progress import DUPLICATE_KINDS, SCRAPY_SKIPS, pages_fetched, progress_counts
from newscrawler.extensions.tally import ArticleTally
from newscrawler.extensions.verdict import EXIT_STATUS_STAT, VERDICT_STAT
from newscrawler.signals import collect_report_sections
from newscrawler.storage.base import StorageConfig

logger = logging.getLogger(__name__)

REPORT_PATH_STAT = "newscrawler/report_path"
"""Where this run's report will be written (absolute), known from the start so the crawl log
in the store can point at it."""
_SKIP_PREFIXES = ("newscrawler/skipped/", "newscrawler/dropped/", "newscrawler/extract/")
_DISCOVERY_PREFIXES = ("newscrawler/sitemap/", "newscrawler/feed/", "newscrawler/incremental/")
# Requests dropped on purpose (robots.txt, offsite, our guards) and downloads given up on are
# reported under "skipped" and "failed" with their reasons, not as errors.
_COUNTED_AS_SKIP_OR_FAILURE = (".IgnoreRequest", ".DownloadGaveUp")



class CrawlSummary:
    """Prints a short summary and writes the crawl report when the spider closes."""

    def __init__(self, crawler: Crawler, report_dir: Path | None, print_summary: bool) -> None:
        self.crawler = crawler
        self.report_dir = report_dir
        self.print_summary = print_summary
        self.crawl_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]
        self.tally = ArticleTally()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        directory = crawler.settings.get("NEWSCRAWLER_REPORT_DIR", "output/reports")
        ext = cls(crawler, Path(directory) if directory else None,
                  crawler.settings.getbool("NEWSCRAWLER_PRINT_SUMMARY", False))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    @property
    def report_path(self) -> Path | None:
        return None if self.report_dir is None else (self.report_dir / f"{self.crawl_id}.json").resolve()

    def spider_opened(self, spider: Spider) -> None:
        if self.report_path is not None:
            self.crawler.stats.set_value(REPORT_PATH_STAT, str(self.report_path))

    def item_scraped(self, item: Any) -> None:
        self.tally.add(item)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        reason = stats.get("finish_reason") or reason  # the verdict may have named lost rows
        report = self.build_report(spider, reason, stats)
        path = self.report_path
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(report, indent=2, default=str, sort_keys=True) + "\n", encoding="utf-8")
                report["report_path"] = str(path)
            except OSError as exc:
                logger.error("Could not write the crawl report to %s: %s", self.report_dir, exc)
        text = self.format(report)
        logger.info("\n%s", text)
        if self.print_summary:
            print(text, flush=True)

    def build_report(self, spider: Spider, reason: str, stats: dict[str, Any]) -> dict[str, Any]:
        skipped = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith(_SKIP_PREFIXES)}
        skipped.update({name: stats[key] for key, name in SCRAPY_SKIPS.items() if stats.get(key)})
        counts = progress_counts(stats, self.tally)
        http_errors = {k.removeprefix("downloader/response_status_count/"): v for k, v in stats.items()
                       if k.startswith("downloader/response_status_count/") and not k.endswith(("/200", "/301", "/302"))}
        feeds = self.crawler.settings.getdict("FEEDS")
        return {
            "crawl_id": self.crawl_id,
            "spider": spider.name,
            "start_urls": list(getattr(spider, "start_urls", [])),
            "finish_reason": reason,
            "verdict": stats.get(VERDICT_STAT),
            "exit_status": stats.get(EXIT_STATUS_STAT),
            "pages_fetched": pages_fetched(stats),
            "articles_written": stats.get("item_scraped_count", 0),
            "items_dropped": stats.get("item_dropped_count", 0),
            "pages_by_kind": {k.removeprefix("newscrawler/pages/"): v for k, v in stats.items()
                              if k.startswith("newscrawler/pages/")},
            "skipped": skipped,
            "http_status": http_errors,
            "errors": {k: v for k, v in stats.items() if k.startswith(("spider_exceptions/", "downloader/exception_type_count/"))
                       and not k.endswith(_COUNTED_AS_SKIP_OR_FAILURE)},
            "outputs": {
                "feeds": [str(uri) for uri in feeds],
                "sqlite": str(sqlite) if (sqlite := StorageConfig.from_settings(self.crawler.settings).sqlite_path) else None,
            },
            "articles": {name: counts[name] for name in ("extracted", "new", "updated", "unchanged", "duplicate")},
            "duplicates": {kind: stats[f"dedupe/{kind}"] for kind in DUPLICATE_KINDS if stats.get(f"dedupe/{kind}")},
            "by_section": dict(self.tally.by_section.most_common()),
            "by_discovery": dict(self.tally.by_discovery.most_common()),
            "field_coverage": self.tally.coverage(),
            "date_sources": dict(self.tally.date_sources.most_common()),
            "failed": {k.removeprefix("newscrawler/failed/"): v for k, v in stats.items()
                       if k.startswith("newscrawler/failed/")},
            "discovery": {k.removeprefix("newscrawler/"): v for k, v in stats.items()
                          if k.startswith(_DISCOVERY_PREFIXES)},
            **self._sections(),
            "stats": stats,
        }

    def _sections(self) -> dict[str, Any]:
        sections: dict[str, Any] = {}
        for _, section in self.crawler.signals.send_catch_log(collect_report_sections):
            if isinstance(section, dict):
                sections.update(section)
        return sections

    @staticmethod
    def format(report: dict[str, Any]) -> str:
        lines = [
            f"Crawl {report['crawl_id']} finished ({report['finish_reason']}; exit status {report.get('exit_status')})",
            f"  pages fetched:    {report['pages_fetched']}",
            f"  articles written: {report['articles_written']}",
        ]
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(report["pages_by_kind"].items()))
        if kinds:
            lines.append(f"  pages by kind:    {kinds}")
        articles = report.get("articles") or {}
        if articles:
            lines.append("  articles:         " + ", ".join(f"{v} {k}" for k, v in articles.items()))
        for label, key in (("by discovery:", "by_discovery"), ("by section:", "by_section"),
                           ("date sources:", "date_sources"), ("duplicates:", "duplicates"),
                           ("discovery:", "discovery"), ("failed:", "failed")):
            counts = list((report.get(key) or {}).items())
            if counts:
                more = f", ... {len(counts) - 12} more" if len(counts) > 12 else ""
                lines.append(f"  {label:<17} " + ", ".join(f"{k} {v}" for k, v in counts[:12]) + more)
        coverage = report.get("field_coverage") or {}
        if report["articles_written"] and coverage:
            lines.append("  field coverage:   " + ", ".join(f"{k} {v['share']:.0%}" for k, v in coverage.items()))
        lines += _template_lines(report.get("template"))
        lines += _archive_lines(report.get("archive"))
        if report["skipped"]:
            lines.append("  skipped:          " + ", ".join(f"{k} {v}" for k, v in sorted(report["skipped"].items())))
        if report["http_status"]:
            lines.append("  HTTP status:      " + ", ".join(f"{k} {v}" for k, v in sorted(report["http_status"].items())))
        if report["errors"]:
            lines.append("  errors:           " + ", ".join(f"{k} {v}" for k, v in sorted(report["errors"].items())))
        for feed in report["outputs"]["feeds"]:
            lines.append(f"  output:           {feed}")
        if report["outputs"]["sqlite"]:
            lines.append(f"  database:         {report['outputs']['sqlite']}")
        if report.get("report_path"):
            lines.append(f"  report:           {report['report_path']}")
        return "\n".join(lines)


def _archive_lines(section: dict[str, Any] | None) -> list[str]:
    """The WARC part of the printed summary: records, revisits, page requisites, the WACZ."""
    if not section:
        return []
    lines = [f"  archive:          {section['records']} records in {section['files']} file(s) in {section['directory']}, "
             f"{section['revisits']} revisits ({section['revisit_bytes_saved']} bytes not stored again)"]
    requisites = section.get("requisites") or {}
    if requisites:
        failed = ", ".join(f"{k.removeprefix('failed/')} {v}" for k, v in sorted(requisites.items())
                           if k.startswith("failed/"))
        skipped = ", ".join(f"{k.removeprefix('skipped/')} {v}" for k, v in sorted(requisites.items())
                            if k.startswith("skipped/"))
        lines.append(f"  {'':<17} page requisites: {requisites.get('fetched', 0)} fetched "
                     f"({requisites.get('bytes', 0)} bytes)" + (f"; failed: {failed}" if failed else "")
                     + (f"; skipped: {skipped}" if skipped else ""))
    if section.get("wacz"):
        lines.append(f"  {'':<17} WACZ: {section['wacz']}")
    return lines


def _template_lines(section: dict[str, Any] | None) -> list[str]:
    """The site-template part of the printed summary: what was left out of bodies, how often."""
    if not section or not (section["dropped"] or section["lines_dropped"]):
        return []
    sites = "; ".join(f"{site}: {info['furniture_lines']} lines known, {info['learned_this_run']} learned this run"
                      for site, info in section["sites"].items() if info["furniture_lines"])
    lines = [f"  template:         {section['lines_dropped']} furniture lines dropped from "
             f"{section['articles_stripped']} articles ({sites})"]
    for entry in section["dropped"][:5]:
        text = entry["line"] if len(entry["line"]) <= 70 else entry["line"][:69] + "…"
        lines.append(f"  {'':<17} {entry['dropped']:>5}x {text!r}")
    if section.get("store_cleaned_at_close"):
        lines.append(f"  {'':<17} stored articles that hold lines learned in this run are cleaned next "
                     "(the feed keeps them)")
    return lines
