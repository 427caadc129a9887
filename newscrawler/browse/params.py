"""What a search page was asked, read from its query string, and what was wrong with it.

Nothing a visitor types makes the page fail: an unusable value is dropped and a notice says
so; a query no store should be handed (too long) is refused by ``SearchQuery.check``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from newscrawler.storage.search import SearchQuery

PAGE_SIZE = 20
FILTERS = ("section", "site", "author", "since", "until")


@dataclass
class SearchPage:
    """One request of the search page."""

    text: str = ""
    page: int = 1
    order: str = "relevance"
    section: str | None = None
    site: str | None = None
    author: str | None = None
    since: str | None = None
    until: str | None = None
    notices: list[str] = field(default_factory=list)
    """What was wrong with the request and what was done instead, for the reader."""

    @classmethod
    def from_args(cls, args: dict[str, str]) -> SearchPage:
        """From the request's query string (first value of each parameter)."""
        page = cls(text=(args.get("q") or "").strip())
        raw_page = (args.get("page") or "1").strip()
        if raw_page.isdigit() and int(raw_page) >= 1:
            page.page = min(int(raw_page), 10**9)
        else:
            page.notices.append(f"{raw_page!r} is not a page number; showing the first page.")
        order = args.get("sort") or ("relevance" if page.text else "date")
        if order not in ("relevance", "date"):
            page.notices.append(f"Cannot sort by {order!r}; sorted by relevance.")
            order = "relevance"
        page.order = order if page.text else "date"
        for name in ("section", "site", "author"):
            setattr(page, name, (args.get(name) or "").strip() or None)
        for name in ("since", "until"):
            value = (args.get(name) or "").strip()
            if not value:
                continue
            try:
                setattr(page, name, date.fromisoformat(value).isoformat())
            except ValueError:
                page.notices.append(f"{name.title()} {value!r} is not a date (YYYY-MM-DD); that filter was left out.")
        return page

    def query(self, mark: tuple[str, str], window: int | None, max_length: int | None) -> SearchQuery:
        return SearchQuery(
            text=self.text, limit=PAGE_SIZE, offset=(self.page - 1) * PAGE_SIZE, order=self.order,
            since=self.since, until=self.until, section=self.section, site=self.site, author=self.author,
            mark=mark, window=window, max_length=max_length,
        )

    def args(self) -> dict[str, str]:
        """The request as query-string parameters, without defaults."""
        out = {"q": self.text} if self.text else {}
        if self.text and self.order != "relevance":
            out["sort"] = self.order
        for name in FILTERS:
            if value := getattr(self, name):
                out[name] = value
        if self.page > 1:
            out["page"] = str(self.page)
        return out

    def url(self, base: str, **changes: str | int | None) -> str:
        """This search with some parameters changed (``None`` removes one); back to page 1
        unless ``page`` is given."""
        args = {k: v for k, v in self.args().items() if k != "page"}
        for name, value in changes.items():
            if value is None:
                args.pop(name, None)
            else:
                args[name] = str(value)
        if args.get("page") == "1":
            del args["page"]
        return base + ("?" + urlencode(args) if args else "")

    def active_filters(self) -> list[tuple[str, str]]:
        return [(name, getattr(self, name)) for name in FILTERS if getattr(self, name)]
