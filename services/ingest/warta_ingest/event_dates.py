"""The date and time a report is about: "Rabu (29/12/2021)", "pukul 09.00 WIB", "kemarin"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warta_ingest.folding import fold

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
_WEEKDAYS = {
    "senin": 0, "sen": 0, "monday": 0, "mon": 0,
    "selasa": 1, "sel": 1, "tuesday": 1, "tue": 1, "tues": 1,
    "rabu": 2, "rab": 2, "wednesday": 2, "wed": 2,
    "kamis": 3, "kam": 3, "thursday": 3, "thu": 3, "thurs": 3,
    "jumat": 4, "jum'at": 4, "jum": 4, "friday": 4, "fri": 4,
    "sabtu": 5, "sab": 5, "saturday": 5, "sat": 5,
    "minggu": 6, "ahad": 6, "min": 6, "sunday": 6, "sun": 6,
}  # fmt: skip
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
# Without a year: "Rabu (29/12)" as news agencies write it, "Senin, 3 Januari". The year comes
# from the publication date; a numeric one also needs its day name (see ``_dates``).
_NUMERIC_NO_YEAR = r"(?P<sd>\d{1,2})\s*[/-]\s*(?P<sm>\d{1,2})(?![\d/.-]|\.\d)"
_NAMED_NO_YEAR = (
    r"(?P<d3>\d{1,2})(?:\s*(?:-|–|s\.?d\.?|s/d|sampai|hingga)\s*\d{1,2})?\s+"
    rf"(?P<m3>{_MONTH_NAMES})\b\.?(?!\s*,?\s*\d)"
)
_DATE = re.compile(
    rf"(?P<day>\b(?P<weekday>{_DAYS})\b\.?\s*,?\s*)?\(?\s*"
    rf"(?:{_ISO}|{_NUMERIC}|{_NAMED}|{_NUMERIC_NO_YEAR}|{_NAMED_NO_YEAR})\s*\)?",
    re.IGNORECASE,
)
# Where a date can start: a bracket, a number, a day or month name (found in folded text: a
# case-sensitive search is several times faster than the full pattern tried at every offset).
_HEAD_ANCHOR = re.compile(rf"\(|(?<!\d)\d|\b(?:{_DAYS}|{_MONTH_NAMES})\b")
_DAY_ANCHOR = re.compile(rf"\b(?=[afjkmrstw])(?:{_DAYS})\b")
# Dates relative to the publication date, as many days after it as the number says.
_RELATIVE_DAYS = {
    "hari ini": 0, "tadi pagi": 0, "tadi siang": 0, "tadi sore": 0, "kemarin": -1,
    "kemarin lusa": -2, "besok": 1, "esok hari": 1, "lusa": 2,
    "today": 0, "this morning": 0, "yesterday": -1, "tomorrow": 1,
}  # fmt: skip
_RELATIVE_NAMES = "|".join(sorted(_RELATIVE_DAYS, key=len, reverse=True)).replace(" ", r"\s+")
# "Rabu lalu" is the last Wednesday before publication, "Senin depan" the next Monday after it.
_RELATIVE = re.compile(
    rf"\b(?:(?P<weekday>{_DAYS})\s+(?P<direction>lalu|kemarin|depan|mendatang)"
    rf"|(?P<name>{_RELATIVE_NAMES}))\b",
    re.IGNORECASE,
)
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


def _weekday(name: str | None) -> int | None:
    if not name:
        return None
    return _WEEKDAYS.get(name.lower().replace("’", "'"))


def nearest_date(day: int, month: int, weekday: int | None, reference: date) -> date | None:
    """``day``/``month`` in the year that puts it nearest ``reference``; None if no such date.

    With a ``weekday`` (0 is Monday), a year that makes that day name right is preferred: a
    report published on 3 January 2022 about "Rabu (29/12)" means 29 December 2021. A day name
    that fits none of the three years is taken for a slip of the pen, not a reason to look
    further afield.
    """
    candidates = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if weekday is not None:
        candidates = [value for value in candidates if value.weekday() == weekday] or candidates
    # On a tie the earlier date wins: reports are mostly about what has happened.
    return min(candidates, key=lambda value: (abs(value - reference), value), default=None)


def _date_of(match: re.Match[str], reference: date | None) -> date | None:
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
    if reference is None:
        return None
    weekday = _weekday(groups["weekday"])
    if groups["sd"]:
        return nearest_date(int(groups["sd"]), int(groups["sm"]), weekday, reference)
    if groups["d3"]:
        return nearest_date(int(groups["d3"]), _MONTHS[groups["m3"].lower()], weekday, reference)
    return None


def _matches(text: str, head_end: int) -> Iterator[re.Match[str]]:
    # The full pattern tried at every offset costs milliseconds a report, so it is only tried
    # where a date can start. Past the head only a date that opens with its day name can win,
    # so there only offsets where a day name starts are tried.
    folded = fold(text)
    limit = min(len(text), head_end + _HEAD_CHARS)
    reached = 0
    for anchor in _HEAD_ANCHOR.finditer(folded, 0, limit):
        if anchor.start() < reached:
            continue
        match = _DATE.match(text, anchor.start())
        if match is not None:
            reached = match.end()
            yield match
    for anchor in _DAY_ANCHOR.finditer(folded, max(limit, reached)):
        match = _DATE.match(text, anchor.start())
        if match is not None:
            yield match


def _dates(text: str, head_end: int, reference: date | None) -> list[_FoundDate]:
    found = []
    seen: set[int] = set()
    for match in _matches(text, head_end):
        if match.start() in seen:
            continue
        seen.add(match.start())
        value = _date_of(match, reference)
        # A numeric date needs its day name or brackets to be told from a score or a ratio, and
        # without its year, its day name: "(1/2)" is a fraction.
        has_day = bool(match.group("day"))
        numeric = bool(match.group("nd")) and not has_day
        bracketed = match.group().lstrip().startswith("(")
        if value is None or (numeric and not bracketed) or (match.group("sd") and not has_day):
            continue
        found.append(_FoundDate(value, match.start(), match.end(), has_day))
    return found


def _relative_date(text: str, end: int, reference: date | None) -> _FoundDate | None:
    """The first "hari ini", "kemarin", "Rabu lalu" before ``end``, as a date."""
    if reference is None:
        return None
    match = _RELATIVE.search(text, 0, end)
    if match is None:
        return None
    if match.group("name"):
        offset = _RELATIVE_DAYS[" ".join(match.group("name").lower().split())]
        value = reference + timedelta(days=offset)
    else:
        weekday = _weekday(match.group("weekday"))
        assert weekday is not None  # the pattern only matches day names
        if match.group("direction").lower() in ("lalu", "kemarin"):
            value = reference - timedelta(days=(reference.weekday() - weekday - 1) % 7 + 1)
        else:
            value = reference + timedelta(days=(weekday - reference.weekday() - 1) % 7 + 1)
    return _FoundDate(value, match.start(), match.end(), has_day_name=False)


def _event_date(text: str, head_end: int, reference: date | None) -> _FoundDate | None:
    """The date the report is about, the first of these found.

    A date with its day name near the head; a relative one ("hari ini") there; any date near the
    head; the first date with its day name anywhere.
    """
    head_limit = head_end + _HEAD_CHARS
    found = _dates(text, head_end, reference)
    in_head = [item for item in found if item.start < head_limit]
    relative = _relative_date(text, min(len(text), head_limit), reference)
    for candidates in (
        [item for item in in_head if item.has_day_name],
        [relative] if relative else [],
        in_head,
        [item for item in found if item.has_day_name],
    ):
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
    text: str,
    *,
    head_end: int = 0,
    title: str = "",
    timezone_name: str = DEFAULT_TIMEZONE,
    published_at: datetime | None = None,
) -> datetime | None:
    """When the event the report is about happened, in the report's own offset.

    The date is the one at the head of the report (after the dateline) or else the first written
    with its day name, so a proposal for "21 Februari 2024" further down is not taken for it. The
    time is the first ``pukul`` that is not a closing time; with none, the event is dated at 00:00
    in the office's zone: callers that show times should treat 00:00 as "time not given".

    Dates without a year ("Rabu (29/12)") and relative ones ("hari ini", "kemarin", "Rabu lalu")
    need ``published_at`` (read in the office's zone; a naive one is taken to be in it); without
    it they are passed over, so the result never depends on when this runs.
    """
    zone: tzinfo = office_timezone(timezone_name)
    reference = None
    if published_at is not None:
        local = published_at if published_at.tzinfo is None else published_at.astimezone(zone)
        reference = local.date()
    found = _event_date(text, head_end, reference) or _event_date(title, 0, reference)
    if found is None:
        return None
    opening = _opening_time(text)
    at = time(0, 0)
    if opening is not None:
        at = opening[0]
        zone = opening[1] or zone
    return datetime.combine(found.value, at, tzinfo=zone)
