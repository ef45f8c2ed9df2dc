"""Staff pages for wishes: the moderation queue with stalled claims, the moderation form,
the board by state with its figures, and the CSV of those figures. Rows are scoped by
Wish.managed_by()."""
from flask import Blueprint, abort, flash, make_response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import clock
from accounts.policy import requires
from extensions import db
from pages import redirect_after_write, render_page_or_fragment
from spreadsheets import csv_text
from transactions import transaction
from wishes import operations, queries, rules
from wishes.forms import ModerateForm, NoteForm
from wishes.models import Wish

blueprint = Blueprint("wishes_staff", __name__, url_prefix="/staff/wishes",
                      template_folder="templates")

DECISIONS = ("save", "publish", "decline")


def moderated_wish_or_404(wish_id: int) -> Wish:
    wish = db.session.scalar(Wish.managed_by(current_user).where(Wish.id == wish_id))
    if wish is None:
        abort(404)
    return wish


@blueprint.get("")
@requires("moderate_wishes")
def queue():
    return render_page_or_fragment(
        "wishes/staff/queue.html", "wishes/staff/_queue.html",
        queue=queries.moderation_queue(current_user),
        stalled=queries.stalled_claims(current_user, clock.now()), note_form=NoteForm())


@blueprint.route("/<int:wish_id>", methods=["GET", "POST"])
@requires("moderate_wishes")
def moderate(wish_id: int):
    """Edit the wording and tags, then save, publish or decline (with a reason)."""
    wish = moderated_wish_or_404(wish_id)
    form = ModerateForm(obj=wish)
    decision = request.form.get("decision", "save")
    if form.validate_on_submit() and decision in DECISIONS:
        try:
            with transaction():
                done = _decide(wish, form, decision)
        except operations.WishError as error:
            form.form_errors.append(str(error))
        else:
            flash(done)
            return redirect_after_write(
                url_for("wishes_staff.queue") if decision != "save"
                else url_for("wishes_staff.moderate", wish_id=wish.id))
    status = 422 if form.is_submitted() else 200
    return render_page_or_fragment(
        "wishes/staff/moderate.html", "wishes/staff/_moderate_form.html", status=status,
        wish=wish, form=form, may_edit=rules.may(current_user, wish, "edit"))


def _decide(wish: Wish, form: ModerateForm, decision: str) -> str:
    """Save, publish or decline; returns what happened, to tell the moderator."""
    edits = {"title": form.title.data, "details": form.details.data or "",
             "tags": form.normalised_tags()}
    changed = {k: v for k, v in edits.items() if getattr(wish, k) != v}
    if decision == "decline":
        if not form.reason.data:
            raise operations.WishError(_("Please give a reason: the worker will see it."))
        operations.transition(wish, "decline", current_user, form.reason.data)
        return _("Declined; the worker has been told why.")
    if changed:
        operations.transition(wish, "edit", current_user, **changed)
    if decision == "publish":
        operations.transition(wish, "publish", current_user)
        return _("Published on the wish wall; the worker has been told.")
    return _("Saved; the worker has been told that the wording changed.") if changed \
        else _("Nothing changed.")


@blueprint.post("/<int:wish_id>/release")
@requires("moderate_wishes")
def release(wish_id: int):
    """Put a stalled claim back on the wall."""
    wish = moderated_wish_or_404(wish_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            with transaction():
                operations.transition(wish, "release", current_user, form.note.data or _(
                    "Released by union staff: no hand-over in 7 days."))
        except operations.WishError as error:
            flash(str(error))
        else:
            flash(_("The wish is back on the wall."))
    return redirect_after_write(url_for("wishes_staff.board") if request.form.get("back") == "board"
                                else url_for("wishes_staff.queue"))


@blueprint.get("/board")
@requires("moderate_wishes")
def board():
    return render_page_or_fragment(
        "wishes/staff/board.html", "wishes/staff/_board.html",
        columns=queries.board(current_user), figures=queries.figures(Wish.managed_by(current_user)),
        stalled_ids={w.id for w in queries.stalled_claims(current_user, clock.now())},
        note_form=NoteForm())


@blueprint.get("/figures.csv")
@requires("moderate_wishes")
def figures_csv():
    """Per month: wishes made, published and fulfilled; then the totals unions report."""
    figures = queries.figures(Wish.managed_by(current_user))
    rate = figures.fulfilment_rate
    rows = [["month", "submitted", "published", "fulfilled"]]
    rows += [[row["month"], row["submitted"], row["published"], row["fulfilled"]]
             for row in figures.months]
    rows += [[], ["reached_wall", "fulfilled", "fulfilment_rate", "median_days_to_fulfil"],
             [figures.reached_wall, figures.fulfilled, f"{rate:.3f}" if rate is not None else "",
              figures.median_days_to_fulfil if figures.median_days_to_fulfil is not None else ""]]
    response = make_response(csv_text(rows))  # formula-safe cells, with the BOM Excel needs
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = 'attachment; filename="yizhan-wishes.csv"'
    return response
