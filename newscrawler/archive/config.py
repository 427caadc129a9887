"""Archive settings, parsed once: a bad value stops the crawl at start with its name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import UsageError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

SNAPSHOT = "snapshot"
MODES = ("", SNAPSHOT)


@dataclass(frozen=True)
class ArchiveConfig:
    """What to archive and where (see the "Archive" part of settings.py)."""

    mode: str
    warc_dir: Path | None
    warc_max_size: int
    revisits: bool
    revisit_min_size: int
    resource_max_size: int
    crawl_max_size: int
    max_srcset_candidates: int
    replay_url: str
    wacz_path: str

    @property
    def snapshot(self) -> bool:
        return self.mode == SNAPSHOT

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        mode = str(settings.get("NEWSCRAWLER_ARCHIVE") or "").strip().lower()
        if mode in {"0", "off", "false", "none"}:
            mode = ""
        if mode not in MODES:
            raise UsageError(f"NEWSCRAWLER_ARCHIVE={settings.get('NEWSCRAWLER_ARCHIVE')!r} is not valid: "
                             f"expected '{SNAPSHOT}' or empty (off)")
        directory = settings.get("NEWSCRAWLER_WARC_DIR") or (
            settings.get("NEWSCRAWLER_SNAPSHOT_DIR") if mode else "")
        numbers = {}
        for name in ("NEWSCRAWLER_WARC_MAX_SIZE", "NEWSCRAWLER_ARCHIVE_RESOURCE_MAX_SIZE",
                     "NEWSCRAWLER_ARCHIVE_CRAWL_MAX_SIZE", "NEWSCRAWLER_ARCHIVE_MAX_SRCSET",
                     "NEWSCRAWLER_WARC_REVISIT_MIN_SIZE"):
            try:
                numbers[name] = settings.getint(name)
            except ValueError:
                raise UsageError(f"{name}={settings.get(name)!r} is not a whole number") from None
            if numbers[name] < 0 or (numbers[name] == 0 and name != "NEWSCRAWLER_WARC_REVISIT_MIN_SIZE"):
                raise UsageError(f"{name} must be above 0, got {numbers[name]}")
        replay = str(settings.get("NEWSCRAWLER_REPLAY_URL") or "").strip()
        if replay and not replay.startswith(("http://", "https://")):
            raise UsageError(f"NEWSCRAWLER_REPLAY_URL={replay!r} is not an http(s) URL (e.g. http://localhost:8080/news/)")
        if replay and not replay.endswith("/"):
            replay += "/"
        return cls(
            mode=mode,
            warc_dir=Path(directory) if directory else None,
            warc_max_size=numbers["NEWSCRAWLER_WARC_MAX_SIZE"],
            revisits=settings.getbool("NEWSCRAWLER_WARC_REVISITS"),
            revisit_min_size=numbers["NEWSCRAWLER_WARC_REVISIT_MIN_SIZE"],
            resource_max_size=numbers["NEWSCRAWLER_ARCHIVE_RESOURCE_MAX_SIZE"],
            crawl_max_size=numbers["NEWSCRAWLER_ARCHIVE_CRAWL_MAX_SIZE"],
            max_srcset_candidates=numbers["NEWSCRAWLER_ARCHIVE_MAX_SRCSET"],
            replay_url=replay,
            wacz_path=str(settings.get("NEWSCRAWLER_WACZ") or "").strip(),
        )
