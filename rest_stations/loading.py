"""How a search loads its stations: whole (Station objects, through the ORM), or only some
of their columns (plain rows, through the Core connection: the APIs, which read a dozen of
the 27 columns and would otherwise spend a third of their Python in the ORM's loading).

A search passes `columns` through: an empty tuple means whole Stations."""
from collections.abc import Callable

from extensions import db
from rest_stations.models import Station


def station_selection(columns: tuple) -> tuple:
    """What a statement selects for each station."""
    return columns or (Station,)


def station_rows(statement, parameters: dict, columns: tuple) -> list:
    """The statement's rows; one that loads columns, not Stations, skips the ORM."""
    if columns:
        return db.session.connection().execute(statement, parameters).all()
    return db.session.execute(statement, parameters).all()


def row_station(columns: tuple) -> Callable:
    """A result row's station: the Station it loaded, or the row itself (of `columns`)."""
    return (lambda row: row) if columns else (lambda row: row.Station)
