"""Signals newscrawler's components send each other through ``crawler.signals``, like Scrapy's."""

from __future__ import annotations

article_not_stored = object()
"""A store refused an article or lost it with its batch (``canonical_url``, ``url``, ``store``
arguments). The dedupe pipeline forgets the story, so its state records only what the stores
accepted and a later sighting of the story is emitted again."""

page_classified = object()
"""The spider has read a fetched page: ``response`` and ``kind`` (``article``, ``listing``, ``home``,
``static``, ``other``, ``sitemap`` or ``feed``). Components that keep per-page state listen here."""

collect_report_sections = object()
"""Sent while the end-of-crawl report is built: a handler returns ``{name: section}`` to add to it
(the template pipeline adds ``template``), so components report without the report knowing them."""
