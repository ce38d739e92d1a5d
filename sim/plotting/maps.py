"""Maps of the road network, facilities, incidents and drive-time coverage (one import).

The maps live in three modules split by concern; this module re-exports their public
names so ``from sim.plotting import maps; maps.road_map(...)`` keeps working:

* :mod:`sim.plotting.map_axes` — road and facility styles, once-per-street segments,
  road and facility drawing, extent, legend, scale bar, colour bands;
* :mod:`sim.plotting.static_maps` — matplotlib maps: :func:`road_map`,
  :func:`incident_map`, :func:`coverage_map` and the data-check :func:`plot_network`
  (``trauma-sim network plot``);
* :mod:`sim.plotting.interactive` — :func:`interactive_map`, the offline Leaflet page.
"""

from __future__ import annotations

from sim.plotting.interactive import INTERACTIVE_SEGMENT_LIMIT, MAJOR_CLASSES, interactive_map
from sim.plotting.map_axes import (
    BAND_COLOURS,
    DODGE_RADIUS,
    DODGE_TOLERANCE,
    FACILITY_KINDS,
    FACILITY_STYLE,
    FACILITY_ZORDER,
    HOSPITAL_TIERS,
    MAP_BOTTOM_STRIP,
    MAP_PAD,
    RIGHT_LEGEND_IN,
    ROAD_CLASS_STYLE,
    ROAD_GROUP_OF,
    ROAD_STYLE,
    TALL_ASPECT,
    UNREACHABLE_COLOUR,
    credit_text,
    dodge_positions,
    draw_facilities,
    draw_roads,
    draw_roads_by_class,
    segment_array,
    undirected_segments,
)
from sim.plotting.static_maps import (
    coverage_map,
    incident_map,
    plot_network,
    plot_network_file,
    read_facilities_csv,
    road_map,
)

__all__ = [
    "BAND_COLOURS",
    "DODGE_RADIUS",
    "DODGE_TOLERANCE",
    "FACILITY_KINDS",
    "FACILITY_STYLE",
    "FACILITY_ZORDER",
    "HOSPITAL_TIERS",
    "INTERACTIVE_SEGMENT_LIMIT",
    "MAJOR_CLASSES",
    "MAP_BOTTOM_STRIP",
    "MAP_PAD",
    "RIGHT_LEGEND_IN",
    "ROAD_CLASS_STYLE",
    "ROAD_GROUP_OF",
    "ROAD_STYLE",
    "TALL_ASPECT",
    "UNREACHABLE_COLOUR",
    "coverage_map",
    "credit_text",
    "dodge_positions",
    "draw_facilities",
    "draw_roads",
    "draw_roads_by_class",
    "incident_map",
    "interactive_map",
    "plot_network",
    "plot_network_file",
    "read_facilities_csv",
    "road_map",
    "segment_array",
    "undirected_segments",
]
