"""`flask users ...`: create accounts and change roles from the shell; demo accounts."""
import secrets

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

import clock
from accounts import services
from accounts.models import Organisation, User
from accounts.phones import normalise_mainland_mobile
from accounts.vocabulary import ROLES
from extensions import db
from i18n import in_cli_locale
from transactions import transaction

users_cli = AppGroup("users", help="Accounts: create users, change roles.")

# Demo accounts for `make run`. Printed on purpose: they exist only in local demo databases.
DEMO_PASSWORD = "yizhan-demo-2026"
DEMO_ORGANISATIONS = (  # (name, city, district); the demo stations of a city go to its branch
    ("天津市河东区总工会", "天津市", "河东区"),
    ("北京市朝阳区总工会", "北京市", "朝阳区"),
    ("杭州市余杭区总工会", "杭州市", "余杭区"),
    ("乌鲁木齐市沙依巴克区总工会", "乌鲁木齐市", "沙依巴克区"),
    ("威海经济技术开发区总工会", "威海市", "经济技术开发区"),
)
DEMO_STAFF = ("+8613800000001", "河东区工会 小王", "staff", "天津市河东区总工会")
DEMO_ADMIN = ("+8613800000002", "驿站管理员", "admin", None)
DEMO_REGION = "120102"  # 天津市河东区, the demo workers' home district (regions.divisions)
DEMO_WORKERS = (("+8613800000101", "骑手 老张", "meituan", "河东区"),
                ("+8613800000102", "快递员 小李", "sf", "河东区"))


def _phone(value: str) -> str:
    phone = normalise_mainland_mobile(value)
    if phone is None:
        raise click.BadParameter(_("Enter a mainland mobile number, e.g. 138 1234 5678."))
    return phone


def _organisation(name: str | None, create: bool, city: str, district: str) -> Organisation | None:
    if not name:
        return None
    found = services.organisation_named(name)
    if found is None and create:
        found = services.ensure_organisation(name, city, district)
    if found is None:
        known = ", ".join(o.name for o in services.all_organisations()) or "-"
        raise click.ClickException(_(
            "No organisation is called %(name)s (known: %(known)s). Add --create-org to create it.",
            name=name, known=known))
    return found


@users_cli.command("create")
@click.option("--phone", required=True, help="Mainland mobile number.")
@click.option("--name", required=True, help="Display name.")
@click.option("--role", type=click.Choice(ROLES), default="worker", show_default=True)
@click.option("--org", "org_name", help="Organisation name; required for staff.")
@click.option("--create-org", is_flag=True, help="Create the organisation if it does not exist.")
@click.option("--city", default="", help="City of a new organisation.")
@click.option("--district", default="", help="District of a new organisation.")
@click.password_option("--password", prompt=True, confirmation_prompt=True,
                       help="Omit to be prompted (recommended: it stays out of shell history).")
@in_cli_locale
def create_command(phone, name, role, org_name, create_org, city, district, password):
    """Create an account of any role."""
    try:
        with transaction():
            organisation = _organisation(org_name, create_org, city, district)
            user = services.create_account(_phone(phone), name, password, role, organisation)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(_("Created %(role)s account %(id)d for %(name)s.", role=user.role, id=user.id,
                 name=user.display_name))


@users_cli.command("set-role")
@click.option("--phone", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--org", "org_name", help="Organisation name; staff need one.")
@click.option("--create-org", is_flag=True, help="Create the organisation if it does not exist.")
@in_cli_locale
def set_role_command(phone, role, org_name, create_org):
    """Change an account's role (and organisation)."""
    user = services.user_by_phone(_phone(phone))
    if user is None:
        raise click.ClickException(_("No account has this phone number."))
    try:
        with transaction():
            organisation = _organisation(org_name, create_org, "", "")
            services.set_role(user, role, organisation)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(_("%(name)s is now %(role)s.", name=user.display_name, role=user.role))


def seed_demo_accounts(known_passwords: bool = True) -> str:
    """Demo organisations, one staff, one admin, two workers. With known_passwords=False
    (`seed-demo --force-demo` in production) no staff or admin is created and the workers'
    passwords are random and never shown, so nobody can log in with a published password."""
    with transaction():
        for name, city, district in DEMO_ORGANISATIONS:
            services.ensure_organisation(name, city, district)
        if known_passwords:
            for phone, name, role, org_name in (DEMO_STAFF, DEMO_ADMIN):
                if not services.phone_is_taken(phone):
                    organisation = services.organisation_named(org_name) if org_name else None
                    services.create_account(phone, name, DEMO_PASSWORD, role, organisation)
        for phone, name, platform, district in DEMO_WORKERS:
            if not services.phone_is_taken(phone):
                password = DEMO_PASSWORD if known_passwords else secrets.token_urlsafe(24)
                services.register_worker(phone, name, password, platform=platform,
                                         home_district=district, home_region_code=DEMO_REGION,
                                         consented_at=clock.now())
    accounts = db.session.scalar(db.select(db.func.count(User.id)))
    if not known_passwords:
        return _("Demo accounts (%(count)d in the database): workers only, with random "
                 "passwords; no staff or admin.", count=accounts)
    return "\n".join([
        _("Demo accounts (%(count)d in the database). For local use only:", count=accounts),
        _("  staff (%(org)s): %(phone)s / %(password)s", org=DEMO_STAFF[3],
          phone=DEMO_STAFF[0][3:], password=DEMO_PASSWORD),
        _("  admin: %(phone)s / %(password)s", phone=DEMO_ADMIN[0][3:], password=DEMO_PASSWORD),
        _("  worker: %(phone)s / %(password)s", phone=DEMO_WORKERS[0][0][3:],
          password=DEMO_PASSWORD),
    ])
