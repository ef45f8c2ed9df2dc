"""Backups round-trip: a seeded database, snapshotted and restored into an empty one, has
the same rows in every table (issue 17, item 6)."""
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from backups import snapshot
from extensions import db


@pytest.fixture
def empty_database(app, tmp_path):
    """A database with no tables, on the same server as the app's."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path}/restored.sqlite3"
        return
    name = f"test_ops_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _every_table(database_url: str) -> dict[str, list]:
    """Every table the database has (reflected, not the models': PostGIS and SQLite differ),
    its rows in primary-key order."""
    from sqlalchemy import MetaData

    engine = create_engine(database_url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            tables = {}
            for table in metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                tables[table.name] = [tuple(row) for row in
                                      connection.execute(select(table).order_by(*order))]
            return tables
    finally:
        engine.dispose()


def test_a_seeded_database_survives_a_backup_and_restore(app, runner, tmp_path, empty_database):
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    db.session.remove()

    created = runner.invoke(args=["backup", "create", "--dir", str(tmp_path / "backups")])
    assert created.exit_code == 0, created.output
    path = Path(created.output.strip().splitlines()[-1])
    assert path.is_file() and path.parent == tmp_path / "backups"

    restored = runner.invoke(args=["backup", "restore", str(path), "--database-url",
                                   empty_database])
    assert restored.exit_code == 0, restored.output

    before, after = _every_table(app.config["SQLALCHEMY_DATABASE_URI"]), _every_table(empty_database)
    assert before.keys() == after.keys()
    assert sum(map(len, before.values())) > 100  # the demo data, not an empty database
    for table in before:
        assert after[table] == before[table], table


def test_restore_refuses_a_database_that_has_tables(app, runner, tmp_path):
    created = runner.invoke(args=["backup", "create", "--dir", str(tmp_path)])
    path = created.output.strip().splitlines()[-1]
    refused = runner.invoke(args=["backup", "restore", path])
    assert refused.exit_code != 0 and "restore needs an empty one" in refused.output


def test_keep_prunes_older_snapshots_of_the_same_database(tmp_path):
    for stamp in ("20261201T000000Z", "20261202T000000Z", "20261203T000000Z"):
        (tmp_path / f"yizhan-{stamp}.dump").write_bytes(b"x")
    (tmp_path / "other-20261201T000000Z.dump").write_bytes(b"x")
    newest = tmp_path / "yizhan-20261203T000000Z.dump"
    deleted = snapshot.prune(tmp_path, newest, keep=2)
    assert [p.name for p in deleted] == ["yizhan-20261201T000000Z.dump"]
    assert (tmp_path / "other-20261201T000000Z.dump").exists()


def test_a_missing_pg_dump_is_named_with_its_package(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(snapshot.BackupError, match="postgresql-client"):
        snapshot._tool("pg_dump")
