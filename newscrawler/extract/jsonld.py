"""Reading one ``<script type="application/ld+json">`` block, with a depth limit.

A block nested 100,000 arrays deep made ``json.loads`` raise ``RecursionError`` and the
whole article was lost. Real JSON-LD is a few levels deep, so a block deeper than
:data:`MAX_DEPTH` is refused before it is parsed; the page's other blocks are still read and
the caller counts the reason (``jsonld_too_deep``, ``jsonld_broken``).
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64
"""Arrays and objects nested deeper than this make a block unreadable (schema.org graphs
seen in the wild stay under 15)."""

BROKEN = "jsonld_broken"
TOO_DEEP = "jsonld_too_deep"

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class JsonLdError(ValueError):
    """A block that cannot be read; ``reason`` is the code the crawl counts."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """How deep arrays and objects nest in ``text`` (brackets inside strings ignored); the
    count stops early once it passes ``limit``."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub('""', text)):
        if bracket in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def load_jsonld(script: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse one JSON-LD block, tolerating the comments and raw control characters sites
    leave in it; raise :class:`JsonLdError` when it is broken or nested too deep."""
    text = script.strip()
    if not text:
        raise JsonLdError(BROKEN, "empty JSON-LD block")
    depth = nesting_depth(text, max_depth)
    if depth > max_depth:
        raise JsonLdError(TOO_DEEP, f"JSON-LD nested more than {max_depth} levels deep")
    try:
        return json.loads(text, strict=False)
    except RecursionError as exc:  # a recursion limit lower than the depth allows
        raise JsonLdError(TOO_DEEP, f"JSON-LD too deep to parse: {exc}") from None
    except ValueError:
        pass
    # Comments (// and /* */, HTML comment markers) and trailing commas, as some sites write it.
    from extruct.jsonld import HTML_OR_JS_COMMENTLINE
    import jstyleson

    try:
        return jstyleson.loads(HTML_OR_JS_COMMENTLINE.sub("", text), strict=False)
    except RecursionError as exc:
        raise JsonLdError(TOO_DEEP, f"JSON-LD too deep to parse: {exc}") from None
    except (ValueError, TypeError, IndexError) as exc:
        recovered = objects_one_by_one(text)
        if recovered:
            return recovered
        raise JsonLdError(BROKEN, f"JSON-LD is not valid JSON: {exc}") from None


def objects_one_by_one(text: str, attempts: int = 100) -> list[Any]:
    """The objects that still read as JSON in a block broken elsewhere (a stray brace between
    two objects, a truncated tail): each ``{`` is tried as the start of one object, and an
    object read whole is skipped over. At most ``attempts`` starts are tried."""
    decoder = json.JSONDecoder(strict=False)
    found: list[Any] = []
    position = 0
    for _ in range(attempts):
        start = text.find("{", position)
        if start < 0:
            break
        try:
            value, end = decoder.raw_decode(text, start)
        except (ValueError, RecursionError):
            position = start + 1
            continue
        found.append(value)
        position = end
    return found
