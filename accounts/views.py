"""A person's own account: register, log in and out, profile, data export, deletion."""
import json

from flask import (Blueprint, current_app, flash, make_response, redirect, request, session,
                   url_for)
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_user, logout_user

from accounts import rate_limits, services
from accounts.forms import DeleteAccountForm, LoginForm, ProfileForm, RegisterForm
from accounts.phones import masked
from accounts.policy import public, requires
from i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, safe_next
from pages import render_page_or_fragment

blueprint = Blueprint("accounts", __name__, url_prefix="/account", template_folder="templates")


def _see_other(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), code=303)


def _remember_language(response, language: str):
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_MAX_AGE,
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True,
                        samesite="Lax")
    return response


def _signed_in(user, remember: bool, next_url: str | None, message: str | None = None):
    # A fresh session at login: nothing from before it carries over into the account.
    session.clear()
    login_user(user, remember=remember)
    if message:
        flash(message)
    default = url_for("accounts_staff.people") if user.is_staff else url_for("stations.index")
    target = safe_next(next_url) if next_url else default
    return _remember_language(redirect(target, code=303), user.language)


@blueprint.route("/register", methods=["GET", "POST"])
@rate_limits.registration
@public
def register():
    if current_user.is_authenticated:
        return _see_other("accounts.profile")
    form = RegisterForm()
    if form.validate_on_submit():
        if services.phone_is_taken(form.phone.data):
            form.phone.errors.append(_("This phone number already has an account. Log in instead?"))
        else:
            user = services.register_worker(
                form.phone.data, form.display_name.data, form.password.data,
                platform=form.platform.data, home_district=form.home_region_code.name_text,
                home_region_code=form.home_region_code.data,
                language=str(get_locale()), consented_at=services.now())
            return _signed_in(user, remember=True, next_url=None, message=_(
                "Welcome, %(name)s. Your account is ready.", name=user.display_name))
    status = 422 if form.is_submitted() else 200
    return render_page_or_fragment(
        "accounts/register.html", "accounts/_register_form.html",
        status=status, form=form)


@blueprint.route("/login", methods=["GET", "POST"])
@rate_limits.login_per_address
@rate_limits.login_per_phone
@public
def login():
    next_url = request.values.get("next")
    if current_user.is_authenticated:
        return redirect(safe_next(next_url) if next_url else url_for("accounts.profile"), code=303)
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.phone.data, form.password.data)
        if user is not None:
            return _signed_in(user, remember=form.remember.data, next_url=next_url)
        form.password.errors.append(_("That phone number and password do not match."))
    status = 422 if form.is_submitted() else 200
    return render_page_or_fragment(
        "accounts/login.html", "accounts/_login_form.html",
        status=status, form=form, next_url=next_url)


@blueprint.post("/logout")
@requires("own_account")
def logout():
    logout_user()
    return _see_other("stations.index")


@blueprint.route("", methods=["GET", "POST"])
@rate_limits.writes
@requires("own_account")
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        services.update_profile(user, display_name=form.display_name.data,
                                platform=form.platform.data,
                                # A district typed before the picker stays until one is chosen.
                                home_district=form.home_region_code.name_text or (
                                    user.home_district if not user.home_region_code else ""),
                                home_region_code=form.home_region_code.data,
                                language=form.language.data)
        flash(_("Saved."))
        return _remember_language(_see_other("accounts.profile"), user.language)
    status = 422 if form.is_submitted() else 200
    return render_page_or_fragment(
        "accounts/profile.html", "accounts/_profile_form.html",
        status=status, form=form, user=user, masked_phone=masked(user.phone))


@blueprint.get("/export.json")
@requires("own_account")
def export():
    """Everything we hold about the signed-in person, as a JSON download."""
    body = json.dumps(services.exported_data(current_user), ensure_ascii=False, indent=2)
    response = make_response(body)
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = 'attachment; filename="yizhan-my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/delete", methods=["GET", "POST"])
@rate_limits.writes
@requires("own_account")
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if services.authenticate(user.phone, form.password.data) is None:
            form.password.errors.append(_("That password is not right."))
        else:
            services.delete_account(user)
            logout_user()
            flash(_("Your account has been deleted. Thank you for using Yizhan."))
            return _see_other("stations.index")
    status = 422 if form.is_submitted() else 200
    return render_page_or_fragment(
        "accounts/delete.html", "accounts/_delete_form.html",
        status=status, form=form)
