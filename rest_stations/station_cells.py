"""Which grid cells hold stations, walked nearest first (the station_cell table).

When its first small circle does not settle the answer, the nearest search needs to know
how far to look, and where: far from any station a circle grown blindly would take a dozen
empty rounds to reach a city. The station_cell table lists the occupied cells of every grid
level; this walk starts from the point's own cells (one query reads their occupied siblings
and every occupied top-level cell) and opens a cell (reads its occupied children, one query
for all the cells opened together) only when it is near enough to matter, so a search 700 km
out in the desert reads a few dozen rows instead of scanning provinces.

Distances here are spherical (mean-radius sphere), like the circle the database is asked for.
"""
import bisect
import functools
import heapq
import math

from sqlalchemy import and_, bindparam, case, or_, select

from extensions import db
from rest_stations.geo import (
    CELL_LEVELS,
    EARTH_MEAN_RADIUS_M,
    FINEST,
    SPLIT,
    cell_bounds,
    cell_id,
    cell_size_deg,
    spherical_beyond_cell_m,
    spherical_to_cell_m,
)
from rest_stations.models import StationCell
from rest_stations.sql import integer_list_parameter, select_for_each

COARSEST = CELL_LEVELS[-1]
_FINER = dict(zip(CELL_LEVELS[1:], CELL_LEVELS))
_COARSER = dict(zip(CELL_LEVELS, CELL_LEVELS[1:]))
_METRES_PER_DEGREE = EARTH_MEAN_RADIUS_M * math.pi / 180


class TooManyCells(Exception):
    """The question reaches more occupied finest cells than one query should list."""


class OccupiedCells:
    """A best-first walk over the occupied cells around one point."""

    def __init__(self, lat: float, lon: float, *, max_cells: int):
        self.lat, self.lon = lat, lon
        self.max_cells = max_cells
        # (lower bound on the distance, cell, level, whether the bound is exact); a cell
        # goes in with the cheap latitude bound and gets the exact one when it comes up.
        self._heap: list[tuple[float, int, str, bool]] = []
        self._finest: list[tuple[float, int]] = []  # finest cells taken off the heap
        self._far_sides: list[float] = []  # their furthest points, sorted
        # Start with the point's own cell opened at every level, so that a search near a
        # city begins among the finest cells around it; the rest of the globe is covered by
        # those cells' siblings, up to the top level.
        own = {level: cell_id(lat, lon, level) for level in CELL_LEVELS}
        for level, cell in _cells_around(own):
            if level == FINEST or cell != own[level]:
                self._push(level, cell)

    def radius_reaching(self, count: int, within: float = math.inf) -> float | None:
        """A radius that holds `count` occupied finest cells whole (so, unless stations were
        moved or removed, at least `count` stations); None when fewer reach within
        `within`, which then stops the walk: cells beyond it are never opened."""
        if count > self.max_cells:
            raise TooManyCells
        while True:
            reach = self._far_sides[count - 1] if len(self._far_sides) >= count else math.inf
            if not self._heap or self._heap[0][0] > min(reach, within):
                return reach if reach <= within and reach < math.inf else None
            nearest, cell, level, exact = self._heap[0]
            if not exact:
                self._refine()
                continue
            # Open in one go every cell that the next rounds would: those about as near as
            # the nearest, or, once some finest cells are found, as far as `count` of them
            # should reach if those are any guide (in a disc, the count grows with the
            # square of the radius beyond the first).
            until = nearest + cell_size_deg(level) * _METRES_PER_DEGREE
            if self._finest:
                first = self._finest[0][0]
                until = max(until, first + (until - first) * math.sqrt(count / len(self._finest)))
            self._advance(min(reach, until, within))

    def finest_cells_within(self, radius: float) -> list[int]:
        """Every occupied finest cell that reaches within `radius` of the point."""
        while self._heap and self._heap[0][0] <= radius:
            self._advance(radius)
        return [cell for nearest, cell in self._finest if nearest <= radius]

    def _advance(self, until: float) -> None:
        """Take every cell nearer than `until` off the heap, opening the coarser ones."""
        to_open: dict[str, list[int]] = {}
        while self._heap and self._heap[0][0] <= until:
            if not self._heap[0][3]:
                self._refine()
                continue
            nearest, cell, level, _ = heapq.heappop(self._heap)
            if level == FINEST:
                self._finest.append((nearest, cell))
                bisect.insort(self._far_sides,
                              spherical_beyond_cell_m(self.lat, self.lon, cell, level))
            else:
                to_open.setdefault(level, []).append(cell)
        if len(self._finest) + len(self._heap) > 4 * self.max_cells:
            raise TooManyCells
        if to_open:
            for level, cell in _occupied_children(to_open):
                self._push(level, cell)

    def _refine(self) -> None:
        """Replace the cheap bound at the top of the heap by the exact one."""
        _, cell, level, _ = heapq.heappop(self._heap)
        heapq.heappush(self._heap, (
            spherical_to_cell_m(self.lat, self.lon, cell, level), cell, level, True))

    def _push(self, level: str, cell: int) -> None:
        south, north, _, _ = cell_bounds(cell, level)
        gap = max(south - self.lat, self.lat - north, 0.0) * _METRES_PER_DEGREE
        heapq.heappush(self._heap, (max(0.0, gap - 1.0), cell, level, False))


_AROUND = select(StationCell.level, StationCell.cell).where(or_(
    StationCell.level == COARSEST,
    *(and_(StationCell.level == level,
           StationCell.cell.between(bindparam(f"{level}_first"), bindparam(f"{level}_last")))
      for level in CELL_LEVELS[:-1])))


def _cells_around(own: dict[str, int]) -> list[tuple[str, int]]:
    """Every occupied top-level cell, and the occupied children of the point's own cells."""
    parameters = {}
    for level, coarser in _COARSER.items():
        parameters[f"{level}_first"] = own[coarser] * SPLIT * SPLIT
        parameters[f"{level}_last"] = own[coarser] * SPLIT * SPLIT + SPLIT * SPLIT - 1
    # Through the connection: the ORM session adds more time than this query takes.
    return db.session.connection().execute(_AROUND, parameters).all()


@functools.cache
def _children_statement(dialect: str):
    # Each value is a parent and the level of the children wanted: parent x 4 + that
    # level's place in CELL_LEVELS, so one query opens cells of every level at once.
    levels = len(CELL_LEVELS)
    children = len(CELL_LEVELS) - 1

    def children_of(value):
        first = value // levels * (SPLIT * SPLIT)
        return and_(StationCell.level == case(
                        {place: level for place, level in enumerate(CELL_LEVELS[:children])},
                        value=value % levels),
                    StationCell.cell.between(first, first + (SPLIT * SPLIT - 1)))
    return select_for_each(dialect, "parents", [StationCell.level, StationCell.cell], children_of)


def _occupied_children(parents: dict[str, list[int]]) -> list[tuple[str, int]]:
    """The occupied cells inside the given cells, each of the level below its parent's."""
    dialect = db.session.get_bind().dialect.name
    values = [cell * len(CELL_LEVELS) + CELL_LEVELS.index(_FINER[level])
              for level, cells in parents.items() for cell in cells]
    return db.session.connection().execute(_children_statement(dialect), {
        "parents": integer_list_parameter(values, dialect)}).all()
