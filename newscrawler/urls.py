"""Canonical URLs: one article, one URL, whatever link, campaign or AMP page led to it.

The spider canonicalises every URL before scheduling it, and the request fingerprinter
below identifies requests by that canonical form, so one article is fetched once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from weakref import WeakKeyDictionary

from w3lib.url import canonicalize_url as _w3lib_canonicalize_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

DEFAULT_TRACKING_PARAMS: tuple[str, ...] = (
    "utm_*", "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid",
    "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src", "ref_url", "cmpid",
    "ito", "itm_*", "ns_*", "s_cid", "smid", "ocid", "xtor", "__twitter_impression", "at_*",
)
"""Query parameters that say how a reader arrived, not which page they asked for.
A trailing ``*`` matches by prefix. The ``NEWSCRAWLER_TRACKING_PARAMS`` setting replaces it."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_AMP_QUERY_FLAGS = {"amp": {"", "1", "true", "yes"}, "outputtype": {"amp"}, "output": {"amp"}}
_AMP_CACHE = re.compile(r"^/[cvi]/(?P<secure>s/)?(?P<rest>[^/].*)$")


@dataclass(frozen=True)
class _ParamFilter:
    """Matches query parameter names against exact names and ``prefix*`` patterns."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    def __call__(self, name: str) -> bool:
        lowered = name.lower()
        return lowered in self.exact or (bool(self.prefixes) and lowered.startswith(self.prefixes))


@lru_cache(maxsize=32)
def _param_filter(params: tuple[str, ...]) -> _ParamFilter:
    names = [p.strip().lower() for p in params if p.strip()]
    return _ParamFilter(
        exact=frozenset(n for n in names if not n.endswith("*")),
        prefixes=tuple(n[:-1] for n in names if n.endswith("*")),
    )


def _is_amp_flag(name: str, value: str) -> bool:
    allowed = _AMP_QUERY_FLAGS.get(name.lower())
    return allowed is not None and value.lower() in allowed


def _unwrap_amp_cache(url: str) -> str:
    """``https://example-com.cdn.ampproject.org/c/s/example.com/a`` is ``https://example.com/a``."""
    parts = urlsplit(url)
    if not (parts.hostname or "").endswith(".cdn.ampproject.org"):
        return url
    match = _AMP_CACHE.match(parts.path)
    if not match:
        return url
    scheme = "https" if match["secure"] else "http"
    return f"{scheme}://{match['rest']}" + (f"?{parts.query}" if parts.query else "")


def _canonical_host(host: str, fold_www: bool, www_hosts: frozenset[str]) -> str:
    host = host.rstrip(".")
    if host.startswith("amp.") and host.count(".") >= 2:
        host = host[4:]
    if fold_www:
        bare = host[4:] if host.startswith("www.") and host.count(".") >= 2 else host
        host = "www." + bare if bare in www_hosts else bare
    return host


def _canonical_path(path: str) -> str:
    """Drop AMP markers from the path: ``/amp/`` segments, ``.amp.html``, ``.amp``."""
    if "amp" not in path.lower():
        return path
    segments = [s for s in path.split("/") if s.lower() != "amp"]
    path = "/".join(segments)
    if not path.startswith("/"):
        path = "/" + path
    lowered = path.lower()
    if lowered.endswith(".amp.html"):
        path = path[: -len(".amp.html")] + ".html"
    elif lowered.endswith(".amp"):
        path = path[: -len(".amp")]
    return path


def canonicalize_url(
    url: str,
    *,
    strip_params: Iterable[str] | None = None,
    fold_www: bool = True,
    www_hosts: Iterable[str] = (),
) -> str:
    """The one URL an article is known by.

    Lower-cases scheme and host, drops default ports, fragments, tracking parameters
    (``strip_params``, default :data:`DEFAULT_TRACKING_PARAMS`; ``*`` suffix = prefix) and
    AMP markers (``/amp/``, ``?amp=1``, ``amp.`` hosts, ``.amp.html``, AMP cache URLs), and
    sorts the query. With ``fold_www`` a ``www.`` host and its bare form become one: the
    bare form, unless the bare host is in ``www_hosts`` (sites that live on ``www.``, see
    :func:`www_hosts_of`). URLs that are not http(s) are returned stripped, unchanged.
    Raises ``ValueError`` for an http(s) URL without a host or with a malformed port.
    """
    try:
        url = _unwrap_amp_cache(url.strip())
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"cannot canonicalise {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return url
    if not parts.hostname:
        raise ValueError(f"cannot canonicalise {url!r}: expected a host after {scheme}://")
    host = _canonical_host(parts.hostname, fold_www, frozenset(www_hosts))
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        host = f"{userinfo}@{host}"
    tracking = _param_filter(tuple(DEFAULT_TRACKING_PARAMS if strip_params is None else strip_params))
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not tracking(name) and not _is_amp_flag(name, value)
    ]
    rebuilt = urlunsplit((scheme, host, _canonical_path(parts.path) or "/", urlencode(query), ""))
    return _w3lib_canonicalize_url(rebuilt, keep_blank_values=True, keep_fragments=False)


def www_hosts_of(urls: Iterable[str]) -> frozenset[str]:
    """Bare hosts of the given (start) URLs that use ``www.``: those sites stay on ``www.``."""
    hosts = set()
    for url in urls:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
        if host.startswith("www.") and host.count(".") >= 2:
            hosts.add(host[4:])
    return frozenset(hosts)


@dataclass(frozen=True)
class UrlCanonicalizer:
    """``canonicalize_url`` bound to a crawl's settings and start URLs."""

    strip_params: tuple[str, ...] = DEFAULT_TRACKING_PARAMS
    www_hosts: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: BaseSettings, start_urls: Iterable[str] = ()) -> Self:
        return cls(tracking_params(settings), www_hosts_of(start_urls))

    def __call__(self, url: str) -> str:
        return canonicalize_url(url, strip_params=self.strip_params, www_hosts=self.www_hosts)


def tracking_params(settings: BaseSettings) -> tuple[str, ...]:
    """The ``NEWSCRAWLER_TRACKING_PARAMS`` setting, or the defaults when it is unset."""
    if settings.get("NEWSCRAWLER_TRACKING_PARAMS") is None:
        return DEFAULT_TRACKING_PARAMS
    return tuple(settings.getlist("NEWSCRAWLER_TRACKING_PARAMS"))


class CanonicalRequestFingerprinter:
    """``REQUEST_FINGERPRINTER_CLASS`` that identifies a request by its canonical URL.

    Tracking, AMP and ``www.`` variants of an article share one fingerprint, so the
    dupefilter lets only the first through. A redirected request is fingerprinted by its
    exact URL instead: ``?utm_source=x`` redirecting to the clean URL must not be dropped as
    a duplicate of the request that caused it.
    """

    def __init__(self, strip_params: Iterable[str] = DEFAULT_TRACKING_PARAMS) -> None:
        self.strip_params = tuple(strip_params)
        self._cache: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(tracking_params(crawler.settings))

    def fingerprint(self, request: Request) -> bytes:
        cached = self._cache.get(request)
        if cached is not None:
            return cached
        redirected = bool(request.meta.get("redirect_urls"))
        try:
            url = (
                _w3lib_canonicalize_url(request.url)
                if redirected
                else canonicalize_url(request.url, strip_params=self.strip_params)
            )
        except ValueError:
            url = request.url
        payload = json.dumps(
            [request.method, url, (request.body or b"").hex(), redirected], separators=(",", ":")
        )
        fingerprint = hashlib.sha1(payload.encode()).digest()
        self._cache[request] = fingerprint
        return fingerprint
