"""`flask regions match`: match rows without a region code by their names again."""
import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from i18n import in_cli_locale
from regions import review
from transactions import transaction

regions_cli = AppGroup("regions", help="Region codes: match rows by name, count the rest.")


@regions_cli.command("match")
@in_cli_locale
def match_command():
    """Give rows without a code the one district their names describe."""
    with transaction():
        matched, left = review.match_all()
    click.echo(_("Matched %(matched)d rows; %(left)d still need an admin (/staff/regions/review).",
                 matched=matched, left=left))


def seed_demo_regions() -> str:
    """Demo data: every seeded row gets its code (the seeders name real districts)."""
    with transaction():
        matched, left = review.match_all()
    return _("Region codes: %(matched)d matched now, %(left)d for review.", matched=matched,
             left=left)
