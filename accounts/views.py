"""A person's own account: sign up (with an SMS code), log in (password or code), reset a
forgotten password, change it, end sessions, see and download their data, delete it."""
import json
import logging

from flask import (Blueprint, current_app, flash, make_response, redirect, request, session,
                   url_for)
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import TooManyRequests

import clock
from accounts import otp, personal_data, rate_limits, services, sms
from accounts.forms import (ChangePasswordForm, CodeLoginForm, ConfirmForm, DeleteAccountForm,
                            LoginForm, ProfileForm, RegisterForm, ResetPasswordForm)
from accounts.phones import masked
from accounts.policy import public, requires
from i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, safe_next
from pages import render_page_or_fragment
from transactions import transaction

blueprint = Blueprint("accounts", __name__, url_prefix="/account", template_folder="templates")
log = logging.getLogger(__name__)


def _see_other(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), code=303)


def _next_url() -> str | None:
    """Where to go once signed in: carried through every sign-up and login step."""
    return request.values.get("next") or None


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


def _add_error(field, message: str) -> None:
    # A field that was not validated (only the number is, to send a code) has a tuple.
    field.errors = [*field.errors, message]


def _send_code(form, purpose: str) -> tuple[int, str | None]:
    """Ask for a code for the form's number: (status, the masked number it went to). The
    answer is the same whether or not the number has an account."""
    phone = form.phone.data
    try:
        with transaction():
            issued = otp.issue(phone, purpose, now=clock.now())
    except otp.CodeRefused as refused:
        _add_error(form.code, str(refused))
        return 429, None
    try:
        otp.send(phone, issued)
    except sms.SmsError as error:
        log.warning("SMS not sent: %s", error)
        _add_error(form.code, _("The text message could not be sent just now. Please try "
                                "again in a minute."))
        return 503, None
    return 200, masked(phone)


def _proof_page(template: str, partial: str, form, purpose: str, finish, **context):
    """The one shape of the sign-up, reset and code-login pages: "send code" answers with the
    same form and a note, the main button calls `finish()` (a response, or None to show the
    form again with its errors)."""
    status, sent_to = 200, None
    if form.sending():
        status = 422
        if form.validate_for_sending():
            status, sent_to = _send_code(form, purpose)
    elif form.validate_on_submit():
        response = finish()
        if response is not None:
            return response
        status = 422
    elif form.is_submitted():
        status = 422
    return render_page_or_fragment(template, partial, status=status, form=form, sent_to=sent_to,
                                   next_url=_next_url(), **context)


def _code_not_right(form) -> None:
    form.code.errors.append(_("That code is not right or has expired. Ask for a new one."))


@blueprint.route("/register", methods=["GET", "POST"])
@rate_limits.registration
@rate_limits.sms_per_address
@public
def register():
    if current_user.is_authenticated:
        return redirect(safe_next(_next_url()) if _next_url() else url_for("accounts.profile"),
                        code=303)
    form = RegisterForm()

    def finish():
        with transaction():
            if not otp.verify(form.phone.data, "signup", form.code.data, now=clock.now()):
                _code_not_right(form)
                return None
            if services.phone_is_taken(form.phone.data):
                # Said only now that the code proved the number is theirs.
                form.phone.errors.append(_("This number already has an account. Log in, or "
                                           "reset your password if you forgot it."))
                return None
            user = services.register_worker(
                form.phone.data, form.display_name.data, form.password.data,
                platform=form.platform.data, home_district=form.home_region_code.name_text,
                home_region_code=form.home_region_code.data,
                language=str(get_locale()), consented_at=clock.now())
        return _signed_in(user, remember=False, next_url=_next_url(), message=_(
            "Welcome, %(name)s. Your account is ready.", name=user.display_name))

    return _proof_page("accounts/register.html", "accounts/_register_form.html", form,
                       "signup", finish)


@blueprint.route("/login", methods=["GET", "POST"])
@rate_limits.exempt
@public
def login():
    next_url = _next_url()
    if current_user.is_authenticated:
        return redirect(safe_next(next_url) if next_url else url_for("accounts.profile"), code=303)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        phone = form.phone.data
        wait = rate_limits.login_wait(phone)
        if wait:
            # The site's friendly 429 page, with when to come back.
            response = current_app.handle_user_exception(TooManyRequests(description=_(
                "Too many tries for this number. Please wait %(seconds)d seconds and try "
                "again.", seconds=wait)))
            response = make_response(response)
            response.headers["Retry-After"] = str(wait)
            return response
        user = services.authenticate(phone, form.password.data)
        if user is not None:
            rate_limits.login_succeeded(phone)
            return _signed_in(user, remember=form.remember.data, next_url=next_url)
        rate_limits.login_failed(phone)
        form.password.errors.append(_("That phone number and password do not match."))
    if form.is_submitted():
        status = 422
    return render_page_or_fragment(
        "accounts/login.html", "accounts/_login_form.html",
        status=status, form=form, next_url=next_url)


@blueprint.route("/login/code", methods=["GET", "POST"])
@rate_limits.sms_per_address
@rate_limits.login_per_address
@public
def code_login():
    if current_user.is_authenticated:
        return redirect(safe_next(_next_url()) if _next_url() else url_for("accounts.profile"),
                        code=303)
    form = CodeLoginForm()

    def finish():
        with transaction():
            user = services.log_in_with_code(form.phone.data, form.code.data, now=clock.now())
        if user is None:
            _code_not_right(form)
            return None
        return _signed_in(user, remember=form.remember.data, next_url=_next_url())

    return _proof_page("accounts/code_login.html", "accounts/_code_login_form.html", form,
                       "login", finish)


@blueprint.route("/reset", methods=["GET", "POST"])
@rate_limits.sms_per_address
@rate_limits.login_per_address
@public
def reset():
    """忘记密码: a fresh SMS code sets a new password and ends every session."""
    form = ResetPasswordForm()

    def finish():
        try:
            with transaction():
                user = services.reset_password(form.phone.data, form.code.data,
                                               form.password.data, now=clock.now())
        except services.AccountError as error:
            form.code.errors.append(str(error))
            return None
        return _signed_in(user, remember=False, next_url=_next_url(), message=_(
            "Your new password is set. Every other session has been logged out."))

    return _proof_page("accounts/reset.html", "accounts/_reset_form.html", form, "reset", finish)


@blueprint.post("/logout")
@requires("own_account")
def logout():
    with transaction():
        services.end_sessions(current_user._get_current_object())
    logout_user()
    return _see_other("stations.index")


@blueprint.post("/sessions/end")
@rate_limits.writes
@requires("own_account")
def end_sessions():
    """Log out everywhere: every device, this one included, must log in again."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _see_other("accounts.profile")
    with transaction():
        services.end_sessions(current_user._get_current_object())
    logout_user()
    flash(_("You have been logged out on every device."))
    return _see_other("stations.index")


@blueprint.route("/password", methods=["GET", "POST"])
@rate_limits.writes
@requires("own_account")
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with transaction():
                services.change_password(user, form.current_password.data, form.new_password.data)
        except services.AccountError as error:
            form.current_password.errors.append(str(error))
        else:
            # This device stays signed in under the new version; every other one is out.
            return _signed_in(user, remember=False, next_url=url_for("accounts.profile"),
                              message=_("Your password is changed. Every other session has "
                                        "been logged out."))
    status = 422 if form.is_submitted() else 200
    return render_page_or_fragment(
        "accounts/password.html", "accounts/_password_form.html", status=status, form=form)


@blueprint.route("", methods=["GET", "POST"])
@rate_limits.writes
@requires("own_account")
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        with transaction():
            services.update_profile(
                user, display_name=form.display_name.data, platform=form.platform.data,
                # A district typed before the picker stays until one is chosen.
                home_district=form.home_region_code.name_text or (
                    user.home_district if not user.home_region_code else ""),
                home_region_code=form.home_region_code.data, language=form.language.data)
        flash(_("Saved."))
        return _remember_language(_see_other("accounts.profile"), user.language)
    status = 422 if form.is_submitted() else 200
    return render_page_or_fragment(
        "accounts/profile.html", "accounts/_profile_form.html",
        status=status, form=form, user=user, masked_phone=masked(user.phone),
        end_sessions_form=ConfirmForm())


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


@blueprint.get("/data")
@requires("own_account")
def data():
    """The same export, readable on a phone."""
    response = make_response(render_page_or_fragment(
        "accounts/data.html", "accounts/_data.html", data=services.exported_data(current_user),
        titles=personal_data.titles()))
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
            with transaction():
                services.delete_account(user, now=clock.now())
            logout_user()
            flash(_("Your account has been deleted. Thank you for using Yizhan."))
            return _see_other("stations.index")
    status = 422 if form.is_submitted() else 200
    return render_page_or_fragment(
        "accounts/delete.html", "accounts/_delete_form.html",
        status=status, form=form)
