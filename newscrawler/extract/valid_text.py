"""Text any store can write: valid Unicode, no control characters, NFC.

Pages and their JSON-LD carry lone surrogates (``"\\udfff"`` escapes that ``json.loads``
accepts), NULs and other control characters. SQLite's and PostgreSQL's drivers refuse such
strings, and a refused row used to cost its whole batch. Extraction therefore cleans every
text field it hands out, in one place, nested values included.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any, TypeVar

T = TypeVar("T")

# C0 controls except tab and newline, DEL, C1 controls, and surrogates.
_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """``text`` with surrogate pairs joined, lone surrogates as U+FFFD, control characters
    other than newline and tab removed, in NFC."""
    if _SUSPECT.search(text):
        if _SURROGATE.search(text):
            # UTF-16 round trip: a high+low pair becomes its character, a lone half U+FFFD.
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        text = _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def valid_values(value: T) -> T:
    """``value`` with every string in it made valid: lists, tuples, dicts (keys too) and
    dataclass instances (fields set in place) are walked; other values are left alone."""
    if isinstance(value, str):
        return valid_text(value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [valid_values(v) for v in value]  # type: ignore[return-value]
    if isinstance(value, tuple):
        return type(value)(valid_values(v) for v in value) if not hasattr(value, "_fields") else value
    if isinstance(value, dict):
        return {valid_values(k): valid_values(v) for k, v in value.items()}  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            current = getattr(value, f.name)
            cleaned = valid_values(current)
            if cleaned is not current:
                setattr(value, f.name, cleaned)
        return value
    return value
