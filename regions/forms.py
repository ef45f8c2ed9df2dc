"""The district field: a city select, then that city's districts; the value is the county
code. With htmx the district select is refetched when the city changes
(accounts.region_views.districts); without JavaScript a "Show districts" button posts the form back,
which then answers 422 asking for the district, with the city's districts filled in."""
from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.validators import ValidationError

from regions import divisions


def _city_key_of(code: str | None) -> str:
    found = divisions.district(code)
    return found.city.key if found else ""


class RegionField(Field):
    """A six-digit county code chosen with the picker (template: regions/_picker.html)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.chosen_city = ""
        self.picking = False

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if formdata is not None and self.name + "-city" in formdata:
            self.chosen_city = (formdata.get(self.name + "-city") or "").strip()
            self.picking = bool(formdata.get(self.name + "-pick"))

    def process_formdata(self, valuelist):
        self.data = (valuelist[0] or "").strip() if valuelist else ""

    def _value(self) -> str:
        return self.data or ""

    @property
    def city_key(self) -> str:
        """The city whose districts the second select lists."""
        return self.chosen_city or _city_key_of(self.data)

    @property
    def division(self) -> divisions.District | None:
        return divisions.district(self.data)

    def pre_validate(self, form):
        if self.picking:
            self.data = "" if _city_key_of(self.data) != self.chosen_city else self.data
            raise ValidationError(_l("Now choose the district."))
        if not self.data:
            return
        if self.division is None:
            raise ValidationError(_l("Choose a district from the list."))
        if self.chosen_city and self.chosen_city != self.division.city.key:
            raise ValidationError(_l("That district is not in the city you chose: "
                                     "choose the district again."))

    @property
    def name_text(self) -> str:
        """The chosen district's name, as rows store it beside the code ("" when none)."""
        return self.division.name if self.division else ""
