"""Extension objects, created unbound so that create_app() can bind them to any app."""
from flask import current_app, request
from flask_babel import Babel
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import ApplicationLimit, Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Objects the migrations create that no model describes: the station text-search index
# (an FTS5 table on SQLite, a trigram index on PostgreSQL). Autogenerate leaves them alone.
UNMODELLED_PREFIXES = ("station_search", "ix_station_search")


def is_modelled(_object, name, _type, _reflected, _compare_to) -> bool:
    """Alembic's include_object: False for the unmodelled search objects."""
    return not (name or "").startswith(UNMODELLED_PREFIXES)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
htmx = HTMX()
compress = Compress()
csrf = CSRFProtect()
login_manager = LoginManager()
# One limiter for the process (its storage follows the last app bound, which in production
# is the only one); RATELIMIT_STORAGE_URI (config.py) picks memory or Redis.
# Keys are the signed-in user, else the client address, unless a limit names its own key
# function: workers behind one carrier NAT or one station's Wi-Fi do not share a budget.
# Every write without a limit of its own gets the RATELIMIT_DEFAULT one; reads are never
# limited (so a limit on a GET route would not apply: every limit names methods=["POST"]).
# All signed-in writes from one address together stay under RATELIMIT_WRITES_PER_ADDRESS.


def _user_or_address() -> str:
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def _is_read() -> bool:
    return request.method in ("GET", "HEAD", "OPTIONS")


def _anonymous() -> bool:
    return not (current_user and current_user.is_authenticated)


limiter = Limiter(
    key_func=_user_or_address,
    application_limits=[ApplicationLimit(
        lambda: current_app.config["RATELIMIT_WRITES_PER_ADDRESS"],
        key_function=get_remote_address, scope="writes-per-address", exempt_when=_anonymous)])
# A request filter, checked before anything else: a read costs the limiter nothing, where
# working out that every limit exempts it cost ~0.3 ms (a tenth of the nearest API).
limiter.request_filter(_is_read)
