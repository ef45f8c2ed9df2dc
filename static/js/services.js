// "Near me" on the services catalogue: put the phone's position into the filter form and
// submit it. Without JavaScript the button stays hidden and the other filters still work.
(function () {
  "use strict";
  function setup() {
    var form = document.getElementById("service-filters");
    var button = form && form.querySelector(".js-near-me");
    if (!button || !("geolocation" in navigator)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        button.disabled = false;
        form.elements.lat.value = position.coords.latitude.toFixed(5);
        form.elements.lon.value = position.coords.longitude.toFixed(5);
        form.requestSubmit();
      }, function () { button.disabled = false; }, { timeout: 10000, maximumAge: 300000 });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
