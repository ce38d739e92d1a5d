"""Free-flow edge speeds: the ``maxspeed`` tag where it parses, else a per-class default.

This module only turns OSM tags into km/h. It knows nothing about graphs, files or time
of day: congestion, siren and peak-hour factors belong to the travel engine.

Rules
-----
* A parseable ``maxspeed`` is used as the edge's free-flow speed (times
  :attr:`SpeedSpec.maxspeed_factor`, 1.0 by default). Forms understood: ``"60"``,
  ``"60 km/h"``, ``"60 mph"``, ``"10 knots"``, ``"50;60"`` (several values: the lowest is
  taken) and implicit zone values such as ``"CN:urban"`` or ``"DE:rural"`` from
  :data:`MAXSPEED_ZONE_KPH`. ``"none"``, ``"signals"``, ``"variable"`` and anything
  unknown are ignored (the class default applies).
* Otherwise the speed comes from :attr:`SpeedSpec.default_speed_kph_by_class`, keyed by
  the ``highway`` value (``*_link`` ways have their own entries; any other drivable value,
  e.g. ``"road"``, uses ``"other"``).
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from sim.config.spec_base import Spec
from sim.network.core import ROAD_CLASS_CODE, ROAD_CLASSES

#: Link (ramp) highway values and the road class they belong to.
LINK_PARENT: dict[str, str] = {
    "motorway_link": "motorway",
    "trunk_link": "trunk",
    "primary_link": "primary",
    "secondary_link": "secondary",
    "tertiary_link": "tertiary",
}

#: Keys allowed in :attr:`SpeedSpec.default_speed_kph_by_class`.
SPEED_TABLE_KEYS: tuple[str, ...] = ROAD_CLASSES + tuple(LINK_PARENT)

#: Default free-flow car speeds, km/h, for ways without a usable ``maxspeed``.
#: Design speeds (CJJ 37-2012 城市道路工程设计规范: 快速路 60-100, 主干路 40-60,
#: 次干路 30-50, 支路 20-40 km/h; JTG B01-2014 公路工程技术标准: 高速公路 80-120) discounted
#: to free flow by about 0.8, the factor OSRM's car profile applies to signed limits.
DEFAULT_SPEED_KPH_BY_CLASS: dict[str, float] = {
    "motorway": 100.0,  # 高速公路 (JTG B01-2014 80-120); urban 快速路 are mostly trunk in OSM
    "trunk": 60.0,  # 快速路 60-100 / 一级公路, discounted
    "primary": 45.0,  # 主干路 40-60, discounted
    "secondary": 35.0,  # 次干路 30-50, discounted
    "tertiary": 30.0,  # 次干路 low end / 支路 high end
    "unclassified": 25.0,  # 支路 20-40, rural 四级公路 (JTG B01-2014: 20-30)
    "residential": 20.0,  # 支路 low end
    "living_street": 10.0,  # shared surface
    "service": 15.0,  # estate/campus roads; OSRM car profile service speed 15
    "other": 20.0,  # highway=road and other unspecified drivable ways
    "motorway_link": 50.0,  # 匝道 design 40-80 km/h by ramp type (JTG D20-2017)
    "trunk_link": 40.0,
    "primary_link": 35.0,
    "secondary_link": 30.0,
    "tertiary_link": 25.0,
}

#: Implicit ``maxspeed`` zone values (``"CC:zone"``), km/h. Sources: OSM wiki "Default
#: speed limits"; China: 道路交通安全法实施条例 Art. 45 (no centre line: urban 30, rural 40;
#: one lane each way: urban 50, rural 70). Unknown zones are ignored.
MAXSPEED_ZONE_KPH: dict[str, float] = {
    "cn:urban": 50.0,
    "cn:rural": 70.0,
    "cn:motorway": 120.0,
    "cn:expressway": 120.0,
    "cn:living_street": 20.0,
    "de:urban": 50.0,
    "de:rural": 100.0,
    "de:living_street": 7.0,
    "de:zone30": 30.0,
    "fr:urban": 50.0,
    "fr:rural": 80.0,
    "fr:motorway": 130.0,
    "gb:nsl_single": 96.56,
    "gb:nsl_dual": 112.65,
    "gb:motorway": 112.65,
    "ru:urban": 60.0,
    "ru:rural": 90.0,
    "ru:motorway": 110.0,
    "ru:living_street": 20.0,
    "mx:urban": 50.0,
    "mx:rural": 80.0,
    "walk": 5.0,
}

_KPH_PER_MPH = 1.609344
_KPH_PER_KNOT = 1.852
_NUMBER_UNIT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(km/h|kmh|kph|mph|knots?)?\s*$", re.IGNORECASE)
#: Plausible speeds: anything outside is treated as a tagging error and ignored.
_MIN_KPH, _MAX_KPH = 1.0, 200.0


def parse_maxspeed(value: str | None) -> float | None:
    """Parse an OSM ``maxspeed`` value to km/h.

    Parameters
    ----------
    value
        The raw tag value, e.g. ``"60"``, ``"30 mph"``, ``"50;60"`` or ``"CN:urban"``.

    Returns
    -------
    float or None
        Speed in km/h (the lowest of several values), or None when the value is absent,
        ``"none"``/``"signals"``/``"variable"``, an unknown zone, or not plausible.
    """
    if value is None:
        return None
    best: float | None = None
    for part in re.split(r"[;|]", value):
        kph = _parse_one(part)
        if kph is not None and (best is None or kph < best):
            best = kph
    return best


def _parse_one(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    zone = MAXSPEED_ZONE_KPH.get(text.lower())
    if zone is not None:
        return zone
    match = _NUMBER_UNIT.match(text)
    if match is None:
        return None
    kph = float(match.group(1).replace(",", "."))
    unit = (match.group(2) or "").lower()
    if unit == "mph":
        kph *= _KPH_PER_MPH
    elif unit.startswith("knot"):
        kph *= _KPH_PER_KNOT
    if not _MIN_KPH <= kph <= _MAX_KPH:
        return None
    return kph


def road_class_of(highway: str) -> str:
    """Road class (an entry of ``ROAD_CLASSES``) of a ``highway`` value; links → parent."""
    cls = LINK_PARENT.get(highway, highway)
    return cls if cls in ROAD_CLASS_CODE else "other"


def speed_key_of(highway: str) -> str:
    """Key of :attr:`SpeedSpec.default_speed_kph_by_class` used for a ``highway`` value."""
    return highway if highway in LINK_PARENT else road_class_of(highway)


class SpeedSpec(Spec):
    """How free-flow edge speeds are set, and whether the graph is simplified, on loading.

    Changing any field changes the network cache key, so cached networks are rebuilt.
    """

    default_speed_kph_by_class: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_SPEED_KPH_BY_CLASS),
        description=(
            "Free-flow car speed in km/h for ways with no usable maxspeed tag, by road class "
            "(motorway, trunk, primary, secondary, tertiary, unclassified, residential, "
            "living_street, service, other) and link (motorway_link ... tertiary_link). Keys "
            "given here replace the defaults; missing keys keep them. Defaults: design speeds "
            "of CJJ 37-2012 城市道路工程设计规范 (快速路 60-100, 主干路 40-60, 次干路 30-50, "
            "支路 20-40 km/h), JTG B01-2014 (高速公路 80-120) and JTG D20-2017 (ramps 40-80), "
            "discounted by about 0.8 to free flow: motorway 100, trunk 60, primary 45, "
            "secondary 35, "
            "tertiary 30, unclassified 25, residential 20, living_street 10, service 15, "
            "other 20, links 50/40/35/30/25."
        ),
    )
    use_maxspeed: bool = Field(
        default=True,
        description=(
            "Use a parseable maxspeed tag (km/h, mph, knots, lowest of 'a;b', zone values "
            "such as CN:urban) instead of the class default."
        ),
    )
    maxspeed_factor: float = Field(
        default=1.0,
        gt=0.0,
        le=1.5,
        description=(
            "Multiplier (dimensionless) applied to a parsed maxspeed. 1.0 for the Hangzhou "
            "extracts, whose maxspeed already holds the free-flow speed (0.8 × the signed "
            "limit, OSRM car profile); use about 0.8 for raw OSM where maxspeed is the legal "
            "limit."
        ),
    )

    simplify: bool = Field(
        default=True,
        description=(
            "Merge each chain of way nodes that are neither junctions nor dead ends into one "
            "edge when an OSM or GraphML file is loaded (topological simplification by the "
            "endpoint rules of osmnx 2.x simplify_graph; Boeing 2025, Transactions in GIS "
            "29(3) e70037), except that a node where two road classes meet is kept, so each "
            "edge has one class for the congestion profile. Edge length and travel minutes "
            "are summed exactly, so shortest drive times between the remaining nodes do not "
            "change, while routing tables shrink about 3x (Hangzhou west: 39,059 to 13,179 "
            "nodes). Points (incidents, facilities) then snap to the nearest junction or "
            "dead end rather than the nearest way node. false keeps every OSM way node. The "
            "synthetic county is never simplified by the loader (its rural node spacing is "
            "part of its design). Kept here, with the speed rules, because these settings "
            "key the network cache."
        ),
    )

    @field_validator("default_speed_kph_by_class", mode="after")
    @classmethod
    def _merge_defaults(cls, table: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(table) - set(SPEED_TABLE_KEYS))
        if unknown:
            raise ValueError(
                f"unknown road class {', '.join(unknown)}; allowed: {', '.join(SPEED_TABLE_KEYS)}"
            )
        bad = sorted(k for k, v in table.items() if not (_MIN_KPH <= v <= _MAX_KPH))
        if bad:
            raise ValueError(
                f"speed for {', '.join(bad)} must be between {_MIN_KPH:g} and {_MAX_KPH:g} km/h"
            )
        # Partial tables override only the classes they name, in a fixed key order.
        merged = {**DEFAULT_SPEED_KPH_BY_CLASS, **table}
        return {key: float(merged[key]) for key in SPEED_TABLE_KEYS}

    def default_kph(self, highway: str) -> float:
        """Default free-flow speed, km/h, for a ``highway`` value."""
        return self.default_speed_kph_by_class[speed_key_of(highway)]

    def edge_speed_kph(self, highway: str, maxspeed: str | None) -> tuple[float, bool]:
        """Speed in km/h for a way and whether it came from its ``maxspeed`` tag.

        Parameters
        ----------
        highway
            The way's ``highway`` value.
        maxspeed
            The raw ``maxspeed`` tag, or None.

        Returns
        -------
        tuple of (float, bool)
            The free-flow speed in km/h and True when the maxspeed tag was used.
        """
        if self.use_maxspeed:
            tagged = parse_maxspeed(maxspeed)
            if tagged is not None:
                return tagged * self.maxspeed_factor, True
        return self.default_kph(highway), False
