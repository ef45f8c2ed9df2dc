"""Backups: `flask backup create` writes a consistent snapshot of the database, and
`flask backup restore` loads one into an empty database.

SQLite uses its online backup API (a consistent copy while the app keeps writing);
PostgreSQL uses `pg_dump -Fc` and `pg_restore` (the postgresql-client package)."""
