"""Staff pages: the people of their district (phones masked); admins also manage staff
accounts. accounts.policy decides who sees which rows. ("Our stations" lives with the other
station pages, in station_admin.)"""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts import policy, rate_limits, services
from accounts.forms import ConfirmForm, CreateStaffForm, SetRoleForm, organisation_choices
from accounts.models import Organisation, User
from accounts.phones import masked, spaced
from accounts.policy import requires
from accounts.vocabulary import PLATFORM_LABELS, ROLE_LABELS
from extensions import db
from pages import render_page_or_fragment
from transactions import transaction

blueprint = Blueprint("accounts_staff", __name__, url_prefix="/staff", template_folder="templates")

PEOPLE_PAGE_SIZE = 200


@blueprint.context_processor
def labels() -> dict:
    return {"role_labels": ROLE_LABELS, "platform_labels": PLATFORM_LABELS, "spaced": spaced}


@blueprint.get("/people")
@requires("view_people")
def people():
    found = db.session.scalars(policy.people_visible_to(current_user)
                               .order_by(User.created_at.desc()).limit(PEOPLE_PAGE_SIZE))
    return render_template("accounts/staff/people.html", people=list(found), masked=masked)


@blueprint.get("/people/<int:user_id>")
@requires("view_people")
def person(user_id: int):
    person = policy.get_person_or_404(user_id)
    return _person_page(person, revealed=None)


@blueprint.post("/people/<int:user_id>/phone")
@rate_limits.writes
@requires("reveal_phone")
def reveal_phone(user_id: int):
    """Show the full number once, and log who saw it. POST, because it is an act on the log."""
    person = policy.get_person_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _person_page(person, revealed=None, status=422)
    with transaction():
        number = services.reveal_phone(current_user, person)
    return _person_page(person, revealed=number)


def _person_page(person: User, revealed: str | None, status: int = 200):
    role_form = None
    if policy.has_permission(current_user, "manage_staff"):
        role_form = _role_form(person)
    return render_page_or_fragment(
        "accounts/staff/person.html", "accounts/staff/_phone.html",
        status=status, person=person, masked_phone=masked(person.phone), revealed=revealed,
        reveal_form=ConfirmForm(), role_form=role_form, reveals=services.phone_reveals(person))


def _role_form(person: User) -> SetRoleForm:
    form = SetRoleForm(role=person.role,
                       organisation_id=person.organisation_id or 0)
    form.organisation_id.choices = organisation_choices(services.all_organisations())
    return form


@blueprint.post("/people/<int:user_id>/role")
@rate_limits.writes
@requires("manage_staff")
def set_role(user_id: int):
    person = policy.get_person_or_404(user_id)
    form = _role_form(person)
    if form.validate_on_submit():
        try:
            if person.id == current_user.id:
                raise services.AccountError(_("You cannot change your own role."))
            with transaction():
                organisation = db.session.get(Organisation, form.organisation_id.data) \
                    if form.organisation_id.data else None
                services.set_role(person, form.role.data, organisation, actor=current_user)
        except services.AccountError as error:
            form.role.errors.append(str(error))
        else:
            flash(_("Role saved."))
            return redirect(url_for("accounts_staff.person", user_id=person.id), code=303)
    return render_template("accounts/staff/person.html", person=person,
                           masked_phone=masked(person.phone), revealed=None,
                           reveal_form=ConfirmForm(), role_form=form,
                           reveals=services.phone_reveals(person)), 422


@blueprint.get("/accounts")
@requires("manage_staff")
def accounts():
    return _accounts_page(_create_form())


def _create_form() -> CreateStaffForm:
    form = CreateStaffForm()
    form.organisation_id.choices = organisation_choices(services.all_organisations())
    return form


def _accounts_page(form: CreateStaffForm, status: int = 200):
    return render_page_or_fragment(
        "accounts/staff/accounts.html", "accounts/staff/_create_form.html",
        status=status, form=form, staff=services.staff_accounts(), masked=masked)


@blueprint.post("/accounts")
@rate_limits.writes
@requires("manage_staff")
def create_account():
    form = _create_form()
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data) \
            if form.organisation_id.data else None
        try:
            with transaction():
                services.create_account(form.phone.data, form.display_name.data,
                                        form.password.data, form.role.data, organisation,
                                        actor=current_user)
        except services.AccountError as error:
            form.phone.errors.append(str(error))
        else:
            flash(_("Account created for %(name)s.", name=form.display_name.data))
            return redirect(url_for("accounts_staff.accounts"), code=303)
    return _accounts_page(form, status=422)
