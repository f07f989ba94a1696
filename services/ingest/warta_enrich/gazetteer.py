"""Places named in a report: Indonesia's 38 provinces and 514 regencies and cities.

Every name of every region (``warta.regions``) is a term of one Aho-Corasick automaton, so a
report is read once however many names there are. What a match means:

- The longest name wins: "Padang Lawas Utara" is not Padang, "Provinsi Papua Pegunungan" is not
  Papua, "Kota Malang" is not the bare "Malang".
- A name written with its kind ("Kabupaten Malang", "Kab. Malang", "Pemkot Malang", "Bupati
  Malang", "Malang Kota", "Provinsi Jambi") is that region.
- Bare, a name several regions share ("Malang", "Pasuruan", "Jambi") is settled by the office's
  region: its own name; else the only one in the office's province; else a province that holds
  all the others ("Gorontalo" the province, its kabupaten and its kota). Otherwise it is no tag:
  no tag is better than a wrong region.
- A bare shared name at the end of a venue's name ("Universitas Brawijaya Malang", "Hotel
  Santika Malang") is not settled by the office: a campus of "Malang" may be in the kota.
- Names are proper nouns: their words must be capitalised as the decree writes them (or the
  whole name in capitals), so "nasib malang" (bad luck) is not Malang.
- A name after a smaller place's title ("Kecamatan", "Desa", "Jalan", "Pulau") is that smaller
  place. A kecamatan named after a region elsewhere ("Padang Bolak" in Padang Lawas Utara) stands
  for its own regency. A few phrases name no region though they hold one ("Tanah Papua",
  "Malang Raya", "dari Sabang sampai Merauke").
- Some bare names are everyday words or parts of other names ("Batu", "Metro", "Puncak"): they
  count only with their kind, or when they are the office's own region.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import ahocorasick

from warta.regions import CITY, PROVINCE, REGENCY, Region, districts, regions
from warta_enrich.folding import fold
from warta_enrich.languages import stopwords
from warta_enrich.vocabulary import Entry, Match, whole_words

PLACE = "place"

# Written before a name, these say which kind of region it is.
_PROVINCE_TITLES = ("Provinsi", "Prov.", "Prov", "Propinsi", "Pemprov", "Gubernur")
_REGENCY_TITLES = ("Kabupaten", "Kab.", "Kab", "Kabupaten Administrasi", "Pemkab", "Bupati")
_CITY_TITLES = ("Kota", "Kota Administrasi", "Kotamadya", "Pemkot", "Walikota")
# Bare, these are everyday words or begin other names: "batu" a stone, "Polda Metro Jaya", "Puncak
# acara", "Batang Hari", "solo".
_NEEDS_TITLE = frozenset({"batu", "metro", "puncak", "batang", "solo"})
# Phrases that hold a region's name but name no region.
_NO_REGION = (
    "Tanah Papua",
    "Papua Nugini",
    "Papua New Guinea",
    "Sabang sampai Merauke",
    "Sabang hingga Merauke",
    "Malang Raya",
    "Bandung Raya",
    "Solo Raya",
    "Selat Malaka",
    "Nasi Padang",
    "Masakan Padang",
    "Rumah Makan Padang",
)
# A bare name right after one of these is a smaller place of that name, not the region.
_SMALLER_PLACES = frozenset(
    {
        "kecamatan",
        "kec",
        "distrik",
        "desa",
        "kelurahan",
        "kel",
        "dusun",
        "dukuh",
        "kampung",
        "nagari",
        "gampong",
        "jalan",
        "jl",
        "jln",
        "gang",
        "gg",
        "perumahan",
        "perum",
        "pulau",
        "gunung",
        "sungai",
        "selat",
        "teluk",
        "danau",
        "pantai",
        "pelabuhan",
        "bandara",
        "stasiun",
        "terminal",
    }
)
# Bodies named after the region they serve: "KPU Malang" is the office's own Malang, where
# "Universitas Brawijaya Malang" is a venue that could be in either.
_SERVING_BODIES = frozenset(
    {
        "kpu",
        "kip",
        "bawaslu",
        "panwaslu",
        "panwaslih",
        "panwascam",
        "ppk",
        "pps",
        "polres",
        "polresta",
        "polrestabes",
        "kapolres",
        "kapolresta",
        "kodim",
        "dandim",
        "koramil",
        "pemda",
        "dprd",
        "wabup",
        "wawali",
        "sekda",
        "setda",
        "dispendukcapil",
        "disdukcapil",
        "dukcapil",
        "bakesbangpol",
        "kesbangpol",
        "kemenag",
        "kominfo",
        "diskominfo",
        "kejari",
        "kajari",
        "kejaksaan",
        "pengadilan",
        "pn",
        "rutan",
        "lapas",
        "satpol",
        "bpbd",
        "dinas",
        "bps",
        "inspektorat",
        "masyarakat",
        "warga",
        "pemilih",
        "rakyat",
        "wilayah",
        "daerah",
        "kawasan",
    }
)
_WORD_INSIDE = frozenset("'’.-_")
_BRACKET_LOOK_BACK = 42


@dataclass(frozen=True)
class _Term:
    regions: tuple[Region, ...]  # empty: a phrase that names no region
    titled: bool  # written with its kind: settled, and allowed for names that need a title
    capitals: tuple[int, ...]  # offsets in the term that must be capital letters
    needs_title: bool = False  # bare, an everyday word: only the office's own region


def _variants(name: str) -> set[str]:
    # "Toli-Toli" is also written "Toli Toli" and "Tolitoli".
    if "-" not in name:
        return {name}
    return {name, name.replace("-", " "), name.replace("-", "")}


def _capitals(term: str, name: str) -> tuple[int, ...]:
    """Offsets in ``term`` (which holds ``name``) whose letters must be capitals: each word the
    decree capitalises, every letter of an acronym ("NTB", "DIY")."""
    offset = term.rfind(name)
    capitals: list[int] = []
    for match in re.finditer(r"\S+", name):
        word = match.group()
        if len(word) > 1 and word.isupper():
            capitals.extend(offset + match.start() + i for i, c in enumerate(word) if c.isalpha())
        elif word[0].isupper():
            capitals.append(offset + match.start())
    return tuple(capitals)


def _titles(region: Region) -> tuple[str, ...]:
    return {PROVINCE: _PROVINCE_TITLES, REGENCY: _REGENCY_TITLES, CITY: _CITY_TITLES}[region.kind]


def _region_terms(region: Region) -> Iterator[tuple[str, str, bool]]:
    """(term, the name within it, titled) for each way a region is written."""
    names = {variant for name in (region.name, *region.names) for variant in _variants(name)}
    for name in names:
        yield name, name, False
        for title in _titles(region):
            yield f"{title} {name}", name, True
        if region.kind == CITY:
            # "Polresta Malang Kota", "Malang Kota" as Malang writes its city.
            yield f"{name} Kota", name, True
    if region.label not in names:
        yield region.label, region.label, True
    for seat in region.seats:
        yield seat, seat, False


def _district_terms(bare: set[str]) -> Iterator[tuple[str, Region]]:
    """Kecamatan whose name begins with a region's bare name ("Padang Bolak", "Batu Ampar")."""
    for code, names in districts().items():
        for name in names:
            key = _key(name)
            if key in bare:
                continue
            words = key.split()
            if any(" ".join(words[:n]) in bare for n in range(1, len(words))):
                yield name, regions()[code]


def _key(term: str) -> str:
    return fold(" ".join(term.split()))


class Gazetteer:
    """Every province, regency and city in one automaton over folded text."""

    def __init__(self, all_regions: Iterable[Region]) -> None:
        terms: dict[str, _Term] = {}

        def add(term: str, name: str, region: Region | None, titled: bool) -> None:
            key = _key(term)
            known = terms.get(key)
            found = (region,) if region is not None else ()
            if known is None:
                needs_title = not titled and key in _NEEDS_TITLE
                terms[key] = _Term(found, titled, _capitals(term, name), needs_title)
            elif region is not None and region not in known.regions and known.regions:
                # A name two regions share: bare, or as written for both ("Batu Ampar").
                terms[key] = _Term(
                    (*known.regions, region),
                    known.titled and titled,
                    known.capitals,
                    known.needs_title,
                )

        bare: set[str] = set()
        for region in all_regions:
            for term, name, titled in _region_terms(region):
                add(term, name, region, titled)
                if not titled:
                    bare.add(_key(term))
        for phrase in _NO_REGION:
            terms[_key(phrase)] = _Term((), True, ())
        for name, region in _district_terms(bare):
            add(name, name, region, False)

        self._terms = terms
        self._automaton = ahocorasick.Automaton()
        for key, known in terms.items():
            self._automaton.add_word(key, (len(key), known))
        self._automaton.make_automaton()

    @property
    def terms(self) -> dict[str, _Term]:
        """Every term by its key (folded), for a reader that shares one automaton."""
        return self._terms

    def find(self, text: str, home: Region | None = None) -> list[Match]:
        """The regions named in ``text``, in order; ``home`` is the office's own region."""
        hits = list(whole_words(self._automaton, fold(text)))
        return self.read(text, hits, home)

    def read(
        self, text: str, hits: Iterable[tuple[int, int, _Term]], home: Region | None = None
    ) -> list[Match]:
        """The regions that whole-word hits of this gazetteer's terms in ``text`` name."""
        found = [(start, end, term) for start, end, term in hits if _capitalised(text, start, term)]
        # Leftmost-longest: a name inside or overlapping a longer one earlier is not a name.
        found.sort(key=lambda item: (item[0], item[0] - item[1]))
        matches = []
        reached = 0
        for start, end, term in found:
            if start < reached:
                continue
            reached = end
            region = self._resolve(text, start, term, home)
            if region is not None:
                matches.append(Match(_entry(region), start, end))
        return matches

    def knows(self, phrase: str) -> bool:
        """Whether ``phrase`` as a whole names a region, or a town or kecamatan in one."""
        term = self._terms.get(_key(phrase))
        return term is not None and bool(term.regions)

    def lookup(self, phrase: str, home: Region | None = None) -> Entry | None:
        """The place that ``phrase`` names as a whole (an office's own tag), if any."""
        term = self._terms.get(_key(phrase))
        if term is None:
            return None
        region = self._resolve(phrase, 0, term, home)
        return _entry(region) if region is not None else None

    def _resolve(self, text: str, start: int, term: _Term, home: Region | None) -> Region | None:
        if not term.regions:
            return None
        if not term.titled:
            previous = _previous_word(text, start)
            if previous in _SMALLER_PLACES:
                return None
            if term.needs_title:
                return home if home is not None and home in term.regions else None
            if len(term.regions) == 1:
                return term.regions[0]
            # After a venue's own name ("Universitas Brawijaya Malang") the office cannot tell.
            if home is not None and previous is not None:
                if home in term.regions:
                    return home
                nearby = [region for region in term.regions if region.province == home.province]
                if len(nearby) == 1:
                    return nearby[0]
            provinces = [region for region in term.regions if region.kind == PROVINCE]
            if len(provinces) == 1 and all(provinces[0].contains(r) for r in term.regions):
                return provinces[0]
            return None
        if len(term.regions) == 1:
            return term.regions[0]
        if home is not None and home in term.regions:
            return home
        return None


def _entry(region: Region) -> Entry:
    return Entry(slug=region.slug, label=region.label, kind=PLACE)


def _capitalised(text: str, start: int, term: _Term) -> bool:
    return all(text[start + offset].isupper() for offset in term.capitals)


def _previous_word(text: str, start: int) -> str | None:
    """The word just before ``start`` (across a bracketed acronym), folded; "" at the start of the
    text or after punctuation, None when it is capitalised like a proper noun."""
    # Read backwards: a regular expression anchored at ``start`` would be tried at every offset.
    end = _skip_back_spaces(text, start)
    if end > 0 and text[end - 1] == ")":
        opening = text.rfind("(", max(0, end - _BRACKET_LOOK_BACK), end)
        if opening < 0:
            return ""
        end = _skip_back_spaces(text, opening)
    begin = end
    while begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] in _WORD_INSIDE):
        begin -= 1
    word = text[begin:end].rstrip(".-_'’")  # "KPU-Malang", "se-Pasuruan"
    if not word or not word[0].isalpha():
        return ""
    folded = fold(word)
    if word[:1].isupper() and folded not in _SMALLER_PLACES and folded not in _SERVING_BODIES:
        return folded if folded in stopwords("id") else None
    return folded


def _skip_back_spaces(text: str, position: int) -> int:
    while position > 0 and text[position - 1].isspace():
        position -= 1
    return position


@cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer of every region, built once per process."""
    return Gazetteer(regions().values())
