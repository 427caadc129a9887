"""Leaves out of the crawl what is switched off but would still be imported at start-up.

Scrapy's remote-control server declines to start when ``REMOTE_CONTROL_ENABLED`` is off (our
default), but only after its module has imported aiohttp: a tenth of a second of CPU and
~9 MB for every scheduled run and Redis worker. Listing it as ``None`` in ``EXTENSIONS`` does
not help (Scrapy imports every key there to compare it with the base list), so it is taken
out of ``EXTENSIONS_BASE`` instead. ``-s REMOTE_CONTROL_ENABLED=1`` leaves it in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

REMOTE_CONTROL = "scrapy.extensions.remote_control.RemoteControl"


class LeanStartupAddon:
    """Drops Scrapy's remote-control extension from a crawl that does not ask for it."""

    def update_settings(self, settings: BaseSettings) -> None:
        if settings.getbool("REMOTE_CONTROL_ENABLED"):
            return
        base = settings.getdict("EXTENSIONS_BASE")
        if base.pop(REMOTE_CONTROL, None) is not None:
            settings.set("EXTENSIONS_BASE", base, priority="project")
