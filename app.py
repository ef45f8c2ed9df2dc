"""Yizhan (驿站): the application factory. It only assembles the domain packages."""
import click
from flask import Flask, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

import assets
import clock
import connections  # noqa: F401 (pool checkout check, registered on import)
import health
import i18n
import logs
import pages
import regions
import security
import transactions
from accounts import sms
from config import INSTANCE_DIR, check_secret_key, settings_for
from extensions import (babel, compress, csrf, db, htmx, is_modelled, limiter, login_manager,
                        migrate)


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.update(settings_for(config_name))
    app.config.update(overrides)
    check_secret_key(app.config)
    sms.check_settings(app.config)
    INSTANCE_DIR.mkdir(exist_ok=True)
    app.json.ensure_ascii = False  # Chinese stays readable, and a third of the size

    logs.init_app(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)

    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    transactions.init_app(app)  # after db: ends a read-only request with COMMIT
    migrate.init_app(app, db, render_as_batch=True, include_object=is_modelled)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    app.context_processor(i18n.language_context)
    htmx.init_app(app)
    compress.init_app(app)
    security.init_app(app)  # before csrf: the body limit applies before the form is read
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    assets.init_app(app)
    clock.init_app(app)
    regions.init_app(app)
    app.jinja_env.globals["absolute_url_for"] = pages.absolute_url_for
    app.jinja_env.globals["return_path"] = pages.return_path


def register_blueprints(app: Flask) -> None:
    security.init_url_converters(app)
    from rest_stations.api import blueprint as stations_api
    from rest_stations.views import blueprint as stations_views

    app.register_blueprint(stations_views)
    app.register_blueprint(stations_api)
    app.register_blueprint(i18n.blueprint)
    app.register_blueprint(health.blueprint)

    import offline

    app.register_blueprint(offline.blueprint)

    from accounts.region_views import blueprint as regions_views, staff as regions_staff_views

    app.register_blueprint(regions_views)
    app.register_blueprint(regions_staff_views)

    import accounts.policy
    from accounts.auth import init_login
    from accounts.staff_views import blueprint as staff_views
    from accounts.views import blueprint as accounts_views

    app.register_blueprint(accounts_views)
    app.register_blueprint(staff_views)

    from notifications.views import blueprint as notifications_views
    from wishes.staff_views import blueprint as wish_staff_views
    from wishes.views import blueprint as wishes_views

    app.register_blueprint(notifications_views)
    app.register_blueprint(wishes_views)
    app.register_blueprint(wish_staff_views)
    init_login(app)
    accounts.policy.init_app(app)

    import checkins.views
    from checkins.staff_views import blueprint as checkins_staff_views

    app.register_blueprint(checkins.views.blueprint)
    app.register_blueprint(checkins_staff_views)
    checkins.views.init_app(app)

    from services.staff_views import blueprint as services_staff_views
    from services.views import blueprint as services_views

    app.register_blueprint(services_views)
    app.register_blueprint(services_staff_views)

    from station_admin.views import blueprint as station_admin_views
    from station_admin.views import open_data

    app.register_blueprint(station_admin_views)
    app.register_blueprint(open_data)

    from jobs.staff_views import blueprint as jobs_staff_views
    from jobs.views import blueprint as jobs_views

    app.register_blueprint(jobs_views)
    app.register_blueprint(jobs_staff_views)

    # What each domain keeps about a person, for export and deletion (accounts.personal_data).
    import checkins.personal_data
    import jobs.personal_data
    import notifications.personal_data
    import services.personal_data
    import wishes.personal_data

    for domain in (services, wishes, checkins, notifications, jobs):
        domain.personal_data.register_personal_data()


def register_errorhandlers(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500)
        if request.path.startswith("/api/"):
            return {"error": error.description}, code
        return render_template(f"errors/{code}.html", error=error), code

    for code in (400, 404, 405, 500):
        app.register_error_handler(code, render_error)
    security.register_errorhandlers(app)


def register_commands(app: Flask) -> None:
    from accounts.cli import seed_demo_accounts, users_cli
    from checkins.cli import seed_demo_check_ins
    from rest_stations.cli import assign_demo_stations, seed_demo_stations, stations_cli
    from services.cli import seed_demo_events, services_cli
    from jobs.cli import jobs_cli, seed_demo_jobs
    from regions.cli import regions_cli, seed_demo_regions
    from wishes.cli import seed_demo_wishes

    from backups.cli import backup_cli
    from scheduler.cli import worker

    app.cli.add_command(worker)
    app.cli.add_command(backup_cli)
    app.cli.add_command(stations_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(services_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(regions_cli)

    @app.cli.command("seed-demo")
    @click.option("--force-demo", is_flag=True,
                  help="Load demo data even in production (no account gets a known password).")
    @i18n.in_cli_locale
    def seed_demo(force_demo: bool) -> None:
        """Load the demo data of every domain; running it again changes nothing."""
        production = app.config["ENV_NAME"] not in ("development", "testing")
        if production and not force_demo:
            raise click.ClickException(
                "seed-demo refuses to run in production (YIZHAN_ENV is not development or "
                "testing). Add --force-demo to load demo data anyway.")
        for seeder in (seed_demo_stations,
                       lambda: seed_demo_accounts(known_passwords=not production),
                       assign_demo_stations, seed_demo_regions, seed_demo_check_ins,
                       seed_demo_wishes, seed_demo_events, seed_demo_jobs):
            click.echo(seeder())


@event.listens_for(Engine, "connect")
def _configure_connection(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__.startswith("psycopg"):
        # Every query here is short; PostgreSQL's JIT, triggered by cost estimates that
        # a join over a list of cells inflates, would spend 20 ms compiling one.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()
        return
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # WAL lets readers and one writer work at once; the busy timeout makes writers
    # queue instead of failing with "database is locked". SQLite takes one writer at a
    # time: 300 check-ins tapped at once on a busy 2-core machine queued for over 10 s.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
