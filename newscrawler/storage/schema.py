"""The stored form of an Article, derived from ``items.py`` so every store follows the schema.

Each Article field becomes a column; lists and nested dataclasses are stored as JSON,
booleans as 0/1 in SQLite. Adding a field to ``Article`` adds a column on the next start.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime, timezone
from typing import Any

from newscrawler.items import Article

ALIASES_DDL = (
    "CREATE TABLE IF NOT EXISTS aliases (url TEXT PRIMARY KEY, canonical_url TEXT NOT NULL, "
    "kind TEXT NOT NULL, seen_at TEXT NOT NULL)"
)
"""Shared with the dedupe component (issue 5), which creates and writes the same table."""

CRAWL_TOTALS = {"pages": "int", "stories_new": "int", "stories_updated": "int", "report_path": "text"}
"""Columns of ``crawls`` filled when a run ends, beside its full stats: what the crawl history
shows for each run without parsing the stats (``report_path``: the end-of-crawl report)."""

ArticleFix = Callable[[dict[str, Any]], "dict[str, Any] | None"]
"""Given a stored article's body fields, the changed ones (None: leave the row alone)."""
REWRITTEN_FIELDS = ("body", "body_html", "lede", "word_count")
"""The fields a site template's cleaning rewrites in stored articles."""

FTS_COLUMNS = ("title", "description", "body")
"""Columns the full-text index covers, in weight order for ranking."""


@dataclass(frozen=True)
class Column:
    """One stored Article field and how its values are kept."""

    name: str
    kind: str
    """``text``, ``int``, ``bool`` or ``json``."""


def _kind(annotation: Any) -> str:
    text = str(annotation)
    if "list" in text or "Dateline" in text or "Image" in text or "dict" in text:
        return "json"
    if annotation is bool:
        return "bool"
    if annotation is int or text in {"int | None", "typing.Optional[int]"}:
        return "int"
    return "text"


def article_columns() -> list[Column]:
    """Every Article field as a column, in schema order."""
    hints = typing.get_type_hints(Article)
    return [Column(name, _kind(hints[name])) for name in Article.field_names()]


COLUMNS: list[Column] = article_columns()
COLUMN_NAMES: list[str] = [c.name for c in COLUMNS]
KEY = "canonical_url"


def _plain(value: Any) -> Any:
    """JSON fallback for nested items (``Image``, ``Dateline``): read through ItemAdapter."""
    from itemadapter import ItemAdapter, is_item

    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if is_item(value):
        return ItemAdapter(value).asdict()
    raise TypeError(f"cannot store a {type(value).__name__} as JSON")


def to_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """Article (an ItemAdapter or a plain dict) -> column values; the key falls back to the URL.

    Reads only the schema's fields, and serialises nested values straight to JSON: a
    recursive ``asdict()`` would cost more than the database write.
    """
    row: dict[str, Any] = {}
    for column in COLUMNS:
        value = item.get(column.name)
        if column.kind == "json":
            value = None if value is None else json.dumps(value, ensure_ascii=False, default=_plain)
        elif column.kind == "bool":
            value = None if value is None else bool(value)
        elif column.kind == "int" and value is not None:
            value = int(value)
        row[column.name] = value
    if not row.get(KEY):
        row[KEY] = row.get("url")
    if not row.get(KEY):
        raise ValueError("article has neither canonical_url nor url")
    return row


def from_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Column values -> Article-shaped dict (JSON decoded), as feeds would write it."""
    out: dict[str, Any] = {}
    for column in COLUMNS:
        value = row.get(column.name)
        if column.kind == "json" and isinstance(value, str):
            value = json.loads(value)
        elif column.kind == "bool" and value is not None:
            value = bool(value)
        out[column.name] = value
    return out


def last_per_key(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the latest row of each story so a batch never upserts one key twice."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest.pop(row[KEY], None)
        latest[row[KEY]] = row
    return list(latest.values())


def now_iso() -> str:
    """The time stores stamp rows with: UTC, ISO 8601, seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def columns_ddl(sql_types: dict[str, str]) -> str:
    """The article columns of ``CREATE TABLE``, in one dialect's types; the key unique."""
    return ", ".join(
        f"{c.name} {sql_types[c.kind]}" + (" NOT NULL UNIQUE" if c.name == KEY else "") for c in COLUMNS
    )


def upsert_sql(placeholders: list[str], stamp: str, rows: int = 1) -> str:
    """``INSERT ... ON CONFLICT (canonical_url) DO UPDATE`` (SQLite and PostgreSQL alike).

    ``placeholders`` has one entry per column, ``stamp`` is the one for ``stored_at``;
    ``rows`` rows of them make a multi-row ``VALUES``.
    """
    names = [c.name for c in COLUMNS]
    updates = ", ".join(f"{n}=excluded.{n}" for n in names if n != KEY)
    row = f"({', '.join(placeholders)}, {stamp})"
    return (
        f"INSERT INTO articles ({', '.join(names)}, stored_at) VALUES {', '.join([row] * rows)} "
        f"ON CONFLICT ({KEY}) DO UPDATE SET {updates}, stored_at=excluded.stored_at"
    )


def alias_sql(placeholder: str) -> str:
    """Records a fetch URL as an alias of its story's canonical URL, once."""
    return (
        "INSERT INTO aliases (url, canonical_url, kind, seen_at) "
        f"VALUES ({placeholder}, {placeholder}, 'canonical', {placeholder}) ON CONFLICT (url) DO NOTHING"
    )


def aliases_of(rows: Iterable[dict[str, Any]], seen_at: str) -> list[tuple[str, str, str]]:
    """(url, canonical_url, seen_at) for each row fetched under another URL than its own."""
    return [(r["url"], r[KEY], seen_at) for r in rows if r.get("url") and r["url"] != r[KEY]]


def rewrite_site_rows(conn: Any, mark: str, like: str, site: str, needles: list[str], fix: ArticleFix) -> int:
    """Apply ``fix`` to the stored articles of ``site`` whose body holds one of ``needles`` (all of
    them when there are none), through a DB-API connection whose placeholder is ``mark`` and
    case-insensitive match ``like``; returns rows changed.

    Batches of 500 rows in id order, each committed on its own: a writer waiting for the
    file (SQLite) waits for one batch at most."""
    changed, last_id = 0, 0
    columns = ", ".join(REWRITTEN_FIELDS)
    assignments = ", ".join(f"{name} = {mark}" for name in REWRITTEN_FIELDS)
    matching = " OR ".join(f"body {like} {mark} ESCAPE '\\'" for _ in needles)
    where = f"site = {mark} AND id > {mark}" + (f" AND ({matching})" if needles else "")
    patterns = ["%" + re.sub(r"([%_\\])", r"\\\1", needle) + "%" for needle in needles]
    while True:
        rows = conn.execute(f"SELECT id, {columns} FROM articles WHERE {where} ORDER BY id LIMIT 500",
                            [site, last_id, *patterns]).fetchall()
        if not rows:
            return changed
        for row_id, *values in rows:
            fixed = fix(dict(zip(REWRITTEN_FIELDS, values)))
            if fixed is not None:
                conn.execute(f"UPDATE articles SET {assignments} WHERE id = {mark}",
                             [*(fixed[name] for name in REWRITTEN_FIELDS), row_id])
                changed += 1
        conn.commit()
        last_id = rows[-1][0]
