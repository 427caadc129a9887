"""Datasette plugin: the news archive's pages over every attached newscrawler store.

Loaded with ``--plugins-dir`` (``scrapy browse`` passes it). The routes of plugins come before
Datasette's own, so a store's database page becomes its search page; its tables stay
reachable at their usual addresses.
"""

from __future__ import annotations

import re
from typing import Any

from datasette import Response, hookimpl
from datasette.utils import tilde_encode

from newscrawler.browse.views import crawl_page, history_page, is_news_store, search_page, story_page


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    routes = []
    files = {name: db for name, db in datasette.databases.items() if not db.is_memory}
    stores = [name for name, db in files.items() if is_news_store(db.path)]
    if len(stores) == len(files) == 1 and tilde_encode(stores[0]) == stores[0]:
        # Serving one store: Datasette's list of databases would be a page with one link.
        home = datasette.urls.database(stores[0])
        routes.append((r"^/$", lambda: Response.redirect(home)))
    for name in stores:
        if tilde_encode(name) != name:  # names that need encoding in URLs keep Datasette's own pages
            continue
        database = f"(?P<database>{re.escape(name)})"
        json_suffix = r"(?:\.(?P<format>json))?"
        routes += [
            (rf"^/{database}{json_suffix}$", search_page),
            (rf"^/{database}/story/(?P<id>\d+){json_suffix}$", story_page),
            (rf"^/{database}/history{json_suffix}$", history_page),
            (rf"^/{database}/history/(?P<id>\d+){json_suffix}$", crawl_page),
        ]
    return routes
