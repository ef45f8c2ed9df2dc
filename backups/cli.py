"""`flask backup create` and `flask backup restore`."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from backups import snapshot

backup_cli = AppGroup("backup", help="Database snapshots: create, and restore into an empty database.")


@backup_cli.command("create")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write (default: BACKUP_DIR, instance/backups).")
@click.option("--keep", type=click.IntRange(min=1), help="Keep only the newest N snapshots.")
def create(directory: Path | None, keep: int | None) -> None:
    """Write a consistent snapshot of the database and print its path."""
    directory = directory or Path(current_app.config["BACKUP_DIR"])
    try:
        path = snapshot.create(current_app.config["SQLALCHEMY_DATABASE_URI"], directory, keep)
    except snapshot.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(str(path))


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--database-url", help="Restore here instead of DATABASE_URL (must be empty).")
def restore(path: Path, database_url: str | None) -> None:
    """Load a snapshot into an empty database (DATABASE_URL unless --database-url)."""
    target = database_url or current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        snapshot.restore(path, target)
    except snapshot.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored {path.name}")
