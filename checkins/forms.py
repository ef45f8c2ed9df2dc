"""Forms of the check-in pages: they parse input; checkins.rules does the work."""
import math

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from checkins.models import NOTE_MAX_LENGTH, REPORT_KINDS

REPORT_LABELS = {
    "all_good": _l("All good"),
    "details_correct": _l("Details still correct"),
    "closed_when_open": _l("Closed when it should be open"),
    "water_empty": _l("Water empty"),
    "charger_broken": _l("Charger broken"),
    "microwave_broken": _l("Microwave broken"),
    "details_wrong": _l("Details are wrong"),
    "other": _l("Something else (write a note)"),
}
# "Details still correct" has its own one-tap button; the lists offer the others.
LISTED_KINDS = tuple(kind for kind in REPORT_KINDS if kind != "details_correct")


def _note_field():
    return TextAreaField(
        _l("Note (optional)"), filters=[lambda value: (value or "").strip()],
        validators=[Length(max=NOTE_MAX_LENGTH, message=_l(
            "Use at most %(max)d characters.", max=NOTE_MAX_LENGTH))],
        render_kw={"maxlength": NOTE_MAX_LENGTH, "rows": 3})


def _kind_choices():
    return [SelectChoice(kind, REPORT_LABELS[kind]) for kind in LISTED_KINDS]


def _other_needs_note(form, field):
    if form.kind.data == "other" and not form.note.data:
        raise ValidationError(_l("Write what is wrong in the note."))


def _coordinate(limit: float):
    def check(form, field):
        if not field.data:
            return
        try:
            value = float(field.data)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and -limit <= value <= limit):  # refuses nan and inf too
            raise ValidationError(_l("We could not read your location. Try again, or "
                                     "scan the station's poster."))
    return check


class CheckInForm(FlaskForm):
    """One button; the poster token comes along when the check-in started at a QR poster,
    and the browser's location (filled in by static/js/checkins.js) when the rider allows it."""

    poster = HiddenField()
    lat = HiddenField(validators=[_coordinate(90)])
    lon = HiddenField(validators=[_coordinate(180)])

    def position(self) -> tuple[float, float] | None:
        """Where the browser said it was, or None when it did not say."""
        if not (self.lat.data and self.lon.data):
            return None
        return float(self.lat.data), float(self.lon.data)


class CheckOutForm(FlaskForm):
    """Check out, and optionally say how the station was."""

    kind = RadioField(_l("How was the station?"), choices=_kind_choices(),
                      validators=[Optional()], validate_choice=True)
    note = _note_field()

    def validate_note(self, field):
        _other_needs_note(self, field)


class ReportForm(FlaskForm):
    kind = RadioField(_l("What do you want to tell the staff?"), choices=_kind_choices(),
                      validators=[InputRequired(message=_l("Choose one."))])
    note = _note_field()

    def validate_note(self, field):
        _other_needs_note(self, field)


class DetailsCorrectForm(FlaskForm):
    """The one-tap "details still correct" report."""
