"""Forms: they parse and validate input; accounts.services does the work."""
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from accounts.phones import normalise_mainland_mobile
from accounts.services import MIN_PASSWORD_LENGTH
from accounts.vocabulary import LANGUAGE_LABELS, PLATFORM_LABELS, PLATFORMS, ROLE_LABELS, ROLES
from regions.forms import RegionField


class MainlandMobile(StringField):
    """A phone field whose `.data` is E.164 once validated ('+8613812341234')."""

    def pre_validate(self, form):
        if not self.raw_data or not (self.raw_data[0] or "").strip():
            return
        normalised = normalise_mainland_mobile(self.raw_data[0])
        if normalised is None:
            raise ValidationError(_l("Enter a mainland mobile number, e.g. 138 1234 5678."))
        self.data = normalised

    def _value(self):
        # Shown back as typed ("137 0000 8421"), not as stored ("+8613700008421").
        return self.raw_data[0] if self.raw_data else super()._value()


def _stripped(value):
    """Surrounding spaces go; an empty optional field is '' (never None)."""
    return (value or "").strip()


def _platform_choices():
    return [SelectChoice("", _l("Not saying"))] + [SelectChoice(code, PLATFORM_LABELS[code])
                                                   for code in PLATFORMS]


def _password(label, autocomplete="new-password"):
    return PasswordField(label, render_kw={"autocomplete": autocomplete}, validators=[
        InputRequired(),
        Length(min=MIN_PASSWORD_LENGTH, max=128,
               message=_l("At least %(count)d characters.", count=MIN_PASSWORD_LENGTH)),
    ])


def _phone_field():
    return MainlandMobile(_l("Mobile number"), validators=[DataRequired()],
                          render_kw={"inputmode": "tel", "autocomplete": "tel-national",
                                     "placeholder": "138 1234 5678"})


def _code_field():
    return StringField(_l("Code from the text message"), filters=[_stripped],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code",
                                  "maxlength": 6, "pattern": "[0-9]{6}", "placeholder": "123456"})


class CodeRequired:
    """The SMS code is needed to finish, not to ask for one (the "send code" button)."""

    def __call__(self, form, field):
        if not (field.data or "").isdigit() or len(field.data) != 6:
            raise ValidationError(_l("Enter the six-digit code from the text message."))


class PhoneProofForm(FlaskForm):
    """A form that proves a phone number: its "send code" button asks for a code, its main
    button finishes with it. `sending()` tells which was pressed."""

    phone = _phone_field()
    code = _code_field()

    def sending(self) -> bool:
        return self.is_submitted() and "send_code" in request.form

    def validate_for_sending(self) -> bool:
        """Check only the number (and the CSRF token): what asking for a code needs."""
        valid = self.phone.validate(self)
        if self.meta.csrf:
            valid = self.csrf_token.validate(self) and valid
        return valid


class RegisterForm(PhoneProofForm):
    display_name = StringField(_l("Name"), filters=[_stripped], validators=[DataRequired(), Length(max=50)],
                               description=_l("What staff call you; a nickname is fine."),
                               render_kw={"autocomplete": "nickname"})
    password = _password(_l("Password"))
    platform = SelectField(_l("Platform (optional)"), choices=_platform_choices(), default="")
    home_region_code = RegionField(_l("District you work in (optional)"))
    consent = BooleanField(_l("I have read what Yizhan stores and why, and I agree."),
                           validators=[DataRequired(message=_l("Please agree to the privacy statement."))])

    def validate_code(self, field):
        CodeRequired()(self, field)


class ResetPasswordForm(PhoneProofForm):
    password = _password(_l("New password"))

    def validate_code(self, field):
        CodeRequired()(self, field)


class CodeLoginForm(PhoneProofForm):
    remember = BooleanField(_l("Keep me signed in for 30 days"), default=False)

    def validate_code(self, field):
        CodeRequired()(self, field)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = _password(_l("New password"))


class LoginForm(FlaskForm):
    phone = _phone_field()
    password = PasswordField(_l("Password"), validators=[InputRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in for 30 days"), default=False)


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name"), filters=[_stripped], validators=[DataRequired(), Length(max=50)],
                               render_kw={"autocomplete": "nickname"})
    platform = SelectField(_l("Platform"), choices=_platform_choices(), default="")
    home_region_code = RegionField(_l("District you work in"))
    language = SelectField(_l("Language"), choices=[SelectChoice(code, label)
                                                         for code, label in LANGUAGE_LABELS.items()])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password, to confirm"), validators=[InputRequired()],
                             render_kw={"autocomplete": "current-password"})


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for one-button actions."""


class CreateStaffForm(FlaskForm):
    phone = _phone_field()
    display_name = StringField(_l("Name"), filters=[_stripped], validators=[DataRequired(), Length(max=50)])
    password = _password(_l("First password"))
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ("staff", "admin")])
    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=True)


class SetRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=True)


def organisation_choices(organisations) -> list[SelectChoice]:
    return [SelectChoice(0, _l("None"))] + [SelectChoice(o.id, o.name) for o in organisations]
