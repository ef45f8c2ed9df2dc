// Jobs: "Near me" on 附近的活 puts the phone's position into the filter form; a check-in
// form asks for the position before it is sent. Without JavaScript the button stays hidden
// and a check-in needs the post's QR code instead. The job board's print button prints.
(function () {
  "use strict";
  function locate(done, failed) {
    navigator.geolocation.getCurrentPosition(function (p) {
      done(p.coords.latitude.toFixed(6), p.coords.longitude.toFixed(6));
    }, failed, { timeout: 10000, maximumAge: 60000, enableHighAccuracy: true });
  }
  function setup() {
    // The printable job board's print button (hidden without JavaScript: use the browser's menu).
    document.querySelectorAll(".js-print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    if (!("geolocation" in navigator)) return;
    var form = document.getElementById("job-filters");
    var button = form && form.querySelector(".js-near-me");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        button.disabled = true;
        locate(function (lat, lon) {
          button.disabled = false;
          form.elements.lat.value = lat;
          form.elements.lon.value = lon;
          form.requestSubmit();
        }, function () { button.disabled = false; });
      });
    }
    document.querySelectorAll(".js-locate-form").forEach(function (checkIn) {
      checkIn.addEventListener("submit", function (event) {
        if (checkIn.elements.lat.value) return;
        event.preventDefault();
        var send = function () { HTMLFormElement.prototype.submit.call(checkIn); };
        locate(function (lat, lon) {
          checkIn.elements.lat.value = lat;
          checkIn.elements.lon.value = lon;
          send();
        }, send);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
