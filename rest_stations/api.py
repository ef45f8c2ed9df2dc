"""JSON API: nearest stations and stations in a box, as GeoJSON."""
from flask import Blueprint, current_app, request

import clock
from rest_stations.display import none_within_message
from rest_stations.geojson import FEATURE_COLUMNS, feature_collection, station_feature
from rest_stations.queries import nearest_stations, stations_in_bbox
from rest_stations.search_params import BadParameter, bbox_param, limit_param, nearest_query
from transactions import read_only

blueprint = Blueprint("stations_api", __name__, url_prefix="/api/stations")


@blueprint.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    return {"error": error.message, "field": error.field}, 400


@blueprint.get("/nearest")
@read_only
def nearest():
    config = current_app.config
    query = nearest_query(request.args, config["NEAREST_DEFAULT_LIMIT"], config["NEAREST_MAX_LIMIT"])
    found = nearest_stations(query.lat, query.lon, limit=query.limit, amenities=query.amenities,
                             open_now=query.open_now, kind=query.kind, now=clock.now(),
                             columns=FEATURE_COLUMNS)
    bound = {"max_distance_km": found.max_distance_km} if found.max_distance_km else {}
    if found.none_within_bound:
        bound["message"] = none_within_message(found.max_distance_km)
    return feature_collection(
        [station_feature(hit.station, hit.hours, hit.distance_m, occupancy=hit.seats_taken)
         for hit in found], **bound
    )


@blueprint.get("")
@read_only
def in_bbox():
    min_lon, min_lat, max_lon, max_lat = bbox_param(request.args)
    limit = limit_param(request.args, current_app.config["BBOX_MAX_FEATURES"],
                        current_app.config["BBOX_MAX_FEATURES"])
    found, truncated = stations_in_bbox(min_lon, min_lat, max_lon, max_lat, limit=limit,
                                        columns=FEATURE_COLUMNS, now=clock.now())
    return feature_collection(
        [station_feature(hit.station, hit.hours, occupancy=hit.seats_taken) for hit in found],
        truncated=truncated,
    )
