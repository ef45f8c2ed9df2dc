"""Forms and the labels of the fixed choices. Forms parse input (local Shanghai times in,
aware datetimes out); jobs.operations does the work."""
from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DecimalField, HiddenField, IntegerField, RadioField,
                     SelectField, SelectMultipleField, StringField, TextAreaField, TimeField,
                     widgets)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional,
                                Regexp, ValidationError)

import clock
from jobs import rules
from jobs.models import CATEGORIES, TITLE_MAX
from jobs.operations import PostDraft
from jobs.queries import DAYS, DISTANCES_KM

CATEGORY_LABELS = {
    "security": _l("Security guard"),
    "cleaning": _l("Cleaning"),
    "housekeeping": _l("Housekeeping"),
    "catering": _l("Catering help"),
    "parcel_sorting": _l("Parcel sorting"),
    "loading": _l("Loading and carrying"),
    "truck_driver": _l("Truck driver"),
    "cook": _l("Cook"),
    "sales": _l("Sales"),
    "equipment_install": _l("Lift and equipment installation"),
    "other": _l("Other"),
}
KIND_LABELS = {"job": _l("Job"), "gig": _l("Day gig")}
POST_STATE_LABELS = {
    "draft": _l("Draft"), "pending": _l("Waiting for review"), "published": _l("Published"),
    "filled": _l("Filled"), "expired": _l("Expired"), "withdrawn": _l("Withdrawn"),
}
APPLICATION_STATE_LABELS = {
    "applied": _l("Applied"), "accepted": _l("Hired"), "declined": _l("Not taken"),
    "waitlisted": _l("On the waiting list"), "withdrawn": _l("Withdrawn"),
    "showed_up": _l("Checked in"), "done": _l("Work done"), "paid": _l("Paid"),
    "not_paid": _l("Not paid"),
}
ACTION_LABELS = {
    "submit": _l("Send for review"), "publish": _l("Publish"), "refuse": _l("Refuse"),
    "fill": _l("Mark filled"), "withdraw": _l("Withdraw"), "accept": _l("Hire"),
    "decline": _l("Decline"), "mark_done": _l("Mark done"), "check_in": _l("Check in"),
    "confirm_paid": _l("Paid"), "report_unpaid": _l("Not received"),
}
DAY_LABELS = {"today": _l("Today"), "tomorrow": _l("Tomorrow")}


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the SelectChoices wtforms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


def _stripped(value):
    return (value or "").strip()


def _local(day, at: time | None) -> datetime | None:
    if day is None or at is None:
        return None
    return datetime.combine(day, at, clock.DEFAULT_ZONE)


class NearbyFilterForm(FlaskForm):
    """附近的活's filters: the URL holds them all, so a link or a reload keeps them."""

    class Meta:
        csrf = False

    category = SelectField(_l("Work"), validators=[Optional()],
                           choices=choices([("", _l("All kinds of work"))]
                           + [(code, CATEGORY_LABELS[code]) for code in CATEGORIES]))
    day = SelectField(_l("When"), validators=[Optional()],
                      choices=choices([("", _l("Any day"))] + [(d, DAY_LABELS[d]) for d in DAYS]))
    daily = BooleanField(_l("Paid the same day (日结)"))
    pay = IntegerField(_l("Pay at least (yuan)"), validators=[Optional(), NumberRange(0, 100000)])
    km = SelectField(_l("Distance"), validators=[Optional()],
                     choices=choices([("", _l("Any distance"))]
                     + [(str(km), _l("Within %(km)d km", km=km)) for km in DISTANCES_KM]))
    lat = DecimalField(validators=[Optional(), NumberRange(-90, 90)])
    lon = DecimalField(validators=[Optional(), NumberRange(-180, 180)])
    # A row id: beyond PostgreSQL's integer it cannot exist (and would overflow the query).
    station = IntegerField(validators=[Optional(), NumberRange(1, 2**31 - 1)])


class EmployerForm(FlaskForm):
    name = StringField(_l("Employer name (as on the business licence)"),
                       filters=[_stripped], validators=[DataRequired(), Length(max=100)])
    credit_code = StringField(_l("Unified social credit code"),
                              filters=[lambda v: _stripped(v).upper()],
                              validators=[DataRequired(), Length(min=18, max=18)])
    contact_name = StringField(_l("Contact person"), filters=[_stripped],
                               validators=[DataRequired(), Length(max=30)])
    contact_phone = StringField(_l("Contact phone"), filters=[_stripped],
                                validators=[DataRequired(), Regexp(r"^\+?[0-9 -]{7,20}$")])
    region_code = StringField(_l("Region code (6 digits)"), filters=[_stripped],
                              validators=[DataRequired(), Regexp(r"^\d{6}$")])
    organisation_id = SelectField(_l("Union branch that verifies you"), coerce=int)

    def validate_credit_code(self, field):
        if not rules.valid_credit_code(field.data):
            raise ValidationError(_l("This unified social credit code is not valid: check the "
                                     "18 characters."))


class VerifyForm(FlaskForm):
    note = StringField(_l("What you checked (licence seen, phone call)"), filters=[_stripped],
                       validators=[DataRequired(), Length(max=300)])


class PostForm(FlaskForm):
    """One form for jobs and gigs; fields of the other kind are ignored."""

    kind = RadioField(_l("Kind"), choices=choices((kind, KIND_LABELS[kind])
                                                  for kind in ("gig", "job")),
                      default="gig", validators=[InputRequired()])
    title = StringField(_l("Title"), filters=[_stripped],
                        validators=[DataRequired(), Length(max=TITLE_MAX)])
    category = SelectField(_l("Work"), choices=choices((c, CATEGORY_LABELS[c]) for c in CATEGORIES))
    description = TextAreaField(_l("What the work is"), filters=[_stripped],
                                validators=[Optional(), Length(max=2000)])
    station_id = SelectField(_l("At a station"), coerce=lambda v: int(v) if v else None,
                             validators=[Optional()])
    address = StringField(_l("Or at this address"), filters=[_stripped],
                          validators=[Optional(), Length(max=200)])
    lat = DecimalField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    lon = DecimalField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])
    region_code = StringField(_l("Region code (6 digits)"), filters=[_stripped],
                              validators=[DataRequired(), Regexp(r"^\d{6}$")])
    pay_min = IntegerField(_l("Pay from (yuan)"), validators=[InputRequired(), NumberRange(0, 100000)])
    pay_max = IntegerField(_l("Pay up to (yuan)"), validators=[InputRequired(), NumberRange(0, 100000)])
    pay_unit = SelectField(_l("Per"), choices=choices([("day", _l("day")), ("hour", _l("hour")),
                                                       ("month", _l("month"))]))
    hours = StringField(_l("Working hours"), filters=[_stripped], validators=[Length(max=100)])
    benefits = StringField(_l("Benefits"), filters=[_stripped], validators=[Length(max=200)])
    day = DateField(_l("Gig date"), validators=[Optional()])
    start = TimeField(_l("Starts"), validators=[Optional()])
    end = TimeField(_l("Ends"), validators=[Optional()])
    paid_daily = BooleanField(_l("Paid the same day (日结)"))
    headcount = IntegerField(_l("People needed"), default=1,
                             validators=[InputRequired(), NumberRange(1, 500)])
    skills = StringField(_l("Skills needed"), filters=[_stripped], validators=[Length(max=200)])
    certificates = StringField(_l("Certificates needed"), filters=[_stripped],
                               validators=[Length(max=200)])
    age_min = IntegerField(_l("Age from"), validators=[Optional(), NumberRange(16, 70)])
    age_max = IntegerField(_l("Age up to"), validators=[Optional(), NumberRange(16, 70)])
    insured = BooleanField(_l("Accident insurance provided (意外险)"))
    expires_on = DateField(_l("Show until"), validators=[DataRequired()])
    employer_id = SelectField(_l("Employer"), coerce=int, validators=[Optional()])

    def draft(self) -> PostDraft:
        """The form as a PostDraft (a gig's times in Shanghai, as aware datetimes)."""
        starts_at = _local(self.day.data, self.start.data)
        ends_at = _local(self.day.data, self.end.data)
        if starts_at and ends_at and ends_at <= starts_at:
            ends_at += timedelta(days=1)  # a night shift ends the next morning
        return PostDraft(
            kind=self.kind.data, title=self.title.data, category=self.category.data,
            description=self.description.data or "", station_id=self.station_id.data,
            address=self.address.data or "",
            lat=float(self.lat.data) if self.lat.data is not None else None,
            lon=float(self.lon.data) if self.lon.data is not None else None,
            region_code=self.region_code.data, pay_min=self.pay_min.data,
            pay_max=self.pay_max.data, pay_unit=self.pay_unit.data, hours=self.hours.data or "",
            benefits=self.benefits.data or "", starts_at=starts_at, ends_at=ends_at,
            paid_daily=bool(self.paid_daily.data), headcount=self.headcount.data,
            skills=self.skills.data or "", certificates=self.certificates.data or "",
            age_min=self.age_min.data, age_max=self.age_max.data, insured=bool(self.insured.data),
            expires_at=datetime.combine(self.expires_on.data, time(23, 59), clock.DEFAULT_ZONE))


class NoteForm(FlaskForm):
    note = StringField(_l("Note"), filters=[_stripped], validators=[Optional(), Length(max=300)])


class WageAnswerForm(FlaskForm):
    answer = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("Anything to add (what was promised, who you spoke to)"),
                         filters=[_stripped], validators=[Optional(), Length(max=500)])


class CheckInForm(FlaskForm):
    token = HiddenField()
    lat = DecimalField(validators=[Optional(), NumberRange(-90, 90)])
    lon = DecimalField(validators=[Optional(), NumberRange(-180, 180)])


# Job seekers and the 1131 record ---------------------------------------------------------------

SERVICE_LABELS = {
    "policy": _l("Policy talk"), "guidance": _l("Career guidance"),
    "recommendation": _l("Job recommendation"), "training": _l("Training offer"),
    "follow_up": _l("Follow-up call (回访)"),
}


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (a phone shows them better than a multiple select)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SeekerForm(FlaskForm):
    categories = MultiCheckboxField(
        _l("Work you are looking for"),
        choices=choices((code, CATEGORY_LABELS[code]) for code in CATEGORIES))
    areas = StringField(_l("Where you can work (districts, streets)"), filters=[_stripped],
                        validators=[Length(max=200)])
    earliest_start = DateField(_l("You can start from"), validators=[Optional()])
    skills = StringField(_l("Skills (separate with commas)"), filters=[_stripped],
                         validators=[Length(max=200)])
    certificates = StringField(_l("Certificates (e.g. 保安员证, 健康证, C1 licence)"),
                               filters=[_stripped], validators=[Length(max=200)])
    wants_calls = BooleanField(_l("Union staff may call or text me about jobs"))
    station_id = SelectField(_l("Station that serves you (its staff see your registration)"),
                             coerce=lambda v: int(v) if v else None, validators=[Optional()])

    def draft(self):
        from jobs.seekers import SeekerDraft

        return SeekerDraft(categories=list(self.categories.data or []),
                           areas=self.areas.data or "", earliest_start=self.earliest_start.data,
                           skills=self.skills.data or "",
                           certificates=self.certificates.data or "",
                           wants_calls=bool(self.wants_calls.data),
                           station_id=self.station_id.data)


class ServiceForm(FlaskForm):
    kind = SelectField(_l("What you did"), choices=choices(
        (kind, SERVICE_LABELS[kind]) for kind in ("policy", "guidance", "training", "follow_up")))
    note = StringField(_l("Note"), filters=[_stripped], validators=[Optional(), Length(max=300)])


class RecommendForm(FlaskForm):
    post_id = IntegerField(validators=[InputRequired()])


class OutcomeForm(FlaskForm):
    hired_where = StringField(_l("Hired where"), filters=[_stripped],
                              validators=[Optional(), Length(max=100)])
    hired_on = DateField(_l("Hired on"), validators=[Optional()])


class FairEmployerForm(FlaskForm):
    employer_id = SelectField(_l("Employer"), coerce=int, validators=[InputRequired()])
    booth = StringField(_l("Booth"), filters=[_stripped], validators=[Optional(), Length(max=30)])
