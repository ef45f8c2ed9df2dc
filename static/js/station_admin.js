// Station editor glue: the draggable pin, the latitude/longitude fields and the geocoder's
// candidates stay in step. The form works without it (type the coordinates).
// Loaded after Leaflet and before folium's map script, so the init hook sees the marker.
(function () {
  "use strict";
  var marker = null;

  function fields() {
    var form = document.getElementById("station-form");
    return form && { lat: form.elements.lat, lon: form.elements.lon };
  }

  function setFields(latlng) {
    var f = fields();
    if (!f) return;
    f.lat.value = latlng.lat.toFixed(6);
    f.lon.value = latlng.lng.toFixed(6);
  }

  function moveTo(lat, lon, zoom) {
    if (!marker || !isFinite(lat) || !isFinite(lon)) return;
    marker.setLatLng([lat, lon]);
    if (marker._map) marker._map.setView([lat, lon], zoom || Math.max(marker._map.getZoom(), 16));
  }

  if (window.L) {
    L.Marker.addInitHook(function () {
      if (!this.options.draggable) return;
      marker = this;
      this.on("dragend", function () { setFields(marker.getLatLng()); });
      this.on("add", function () {
        marker._map.on("click", function (event) {
          marker.setLatLng(event.latlng);
          setFields(event.latlng);
        });
      });
    });
  }

  document.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name !== "lat" && name !== "lon") return;
    var f = fields();
    if (f) moveTo(parseFloat(f.lat.value), parseFloat(f.lon.value));
  });

  // The hours are given either in the weekly table or written out: typing in one chooses it.
  document.addEventListener("input", function (event) {
    var field = event.target.closest(".hours-field");
    if (!field || event.target.type === "radio") return;
    var mode = event.target.name === "opening_hours" ? "text" : "week";
    var radio = field.querySelector('input[name="hours_mode"][value="' + mode + '"]');
    if (radio) radio.checked = true;
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".js-candidate");
    var f = fields();
    if (!button || !f) return;
    f.lat.value = button.dataset.lat;
    f.lon.value = button.dataset.lon;
    moveTo(parseFloat(button.dataset.lat), parseFloat(button.dataset.lon), 17);
  });
})();
