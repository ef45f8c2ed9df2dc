"""Forms: they parse and validate input; wishes.operations does the work."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from regions.forms import RegionField
from wishes.models import CATEGORIES, DETAILS_MAX, TITLE_MAX, URGENCIES
from wishes.vocabulary import CATEGORY_LABELS, URGENCY_LABELS

# Eleven digits starting 1[3-9], allowing spaces or dashes: a mainland mobile number.
_PHONE_IN_TEXT = re.compile(r"1[3-9](?:[\s-]?\d){9}")


def _stripped(value):
    return (value or "").strip()


def no_phone_numbers(form, field):
    """The wall is public: a phone number in a wish would be shown to everyone."""
    if field.data and _PHONE_IN_TEXT.search(field.data):
        raise ValidationError(_l("Please leave out phone numbers: the wish is shown in public, "
                                 "and the union arranges the hand-over."))


def _choices(codes, labels, blank=None):
    found = [SelectChoice(code, labels[code]) for code in codes]
    return ([SelectChoice("", blank)] if blank else []) + found


class WishForm(FlaskForm):
    title = StringField(_l("Your wish, in a few words"), filters=[_stripped],
                        validators=[DataRequired(), Length(max=TITLE_MAX), no_phone_numbers],
                        description=_l("At most %(count)d characters, e.g. 冬天骑车用的护膝.",
                                       count=TITLE_MAX),
                        render_kw={"maxlength": TITLE_MAX})
    details = TextAreaField(_l("Details"), filters=[_stripped],
                            validators=[Optional(), Length(max=DETAILS_MAX), no_phone_numbers],
                            description=_l("Size, age of a child, what happened. No names, "
                                           "phone numbers or addresses: the wall is public."),
                            render_kw={"maxlength": DETAILS_MAX, "rows": 4})
    category = SelectField(_l("Category"), choices=_choices(CATEGORIES, CATEGORY_LABELS))
    urgency = SelectField(_l("How soon"), choices=_choices(URGENCIES, URGENCY_LABELS), default="any")
    station_id = SelectField(_l("Hand-over station (optional)"), coerce=int, default=0,
                             validate_choice=True)
    # The district decides which union branch reads the wish; the worker's home to start with.
    region_code = RegionField(_l("Or a district for the hand-over (optional)"))


class ModerateForm(FlaskForm):
    """Staff edit the wording (to take out personal details), tag, publish or decline."""
    title = StringField(_l("Title"), filters=[_stripped],
                        validators=[DataRequired(), Length(max=TITLE_MAX), no_phone_numbers],
                        render_kw={"maxlength": TITLE_MAX})
    details = TextAreaField(_l("Details"), filters=[_stripped],
                            validators=[Optional(), Length(max=DETAILS_MAX), no_phone_numbers],
                            render_kw={"maxlength": DETAILS_MAX, "rows": 5})
    tags = StringField(_l("Tags (comma-separated, optional)"), filters=[_stripped],
                       validators=[Optional(), Length(max=200)])
    reason = TextAreaField(_l("Reason, if you decline (the worker sees it)"), filters=[_stripped],
                           validators=[Optional(), Length(max=300)], render_kw={"rows": 2})

    def normalised_tags(self) -> str:
        parts = re.split(r"[,，、\s]+", self.tags.data or "")
        return ",".join(dict.fromkeys(part for part in parts if part))[:200]


class FulfilForm(FlaskForm):
    handover_place = StringField(_l("Where it was handed over"), filters=[_stripped],
                                 validators=[DataRequired(), Length(max=100), no_phone_numbers],
                                 render_kw={"placeholder": _l("e.g. the union rest station on 十一经路")})
    note = TextAreaField(_l("Note for the worker"), filters=[_stripped],
                         validators=[Optional(), Length(max=500), no_phone_numbers],
                         render_kw={"rows": 3})


class ConfirmWishForm(FlaskForm):
    note = TextAreaField(_l("A thank-you note (optional)"), filters=[_stripped],
                         validators=[Optional(), Length(max=500), no_phone_numbers],
                         render_kw={"rows": 2})


class NoteForm(FlaskForm):
    """Withdraw, claim and release: a button, with an optional note."""
    note = StringField(_l("Note (optional)"), filters=[_stripped],
                       validators=[Optional(), Length(max=300)])


class WallFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    category = SelectField(_l("Category"), choices=_choices(CATEGORIES, CATEGORY_LABELS, _l("All")),
                           default="", validate_choice=False)
    urgency = SelectField(_l("How soon"), choices=_choices(URGENCIES, URGENCY_LABELS, _l("Any")),
                          default="", validate_choice=False)
    district = SelectField(_l("District"), default="", validate_choice=False)
