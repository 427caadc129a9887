"""The news archive's web pages: Datasette over the crawl's SQLite store.

Shipped as Datasette configuration, not as an application of our own: ``metadata.json``,
``templates/`` and ``plugins/`` (which adds the search, story and crawl-history pages and
their ``.json`` forms). ``scrapy browse`` starts Datasette with them; so does a plain
``datasette`` command line (:func:`datasette_options`), as the README shows.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
METADATA = HERE / "metadata.json"
TEMPLATES = HERE / "templates"
PLUGINS = HERE / "plugins"


def datasette_options() -> list[str]:
    """The options that give Datasette the archive's pages."""
    return ["-m", str(METADATA), "--template-dir", str(TEMPLATES), "--plugins-dir", str(PLUGINS)]
