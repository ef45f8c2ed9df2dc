"""Health checks for load balancers and orchestrators, cheap and unauthenticated.

/healthz: the process answers (no database, no session). /readyz: the database answers, its
schema is at the migrations' head, and Redis answers when REDIS_URL is set; 503 otherwise.
In production both say only "ok" or "unavailable": the details (which check failed, which
revision) are for operators, who read them in development or in the logs."""
import logging
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, current_app
from sqlalchemy import text

from accounts.policy import public
from extensions import db

blueprint = Blueprint("health", __name__)
log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@lru_cache(maxsize=1)
def migration_heads() -> frozenset[str]:
    """The head revision(s) of migrations/, read once per process."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


@lru_cache(maxsize=4)
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def readiness() -> dict[str, str]:
    """Each check's outcome: "ok", or what is wrong."""
    checks = {}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
            try:
                revisions = set(connection.execute(
                    text("SELECT version_num FROM alembic_version")).scalars())
            except Exception:  # noqa: BLE001: no alembic_version table: never migrated
                revisions = set()
    except Exception as error:  # noqa: BLE001: any failure means "not ready"
        checks["database"] = f"unreachable: {type(error).__name__}"
    else:
        heads = migration_heads()
        checks["migrations"] = "ok" if revisions == heads else (
            f"at {', '.join(sorted(revisions)) or 'nothing'}, head is {', '.join(sorted(heads))}")
    url = current_app.config.get("REDIS_URL")
    if url:
        try:
            _redis(url).ping()
            checks["redis"] = "ok"
        except Exception as error:  # noqa: BLE001
            checks["redis"] = f"unreachable: {type(error).__name__}"
    return checks


def _answer(ready: bool, checks: dict):
    status = 200 if ready else 503
    headers = {"Cache-Control": "no-store"}
    if current_app.config["ENV_NAME"] == "production":
        return ("ok" if ready else "unavailable"), status, {**headers, "Content-Type": "text/plain"}
    return {"status": "ok" if ready else "unavailable", "checks": checks}, status, headers


@blueprint.get("/healthz")
@public
def alive():
    """The process is up and serving."""
    return _answer(True, {})


@blueprint.get("/readyz")
@public
def ready():
    """Ready for traffic: database, schema and Redis."""
    checks = readiness()
    ok = all(value == "ok" for value in checks.values())
    if not ok:
        log.warning("not ready", extra={"checks": checks})
    return _answer(ok, checks)
