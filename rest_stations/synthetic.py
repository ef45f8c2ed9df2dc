"""Synthetic stations for benchmarks: clustered around Chinese cities, as real stations are."""
import csv
import random
from collections.abc import Iterator
from itertools import accumulate
from typing import TextIO

from rest_stations.schema import COLUMNS
from rest_stations.vocabulary import AMENITIES, KINDS

# (lat, lon, relative weight, spread in degrees) of cities with many gig workers.
CITY_CENTRES = [
    (39.904, 116.407, 10, 0.15), (31.230, 121.474, 10, 0.15), (23.129, 113.264, 8, 0.12),
    (22.543, 114.058, 8, 0.10), (30.274, 120.155, 6, 0.12), (39.134, 117.208, 6, 0.10),
    (30.573, 104.066, 6, 0.12), (29.563, 106.551, 6, 0.12), (30.593, 114.305, 6, 0.12),
    (34.341, 108.940, 5, 0.10), (32.060, 118.797, 5, 0.10), (36.067, 120.383, 4, 0.10),
    (38.042, 114.515, 4, 0.08), (34.747, 113.625, 5, 0.10), (28.228, 112.939, 4, 0.08),
    (26.075, 119.296, 4, 0.08), (41.805, 123.431, 4, 0.08), (45.803, 126.535, 3, 0.08),
    (43.817, 125.324, 3, 0.08), (36.651, 117.120, 4, 0.08), (31.820, 117.227, 4, 0.08),
    (28.682, 115.858, 3, 0.08), (25.040, 102.712, 3, 0.08), (22.817, 108.366, 3, 0.08),
    (26.647, 106.630, 3, 0.08), (43.825, 87.617, 3, 0.08), (36.061, 103.834, 2, 0.06),
    (38.487, 106.231, 2, 0.06), (40.842, 111.749, 2, 0.06), (37.870, 112.549, 3, 0.06),
    (37.513, 122.120, 2, 0.05), (24.479, 118.089, 3, 0.06), (20.044, 110.199, 2, 0.05),
    (29.652, 91.172, 1, 0.04), (36.617, 101.778, 1, 0.04), (22.271, 113.577, 2, 0.05),
]
BATCH_ROWS = 2000
HOURS = ["24/7", "Mo-Su 08:00-20:00", "Mo-Su 07:00-22:00", "Mo-Fr 09:00-18:00",
         "Mo-Su 10:00-02:00", "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00", ""]


def write_synthetic_csv(out: TextIO, count: int, seed: int) -> None:
    """Write `count` synthetic stations in the import CSV layout, BATCH_ROWS lines at a time,
    so a national-size file costs no more memory than a small one."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    batch = []
    for row in synthetic_records(count, seed):
        batch.append(row)
        if len(batch) == BATCH_ROWS:
            writer.writerows(batch)
            batch.clear()
    writer.writerows(batch)


def synthetic_records(count: int, seed: int) -> Iterator[list]:
    """`count` synthetic station records (COLUMNS order), the same for the same seed."""
    rng = random.Random(seed)
    cum_weights = list(accumulate(centre[2] for centre in CITY_CENTRES))
    codes, kinds = list(AMENITIES), list(KINDS)
    for number in range(1, count + 1):
        lat0, lon0, _, spread = rng.choices(CITY_CENTRES, cum_weights=cum_weights)[0]
        lat = lat0 + rng.gauss(0, spread)
        lon = lon0 + rng.gauss(0, spread * 1.2)
        amenities = [code for code in codes if rng.random() < 0.45]
        yield [
            f"合成驿站 {number:06d}", f"合成路 {number} 号", "", "",
            f"{lat:.6f}", f"{lon:.6f}", rng.choice(kinds), ";".join(amenities),
            rng.choice(HOURS), rng.randint(0, 30), "",
        ]
