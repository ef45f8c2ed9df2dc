// Station editor glue: the draggable pin, the latitude/longitude fields and the geocoder's
// candidates stay in step. The form works without it (type the coordinates).
// Loaded after Leaflet and before folium's map script, so the init hook sees the marker.
(function () {
  "use strict";
  var marker = null;

  // China's GCJ-02 (Amap's tiles): the published algorithm, as china_datums.py has it. The
  // fields and the database hold WGS-84; on such tiles the pin is drawn shifted, and a pin
  // dragged there is shifted back before it fills the fields.
  var KRASOVSKY_A = 6378245.0, KRASOVSKY_EE = 0.00669342162296594323;

  function outsideChina(lat, lon) {
    return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
  }

  function shiftLat(x, y) {
    var s = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    s += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    s += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    s += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    return s;
  }

  function shiftLon(x, y) {
    var s = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    s += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    s += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    s += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    return s;
  }

  function wgs84ToGcj02(lat, lon) {
    if (outsideChina(lat, lon)) return [lat, lon];
    var x = lon - 105, y = lat - 35, radLat = lat / 180 * Math.PI;
    var magic = 1 - KRASOVSKY_EE * Math.sin(radLat) * Math.sin(radLat), sqrtMagic = Math.sqrt(magic);
    var dLat = shiftLat(x, y) * 180 / ((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrtMagic) * Math.PI);
    var dLon = shiftLon(x, y) * 180 / (KRASOVSKY_A / sqrtMagic * Math.cos(radLat) * Math.PI);
    return [lat + dLat, lon + dLon];
  }

  function gcj02ToWgs84(lat, lon) {
    // The shift changes slowly: a few rounds of "subtract the shift found here" land within
    // a millimetre.
    var guess = [lat, lon];
    for (var round = 0; round < 5; round++) {
      var shifted = wgs84ToGcj02(guess[0], guess[1]);
      guess = [guess[0] + lat - shifted[0], guess[1] + lon - shifted[1]];
    }
    return guess;
  }

  function drawnInGcj02() {
    var map = document.querySelector(".pick-map");
    return Boolean(map && map.dataset.coordinates === "gcj02");
  }

  function toDisplay(lat, lon) { return drawnInGcj02() ? wgs84ToGcj02(lat, lon) : [lat, lon]; }
  function toStored(lat, lon) { return drawnInGcj02() ? gcj02ToWgs84(lat, lon) : [lat, lon]; }
  window.YizhanDatums = { wgs84ToGcj02: wgs84ToGcj02, gcj02ToWgs84: gcj02ToWgs84 };

  function fields() {
    var form = document.getElementById("station-form");
    return form && { lat: form.elements.lat, lon: form.elements.lon };
  }

  function setFields(latlng) {
    var f = fields();
    if (!f) return;
    var stored = toStored(latlng.lat, latlng.lng);
    f.lat.value = stored[0].toFixed(6);
    f.lon.value = stored[1].toFixed(6);
  }

  function moveTo(lat, lon, zoom) {
    if (!marker || !isFinite(lat) || !isFinite(lon)) return;
    var shown = toDisplay(lat, lon);
    marker.setLatLng(shown);
    if (marker._map) marker._map.setView(shown, zoom || Math.max(marker._map.getZoom(), 16));
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
