"""JavaScript rendering: which pages a crawl renders (``modes``) and the Chromium it renders them in
(``chromium``). Switched on by ``newscrawler.addons.javascript``; pages are sent through the
browser by ``newscrawler.middlewares.javascript``."""
