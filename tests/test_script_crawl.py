"""A crawl run from a Python script with Scrapy's CrawlerProcess, not the `scrapy` command.

CrawlerProcess builds the middlewares before it installs the reactor's name resolver (the
`scrapy crawl` command builds them after): the address guard must find the connect-time
resolver either way, or a crawl of this machine is refused every lookup. And the script has
no ``if __name__ == "__main__"`` guard, like Scrapy's own examples: no child process the
crawl starts may run it again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.hostile_server import plain_news_routes, serve_site

REPO = Path(__file__).resolve().parent.parent
SCRIPT = """
import sys
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

settings = get_project_settings()
settings.set("NEWSCRAWLER_SQLITE_PATH", sys.argv[2])
settings.set("NEWSCRAWLER_REPORT_DIR", sys.argv[3])
settings.set("NEWSCRAWLER_LOCK_DIR", sys.argv[3])
process = CrawlerProcess(settings)
crawler = process.create_crawler("news")
process.crawl(crawler, start_url=sys.argv[1])
process.start()
print("STORED", crawler.stats.get_value("newscrawler/sqlite/stored", 0))
print("REFUSED", crawler.stats.get_value("newscrawler/skipped/private_address", 0))
"""


def test_a_script_with_crawlerprocess_crawls_a_site_on_this_machine(tmp_path):
    routes, expected = plain_news_routes(6, per_page=3, sections=1)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawler.settings",
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}
    script = tmp_path / "crawl_script.py"
    script.write_text(SCRIPT)
    with serve_site(routes) as site:
        done = subprocess.run([sys.executable, str(script), site.url("/"), str(tmp_path / "news.db"),
                               str(tmp_path / "reports")], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("STORED") == 1, done.stdout  # the script ran once
    assert f"STORED {len(expected)}" in done.stdout, done.stderr[-3000:]
    assert "REFUSED 0" in done.stdout
