"""The date and time a report is about: "Rabu (29/12/2021)", "pukul 09.00 WIB"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Jakarta"

# Indonesia's three zones; a time written with one is in that offset whatever the office's zone.
ZONE_OFFSETS = {"WIB": 7, "WITA": 8, "WIT": 9}

_MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agst": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nop": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
_DAYS = (
    "senin|selasa|rabu|kamis|jumat|jum'at|jum’at|sabtu|minggu|ahad"
    "|sen|sel|rab|kam|jum|sab|min"
    "|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun"
)
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_NUMERIC = r"(?P<nd>\d{1,2})\s*[/.-]\s*(?P<nm>\d{1,2})\s*[/.-]\s*(?P<ny>(?:19|20)?\d{2})(?!\d)"
_ISO = r"(?P<iy>(?:19|20)\d{2})-(?P<im>\d{2})-(?P<id>\d{2})(?!\d)"
# "22 Desember 2021", "22-23 Desember 2021" (a span: its first day), "December 22, 2021".
_NAMED = (
    r"(?P<d>\d{1,2})(?:\s*(?:-|–|s\.?d\.?|s/d|sampai|hingga|and|to)\s*\d{1,2})?\s+"
    rf"(?P<m>{_MONTH_NAMES})\.?\s+{_YEAR}"
    rf"|(?P<m2>{_MONTH_NAMES})\.?\s+(?P<d2>\d{{1,2}}),?\s+(?P<year2>(?:19|20)\d{{2}})"
)
_DATE = re.compile(
    rf"(?P<day>\b(?:{_DAYS})\b\.?\s*,?\s*)?\(?\s*(?:{_ISO}|{_NUMERIC}|{_NAMED})\s*\)?",
    re.IGNORECASE,
)
_DAY_ANCHOR = re.compile(rf"\b(?=[afjkmrstw])(?:{_DAYS})\b")
# "pukul 09.00 WIB", "jam 9:30", "Pk. 13.00 WITA", or a bare "09.00 WIT" with its zone.
_TIME = re.compile(
    r"(?:\b(?:pukul|pkl|pk|jam|at)\.?\s*(?P<h>\d{1,2})(?:[.:](?P<mi>\d{2}))?"
    r"|\b(?P<h2>\d{1,2})[.:](?P<mi2>\d{2})(?=\s*(?:WIB|WITA|WIT)\b))"
    r"(?:\s*(?:-|–|s\.?d\.?|s/d|sampai|hingga)\s*\d{1,2}(?:[.:]\d{2})?)?"
    r"\s*(?P<zone>WITA|WIB|WIT)?\b",
    re.IGNORECASE,
)
# A time after one of these (in the same clause) is when the event ended, not when it began.
_CLOSING = re.compile(
    r"\b(?:ditutup|menutup|selesai|berakhir|diakhiri|usai|rampung|sampai|hingga|s\.?d|s/d"
    r"|closed|ended|until|finished)\b",
    re.IGNORECASE,
)
_CLAUSE_START = re.compile(r"[.;!?]\s|,\s")
_HEAD_CHARS = 400


@dataclass(frozen=True)
class _FoundDate:
    value: date
    start: int
    end: int
    has_day_name: bool


def office_timezone(name: str) -> tzinfo:
    """The office's zone; an unknown name falls back to Asia/Jakarta rather than fail a report."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _date_of(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    try:
        if groups["iy"]:
            return date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
        if groups["nd"]:
            return date(_year(groups["ny"]), int(groups["nm"]), int(groups["nd"]))
        if groups["d"]:
            return date(int(groups["year"]), _MONTHS[groups["m"].lower()], int(groups["d"]))
        if groups["d2"]:
            return date(int(groups["year2"]), _MONTHS[groups["m2"].lower()], int(groups["d2"]))
    except (ValueError, KeyError):
        return None
    return None


def _matches(text: str, head_end: int) -> Iterator[re.Match[str]]:
    # The full pattern tried at every offset costs ~5 ms a report. Past the head only a date
    # that opens with its day name can win, so only offsets where a day name starts are tried
    # there (found in lowercased text: a case-sensitive search is several times faster).
    limit = min(len(text), head_end + _HEAD_CHARS)
    yield from _DATE.finditer(text, 0, limit)
    for anchor in _DAY_ANCHOR.finditer(text.lower(), limit):
        match = _DATE.match(text, anchor.start())
        if match is not None:
            yield match


def _dates(text: str, head_end: int) -> list[_FoundDate]:
    found = []
    seen: set[int] = set()
    for match in _matches(text, head_end):
        if match.start() in seen:
            continue
        seen.add(match.start())
        value = _date_of(match)
        # A numeric date needs its day name or brackets to be told from a score or a ratio.
        numeric = bool(match.group("nd")) and not match.group("day")
        if value is None or (numeric and not match.group().lstrip().startswith("(")):
            continue
        found.append(_FoundDate(value, match.start(), match.end(), bool(match.group("day"))))
    return found


def _event_date(text: str, head_end: int) -> _FoundDate | None:
    """The date the report is about: one near the head, else the first with its day name."""
    found = _dates(text, head_end)
    in_head = [item for item in found if item.start < head_end + _HEAD_CHARS]
    with_day = [item for item in found if item.has_day_name]
    for candidates in ([item for item in in_head if item.has_day_name], in_head, with_day):
        if candidates:
            return candidates[0]
    return None


def _is_closing(text: str, start: int) -> bool:
    clause_start = 0
    for boundary in _CLAUSE_START.finditer(text, max(0, start - 120), start):
        clause_start = boundary.end()
    return bool(_CLOSING.search(text, max(clause_start, start - 120), start))


def _opening_time(text: str) -> tuple[time, tzinfo | None] | None:
    for match in _TIME.finditer(text):
        hour = int(match.group("h") or match.group("h2"))
        minute = int(match.group("mi") or match.group("mi2") or 0)
        if hour > 23 or minute > 59 or _is_closing(text, match.start()):
            continue
        zone = match.group("zone")
        offset = (
            timezone(timedelta(hours=ZONE_OFFSETS[zone.upper()]), zone.upper()) if zone else None
        )
        return time(hour, minute), offset
    return None


def extract_event_at(
    text: str, *, head_end: int = 0, title: str = "", timezone_name: str = DEFAULT_TIMEZONE
) -> datetime | None:
    """When the event the report is about happened, in the report's own offset.

    The date is the one at the head of the report (after the dateline) or else the first written
    with its day name, so a proposal for "21 Februari 2024" further down is not taken for it. The
    time is the first ``pukul`` that is not a closing time; with none, the event is dated at 00:00
    in the office's zone: callers that show times should treat 00:00 as "time not given".
    """
    found = _event_date(text, head_end) or _event_date(title, 0)
    if found is None:
        return None
    opening = _opening_time(text)
    zone: tzinfo = office_timezone(timezone_name)
    at = time(0, 0)
    if opening is not None:
        at = opening[0]
        zone = opening[1] or zone
    return datetime.combine(found.value, at, tzinfo=zone)
