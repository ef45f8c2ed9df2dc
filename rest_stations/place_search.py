"""Search by place in our own station data, for riders who type instead of sharing a position.

Chinese is written without spaces, so "天津市河东区大王庄" must find the station on 大王庄
whose address says "天津市河东区大王庄街道…". Words are not the unit; trigrams (three
characters in a row) are. Migration 0015 indexes each station's name, address, district
and city by trigrams: an FTS5 table on SQLite, a pg_trgm GIN index on PostgreSQL.

A query's pieces of three or more characters are cut into trigrams; a station matches when
its text holds at least MIN_COVERAGE of them, best covered first. Pieces shorter than three
characters ("驿站", "河西") must each appear as they are. When nothing matches, the finder
asks the geocoder where the place is instead (rest_stations.place_lookup).
"""
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, literal, or_, select, text

import clock
from extensions import db
from rest_stations.display import seats_taken
from rest_stations.models import Station
from rest_stations.queries import NearbyStation, station_hours
from rest_stations.vocabulary import amenity_mask

MAX_PIECES = 8
MAX_TRIGRAMS = 24
MIN_COVERAGE = 0.6
CANDIDATES = 400
# Spaces and punctuation, half- and full-width, separate pieces of a query.
SEPARATORS = re.compile(r"[\s,.;:!?/\\()\[\]{}<>\"'`~|·、，。；：！？（）【】《》“”‘’—\-]+")


@dataclass(frozen=True)
class Query:
    trigrams: tuple[str, ...]
    short_pieces: tuple[str, ...]


def parse(text_: str) -> Query:
    """Cut the typed text into trigrams (from pieces of 3+ characters) and short pieces."""
    pieces = [piece for piece in SEPARATORS.split(text_.casefold()) if piece][:MAX_PIECES]
    trigrams: list[str] = []
    short = []
    for piece in pieces:
        if len(piece) < 3:
            short.append(piece)
            continue
        for start in range(len(piece) - 2):
            trigram = piece[start:start + 3]
            if trigram not in trigrams:
                trigrams.append(trigram)
    return Query(tuple(trigrams[:MAX_TRIGRAMS]), tuple(short))


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_text(station: Station) -> str:
    return " ".join((station.name, station.address, station.district, station.city)).casefold()


def _candidate_ids(query: Query) -> list[int]:
    """Ids of stations holding any of the query's trigrams, the most promising first."""
    if db.session.get_bind().dialect.name == "sqlite":
        match = " OR ".join('"' + trigram.replace('"', '""') + '"' for trigram in query.trigrams)
        rows = db.session.execute(
            text("SELECT rowid FROM station_search WHERE station_search MATCH :match "
                 "ORDER BY bm25(station_search) LIMIT :limit"),
            {"match": match, "limit": CANDIDATES})
        return [row[0] for row in rows]
    searched = (Station.name + " " + Station.address + " " + Station.district + " "
                + Station.city)
    # ILIKE, like FTS5's trigram tokenizer, ignores case; the GIN index serves each term.
    conditions = [searched.ilike(_like_pattern(trigram), escape="\\") for trigram in query.trigrams]
    score = sum((case((condition, 1), else_=0) for condition in conditions), literal(0))
    rows = db.session.execute(select(Station.id).where(or_(*conditions))
                              .order_by(score.desc(), Station.id).limit(CANDIDATES))
    return [row[0] for row in rows]


def _coverage(query: Query, station_text: str) -> float:
    return sum(trigram in station_text for trigram in query.trigrams) / len(query.trigrams)


def search_stations(
    text_: str,
    *,
    limit: int = 20,
    amenities: Sequence[str] = (),
    open_now: bool = False,
    now: datetime | None = None,
) -> list[NearbyStation]:
    """Stations whose text matches what the rider typed, best match first.

    The results carry no distance (distance_m is None): we do not know where the rider is.
    """
    query = parse(text_)
    if limit <= 0 or not (query.trigrams or query.short_pieces):
        return []
    mask = amenity_mask(amenities)
    if query.trigrams:
        ids = _candidate_ids(query)
        loaded = {station.id: station for station in
                  db.session.scalars(select(Station).where(Station.id.in_(ids)))} if ids else {}
        stations = [loaded[id_] for id_ in ids if id_ in loaded]  # keep the index's order
    else:
        fields = (Station.name, Station.address, Station.district, Station.city)
        stations = db.session.scalars(
            select(Station).where(and_(*(
                or_(*(field.ilike(_like_pattern(piece), escape="\\") for field in fields))
                for piece in query.short_pieces)))
            .order_by(Station.city, Station.district, Station.name, Station.id)
            .limit(CANDIDATES)).all()
    needed = math.ceil(MIN_COVERAGE * len(query.trigrams) - 1e-9) / len(query.trigrams) \
        if query.trigrams else 0
    ranked = []
    for position, station in enumerate(stations):
        if station.status == "delisted":
            continue
        if mask and (station.amenity_mask or 0) & mask != mask:
            continue
        station_text = _search_text(station)
        if not all(piece in station_text for piece in query.short_pieces):
            continue
        coverage = _coverage(query, station_text) if query.trigrams else 1.0
        if coverage < needed:
            continue
        ranked.append((-coverage, position, station))
    ranked.sort(key=lambda item: item[:2])
    now = now or clock.now()
    found = []
    for _coverage_rank, _position, station in ranked:
        hours = station_hours(station, now)
        if open_now and (station.status != "active" or hours.open is not True):
            continue
        found.append((station, hours))
        if len(found) == limit:
            break
    # Seats for the stations kept only, in one query (the candidates may be a hundred).
    taken = seats_taken([station.id for station, _hours in found], now)
    return [NearbyStation(station, None, hours, taken.get(station.id, 0))
            for station, hours in found]
