"""The date and time a report is about: "Rabu (29/12/2021)", "pukul 09.00 WIB", "kemarin".

Which written date is the event's, first found wins:

1. a date at the head of the report (the first 400 characters after the dateline) whose day
   name agrees with it ("Rabu (29/12/2021)", "Jumat, tanggal 3 Januari 2025");
2. a date at the head with no day name ("22 Desember 2021", "pada 23-24 Januari 2025": a range
   gives its first day);
3. a date anywhere whose day name agrees: a later consistent date beats a slip of the pen;
4. a date at the head whose day name disagrees ("Senin 15 Januari 2021", a Friday): the date
   stands, and the office is told;
5. a date relative to the publication at the head ("hari ini", "kemarin", "Rabu lalu"): any
   written date beats these words;
6. a date anywhere, then one whose day name disagrees, then a document's date ("Keputusan …
   Nomor 12 tanggal 5 Januari 2024").

A date without a year is the latest such date not after the publication whose day name agrees
(or, for an announcement, the next one within 90 days that agrees). With a publication date, a
date with no day name more than 60 days after it is a plan, not what the report is about.

The time is the first opening time (not "ditutup pukul …") in the date's sentence; for a date
at the head, else the first one later in its paragraph before any other date. WIB, WITA and WIT
set the offset; otherwise it is the office's zone. With no time the event is at 00:00.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warta_enrich.folding import fold
from warta_enrich.report_warnings import ReportWarning, no_event_date, weekday_mismatch
from warta_enrich.sentences import sentence_spans

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
# Words of the calendar, never a keyword ("tanggal nopember"): the month and day names, and these.
CALENDAR_WORDS = frozenset(
    {*_MONTHS, *_WEEKDAYS, "jum’at", "tanggal", "tgl", "pukul", "pkl", "wib", "wita", "wit"}
)
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_SPAN = r"\s*(?:-|–|s\.?d\.?|s/d|sampai|hingga|and|to|dan)\s*"
_NUMERIC = r"(?P<nd>\d{1,2})\s*[/.-]\s*(?P<nm>\d{1,2})\s*[/.-]\s*(?P<ny>(?:19|20)?\d{2})(?!\d)"
# "(23-24/1/2025)": a span of days in one numeric date.
_NUMERIC_SPAN = (
    r"(?P<rd>\d{1,2})\s*[-–]\s*\d{1,2}\s*/\s*(?P<rm>\d{1,2})\s*/\s*(?P<ry>(?:19|20)?\d{2})(?!\d)"
)
_ISO = r"(?P<iy>(?:19|20)\d{2})-(?P<im>\d{2})-(?P<id>\d{2})(?!\d)"
# "30 Januari - 2 Februari 2025": a span across months, dated by its end's year.
_NAMED_ACROSS = (
    rf"(?P<xd>\d{{1,2}})\s+(?P<xm>{_MONTH_NAMES})\.?{_SPAN}\d{{1,2}}\s+(?:{_MONTH_NAMES})\.?"
    rf"\s+(?P<xy>(?:19|20)\d{{2}})"
)
# "22 Desember 2021", "22-23 Desember 2021" (a span: its first day), "December 22, 2021".
_NAMED = (
    rf"(?P<d>\d{{1,2}})(?:{_SPAN}\d{{1,2}})?\s+"
    rf"(?P<m>{_MONTH_NAMES})\.?,?\s+{_YEAR}"
    rf"|(?P<m2>{_MONTH_NAMES})\.?\s+(?P<d2>\d{{1,2}}),?\s+(?P<year2>(?:19|20)\d{{2}})"
)
# Without a year: "Rabu (29/12)" as news agencies write it, "Senin, 3 Januari". The year comes
# from the publication date; a numeric one also needs its day name (see ``_dates``).
_NUMERIC_NO_YEAR = r"(?P<sd>\d{1,2})\s*[/-]\s*(?P<sm>\d{1,2})(?![\d/.-]|\.\d)"
_NAMED_NO_YEAR = (
    rf"(?P<d3>\d{{1,2}})(?:{_SPAN}\d{{1,2}})?\s+"
    rf"(?P<m3>{_MONTH_NAMES})\b\.?(?!\s*,?\s*\d)"
)
# The day name, perhaps a span of days ("Senin-Selasa"), perhaps "tanggal" before the date.
_DAY_PART = (
    rf"(?P<day>\b(?P<weekday>{_DAYS})\b\.?(?:{_SPAN}(?:{_DAYS})\b\.?)?\s*,?\s*"
    r"(?:(?:tanggal|tgl\.?)\s*)?)?"
)
_DATE = re.compile(
    rf"{_DAY_PART}\(?\s*(?:{_ISO}|{_NUMERIC_SPAN}|{_NUMERIC}|{_NAMED_ACROSS}|{_NAMED}"
    rf"|{_NUMERIC_NO_YEAR}|{_NAMED_NO_YEAR})\s*\)?",
    re.IGNORECASE,
)
# Where a date can start: a bracket, a number, a day or month name (found in folded text: a
# case-sensitive search is several times faster than the full pattern tried at every offset).
_ANCHOR = re.compile(rf"\(|(?<!\d)\d|\b(?:{_DAYS}|{_MONTH_NAMES})\b")
# Past the head, a date that opens with its day name is looked for first (and the rest only when
# no date has been found): numbers are everywhere in a report, day names are not.
_DAY_ANCHOR = re.compile(rf"\b(?=[afjkmrstw])(?:{_DAYS})\b")
# What looks like a written date, in folded text ("28/12", "28.12.2021", "28 desember").
_DATE_LIKE = re.compile(
    rf"(?<!\d)\d{{1,2}}(?:\s*[/-]\s*\d{{1,2}}(?!\d)|\.\d{{1,2}}\.\d{{2,4}}|\s+(?:{_MONTH_NAMES})\b)"
)
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
# "pukul 09.00 WIB", "jam 9:30", "Pk. 13.00 WITA", a bare "09.00 WIT" with its zone, "pukul 7
# malam".
_TIME = re.compile(
    r"(?:\b(?:pukul|pkl|pk|jam|at)\.?\s*(?P<h>\d{1,2})(?:[.:](?P<mi>\d{2}))?"
    r"|\b(?P<h2>\d{1,2})[.:](?P<mi2>\d{2})(?=\s*(?:WIB|WITA|WIT)\b))"
    r"(?:\s*(?:-|–|s\.?d\.?|s/d|sampai|hingga)\s*\d{1,2}(?:[.:]\d{2})?)?"
    r"\s*(?P<zone>WITA|WIB|WIT)?\b(?:\s*(?P<part>pagi|siang|sore|malam)\b)?",
    re.IGNORECASE,
)
# A time after one of these (in the same clause) is when the event ended, not when it began.
_CLOSING = re.compile(
    r"\b(?:ditutup|menutup|selesai|berakhir|diakhiri|usai|rampung|sampai|hingga|s\.?d|s/d"
    r"|closed|ended|until|finished)\b",
    re.IGNORECASE,
)
_CLAUSE_START = re.compile(r"[.;!?]\s|,\s")
# A document's own date: "Keputusan KPU Nomor 12 Tahun 2024 tanggal 5 Januari 2024",
# "surat tertanggal …", "ditetapkan pada tanggal …".
_DOCUMENT = re.compile(
    r"(?:\b(?:tertanggal|ditetapkan|diundangkan|ditandatangani)(?:\s+(?:pada|di\s+\w+))?"
    r"(?:\s+(?:tanggal|tgl\.?))?"
    r"|\b(?:nomor|no\.?)\s*:?\s*[\w./-]+(?:\s+tahun\s+\d{4})?[^.;]{0,60}?\b(?:tanggal|tgl\.?))"
    r"\s*$",
    re.IGNORECASE,
)
# What a document's date is written after; most dates are not, and are told apart cheaply.
_DOCUMENT_HINT = re.compile(
    r"(?:tanggal|tgl\.?|tertanggal|ditetapkan|diundangkan|ditandatangani|pada)\s*$", re.IGNORECASE
)
_HEAD_CHARS = 400
_DOCUMENT_LOOK_BACK = 120
_HINT_LOOK_BACK = 25
_ANNOUNCEMENT_DAYS = 90
_PLAN_DAYS = 60


@dataclass(frozen=True)
class _FoundDate:
    value: date
    start: int
    end: int
    day_name: str | None = None  # as written
    agrees: bool | None = None  # whether the day name fits the date; None without one
    document: bool = False
    relative: bool = False


@dataclass(frozen=True)
class EventDate:
    at: datetime | None
    warnings: list[ReportWarning] = field(default_factory=list)


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


def _occurrence(day: int, month: int, year: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def year_less_date(day: int, month: int, weekday: int | None, reference: date) -> date | None:
    """``day``/``month`` read against ``reference`` (the publication): the latest such date not
    after it, or None when there is none (31 April).

    With a ``weekday`` (0 is Monday) that the latest date does not have, the next one within
    90 days that has it is an announcement ("Sabtu (15/11)" published on the 10th); if neither
    has it, the day name is a slip and the latest date stands.
    """
    past = None
    # 29 February: back to the last leap year.
    for year in range(reference.year, reference.year - 9, -1):
        candidate = _occurrence(day, month, year)
        if candidate is not None and candidate <= reference:
            past = candidate
            break
    if past is None or weekday is None or past.weekday() == weekday:
        return past
    for year in (reference.year, reference.year + 1):
        upcoming = _occurrence(day, month, year)
        if (
            upcoming is not None
            and reference < upcoming <= reference + timedelta(days=_ANNOUNCEMENT_DAYS)
            and upcoming.weekday() == weekday
        ):
            return upcoming
    return past


def _date_of(match: re.Match[str], reference: date | None) -> date | None:
    groups = match.groupdict()
    try:
        if groups["iy"]:
            return date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
        if groups["rd"]:
            return date(_year(groups["ry"]), int(groups["rm"]), int(groups["rd"]))
        if groups["nd"]:
            return date(_year(groups["ny"]), int(groups["nm"]), int(groups["nd"]))
        if groups["xd"]:
            return date(int(groups["xy"]), _MONTHS[groups["xm"].lower()], int(groups["xd"]))
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
        return year_less_date(int(groups["sd"]), int(groups["sm"]), weekday, reference)
    if groups["d3"]:
        return year_less_date(int(groups["d3"]), _MONTHS[groups["m3"].lower()], weekday, reference)
    return None


def _is_document_date(text: str, start: int) -> bool:
    if not _DOCUMENT_HINT.search(text, max(0, start - _HINT_LOOK_BACK), start):
        return False
    return bool(_DOCUMENT.search(text, max(0, start - _DOCUMENT_LOOK_BACK), start))


class _Dates:
    """The dates written in a text, read only as far as they are needed: trying the full pattern
    at every offset costs milliseconds a report, so it is only tried where a date can start."""

    def __init__(self, text: str, reference: date | None, head_limit: int) -> None:
        self.text, self.reference, self.head_limit = text, reference, head_limit
        self.folded = fold(text)
        self.head = self._read(_ANCHOR, 0, head_limit)
        self.day_named_later = self._read(_DAY_ANCHOR, head_limit, len(text))
        self._later: list[_FoundDate] | None = None
        # The opening times read so far, in order; the rest are read only when asked for.
        self._times: list[_Time] = []
        self._unread_times: Iterator[re.Match[str]] | None = _TIME.finditer(text)

    def opening_time(self, start: int, end: int) -> _Time | None:
        """The first time of day between ``start`` and ``end`` that is not a closing time."""
        for item in self._times:
            if item.start >= end:
                return None
            if item.start >= start:
                return item
        while self._unread_times is not None:
            match = next(self._unread_times, None)
            if match is None:
                self._unread_times = None
                break
            read = _opening_time_of(self.text, match)
            if read is None:
                continue
            self._times.append(read)
            if read.start >= end:
                return None
            if read.start >= start:
                return read
        return None

    def later(self) -> list[_FoundDate]:
        """Every date past the head."""
        if self._later is None:
            self._later = self._read(_ANCHOR, self.head_limit, len(self.text))
        return self._later

    def known(self) -> list[_FoundDate]:
        """The dates read so far, in order."""
        return [*self.head, *(self._later if self._later is not None else self.day_named_later)]

    def any_between(self, start: int, end: int) -> bool:
        """Whether a date is written between ``start`` and ``end``: one read at the head, or past
        it anything that looks like one (reading them all there would cost more)."""
        if any(start <= item.start < end for item in self.head):
            return True
        start = max(start, self.head_limit)
        return start < end and _DATE_LIKE.search(self.folded, start, end) is not None

    def _read(self, anchors: re.Pattern[str], start: int, end: int) -> list[_FoundDate]:
        found = []
        reached = start
        for anchor in anchors.finditer(self.folded, start, end):
            if anchor.start() < reached:
                continue
            match = _DATE.match(self.text, anchor.start())
            if match is None:
                continue
            reached = match.end()
            item = self._found(match)
            if item is not None:
                found.append(item)
        return found

    def _found(self, match: re.Match[str]) -> _FoundDate | None:
        value = _date_of(match, self.reference)
        # A numeric date needs its day name or brackets to be told from a score or a ratio, and
        # without its year, its day name: "(1/2)" is a fraction.
        day_name = match.group("weekday")
        numeric = bool(match.group("nd")) and not day_name
        bracketed = match.group().lstrip().startswith("(")
        if value is None or (numeric and not bracketed) or (match.group("sd") and not day_name):
            return None
        # With a publication date, a date with no day name long after it is a plan.
        if (
            not day_name
            and self.reference is not None
            and value > self.reference + timedelta(days=_PLAN_DAYS)
        ):
            return None
        weekday = _weekday(day_name)
        return _FoundDate(
            value,
            match.start(),
            match.end(),
            day_name=day_name,
            agrees=None if weekday is None else value.weekday() == weekday,
            document=_is_document_date(self.text, match.start()),
        )


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
    return _FoundDate(value, match.start(), match.end(), relative=True)


def _event_date(
    text: str, head_end: int, reference: date | None
) -> tuple[_FoundDate | None, bool, _Dates]:
    """The date the report is about (see the module's docstring), whether it was read at the
    head, and the dates read."""
    head_limit = head_end + _HEAD_CHARS
    dates = _Dates(text, reference, head_limit)
    head, day_named = dates.head, dates.day_named_later
    for candidates, at_head in (
        ([item for item in head if item.agrees and not item.document], True),
        ([item for item in head if item.agrees is None and not item.document], True),
        ([item for item in day_named if item.agrees and not item.document], False),
        ([item for item in head if item.agrees is False and not item.document], True),
    ):
        if candidates:
            return candidates[0], at_head, dates
    relative = _relative_date(text, min(len(text), head_limit), reference)
    if relative is not None:
        return relative, True, dates
    later = dates.later()
    for candidates in (
        [item for item in later if item.agrees is None and not item.document],
        [item for item in later if item.agrees is False and not item.document],
        [item for item in [*head, *later] if item.document],
    ):
        if candidates:
            return candidates[0], False, dates
    return None, False, dates


def _is_closing(text: str, start: int) -> bool:
    clause_start = 0
    for boundary in _CLAUSE_START.finditer(text, max(0, start - 120), start):
        clause_start = boundary.end()
    return bool(_CLOSING.search(text, max(clause_start, start - 120), start))


@dataclass(frozen=True)
class _Time:
    at: time
    zone: tzinfo | None  # as written (WIB, WITA, WIT), else the office's
    start: int


def _opening_time_of(text: str, match: re.Match[str]) -> _Time | None:
    """The time ``match`` writes, unless it is no time of day or a closing time."""
    hour = int(match.group("h") or match.group("h2"))
    minute = int(match.group("mi") or match.group("mi2") or 0)
    part = (match.group("part") or "").lower()
    if (
        part in ("siang", "sore", "malam")
        and 1 <= hour < 12
        and not (part == "siang" and hour >= 10)
    ):
        hour += 12  # "pukul 2 siang", "pukul 7 malam"
    if hour > 23 or minute > 59 or _is_closing(text, match.start()):
        return None
    zone = match.group("zone")
    offset = timezone(timedelta(hours=ZONE_OFFSETS[zone.upper()]), zone.upper()) if zone else None
    return _Time(time(hour, minute), offset, match.start())


def _paragraph(text: str, position: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end < 0 else end


def _sentence(text: str, position: int) -> tuple[int, int]:
    paragraph_start, paragraph_end = _paragraph(text, position)
    for start, end in sentence_spans(text[paragraph_start:paragraph_end]):
        if start <= position - paragraph_start < end:
            return paragraph_start + start, paragraph_start + end
    return paragraph_start, paragraph_end


def _next_paragraph_lead(text: str, paragraph_end: int) -> tuple[int, int] | None:
    """The first sentence of the paragraph after the one ending at ``paragraph_end``."""
    start = paragraph_end
    while start < len(text) and text[start].isspace():
        start += 1
    if start >= len(text):
        return None
    return _sentence(text, start)


def _time_near(text: str, mention: _FoundDate, at_head: bool, dates: _Dates) -> _Time | None:
    """The time of the event at one mention of its date: in the mention's sentence; for a date
    at the head, else later in its paragraph or the next paragraph's first sentence, before any
    other date is written."""
    sentence_start, sentence_end = _sentence(text, mention.start)
    opening = dates.opening_time(sentence_start, sentence_end)
    if opening is not None or not at_head:
        return opening
    _, paragraph_end = _paragraph(text, mention.start)
    opening = dates.opening_time(sentence_end, paragraph_end)
    if opening is None:
        following = _next_paragraph_lead(text, paragraph_end)
        if following is not None:
            opening = dates.opening_time(following[0], following[1])
    # A time after another date is that date's.
    if opening is None or dates.any_between(sentence_end, opening.start):
        return None
    return opening


def _event_time(
    text: str, found: _FoundDate, at_head: bool, head_limit: int, dates: _Dates
) -> _Time | None:
    """The time of the event on ``found``'s day, looked for at each mention of that day in turn
    (a caption or the dateline may name the day before the report proper does)."""
    if found.relative:
        return _time_near(text, found, at_head, dates)
    mentions = [item for item in dates.known() if item.value == found.value and not item.document]
    for mention in mentions or [found]:
        opening = _time_near(text, mention, at_head and mention.start < head_limit, dates)
        if opening is not None:
            return opening
    return None


def read_event_date(
    text: str,
    *,
    head_end: int = 0,
    title: str = "",
    timezone_name: str = DEFAULT_TIMEZONE,
    published_at: datetime | None = None,
) -> EventDate:
    """When the event the report is about happened, in the report's own offset, and what the
    office should be told about it (a day name that disagrees with its date; no date at all).

    Dates without a year ("Rabu (29/12)") and relative ones ("hari ini", "kemarin", "Rabu lalu")
    need ``published_at`` (read in the office's zone; a naive one is taken to be in it); without
    it they are passed over, so the result never depends on when this runs.
    """
    zone: tzinfo = office_timezone(timezone_name)
    reference = None
    if published_at is not None:
        local = published_at if published_at.tzinfo is None else published_at.astimezone(zone)
        reference = local.date()
    source = text
    found, at_head, dates = _event_date(text, head_end, reference)
    if found is None and title:
        source = title
        found, at_head, dates = _event_date(title, 0, reference)
    warnings = [
        weekday_mismatch(item.day_name or "", item.value)
        for item in dates.known()
        if item.agrees is False and (item is found or item.start < head_end + _HEAD_CHARS)
    ]
    if found is None:
        return EventDate(None, [*warnings, no_event_date()])
    at = time(0, 0)
    head_limit = (head_end if source is text else 0) + _HEAD_CHARS
    opening = _event_time(source, found, at_head, head_limit, dates)
    if opening is not None:
        at = opening.at
        zone = opening.zone or zone
    return EventDate(datetime.combine(found.value, at, tzinfo=zone), warnings)


def extract_event_at(
    text: str,
    *,
    head_end: int = 0,
    title: str = "",
    timezone_name: str = DEFAULT_TIMEZONE,
    published_at: datetime | None = None,
) -> datetime | None:
    """The event's date and time alone (see ``read_event_date``)."""
    return read_event_date(
        text,
        head_end=head_end,
        title=title,
        timezone_name=timezone_name,
        published_at=published_at,
    ).at
