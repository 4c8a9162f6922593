"""Time zones, pure: names, folding typed text, and the rules that find zones in place data.

Every answer is an IANA zone name (``Pacific/Auckland``), never a fixed offset, so daylight saving
is followed automatically. The place data (GeoNames cities, tzdata's zone.tab) is loaded by
bot.services.zone_lookup and handed to these functions as `Places` and `TzTables`; nothing here
reads files (zone rules come from the standard library's ``zoneinfo``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "LOCAL_TIME_TOLERANCE",
    "City",
    "Places",
    "TzTables",
    "UnknownZoneError",
    "ZoneChoice",
    "choices_for_name",
    "fold_text",
    "get_zone",
    "is_valid_zone",
    "zones_at_local_time",
]

#: How far the typed "time for you now" may be from the zone's real wall-clock time (people round).
LOCAL_TIME_TOLERANCE = timedelta(minutes=15)

#: Typed names longer than this are not looked up at all.
_MAX_QUERY_LENGTH = 100


class UnknownZoneError(ValueError):
    """A zone name that the installed tz database does not know."""

    def __init__(self, zone: str) -> None:
        self.zone = zone
        self.reason = f"Unknown time zone {zone!r}."
        super().__init__(self.reason)


@dataclass(frozen=True, slots=True)
class ZoneChoice:
    """One answer to a typed place name: the zone and a human label for a choice button."""

    zone: str
    label: str  # "Wellington, New Zealand", "Portland, Oregon, United States", "UTC"


# --------------------------------------------------------------------------------------------
# Zones


@cache
def get_zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name; :class:`UnknownZoneError` if there is none."""
    if not name or name != name.strip() or name in {"localtime", "Factory"}:
        raise UnknownZoneError(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # ValueError: malformed key ("../x")
        raise UnknownZoneError(name) from exc


def is_valid_zone(name: str) -> bool:
    try:
        get_zone(name)
    except UnknownZoneError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Text folding

_TRANSLITERATE = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_NON_WORD = re.compile(r"[\W_]+")


def fold_text(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: "São Paulo" -> "sao paulo".

    "Zürich" and "Zurich", "new_york" and "New York", "St. Louis" and "st louis" fold alike.
    Non-Latin scripts are kept (casefolded), so "Москва" still matches Moscow's Russian name.
    """
    text = unicodedata.normalize("NFKD", text.casefold().translate(_TRANSLITERATE))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


# --------------------------------------------------------------------------------------------
# Place data (loaded by bot.services.zone_lookup)


@dataclass(frozen=True, slots=True)
class City:
    """A GeoNames city of at least 15,000 inhabitants."""

    name: str
    country: str  # ISO 3166 alpha-2
    admin1: str  # for the US: the state code
    population: int
    zone: str


@dataclass(frozen=True, slots=True)
class Places:
    """The GeoNames extract, indexed (bot.services.zone_lookup loads it)."""

    cities: tuple[City, ...]
    by_name: dict[str, tuple[City, ...]]  # folded main name -> cities
    by_alt_name: dict[str, tuple[City, ...]]  # folded alternate name -> cities
    zone_population: dict[str, int]  # IANA zone -> people in its cities (for ranking)
    country_names: dict[str, str]  # "NZ" -> "New Zealand"
    country_by_folded_name: dict[str, str]  # "new zealand" -> "NZ"
    country_languages: dict[str, tuple[str, ...]]  # "NZ" -> ("en-nz", "mi")
    us_states: dict[str, str]  # "OR" -> "Oregon"


@dataclass(frozen=True, slots=True)
class TzTables:
    """tzdata's zone names, indexed (bot.services.zone_lookup loads them)."""

    zone_country: dict[str, str]  # canonical zone -> ISO country, from zone.tab
    full_names: dict[str, str]  # folded zone name -> zone ("europe london" -> "Europe/London")
    by_city_part: dict[str, tuple[str, ...]]  # folded last part -> canonical zones


# --------------------------------------------------------------------------------------------
# By typed name


def choices_for_name(
    text: str, tables: TzTables, places: Places, *, limit: int = 5
) -> list[ZoneChoice]:
    """IANA zones for a typed city or zone name, most likely first, each with a label for a
    choice button; ``[]`` if nothing matched.

    "auckland" -> Pacific/Auckland; "Europe/London" -> Europe/London; "utc" -> UTC;
    "wellington" -> Pacific/Auckland, America/New_York, ... (several cities of that name,
    biggest first: show a choice). "london, canada" narrows by country (name or ISO code), and
    "portland, oregon" by US state.
    """
    if len(text) > _MAX_QUERY_LENGTH:
        return []
    query = fold_text(text)
    if not query:
        return []

    # 1. A zone name typed as-is: exactly that zone.
    exact = tables.full_names.get(query)
    if exact is not None:
        return [ZoneChoice(exact, _zone_label(exact, tables, places))]

    name, qualifier = _split_qualifier(text)
    filters = _qualifier_filters(qualifier, places)
    if qualifier is not None and not filters:
        # "Paris, France" with a qualifier we don't know: try the whole text as a name.
        name, filters = query, []
    for country_filter, state_filter in filters or [(None, None)]:
        found = _choices(name, country_filter, state_filter, tables, places)
        if found:
            return found[:limit]
    if qualifier is None:
        # 4. A country or US state name typed on its own: its zones, most populous first.
        return _region_choices(query, tables, places)[:limit]
    return []


def _choices(
    name: str,
    country_filter: str | None,
    state_filter: str | None,
    tables: TzTables,
    places: Places,
) -> list[ZoneChoice]:
    # 2. Cities with that main name and zones named after that city; 3. else alternate names.
    scored: dict[str, tuple[float, str]] = {}  # zone -> (score, label)

    def offer(zone: str, score: float, label: str) -> None:
        if zone not in scored or scored[zone][0] < score:
            scored[zone] = (score, label)

    if state_filter is None:
        for zone in tables.by_city_part.get(name, ()):
            if country_filter is None or tables.zone_country[zone] == country_filter:
                offer(zone, math.inf, _zone_label(zone, tables, places))

    def offer_cities(found: Iterable[City]) -> None:
        for city in found:
            if country_filter is not None and city.country != country_filter:
                continue
            if state_filter is not None and (city.country, city.admin1) != ("US", state_filter):
                continue
            if is_valid_zone(city.zone):
                offer(city.zone, city.population, _city_label(city, places))

    offer_cities(places.by_name.get(name, ()))
    if not scored:
        offer_cities(places.by_alt_name.get(name, ()))

    ranked = sorted(scored.items(), key=lambda item: (-item[1][0], item[0]))
    return [ZoneChoice(zone, label) for zone, (_score, label) in ranked]


def _region_choices(query: str, tables: TzTables, places: Places) -> list[ZoneChoice]:
    state = next((c for c, n in places.us_states.items() if fold_text(n) == query), None)
    country = "US" if state is not None else _country_for_name(query, places)
    if country is None:
        return []
    biggest: dict[str, City] = {}
    for city in places.cities:
        if city.country != country or (state is not None and city.admin1 != state):
            continue
        if city.zone in tables.zone_country and (
            city.zone not in biggest or biggest[city.zone].population < city.population
        ):
            biggest[city.zone] = city
    zones = sorted(biggest, key=lambda z: (-places.zone_population.get(z, 0), z))
    return [ZoneChoice(z, _city_label(biggest[z], places)) for z in zones]


def _country_for_name(folded: str, places: Places) -> str | None:
    aliases = {"usa": "US", "united states of america": "US", "america": "US", "uk": "GB"}
    aliases |= dict.fromkeys(("england", "scotland", "wales", "great britain", "britain"), "GB")
    return aliases.get(folded) or places.country_by_folded_name.get(folded)


def _split_qualifier(text: str) -> tuple[str, str | None]:
    if "," not in text:
        return fold_text(text), None
    head, _, tail = text.rpartition(",")
    return fold_text(head), fold_text(tail) or None


def _qualifier_filters(
    qualifier: str | None, places: Places
) -> list[tuple[str | None, str | None]]:
    """The (country ISO code, US state code) filters the part after a comma may mean, in order.

    Two-letter codes are tried as a US state first, then as a country: "springfield, il" is in
    Illinois (not Israel), "london, ca" finds no London in California, then one in Canada.
    """
    if qualifier is None:
        return []
    options: list[tuple[str | None, str | None]] = []
    upper = qualifier.upper()
    if len(upper) == 2 and upper in places.us_states:
        options.append(("US", upper))
    options += [("US", code) for code, n in places.us_states.items() if fold_text(n) == qualifier]
    country = _country_for_name(qualifier, places)
    if country is None and len(upper) == 2 and upper in places.country_names:
        country = upper
    if country is not None:
        options.append((country, None))
    return options


def _zone_label(zone: str, tables: TzTables, places: Places) -> str:
    country = tables.zone_country.get(zone)
    place = zone.rsplit("/", 1)[-1].replace("_", " ")
    if country is None:
        return zone
    country_name = places.country_names.get(country, country)
    return f"{place}, {country_name}"


def _city_label(city: City, places: Places) -> str:
    country_name = places.country_names.get(city.country, city.country)
    if city.country == "US" and city.admin1 in places.us_states:
        return f"{city.name}, {places.us_states[city.admin1]}, {country_name}"
    return f"{city.name}, {country_name}"


# --------------------------------------------------------------------------------------------
# By "what time is it for you now?"


def zones_at_local_time(
    now_utc: datetime,
    user_local_time: time,
    language_code: str | None,
    tables: TzTables,
    places: Places,
    *,
    limit: int = 6,
) -> list[str]:
    """Zones whose wall clock now reads ``user_local_time`` (± 15 minutes), most likely first.

    Works on the clock face only, so the answer is right whether the user's date is the same as
    UTC's or a day ahead or behind (23:50 UTC is 12:50 next day in Auckland and 12:50 today in
    Pago Pago: both match "12:50"). Handles :30 and :45 offsets (India, Nepal, Chatham).

    Ordering: zones in countries of the user's Telegram language (``"en-NZ"``: New Zealand
    first, then countries whose first language is English, then countries where it is spoken),
    then the closest offset, then the biggest population. One representative zone per country
    and rule set (America/New_York stands for Detroit, Indiana, Kentucky...).
    """
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError("now_utc must be an aware datetime")
    language, region = _parse_language(language_code)
    typed = user_local_time.hour * 3600 + user_local_time.minute * 60 + user_local_time.second
    tolerance = LOCAL_TIME_TOLERANCE.total_seconds()
    half_year_later = now_utc + timedelta(days=182)

    # (country, offset now, offset in six months) -> best zone with its ranking key
    best: dict[tuple[str, timedelta | None, timedelta | None], tuple[tuple[Any, ...], str]] = {}
    for zone, country in tables.zone_country.items():
        if country == "AQ":  # research stations in Antarctica
            continue
        tz = get_zone(zone)
        local = now_utc.astimezone(tz)
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        distance = abs(seconds - typed)
        distance = min(distance, 86_400 - distance)
        if distance > tolerance:
            continue
        population = places.zone_population.get(zone, 0)
        key = (
            _language_rank(country, language, region, places),
            round(distance / 900),  # 0: on the nearest quarter-hour offset; 1: one step off
            -population,
            zone,
        )
        signature = (country, local.utcoffset(), half_year_later.astimezone(tz).utcoffset())
        if signature not in best or key < best[signature][0]:
            best[signature] = (key, zone)

    ranked = sorted(best.values())
    return [zone for _key, zone in ranked[:limit]]


def _parse_language(language_code: str | None) -> tuple[str | None, str | None]:
    """ "en-NZ" -> ("en", "NZ"); "pt-br" -> ("pt", "BR"); "en" -> ("en", None)."""
    if not language_code:
        return None, None
    parts = [p for p in re.split(r"[-_]", language_code.strip()) if p]
    if not parts:
        return None, None
    language = parts[0].lower()
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    return language, region


def _language_rank(country: str, language: str | None, region: str | None, places: Places) -> int:
    if region is not None and country == region:
        return 0
    if language is None:
        return 3
    spoken = [tag.split("-")[0] for tag in places.country_languages.get(country, ())]
    if spoken[:1] == [language]:
        return 1
    if language in spoken:
        return 2
    return 3
