"""Link depth that does not count pagination.

Scrapy's ``DEPTH_LIMIT`` counts every hop, so page 40 of a section would sit 40 links
deep and fall off a sensible limit while its stories are only one link further. Here a
"next page" keeps the depth of the page it came from: ``DEPTH_LIMIT`` bounds how far the
crawl wanders from the start pages, and ``NEWSCRAWLER_MAX_PAGINATION`` bounds pagination.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response
from scrapy.spidermiddlewares.depth import DepthMiddleware


class LinkDepthMiddleware(DepthMiddleware):
    """Scrapy's DepthMiddleware, except that pagination requests keep their page's depth."""

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if response is not None and request.meta.get("discovered_via") == "pagination":
            request.meta["depth"] = response.meta.get("depth", 0)
            return request
        return super().get_processed_request(request, response)
