"""Road networks: load OSM/GraphML extracts or the synthetic county into routing arrays.

Public API (everything else in this package is internal):

* :func:`load_network` — by manifest name, ``"synthetic_county[:SEED]"``,
  ``"synthetic_province[:SEED]"`` or path, cached;
* :func:`read_osm` — one OSM XML/PBF or GraphML file, no cache;
* :func:`find_data_file` — the data search path (``--data-dir``, ``$TRAUMA_SIM_DATA``,
  the repository's ``networks/``);
* :func:`network_summary` (maps of a network: :mod:`sim.plotting.maps`);
* :func:`generate_county`, :func:`county_places` — the synthetic county;
* :class:`SpeedSpec`, :func:`parse_maxspeed` — free-flow speed rules;
* :class:`RoadNetwork`, :class:`LoadReport`, :data:`ROAD_CLASSES` — the array contract.
"""

from __future__ import annotations

from sim.network.build import network_summary
from sim.network.core import ROAD_CLASSES, LoadReport, RoadNetwork
from sim.network.datapath import describe_network, find_data_file, load_manifest, load_network
from sim.network.osm import read_osm
from sim.network.speeds import SpeedSpec, parse_maxspeed
from sim.network.synthetic import county_places, generate_county

__all__ = [
    "ROAD_CLASSES",
    "LoadReport",
    "RoadNetwork",
    "SpeedSpec",
    "county_places",
    "describe_network",
    "find_data_file",
    "generate_county",
    "load_manifest",
    "load_network",
    "network_summary",
    "parse_maxspeed",
    "read_osm",
]
