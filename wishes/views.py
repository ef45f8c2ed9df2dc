"""Wish pages: the public wall, a wish, making one, my wishes, my claims, and the actions
the transition table allows. Staff pages are in wishes.staff_views.

A lost race (someone claimed first) answers 409 Conflict with the page or fragment saying
so; static/js/wishes.js lets htmx swap 409 like 422, so the message shows in place.
"""
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

import clock
from accounts.policy import public, requires
from extensions import db, htmx
from pages import redirect_after_write, render_page_or_fragment, wants_fragment
from regions import divisions
from rest_stations.models import Station
from transactions import transaction
from wishes import operations, queries, rules
from wishes.forms import ConfirmWishForm, FulfilForm, NoteForm, WallFilterForm, WishForm
from wishes.models import Wish
from wishes.vocabulary import ACTION_LABELS, CATEGORY_LABELS, STATE_LABELS, URGENCY_LABELS

blueprint = Blueprint("wishes", __name__, url_prefix="/wishes", template_folder="templates")

# States anyone may look at (anonymised); the others only the wish's parties.
PUBLIC_STATES = ("published",)


@blueprint.app_context_processor
def labels() -> dict:
    return {"category_labels": CATEGORY_LABELS, "urgency_labels": URGENCY_LABELS,
            "state_labels": STATE_LABELS, "action_labels": ACTION_LABELS}


def visible_wish_or_404(wish_id: int) -> Wish:
    """A wish the current visitor may see: published ones, or ones they are a party to."""
    wish = db.session.get(Wish, wish_id)
    if wish is None or (wish.status not in PUBLIC_STATES
                        and not rules.parties(current_user, wish) - {rules.CLAIMER}):
        abort(404)
    return wish


def _panel(wish: Wish, *, status: int = 200, message: str | None = None, forms=None):
    forms = forms or {}
    return render_page_or_fragment(
        "wishes/detail.html", "wishes/_panel.html", status=status, wish=wish, message=message,
        message_is_error=status >= 400, insider=bool(rules.parties(current_user, wish) - {rules.CLAIMER}),
        not_received_form=forms.get("not_received") or NoteForm(formdata=None, prefix="not_received"),
        parts=rules.parties(current_user, wish), actions=rules.actions_for(current_user, wish),
        fulfil_form=forms.get("fulfil") or FulfilForm(formdata=None),
        confirm_form=forms.get("confirm") or ConfirmWishForm(formdata=None),
        note_form=NoteForm(formdata=None))


@blueprint.get("")
@public
def index():
    form = WallFilterForm(request.args)
    form.district.choices = [SelectChoice("", _("All districts"))] + [
        SelectChoice(code, divisions.district(code).label if divisions.district(code) else code)
        for code in queries.wall_districts()]
    wishes = queries.wall(form.category.data or "", form.district.data or "", form.urgency.data or "")
    return render_page_or_fragment("wishes/index.html", "wishes/_wall.html",
                                   form=form, wishes=wishes)


@blueprint.get("/<int:wish_id>")
@public
def detail(wish_id: int):
    return _panel(visible_wish_or_404(wish_id))


def _station_choices(worker) -> list[SelectChoice]:
    """Hand-over stations, the worker's own district first, then their city, then the rest."""
    home = worker.home_region_code or ""
    stations = queries.handover_stations(home)
    return [SelectChoice(0, _("No station"))] + [
        SelectChoice(s.id, f"{_place_of(s)} · {s.name}") for s in stations]


def _place_of(station) -> str:
    district = divisions.district(station.region_code)
    return district.label if district else (station.district or station.city)


@blueprint.route("/new", methods=["GET", "POST"])
@requires("submit_wish")
def create():
    form = WishForm()
    form.station_id.choices = _station_choices(current_user)
    if not form.is_submitted():
        form.region_code.data = current_user.home_region_code or ""
    open_count = operations.open_wish_count(current_user.id)
    if form.validate_on_submit():
        try:
            with transaction():
                station = db.session.get(Station, form.station_id.data) if form.station_id.data else None
                wish = operations.submit(current_user, title=form.title.data,
                                         details=form.details.data, category=form.category.data,
                                         urgency=form.urgency.data, station=station,
                                         region_code=form.region_code.data or None)
        except operations.TooManyOpenWishes as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Thank you. Union staff will read your wish and put it on the wall."))
            return _after_write(wish, "wishes.mine")
    status = 422 if form.is_submitted() else 200
    return render_page_or_fragment("wishes/new.html", "wishes/_form.html", status=status,
                                   form=form, open_count=open_count)


def _after_write(wish: Wish, endpoint: str = "wishes.detail"):
    """To the wish (or `endpoint`) after a write; see pages.redirect_after_write."""
    return redirect_after_write(
        url_for(endpoint, wish_id=wish.id) if endpoint == "wishes.detail" else url_for(endpoint))


@blueprint.get("/mine")
@requires("submit_wish")
def mine():
    return render_page_or_fragment("wishes/mine.html", "wishes/_list.html",
                                   wishes=queries.wishes_of(current_user.id),
                                   open_count=operations.open_wish_count(current_user.id))


@blueprint.get("/claims")
@requires("claim_wish")
def claims():
    return render_page_or_fragment("wishes/claims.html", "wishes/_list.html",
                                   wishes=queries.claims_of(current_user.id), open_count=None)


# What each action did, said to the person who took it.
def _done_message(action: str) -> str:
    return {
        "claim": _("You claimed this wish. Please arrange the hand-over through the union "
                   "station within 7 days, then record where it was handed over."),
        "release": _("You gave the claim back; the wish is on the wall again."),
        "fulfil": _("Hand-over recorded. The worker has been asked to confirm."),
        "withdraw": _("Your wish is withdrawn."),
        "confirm": _("Thank you for confirming. The claimant has been told."),
        "not_received": _("Thank you for telling us. The claimant and union staff have been "
                          "told, and the claimant will hand it over again."),
    }[action]


def _act(wish_id: int, action: str, form, **fields):
    """Run one transition from a form; the answer is the updated wish, or why not."""
    wish = _claimable_or_404(wish_id) if action == "claim" else visible_wish_or_404(wish_id)
    if not form.validate_on_submit():
        return _answer(wish, status=422, forms={action: form})
    note = form.note.data if hasattr(form, "note") else ""
    try:
        with transaction():
            operations.transition(wish, action, current_user, note, **fields)
    except operations.WishError as error:
        if isinstance(error, operations.NotAllowed) and not rules.ever_open_to(current_user, wish, action):
            abort(403)  # not theirs to do in any state
        db.session.expire_all()
        wish = db.session.get(Wish, wish_id)
        if action == "claim" and wish.status != "published" and wish.claimant_id != current_user.id:
            error = operations.WishConflict(operations.claimed_by_someone_else())
        return _answer(wish, status=409, message=str(error))
    if wants_fragment():
        return _answer(wish, message=_done_message(action))
    flash(_done_message(action))
    return redirect(url_for("wishes.detail", wish_id=wish_id), code=303)


# A claim that arrives this soon after someone else's lost a race for a wish that was on the
# wall a moment ago: it is told so (409, without the wish). Any other claim on a wish that is
# not on the wall gets the 404 its page gives.
CLAIM_RACE_WINDOW = timedelta(minutes=10)


def _claimable_or_404(wish_id: int) -> Wish:
    """The wish a claim may be tried on: published, or one the visitor is a party to, or one
    claimed by someone else within CLAIM_RACE_WINDOW; anything else is 404, as on GET."""
    wish = db.session.get(Wish, wish_id)
    if wish is None:
        abort(404)
    if wish.status in PUBLIC_STATES or rules.parties(current_user, wish) - {rules.CLAIMER}:
        return wish
    if wish.status == "claimed" and wish.claimed_at and \
            wish.claimed_at > clock.now() - CLAIM_RACE_WINDOW:
        return wish
    abort(404)


def _answer(wish: Wish, *, status: int = 200, message: str | None = None, forms=None):
    """The wall's card when the action came from a card, else the wish's panel or page.
    Someone who may not see the wish any more (they lost the race) gets only the message."""
    may_see = wish.status in PUBLIC_STATES or rules.parties(current_user, wish) - {rules.CLAIMER}
    if not may_see:
        return render_page_or_fragment("wishes/taken.html", "wishes/_taken.html", status=status,
                                       wish_id=wish.id, message=message)
    if wants_fragment() and htmx.target == f"card-{wish.id}":
        return render_page_or_fragment("wishes/taken.html", "wishes/_card.html", status=status,
                                       wish=wish, message=message, on_wall=True)
    return _panel(wish, status=status, message=message, forms=forms)


@blueprint.post("/<int:wish_id>/claim")
@requires("claim_wish")
def claim(wish_id: int):
    return _act(wish_id, "claim", NoteForm())


@blueprint.post("/<int:wish_id>/release")
@requires("claim_wish")
def release(wish_id: int):
    return _act(wish_id, "release", NoteForm())


@blueprint.post("/<int:wish_id>/fulfil")
@requires("claim_wish")
def fulfil(wish_id: int):
    form = FulfilForm()
    return _act(wish_id, "fulfil", form, handover_place=form.handover_place.data or "")


@blueprint.post("/<int:wish_id>/withdraw")
@requires("submit_wish")
def withdraw(wish_id: int):
    return _act(wish_id, "withdraw", NoteForm())


@blueprint.post("/<int:wish_id>/confirm")
@requires("submit_wish")
def confirm(wish_id: int):
    return _act(wish_id, "confirm", ConfirmWishForm())


@blueprint.post("/<int:wish_id>/not-received")
@requires("submit_wish")
def not_received(wish_id: int):
    """"还没收到": the hand-over did not reach the worker; it goes back to the claimant."""
    return _act(wish_id, "not_received", NoteForm(prefix="not_received"))
