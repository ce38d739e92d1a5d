"""Snap WGS-84 points (incidents, facilities) to their nearest road node.

A point is attached to the nearest network *node* (not the nearest point on an edge) by
straight-line distance, and the gap is charged as access time at a slow access speed. On
city networks, where edges are short, the nearest node is at most about half an edge away
from the nearest edge point; on long rural edges this over-states the access distance.

Distances use a local equirectangular projection around the network's centre
(``x = R cos(lat0) lon``, ``y = R lat``, radians), exact to well under 1 % over a
city-sized extract and fast enough for a k-d tree over every node. A point farther than the
limit is rejected with a :class:`~sim.core.errors.UserError`, never silently moved.

This module does no I/O and never changes the network.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from sim.core.errors import UserError
from sim.core.units import EARTH_RADIUS_M, kph_to_m_per_min
from sim.network.core import RoadNetwork


@dataclass(frozen=True, slots=True)
class Snap:
    """Where a point joins the road network.

    Attributes
    ----------
    node
        Index of the nearest road node.
    access_m
        Straight-line distance from the point to that node, in metres.
    access_min
        Minutes to cover ``access_m`` at the access speed.
    """

    node: int
    access_m: float
    access_min: float


class Snapper:
    """Nearest-node lookup with an access-time charge and a distance limit.

    Parameters
    ----------
    network
        The road network.
    access_speed_kph
        Speed in km/h over the off-network access distance (``TravelSpec.access_speed_kph``).
    limit_m
        Largest accepted distance in metres to the nearest node (``TravelSpec.snap_limit_m``).
    """

    def __init__(self, network: RoadNetwork, access_speed_kph: float, limit_m: float) -> None:
        if not access_speed_kph > 0:
            msg = f"access_speed_kph must be > 0, got {access_speed_kph}"
            raise ValueError(msg)
        if not limit_m >= 0:
            msg = f"limit_m must be >= 0, got {limit_m}"
            raise ValueError(msg)
        if network.n_nodes == 0:
            msg = f"network {network.name!r} has no nodes to snap to"
            raise ValueError(msg)
        self.network = network
        self.access_speed_kph = float(access_speed_kph)
        self.limit_m = float(limit_m)
        self._bbox = network.bbox()
        _, south, _, north = self._bbox
        self._lat0_rad = math.radians((south + north) / 2.0)
        self._x_scale = EARTH_RADIUS_M * math.cos(self._lat0_rad)
        self._tree = cKDTree(self._project(network.lon, network.lat))
        self._m_per_min = kph_to_m_per_min(self.access_speed_kph)

    def _project(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Local equirectangular metres, shape (n, 2)."""
        x = self._x_scale * np.radians(np.asarray(lon, dtype=np.float64))
        y = EARTH_RADIUS_M * np.radians(np.asarray(lat, dtype=np.float64))
        return np.column_stack([x, y])

    def _inside_bbox(self, lon: float, lat: float) -> bool:
        west, south, east, north = self._bbox
        return west <= lon <= east and south <= lat <= north

    def _reject(self, label: str, lon: float, lat: float, problem: str) -> UserError:
        """Build the one-line error, with a lon/lat swap hint when the swap lands inside."""
        west, south, east, north = self._bbox
        message = (
            f"{label}: point lon={lon:.6f}, lat={lat:.6f} {problem} "
            f"(network {self.network.name!r} covers lon {west:.3f}..{east:.3f}, "
            f"lat {south:.3f}..{north:.3f})"
        )
        if self._inside_bbox(lat, lon):
            message += (
                f"; swapping the pair (lon={lat:.6f}, lat={lon:.6f}) lands inside the network: "
                "were lon and lat swapped? Give lon (east-west) first"
            )
        return UserError(message)

    def _check(self, label: str, lon: float, lat: float, distance_m: float) -> None:
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise self._reject(label, lon, lat, "is not a finite coordinate")
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            raise self._reject(label, lon, lat, "is outside lon -180..180 / lat -90..90")
        if distance_m > self.limit_m:
            raise self._reject(
                label,
                lon,
                lat,
                f"is {distance_m:.0f} m from the nearest road node, beyond the snap limit "
                f"of {self.limit_m:.0f} m (travel.snap_limit_m)",
            )

    def snap(self, lon: float, lat: float, *, label: str) -> Snap:
        """Snap one point to its nearest road node.

        Parameters
        ----------
        lon, lat
            WGS-84 degrees (longitude first).
        label
            What the point is, for error messages (e.g. ``"facilities.csv: H02"``).

        Returns
        -------
        Snap
            Nearest node, access distance in metres and access time in minutes.

        Raises
        ------
        UserError
            If the point is not a valid coordinate or lies farther than the limit.
        """
        return self.snap_many([lon], [lat], [label])[0]

    def snap_many(
        self,
        lon: Sequence[float] | np.ndarray,
        lat: Sequence[float] | np.ndarray,
        labels: Sequence[str],
    ) -> list[Snap]:
        """Snap many points at once (one k-d tree query).

        Parameters
        ----------
        lon, lat
            WGS-84 degrees, equal lengths.
        labels
            One label per point, for error messages.

        Returns
        -------
        list[Snap]
            One :class:`Snap` per point, in input order.

        Raises
        ------
        UserError
            For the first point that is invalid or beyond the limit (named by its label).
        """
        node, access_m, access_min = self.snap_arrays(lon, lat, labels)
        return [
            Snap(node=n, access_m=d, access_min=a)
            for n, d, a in zip(node.tolist(), access_m.tolist(), access_min.tolist(), strict=True)
        ]

    def snap_arrays(
        self,
        lon: Sequence[float] | np.ndarray,
        lat: Sequence[float] | np.ndarray,
        labels: Sequence[str],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Snap many points at once, as arrays (for demand: no object per point).

        Parameters
        ----------
        lon, lat
            WGS-84 degrees, equal lengths.
        labels
            One label per point, for error messages.

        Returns
        -------
        tuple of numpy.ndarray
            ``node`` (int64), ``access_m`` and ``access_min`` (float64), in input order.

        Raises
        ------
        UserError
            For the first point that is invalid or beyond the limit (named by its label).
        """
        lon_arr = np.asarray(lon, dtype=np.float64).reshape(-1)
        lat_arr = np.asarray(lat, dtype=np.float64).reshape(-1)
        if not (lon_arr.shape == lat_arr.shape and len(labels) == lon_arr.size):
            msg = (
                f"lon, lat and labels must have equal lengths, got {lon_arr.size}, "
                f"{lat_arr.size}, {len(labels)}"
            )
            raise ValueError(msg)
        if lon_arr.size == 0:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
        finite = np.isfinite(lon_arr) & np.isfinite(lat_arr)
        points = self._project(np.where(finite, lon_arr, 0.0), np.where(finite, lat_arr, 0.0))
        distance, node = self._tree.query(points)
        distance = np.where(finite, distance, np.inf)
        bad = ~(distance <= self.limit_m) | (np.abs(lat_arr) > 90.0) | (np.abs(lon_arr) > 180.0)
        if bad.any():
            failing = np.flatnonzero(bad)
            i = int(failing[0])
            try:
                self._check(labels[i], float(lon_arr[i]), float(lat_arr[i]), float(distance[i]))
            except UserError as exc:
                if failing.size > 1:
                    raise UserError(
                        f"{exc.message} ({failing.size - 1} more point(s) fail too)"
                    ) from None
                raise
        access_min = distance / self._m_per_min
        return np.asarray(node, dtype=np.int64), distance, access_min
