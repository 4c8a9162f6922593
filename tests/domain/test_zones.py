"""Time-zone lookup (issue 4, "Time zone"): location, typed name, "what time is it for you?"."""

from __future__ import annotations

import math
from datetime import UTC, datetime, time

import pytest

from bot.domain.zones import UnknownZoneError, fold_text, get_zone, is_valid_zone
from bot.services.zone_lookup import (
    warm_up,
    zone_choices_for_name,
    zone_for_location,
    zones_for_local_time,
    zones_for_name,
)


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    warm_up()  # ~1 s once: timezonefinder and the city index


# --------------------------------------------------------------------------------------------
# Shared location

LOCATIONS = [
    ("auckland", -36.85, 174.76, "Pacific/Auckland"),
    ("wellington", -41.29, 174.78, "Pacific/Auckland"),
    ("london", 51.507, -0.128, "Europe/London"),
    ("new york", 40.71, -74.01, "America/New_York"),
    ("sao paulo", -23.55, -46.63, "America/Sao_Paulo"),
    ("mumbai", 19.08, 72.88, "Asia/Kolkata"),
    ("kathmandu", 27.72, 85.32, "Asia/Kathmandu"),
    ("pacific ocean", 0.0, -150.0, "Etc/GMT+10"),
]


@pytest.mark.parametrize(
    ("lat", "lon", "zone"), [r[1:] for r in LOCATIONS], ids=[r[0] for r in LOCATIONS]
)
def test_zone_for_location(lat: float, lon: float, zone: str) -> None:
    assert zone_for_location(lat, lon) == zone


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(91.0, 0.0), (0.0, 181.0), (-90.1, 0.0), (math.nan, 0.0), (0.0, math.inf)],
    ids=["lat>90", "lon>180", "lat<-90", "nan", "inf"],
)
def test_zone_for_impossible_location_is_none(lat: float, lon: float) -> None:
    assert zone_for_location(lat, lon) is None


# --------------------------------------------------------------------------------------------
# Typed name

FIRST_ZONE_FOR_NAME = [
    ("auckland", "Pacific/Auckland"),
    ("AUCKLAND", "Pacific/Auckland"),
    ("new york", "America/New_York"),
    ("New York City", "America/New_York"),
    ("new_york", "America/New_York"),
    ("são paulo", "America/Sao_Paulo"),
    ("sao paulo", "America/Sao_Paulo"),
    ("Sao Paulo", "America/Sao_Paulo"),
    ("zurich", "Europe/Zurich"),
    ("zürich", "Europe/Zurich"),
    ("ZÜRICH", "Europe/Zurich"),
    ("Europe/London", "Europe/London"),
    ("europe/london", "Europe/London"),
    ("  Pacific/AUCKLAND ", "Pacific/Auckland"),
    ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ("utc", "UTC"),
    ("UTC", "UTC"),
    ("gmt", "GMT"),
    # cities that are not zone names
    ("wellington", "Pacific/Auckland"),
    ("christchurch", "Pacific/Auckland"),
    ("san francisco", "America/Los_Angeles"),
    ("manchester", "Europe/London"),
    ("edinburgh", "Europe/London"),
    ("munich", "Europe/Berlin"),
    ("münchen", "Europe/Berlin"),
    ("barcelona", "Europe/Madrid"),
    ("delhi", "Asia/Kolkata"),
    ("new delhi", "Asia/Kolkata"),
    ("mumbai", "Asia/Kolkata"),
    ("bombay", "Asia/Kolkata"),
    ("beijing", "Asia/Shanghai"),
    ("washington", "America/New_York"),
    ("boston", "America/New_York"),
    ("seattle", "America/Los_Angeles"),
    ("toronto", "America/Toronto"),
    ("kiev", "Europe/Kyiv"),
    ("st. louis", "America/Chicago"),
    ("köln", "Europe/Berlin"),
    ("cologne", "Europe/Berlin"),
    ("Москва", "Europe/Moscow"),
    ("東京", "Asia/Tokyo"),
    # "City, country/state" narrows
    ("london, canada", "America/Toronto"),
    ("london, ca", "America/Toronto"),
    ("London, UK", "Europe/London"),
    ("portland, oregon", "America/Los_Angeles"),
    ("portland, me", "America/New_York"),
    ("springfield, il", "America/Chicago"),
    ("paris, france", "Europe/Paris"),
    # a country or US state on its own
    ("new zealand", "Pacific/Auckland"),
    ("India", "Asia/Kolkata"),
    ("hawaii", "Pacific/Honolulu"),
    ("usa", "America/New_York"),
]


@pytest.mark.parametrize(
    ("text", "zone"), FIRST_ZONE_FOR_NAME, ids=[t.strip() for t, _ in FIRST_ZONE_FOR_NAME]
)
def test_zones_for_name_best_first(text: str, zone: str) -> None:
    zones = zones_for_name(text)
    assert zones[0] == zone
    assert len(zones) == len(set(zones)) <= 5
    assert all(is_valid_zone(z) for z in zones)


UNAMBIGUOUS = ["auckland", "zurich", "Europe/London", "utc", "edinburgh", "beijing", "toronto"]


@pytest.mark.parametrize("text", UNAMBIGUOUS)
def test_unambiguous_names_give_one_zone(text: str) -> None:
    assert len(zones_for_name(text)) == 1


AMBIGUOUS = [
    ("wellington", {"Pacific/Auckland", "America/New_York", "Europe/London"}),
    ("london", {"Europe/London", "America/Toronto"}),
    ("barcelona", {"Europe/Madrid", "America/Caracas"}),
    ("portland", {"America/Los_Angeles", "America/New_York"}),
    ("usa", {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"}),
    ("australia", {"Australia/Sydney", "Australia/Perth", "Australia/Brisbane"}),
]


@pytest.mark.parametrize(("text", "some_zones"), AMBIGUOUS, ids=[t for t, _ in AMBIGUOUS])
def test_ambiguous_names_give_a_short_choice(text: str, some_zones: set[str]) -> None:
    zones = zones_for_name(text)
    assert some_zones <= set(zones)
    assert 2 <= len(zones) <= 5


NO_MATCH = [
    "",
    "   ",
    "😀" * 500,
    "x" * 101,
    "tomorrow",
    "est",  # an abbreviation: "EST" has no daylight saving, so it's not offered
    "EST5EDT",
    "Mars/Olympus_Mons",
    "utc+3",
    "london, atlantis",
]


@pytest.mark.parametrize("text", NO_MATCH, ids=[t[:12] or "empty" for t in NO_MATCH])
def test_zones_for_name_no_match(text: str) -> None:
    assert zones_for_name(text) == []


def test_choices_have_readable_labels() -> None:
    choices = zone_choices_for_name("wellington")
    assert choices[0].label == "Wellington, New Zealand"
    assert "Wellington, Florida, United States" in [c.label for c in choices]
    assert zone_choices_for_name("auckland")[0].label == "Auckland, New Zealand"
    assert zone_choices_for_name("utc")[0].label == "UTC"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("São Paulo", "sao paulo"),
        ("ZÜRICH", "zurich"),
        ("St. Louis", "st louis"),
        ("new_york", "new york"),
        ("Tromsø", "tromso"),
        ("Łódź", "lodz"),
        ("Москва", "москва"),
    ],
)
def test_fold_text(text: str, folded: str) -> None:
    assert fold_text(text) == folded


@pytest.mark.parametrize("name", ["", " Europe/London", "Mars/Olympus", "../../etc/passwd", "EST/"])
def test_unknown_zone(name: str) -> None:
    assert not is_valid_zone(name)
    with pytest.raises(UnknownZoneError):
        get_zone(name)


# --------------------------------------------------------------------------------------------
# "What time is it for you now?"

JAN = datetime(2026, 1, 15, 19, 0, tzinfo=UTC)  # southern summer, northern winter
JUL = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)  # northern summer, southern winter

FIRST_ZONE_FOR_LOCAL_TIME = [
    # story, now, typed time, language, expected first zone
    ("auckland summer, en-NZ", JAN, time(8, 0), "en-NZ", "Pacific/Auckland"),
    ("auckland summer, en", JAN, time(8, 0), "en", "Pacific/Auckland"),
    ("auckland summer, no language", JAN, time(8, 0), None, "Pacific/Auckland"),
    ("auckland rounded time", JAN, time(8, 10), "en", "Pacific/Auckland"),
    ("auckland winter", JUL, time(0, 0), "en", "Pacific/Auckland"),
    ("london winter", JAN, time(19, 0), "en-GB", "Europe/London"),
    ("london summer", JUL, time(13, 0), "en-GB", "Europe/London"),
    ("new york winter", JAN, time(14, 0), "en-US", "America/New_York"),
    ("new york winter, en", JAN, time(14, 0), "en", "America/New_York"),
    ("new york summer", JUL, time(8, 0), "en", "America/New_York"),
    ("los angeles summer", JUL, time(5, 0), "en", "America/Los_Angeles"),
    ("berlin, de", JAN, time(20, 0), "de", "Europe/Berlin"),
    ("vienna, de-AT", JAN, time(20, 0), "de-AT", "Europe/Vienna"),
    ("paris, fr", JUL, time(14, 0), "fr", "Europe/Paris"),
    ("moscow, ru", JAN, time(22, 0), "ru", "Europe/Moscow"),
    ("sao paulo, pt-br", JAN, time(16, 0), "pt-br", "America/Sao_Paulo"),
    ("india +5:30", JAN, time(0, 30), "en-IN", "Asia/Kolkata"),
    ("india +5:30, hi", JAN, time(0, 30), "hi", "Asia/Kolkata"),
    ("nepal +5:45", JAN, time(0, 45), "ne", "Asia/Kathmandu"),
    ("adelaide +10:30", JAN, time(5, 30), "en-AU", "Australia/Adelaide"),
    ("chatham +13:45", JAN, time(8, 45), "en-NZ", "Pacific/Chatham"),
    ("newfoundland -3:30", JAN, time(15, 30), "en-CA", "America/St_Johns"),
    ("telegram underscore tag", JAN, time(8, 0), "en_NZ", "Pacific/Auckland"),
]


@pytest.mark.parametrize(
    ("now", "typed", "language", "zone"),
    [r[1:] for r in FIRST_ZONE_FOR_LOCAL_TIME],
    ids=[r[0] for r in FIRST_ZONE_FOR_LOCAL_TIME],
)
def test_zones_for_local_time_prefers_language_region(
    now: datetime, typed: time, language: str | None, zone: str
) -> None:
    zones = zones_for_local_time(now, typed, language)
    assert zones[0] == zone
    assert 1 <= len(zones) <= 6
    assert len(set(zones)) == len(zones)
    for z in zones:  # every candidate really reads about that time now
        local = now.astimezone(get_zone(z))
        minutes = abs((local.hour * 60 + local.minute) - (typed.hour * 60 + typed.minute))
        assert min(minutes, 1440 - minutes) <= 15, z


def test_date_change_both_sides_of_the_date_line() -> None:
    # 23:50 UTC: 12:50 tomorrow in Auckland (+13), 12:50 today in Pago Pago (-11).
    now = datetime(2026, 1, 15, 23, 50, tzinfo=UTC)
    zones = zones_for_local_time(now, time(12, 50), "en")
    assert {"Pacific/Auckland", "Pacific/Pago_Pago"} <= set(zones)


def test_dst_moves_the_matching_offset() -> None:
    # London is UTC+0 in January and UTC+1 in July: 12:00 at 12:00 UTC is London only in winter.
    winter_noon_utc = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert "Europe/London" in zones_for_local_time(winter_noon_utc, time(12, 0), "en-GB")
    assert "Europe/London" not in zones_for_local_time(JUL, time(12, 0), "en-GB")


def test_one_representative_zone_per_country_and_rules() -> None:
    zones = zones_for_local_time(JAN, time(14, 0), "en-US")
    assert "America/New_York" in zones
    assert not {"America/Detroit", "America/Indiana/Indianapolis"} & set(zones)


def test_too_far_from_any_zone_is_not_matched() -> None:
    # 20 minutes off the nearest quarter hour of a real offset in NZ is outside the tolerance.
    assert "Pacific/Auckland" not in zones_for_local_time(JAN, time(8, 20), "en-NZ")
    assert "Pacific/Auckland" in zones_for_local_time(JAN, time(7, 45), "en-NZ")


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        zones_for_local_time(datetime(2026, 1, 15, 19, 0), time(8, 0), "en")
