"""Downloader middlewares: how the crawl survives a hostile network and renders JavaScript.

Each module does one job and is switched on in ``settings.DOWNLOADER_MIDDLEWARES``:
``failures`` counts what finally failed and why, ``retry_after`` honours ``Retry-After``,
``truncation`` retries cut-off compressed bodies, ``redirect_loops`` stops redirect cycles,
``addresses`` keeps public crawls off private networks, ``javascript`` sends the pages that
need a browser to scrapy-playwright (enabled by ``newscrawler.addons.javascript.JavaScriptAddon``).
"""
