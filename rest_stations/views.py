"""Pages for riders: the finder and a station's own page."""
from flask import Blueprint, render_template

from extensions import db
from rest_stations.models import Station
from rest_stations.queries import station_hours

blueprint = Blueprint("stations", __name__, template_folder="templates")


@blueprint.get("/")
def index():
    return render_template("rest_stations/index.html")


@blueprint.get("/stations/<int:station_id>")
def detail(station_id: int):
    station = db.get_or_404(Station, station_id)
    return render_template("rest_stations/detail.html", station=station,
                           hours=station_hours(station))
