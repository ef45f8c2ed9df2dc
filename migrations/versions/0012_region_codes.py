"""region codes: organisations, workers' home areas, stations and wishes carry the GB/T 2260 county code

Scoping and wish routing compare these codes instead of district names. Existing rows are
matched by city and district name (regions.divisions.match); a row whose names match no
district, or several (朝阳区 with no city), keeps NULL and appears on the admin's review
list (/staff/regions/review) instead of being guessed into the wrong branch.

Revision ID: 0012
Revises: 0015
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0014'
branch_labels = None
depends_on = None

# (table, city column or None, district column, code column)
CODED = (
    ("organisation", "city", "district", "region_code"),
    ("station", "city", "district", "region_code"),
    ("user_account", None, "home_district", "home_region_code"),
)
INDEXES = (
    ("ix_organisation_region_code", "organisation", "region_code"),
    ("ix_station_region_code", "station", "region_code"),
    ("ix_user_account_home_region_code", "user_account", "home_region_code"),
)


def _backfill(connection) -> None:
    from regions.divisions import match  # the table as shipped; pure Python, no app needed

    for table_name, city, district, code in CODED:
        columns = [sa.column("id"), sa.column(district), sa.column(code)]
        if city:
            columns.append(sa.column(city))
        table = sa.table(table_name, *columns)
        rows = connection.execute(sa.select(table).where(table.c[district] != "")).mappings()
        for row in list(rows):
            found = match(row[city] if city else "", row[district])
            if found:
                connection.execute(table.update().where(table.c.id == row["id"])
                                   .values({code: found}))
    # A wish takes its hand-over station's code, else its branch's when the branch is in the
    # wish's district, else what its district name alone says.
    wish = sa.table("wish", sa.column("id"), sa.column("district"), sa.column("region_code"),
                    sa.column("station_id"), sa.column("organisation_id"))
    station = sa.table("station", sa.column("id"), sa.column("region_code"))
    organisation = sa.table("organisation", sa.column("id"), sa.column("district"),
                            sa.column("region_code"))
    rows = connection.execute(
        sa.select(wish.c.id, wish.c.district, station.c.region_code.label("station_code"),
                  organisation.c.region_code.label("org_code"),
                  organisation.c.district.label("org_district"))
        .select_from(wish.outerjoin(station, station.c.id == wish.c.station_id)
                     .outerjoin(organisation, organisation.c.id == wish.c.organisation_id))).all()
    for row in rows:
        found = row.station_code or (row.org_code if row.org_district == row.district else None) \
            or match("", row.district)
        if found:
            connection.execute(wish.update().where(wish.c.id == row.id).values(region_code=found))


def upgrade():
    for table_name, _city, _district, code in CODED:
        op.add_column(table_name, sa.Column(code, sa.String(length=6), nullable=True))
    op.add_column("wish", sa.Column("region_code", sa.String(length=6), nullable=True))
    for name, table_name, column in INDEXES:
        op.create_index(name, table_name, [column], unique=False)
    _backfill(op.get_bind())


def downgrade():
    for name, table_name, _column in reversed(INDEXES):
        op.drop_index(name, table_name=table_name)
    # Plain DROP COLUMN (SQLite 3.35+ has it): a batch rebuild of the station table would
    # lose the station_cell triggers of 0007.
    for table_name, code in [("wish", "region_code")] + [(t, c) for t, _, _, c in reversed(CODED)]:
        op.execute(f"ALTER TABLE {table_name} DROP COLUMN {code}")
