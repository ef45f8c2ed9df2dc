// Check-in glue: before a check-in is sent, ask the browser where it is, so a rider at the
// station counts toward its free seats (the server decides: within CHECK_IN_PRESENCE_RADIUS_M).
// Without JavaScript, or when location is refused, the check-in still goes through, as
// "remote". A poster check-in needs no location: the code proves the rider was there.
(function () {
  "use strict";

  // Capture phase on the document: this runs before htmx's own submit listener on the form,
  // so the form is sent once, with the location, through htmx (or plainly without it).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.js-check-in")) return;
    if (form.dataset.located || !("geolocation" in navigator)) return;
    if (form.elements.poster && form.elements.poster.value) return;
    event.preventDefault();
    event.stopPropagation();
    var note = form.querySelector(".js-locating");
    var button = form.querySelector("button[type=submit]");
    if (note) note.hidden = false;
    if (button) button.disabled = true;
    function send() {
      form.dataset.located = "1";
      if (note) note.hidden = true;
      if (button) button.disabled = false;
      form.requestSubmit();
    }
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.lat.value = position.coords.latitude.toFixed(6);
      form.elements.lon.value = position.coords.longitude.toFixed(6);
      send();
    }, send, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  }, true);
})();
