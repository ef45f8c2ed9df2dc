"""Rows without a region code: what the migration (or an import) could not match by name.

They see no branch (scoping compares codes), so nothing is routed to the wrong one; an
admin gives each its district on /staff/regions/review. `assign()` sets the code and the
names that go with it; `match_all()` retries name matching (the CLI and the demo seeder)."""
from dataclasses import dataclass

from collections.abc import Callable

from sqlalchemy import Select, or_

from extensions import db
from regions import divisions

REVIEW_PAGE_SIZE = 200


@dataclass(frozen=True)
class Kind:
    model: type
    label_attr: str
    # Which rows of the model belong on the list; default: those naming a city or district.
    still_relevant: Callable[[type], list] | None = None


# Filled by the packages that own the models (accounts, rest_stations): regions imports none.
KINDS: dict[str, Kind] = {}


def register_kind(name: str, model: type, label_attr: str, still_relevant=None) -> None:
    """Put rows of `model` (which names `region_names`) on the admin's review list."""
    KINDS[name] = Kind(model, label_attr, still_relevant)


def unmatched(kind: str) -> Select:
    """Rows of this kind that name a place but carry no code."""
    found = KINDS[kind]
    model = found.model
    city, district, code = model.region_names
    query = db.select(model).where(getattr(model, code).is_(None))
    if found.still_relevant is not None:
        return query.where(*found.still_relevant(model))
    return query.where(or_(getattr(model, city) != "", getattr(model, district) != ""))


def unmatched_rows(kind: str) -> list:
    model = KINDS[kind].model
    return list(db.session.scalars(unmatched(kind).order_by(model.id).limit(REVIEW_PAGE_SIZE)))


def unmatched_count() -> int:
    return sum(db.session.scalar(db.select(db.func.count()).select_from(unmatched(kind).subquery()))
               for kind in KINDS)


def get_unmatched(kind: str, row_id: int):
    """The row, if it is of a known kind and still on the list."""
    if kind not in KINDS:
        return None
    return db.session.scalar(unmatched(kind).where(KINDS[kind].model.id == row_id))


def guessed_city(row) -> str:
    """The city key the picker starts on: the row's city name, when the table has it."""
    city_attr = type(row).region_names[0]
    name = (getattr(row, city_attr) if city_attr else "") or ""
    for key, city in divisions.table().cities.items():
        if name and name in (city.name, city.province):
            return key
    return ""


def assign(row, code: str) -> None:
    """Give a row its district: the code, and the names that go with it. Flushes."""
    district = divisions.district(code)
    if district is None:
        raise ValueError(f"unknown region code {code!r}")
    city_attr, district_attr, code_attr = type(row).region_names
    setattr(row, code_attr, district.code)
    setattr(row, district_attr, district.name)
    if city_attr:
        setattr(row, city_attr, district.city.name)
    db.session.flush()


def match_all() -> tuple[int, int]:
    """Match every unmatched row by its names again; (matched now, still unmatched)."""
    matched = 0
    for kind in KINDS:
        for row in db.session.scalars(unmatched(kind)):
            city, district, code = type(row).region_names
            found = divisions.match(getattr(row, city) if city else "", getattr(row, district))
            if found:
                setattr(row, code, found)
                matched += 1
    db.session.flush()
    return matched, unmatched_count()
