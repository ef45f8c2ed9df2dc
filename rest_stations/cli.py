"""`flask stations ...`: import, generate and seed station data."""
import sys
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

import clock
from extensions import db
from i18n import in_cli_locale
from rest_stations.importer import (FileRefused, RowsRefused, import_csv_file, read_csv,
                                    upsert_stations)
from rest_stations.models import Station
from rest_stations.synthetic import write_synthetic_csv
from transactions import transaction

DEMO_CSV = Path(__file__).parent / "demo" / "stations.csv"

stations_cli = AppGroup("stations", help="Station data: import, generate.")


@stations_cli.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True,
              help="Import the good rows and report the bad ones, instead of importing nothing.")
@in_cli_locale
def import_command(csv_file: Path, skip_invalid: bool) -> None:
    """Load stations from a UTF-8 CSV file; all or nothing unless --skip-invalid.

    The file streams through in batches, so a national file needs little memory."""
    def report(error) -> None:
        click.echo(str(error), err=True)

    try:
        with transaction():
            result = import_csv_file(csv_file, skip_invalid, report)
    except FileRefused as refused:
        click.echo(str(refused.error), err=True)
        sys.exit(1)
    except RowsRefused as refused:
        click.echo(_("%(count)d bad rows; nothing was imported.", count=refused.count),
                   err=True)
        sys.exit(1)
    click.echo(_("%(created)d stations created, %(updated)d updated, %(skipped)d rows skipped.",
                 created=result.created, updated=result.updated, skipped=result.skipped))


@stations_cli.command("generate")
@click.option("--count", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="File to write (default: standard output).")
def generate_command(count: int, seed: int, output) -> None:
    """Write a synthetic station CSV, clustered around Chinese cities, for benchmarks."""
    write_synthetic_csv(output, count, seed)


def seed_demo_stations() -> str:
    """Load the demo stations (idempotent) and give them varied last-verified dates."""
    parsed = read_csv(DEMO_CSV.read_bytes())
    if parsed.errors:
        raise click.ClickException("\n".join(str(error) for error in parsed.errors))
    today = clock.today()
    with transaction():
        result = upsert_stations(parsed.rows)
        for station in db.session.scalars(db.select(Station).order_by(Station.id)):
            if station.last_verified_on is None:
                # Most were checked recently; every seventh is stale, for the data-quality views.
                days = 250 if station.id % 7 == 0 else (station.id * 5) % 60
                station.last_verified_on = today - timedelta(days=days)
    return _("Demo stations: %(created)d created, %(updated)d updated.",
             created=result.created, updated=result.updated)


def assign_demo_stations() -> str:
    """Give each demo city's unowned stations to the demo organisation of that city (run after
    the demo accounts exist); accounts knows organisations, not stations."""
    from accounts.models import Organisation
    from extensions import db
    from rest_stations.models import Station
    from transactions import transaction

    assigned = 0
    with transaction():
        for organisation in db.session.scalars(db.select(Organisation).order_by(Organisation.id)):
            if not organisation.city:
                continue
            assigned += db.session.execute(
                db.update(Station).where(Station.city == organisation.city,
                                         Station.organisation_id.is_(None))
                .values(organisation_id=organisation.id)).rowcount
    return _("Demo stations given to their city's union branch: %(count)d.", count=assigned)
