"""Forms: they parse and validate input (local Shanghai times in, aware datetimes out);
services.operations does the work."""
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, DecimalField,
                     IntegerField, RadioField, SelectField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

import clock
from services.models import CATEGORIES, NAME_MAX, TITLE_MAX
from services.operations import EventDraft
from services.vocabulary import CATEGORY_LABELS

def _stripped(value):
    return (value or "").strip()


def local_to_utc(moment: datetime | None) -> datetime | None:
    """A naive time as typed in Shanghai, as an aware UTC instant."""
    return moment.replace(tzinfo=clock.DEFAULT_ZONE).astimezone(timezone.utc) if moment else None


def utc_to_local(moment: datetime) -> datetime:
    """An aware instant as a naive Shanghai time, for a datetime-local input."""
    return clock.local(moment).replace(tzinfo=None)


class CatalogueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    category = SelectField(_l("Service"), validators=[Optional()],
                           choices=[SelectChoice("", _l("All services"))] + [SelectChoice(c, CATEGORY_LABELS[c]) for c in CATEGORIES])
    day = DateField(_l("Date"), validators=[Optional()])
    lat = DecimalField(validators=[Optional(), NumberRange(-90, 90)])
    lon = DecimalField(validators=[Optional(), NumberRange(-180, 180)])


class RegisterForm(FlaskForm):
    dependant_name = StringField(_l("Child's name (leave empty to sign yourself up)"),
                                 filters=[_stripped], validators=[Optional(), Length(max=NAME_MAX)])
    dependant_age = IntegerField(_l("Child's age"), validators=[Optional(), NumberRange(0, 17)])


class FeedbackForm(FlaskForm):
    rating = SelectField(_l("How was it?"), coerce=int, validators=[InputRequired()],
                         choices=[SelectChoice(n, "★" * n) for n in (5, 4, 3, 2, 1)])
    comment = TextAreaField(_l("Comment (optional)"), filters=[_stripped],
                            validators=[Optional(), Length(max=500)])


class EventForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_stripped],
                        validators=[DataRequired(), Length(max=TITLE_MAX)])
    description = TextAreaField(_l("Description"), filters=[_stripped],
                                validators=[Optional(), Length(max=2000)])
    category = SelectField(_l("Service"), choices=[SelectChoice(c, CATEGORY_LABELS[c]) for c in CATEGORIES])
    starts_at = DateTimeLocalField(_l("Starts (Beijing time)"), validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), validators=[DataRequired()])
    # Events take place at one of the organisation's stations: staff pick it by name instead
    # of typing coordinates. The address field says where inside (a room, a floor).
    station_id = SelectField(_l("Station"), coerce=int, validators=[Optional()])
    address = StringField(_l("Where exactly (room, floor; optional)"), filters=[_stripped],
                          validators=[Optional(), Length(max=200)])
    capacity = IntegerField(_l("Places"), validators=[InputRequired(), NumberRange(1, 1000)])
    registration_opens_at = DateTimeLocalField(_l("Sign-up opens"), validators=[DataRequired()])
    registration_closes_at = DateTimeLocalField(_l("Sign-up closes"), validators=[DataRequired()])
    allows_dependants = BooleanField(_l("Workers may sign up their children"))
    max_places_per_worker = IntegerField(
        _l("Places one worker may take (themselves and their children)"),
        description=_l("Leave empty for the usual number: 3 for childcare, 1 otherwise."),
        validators=[Optional(), NumberRange(1, 50)])
    weeks = IntegerField(_l("Repeat weekly for how many weeks"), default=1,
                         validators=[Optional(), NumberRange(1, 26)])
    min_attendance_pct = IntegerField(_l("Minimum attendance in the previous period (%)"),
                                      validators=[Optional(), NumberRange(1, 100)])
    previous_series_id = SelectField(_l("Previous period"), coerce=int, validators=[Optional()])
    as_term = BooleanField(_l("Sign up for the whole term at once (one sign-up covers every "
                              "session; the sign-up window above is the term's)"))
    # Editing a session of a series: this one only (the default), or it and the later ones.
    scope = RadioField(_l("Apply the changes to"), default="this",
                       choices=[SelectChoice("this", _l("Only this session")),
                                SelectChoice("later", _l("This and all later sessions of the series"))])

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_registration_closes_at(self, field):
        opens = self.registration_opens_at.data
        if opens and field.data and field.data <= opens:
            raise ValidationError(_l("Sign-up must close after it opens."))
        if self.ends_at.data and field.data and field.data > self.ends_at.data:
            raise ValidationError(_l("Sign-up must close before the event ends."))

    def validate_station_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the station where the event takes place."))

    def draft(self) -> EventDraft:
        return EventDraft(
            title=self.title.data, description=self.description.data or "",
            category=self.category.data, starts_at=local_to_utc(self.starts_at.data),
            ends_at=local_to_utc(self.ends_at.data), capacity=self.capacity.data,
            registration_opens_at=local_to_utc(self.registration_opens_at.data),
            registration_closes_at=local_to_utc(self.registration_closes_at.data),
            station_id=self.station_id.data or None, address=self.address.data or "",
            allows_dependants=self.allows_dependants.data,
            max_places_per_worker=self.max_places_per_worker.data or None)

    def fill_from(self, event) -> None:
        for name in ("title", "description", "category", "capacity", "address",
                     "allows_dependants", "max_places_per_worker"):
            getattr(self, name).data = getattr(event, name)
        self.station_id.data = event.station_id or 0
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            getattr(self, name).data = utc_to_local(getattr(event, name))

    @staticmethod
    def defaults(now: datetime) -> dict:
        """A Saturday-morning session a week from now, sign-up open from today."""
        local = utc_to_local(now).replace(minute=0, second=0, microsecond=0)
        start = (local + timedelta(days=(5 - local.weekday()) % 7 + 7)).replace(hour=9)
        return {"starts_at": start, "ends_at": start + timedelta(hours=3), "capacity": 30,
                "registration_opens_at": local, "registration_closes_at": start - timedelta(days=1),
                "weeks": 1}


class CancelEventForm(FlaskForm):
    reason = StringField(_l("Reason (sent to everyone registered)"), filters=[_stripped],
                         validators=[DataRequired(), Length(max=200)])


class TicketCodeForm(FlaskForm):
    code = StringField(_l("Ticket code"), filters=[_stripped], validators=[DataRequired()])

