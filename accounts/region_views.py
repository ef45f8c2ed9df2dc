"""The district picker's list (public: sign-up uses it), and the admin's review list of rows
without a region code. They live in accounts, which knows who may see what; regions itself
is data and forms, below accounts, and imports nothing from it."""
import re
from pathlib import Path

import regions
from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from accounts.models import Organisation, User
from accounts.policy import public, requires
from pages import redirect_after_write, render_page_or_fragment
from regions import divisions, review
from regions.forms import RegionField
from transactions import transaction

REGION_TEMPLATES = str(Path(regions.__file__).parent / "templates")
blueprint = Blueprint("regions", __name__, url_prefix="/regions", template_folder=REGION_TEMPLATES)
staff = Blueprint("regions_staff", __name__, url_prefix="/staff/regions",
                  template_folder=REGION_TEMPLATES)

review.register_kind("organisation", Organisation, "name")
review.register_kind("person", User, "display_name", lambda model: [
    model.role == "worker", model.deleted_at.is_(None), model.home_district != ""])

_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,60}")


@blueprint.get("/districts")
@public
def districts():
    """The district select for one city, swapped in when the city select changes."""
    name = request.args.get("field", "")
    if not _FIELD_NAME.fullmatch(name):
        abort(400)
    city_key = request.args.get(name + "-city", "")
    if city_key and divisions.city(city_key) is None:
        abort(400)
    return render_page_or_fragment("regions/_districts.html", "regions/_districts.html",
                                   name=name, city_key=city_key)


class AssignForm(FlaskForm):
    code = RegionField(validators=[])


def _assign_form(kind: str, row, formdata=None) -> AssignForm:
    form = AssignForm(formdata=formdata, prefix=f"{kind}-{row.id}")
    if formdata is None:
        form.code.chosen_city = review.guessed_city(row)
    return form


def _review_page(status: int = 200, replaced: AssignForm | None = None):
    lists = {}
    for kind in review.KINDS:
        rows = review.unmatched_rows(kind)
        lists[kind] = [(row, replaced if replaced is not None and replaced._prefix == f"{kind}-{row.id}-"
                        else _assign_form(kind, row)) for row in rows]
    return render_page_or_fragment("regions/review.html", "regions/_review.html", status=status,
                                   lists=lists)


@staff.get("/review")
@requires("review_regions")
def review_list():
    return _review_page()


@staff.post("/review/<kind>/<int:row_id>")
@requires("review_regions")
def assign(kind: str, row_id: int):
    """Give one row its district."""
    row = review.get_unmatched(kind, row_id)
    if row is None:
        abort(404)
    form = _assign_form(kind, row, request.form)
    if not form.validate_on_submit() or not form.code.data:
        if form.is_submitted() and not form.code.errors and not form.errors:
            form.code.errors = [_("Choose the district.")]
        return _review_page(status=422, replaced=form)
    with transaction():
        review.assign(row, form.code.data)
    flash(_("%(name)s is now in %(district)s.", name=getattr(row, review.KINDS[kind].label_attr),
            district=divisions.district(form.code.data).label))
    return redirect_after_write(url_for("regions_staff.review_list"))
