"""Every default in one place; each can be overridden with ``-s NAME=VALUE``."""

from __future__ import annotations

BOT_NAME = "newscrawler"
SPIDER_MODULES = ["newscrawler.spiders"]
NEWSPIDER_MODULE = "newscrawler.spiders"

# --- Politeness ------------------------------------------------------------------------
USER_AGENT = "newscrawler/0.1 (+https://github.com/newscrawler/newscrawler; news archive crawler)"
ROBOTSTXT_OBEY = True
# robots.txt as RFC 9309 says (newscrawler/middlewares/robots.py): 4xx allows everything; 5xx, 429
# or no answer disallows everything while the host's pages wait and robots.txt is fetched again
# this many times, the first after this many seconds, doubling. Still unreachable: the host's
# pages are dropped (newscrawler/robots/unreadable; a crawl of such a start host exits with 2).
NEWSCRAWLER_ROBOTS_RETRIES = 3
NEWSCRAWLER_ROBOTS_RETRY_DELAY = 15.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0
# AutoThrottle adapts the delay to the server's latency. The spider switches it off for
# loopback hosts (tests, the demo) where there is nobody to be polite to.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
# A 429/503 with Retry-After waits that long (at most this many seconds) before its retry.
NEWSCRAWLER_RETRY_AFTER_MAX = 30.0
# A crawl that starts on public sites never connects to private/loopback addresses (SSRF guard):
# checked before each request (newscrawler/middlewares/addresses.py) and on every DNS answer where
# the connection is made (newscrawler/network/resolver.py), so DNS rebinding gets nothing either.
NEWSCRAWLER_BLOCK_PRIVATE_ADDRESSES = True
TWISTED_DNS_RESOLVER = "newscrawler.network.resolver.PublicAddressResolver"
# The resolver it filters: Scrapy's caching one (IPv4, DNS_TIMEOUT); scrapy.resolver.CachingHostnameResolver
# adds IPv6.
NEWSCRAWLER_DNS_RESOLVER = "scrapy.resolver.CachingThreadedResolver"

# --- Crawler traps -----------------------------------------------------------------------
# Links deeper than this from a start page are not followed.
DEPTH_LIMIT = 12
DEPTH_PRIORITY = 0
# Section pagination is followed at most this many pages deep (``-a max_pagination=N``).
NEWSCRAWLER_MAX_PAGINATION = 500
# Stop after this many responses (0: no limit); ``-a max_pages=N`` sets it per run.
NEWSCRAWLER_MAX_PAGES = 0
# URLs with more query parameters than this are not followed (faceted-search traps).
NEWSCRAWLER_MAX_QUERY_PARAMS = 3
# Sitemaps have their own caps, the protocol's: 50 MB uncompressed (on the wire and once
# gunzipped; sitemaps past 20 MB are common on big news sites) and 50,000 URLs per file. Entries
# past the URL cap are counted (newscrawler/sitemap/entries_over_limit), not followed.
NEWSCRAWLER_SITEMAP_MAX_SIZE = 50 * 1024 * 1024
NEWSCRAWLER_SITEMAP_MAX_URLS = 50_000
# Minimum words in the main text of a page without article metadata to call it an article.
NEWSCRAWLER_MIN_ARTICLE_WORDS = 80
# Articles whose body has fewer words are dropped (newscrawler/dropped/no_body).
NEWSCRAWLER_MIN_BODY_WORDS = 20
# Folders searched for site profiles (NAME.toml) before the bundled newscrawler/sites/.
NEWSCRAWLER_PROFILE_DIRS: list[str] = []

# --- Canonical URLs (newscrawler/urls.py) ------------------------------------------------
# Query parameters removed from every URL (a trailing * matches by prefix). None keeps
# newscrawler.urls.DEFAULT_TRACKING_PARAMS (utm_*, fbclid, gclid, mc_cid, ref, cmpid, ...);
# a list replaces them: -s NEWSCRAWLER_TRACKING_PARAMS=utm_*,fbclid,sid
NEWSCRAWLER_TRACKING_PARAMS = None
# Requests are identified by canonical URL, so tracking/AMP/www. variants are fetched once.
REQUEST_FINGERPRINTER_CLASS = "newscrawler.urls.CanonicalRequestFingerprinter"

# --- Scheduling and incremental runs ------------------------------------------------------
# Memory queues whatever JOBDIR says: resume after SIGKILL comes from the store, not from
# Scrapy's disk queue (see newscrawler/scheduler/resumable.py).
SCHEDULER = "newscrawler.scheduler.resumable.ResumableScheduler"
# Re-runs skip articles the store (NEWSCRAWLER_SQLITE_PATH) already holds, unless a sitemap or
# feed date says they changed since the stored copy (newscrawler/spidermiddlewares/incremental.py).
NEWSCRAWLER_INCREMENTAL = True
# A pagination chain stops after this many pages in a row that show no story link and no link
# the crawl had not seen (an endless "next day" archive): newscrawler/skipped/empty_pagination.
NEWSCRAWLER_EMPTY_PAGES_STOP = 3
# Re-runs ask "changed since?" (If-None-Match / If-Modified-Since) for every page fetched before;
# a 304 for an entry page, section, sitemap or feed is read from the copy kept in the store.
NEWSCRAWLER_CONDITIONAL_REQUESTS = True
# Written by the spider from its arguments (-a refresh=1; a resumed JOBDIR): not for -s.
NEWSCRAWLER_REFRESH = False
NEWSCRAWLER_RESUMING = False
# The date window, as YYYY-MM-DD, written by the spider from -a since / -a until: links dated
# outside it are not fetched, articles published outside it not kept
# (newscrawler/spidermiddlewares/window.py; newscrawler/skipped/outside_window).
NEWSCRAWLER_SINCE = None
NEWSCRAWLER_UNTIL = None

# --- Items and pipelines -----------------------------------------------------------------
ITEM_PIPELINES = {
    "newscrawler.pipelines.normalize.NormalizePipeline": 100,
    # Before datelines and dedupe: both read the story's text without the site's furniture.
    "newscrawler.pipelines.template.TemplatePipeline": 150,
    "newscrawler.pipelines.dateline.DatelinePipeline": 200,
    "newscrawler.pipelines.dedupe.DedupePipeline": 300,
    "newscrawler.pipelines.sqlite.SQLitePipeline": 400,
    "newscrawler.pipelines.postgres.PostgresPipeline": 410,
}
# Learn each site's template (newscrawler/pipelines/template.py): a body line (paragraph) seen on
# at least MIN_PAGES distinct article pages of a site, and on at least MIN_SHARE of the site's
# article pages since it first appeared, is furniture ("4 minute read", a subscribe box, a
# standard sign-off; numbers do not count) and is left out of later bodies, body_html and lede.
# 20 and half: a story sentence that a site's writers reuse in a quarter of its stories (the
# demo's closers) is learned in fewer than 1 crawl in 300; one on every page after 20 pages.
# Counts live in NEWSCRAWLER_SQLITE_PATH, or PostgreSQL when NEWSCRAWLER_POSTGRES_DSN is set.
NEWSCRAWLER_TEMPLATE_ENABLED = True
NEWSCRAWLER_TEMPLATE_MIN_PAGES = 20
NEWSCRAWLER_TEMPLATE_MIN_SHARE = 0.5
# Lines counted per site (memory and store rows); past it the rarest, oldest are forgotten.
NEWSCRAWLER_TEMPLATE_MAX_LINES = 20_000
# When a run learns a line, the site's stored articles that hold it (emitted before it was
# learned, in this run or earlier ones) are rewritten without it at the end of the crawl
# (SQLite and PostgreSQL); False: stored rows are never rewritten.
NEWSCRAWLER_TEMPLATE_CLEAN_STORED = True
# Parse each article's dateline ("New Delhi, Sept 29 (PTI)") into Article.dateline.
NEWSCRAWLER_DATELINES_ENABLED = True
# One record per story (newscrawler/pipelines/dedupe.py): duplicates by URL, canonical URL,
# body and near-duplicate body are dropped, updates re-emitted with is_update. State is kept
# in NEWSCRAWLER_SQLITE_PATH (dedupe_* tables + aliases); empty path: this run only.
NEWSCRAWLER_DEDUPE_ENABLED = True
# Where the dedupe state lives: "sqlite" (NEWSCRAWLER_SQLITE_PATH), "postgres"
# (NEWSCRAWLER_POSTGRES_DSN) or "redis" (NEWSCRAWLER_REDIS_URL, keys under
# NEWSCRAWLER_REDIS_KEY_PREFIX + ":dedupe"). Empty: postgres when a DSN is set, else redis when
# NEWSCRAWLER_REDIS_URL is, else sqlite; the shared stores let several workers dedupe together.
NEWSCRAWLER_DEDUPE_BACKEND = ""
# Estimated Jaccard similarity of 3-word shingles from which a body is a near copy. 0.5 keeps
# precision and recall >= 0.99 on bench/dedupe.py (copies with 1-15% of words reworded) while
# distinct stories written from one template (the demo site, up to 0.33) stay apart.
NEWSCRAWLER_DEDUPE_THRESHOLD = 0.5
# Bodies shorter than this (words) are compared by URL only.
NEWSCRAWLER_DEDUPE_MIN_WORDS = 20
# MinHash/LSH shape; the stored state is tied to it (a store built with others is refused).
NEWSCRAWLER_DEDUPE_NUM_PERM = 64
NEWSCRAWLER_DEDUPE_SHINGLE = 3
NEWSCRAWLER_DEDUPE_BANDS = 21
NEWSCRAWLER_DEDUPE_ROWS = 3

# --- Storage, search and archive ----------------------------------------------------------
# SQLite file every crawl upserts into (with an FTS5 index); empty string switches it off.
NEWSCRAWLER_SQLITE_PATH = "output/news.db"
# `scrapy search` on SQLite ranks at most the newest N matches of a query (0: rank all). A word
# in nearly every article would otherwise be scored everywhere: ~80 ms at 100k articles, not ~11.
NEWSCRAWLER_SEARCH_WINDOW = 10_000
# Longest `scrapy search` query accepted, in characters (0: any). FTS5 took 3 s and 1 GB to parse
# a 100,000-character query; a longer one is refused in one line (exit status 1).
NEWSCRAWLER_SEARCH_MAX_QUERY_LENGTH = 1000
# PostgreSQL DSN (postgresql://user@host:5432/db); empty: off. Env NEWSCRAWLER_POSTGRES_DSN too.
NEWSCRAWLER_POSTGRES_DSN = ""
# Parallel PostgreSQL connections; a story always uses the same one, so its updates stay in order.
NEWSCRAWLER_POSTGRES_WRITERS = 2
# Stores commit a batch when it holds this many articles or its oldest is this many seconds old.
NEWSCRAWLER_STORE_BATCH_SIZE = 200
NEWSCRAWLER_STORE_BATCH_SECONDS = 1.0
# --- Archive (newscrawler/archive/) ------------------------------------------------------------
# Folder for a WARC archive of every response (empty: off); files rotate past MAX_SIZE bytes.
NEWSCRAWLER_WARC_DIR = ""
NEWSCRAWLER_WARC_MAX_SIZE = 1024 * 1024 * 1024
# "snapshot": also fetch and archive what every archived HTML page needs to be shown
# (stylesheets and what they import, images, scripts, fonts, icons), once per crawl, from
# any host (CDNs) but never followed as pages. Empty: off.
NEWSCRAWLER_ARCHIVE = ""
# Where a snapshot writes its WARCs when NEWSCRAWLER_WARC_DIR is empty.
NEWSCRAWLER_SNAPSHOT_DIR = "output/warc"
# A payload stored before (same bytes under another URL, or in an earlier run into the same
# folder) is written as a revisit record; payload-digests.sqlite3 in the folder remembers them.
NEWSCRAWLER_WARC_REVISITS = True
# Payloads smaller than this are stored again: a revisit record would not be smaller.
NEWSCRAWLER_WARC_REVISIT_MIN_SIZE = 512
# Size caps of page requisites: one resource (bigger ones are cut off and not archived), and
# all requisites of a crawl together (past it, no more are fetched). Both counted in stats.
NEWSCRAWLER_ARCHIVE_RESOURCE_MAX_SIZE = 10 * 1024 * 1024
NEWSCRAWLER_ARCHIVE_CRAWL_MAX_SIZE = 2 * 1024 * 1024 * 1024
# At most this many candidates of one srcset are fetched (smallest, largest, evenly between).
NEWSCRAWLER_ARCHIVE_MAX_SRCSET = 8
# pywb collection address (http://localhost:8080/news/): each article gets replay_url.
NEWSCRAWLER_REPLAY_URL = ""
# Write the crawl's WARCs as this WACZ file when the crawl ends (needs py-wacz); empty: no.
NEWSCRAWLER_WACZ = ""
# Next to the downloader (above HttpCompression's 590), so records keep the bytes as sent.
DOWNLOADER_MIDDLEWARES = {
    "newscrawler.archive.middlewares.WarcArchiveMiddleware": 950,
    # Below HttpCompression: reads decoded pages and stylesheets for what they need.
    "newscrawler.archive.snapshot.PageRequisitesMiddleware": 100,
    # Hostile network (newscrawler/middlewares/): counts final failures by reason (engine side,
    # after retries), drops public-to-private redirects and redirect loops, honours Retry-After.
    "newscrawler.middlewares.failures.FailureStatsMiddleware": 40,
    "newscrawler.middlewares.addresses.PrivateAddressMiddleware": 60,
    # Scrapy's treats a robots.txt that fails as allow-all; ours follows RFC 9309.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newscrawler.middlewares.robots.RobotsPolicyMiddleware": 100,
    # Above RetryMiddleware (550): a lookup refused for its private answers is not retried.
    "newscrawler.middlewares.addresses.RefusedLookupMiddleware": 555,
    # Above RedirectMiddleware (600): it sees a redirect before it is followed.
    "newscrawler.middlewares.redirect_loops.RedirectLoopMiddleware": 610,
    "newscrawler.middlewares.retry_after.RetryAfterMiddleware": 560,
    "newscrawler.middlewares.truncation.TruncatedBodyMiddleware": 595,
    # Below the WARC writer (950): the archive keeps the 304 as it came; the spider gets the kept page.
    "newscrawler.middlewares.conditional.ConditionalRequestMiddleware": 900,
    # Just above HttpCompressionMiddleware (590): no br asked for, or decoded, where brotli is broken.
    "newscrawler.middlewares.encodings.AcceptedEncodingsMiddleware": 591,
}
SPIDER_MIDDLEWARES = {
    "newscrawler.archive.middlewares.WarcLocationMiddleware": 800,
    # DEPTH_LIMIT counts links followed, not pages of pagination (newscrawler/middlewares/depth.py).
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "newscrawler.middlewares.depth.LinkDepthMiddleware": 900,
    # Known stories stay unfetched; pagination that shows nothing ends (one store lookup a page).
    "newscrawler.spidermiddlewares.incremental.IncrementalMiddleware": 850,
    # Closest to the spider: links and articles outside -a since/until go before anything counts them.
    "newscrawler.spidermiddlewares.window.DateWindowMiddleware": 950,
}

EXTENSIONS = {
    "newscrawler.extensions.summary.CrawlSummary": 500,
    "newscrawler.extensions.progress.CrawlProgress": 510,
    "newscrawler.extensions.lock.SiteLock": 100,
    # After CoreStats, before the report: the verdict and exit status (newscrawler/extensions/verdict.py).
    "newscrawler.extensions.verdict.CrawlVerdict": 450,
    # With a JOBDIR: marks a run unfinished until it finishes, so the next one knows it resumes.
    "newscrawler.extensions.resume_marker.ResumeMarker": 520,
}
# Seconds between progress lines in the log (pages, articles new/updated/unchanged/duplicate,
# skips, failures, rate); 0 switches them off.
NEWSCRAWLER_PROGRESS_INTERVAL = 30.0
# One run per site at a time: an flock on a file per site in this folder (empty: no lock).
# A second run of the same site exits at once with status 1; a killed run leaves no stale lock.
NEWSCRAWLER_LOCK_DIR = "output/locks"
# The crawl's site name, which names its lock; the spider sets it to the profile's name
# (-a site=NAME). Empty: the hosts of the start URLs name the lock.
NEWSCRAWLER_SITE = ""

# --- Scale-out on Redis (newscrawler/addons/redis.py, scheduler/) ------------------------------
# redis://host:6379/0 makes this worker share its frontier (queue + seen URLs) with every
# worker given the same URL and key prefix; empty: a normal single-process crawl.
NEWSCRAWLER_REDIS_URL = ""
# Redis keys of the shared crawl start with this ("%(spider)s" is the spider name).
NEWSCRAWLER_REDIS_KEY_PREFIX = "newscrawler:%(spider)s"

# --- JavaScript pages (newscrawler/rendering/, addons/javascript.py) ---------------------------
# Pages are rendered in Chromium (scrapy-playwright) only when asked: -a render_js=1 (every
# page) or =auto (pages that arrive as script-built shells), a site profile's render_js (true,
# "auto" or URL patterns), or this setting (True or "auto", any spider).
NEWSCRAWLER_RENDER_JS = False
# URL patterns (regular expressions) of the pages to render; the spider sets them from a
# profile's render_js = ["pattern", ...].
NEWSCRAWLER_RENDER_JS_PATTERNS: list[str] = []
# Chromium to launch; empty: the first of chromium, chromium-browser, google-chrome on PATH.
NEWSCRAWLER_CHROMIUM_PATH = ""
# CSS selector the browser waits for before reading a page; empty: wait for network idle.
NEWSCRAWLER_JS_WAIT_FOR = ""
# Pages rendered at once (each is a renderer process: memory is the limit).
NEWSCRAWLER_JS_MAX_PAGES = 4
# Seconds the browser may take to render one page (load, then network idle or the selector
# above). Not DOWNLOAD_TIMEOUT: the page was fetched already, rendering is CPU and its scripts.
# A render that takes longer is retried (RETRY_TIMES), then the page is used as fetched.
NEWSCRAWLER_JS_TIMEOUT = 30

# Add-ons switch on Redis and the browser only when the settings above ask for them.
ADDONS = {
    "newscrawler.addons.redis.RedisAddon": 100,
    "newscrawler.addons.javascript.JavaScriptAddon": 110,
    # Scrapy's remote control stays unloaded (aiohttp, 0.1 s of every start) unless switched on.
    "newscrawler.addons.lean_startup.LeanStartupAddon": 120,
}

FEED_EXPORT_ENCODING = "utf-8"
# Feed files get each item as it is exported, not through a buffer a killed run would lose.
FEED_STORAGES = {
    "": "newscrawler.extensions.feed_storage.UnbufferedFileFeedStorage",
    "file": "newscrawler.extensions.feed_storage.UnbufferedFileFeedStorage",
}

# Our `scrapy crawl` replaces Scrapy's: one line for a setup error, and an exit status from the
# crawl's verdict (0 done, 1 usage/configuration, 2 site not crawled or articles lost).
COMMANDS_MODULE = "newscrawler.commands"

# --- Scrapy housekeeping -------------------------------------------------------------------
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
# An unauthenticated control server has no place in a cron job; switch it on with -s if wanted.
REMOTE_CONTROL_ENABLED = False
