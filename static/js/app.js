// Glue for the finder: geolocation into the finder form, htmx settings, share and navigate.
// Everything here improves a page that already works without JavaScript.
(function () {
  "use strict";

  if (window.htmx) {
    // Invalid input comes back as 400/422 with the fragment re-rendered: swap it like a 200.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "^(400|422)$", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false }
    ];
  }

  function message(reason) {
    var template = document.getElementById("locate-messages");
    var item = template && template.content.querySelector('[data-reason="' + reason + '"]');
    return item ? item.textContent : "";
  }

  function setupLocate() {
    var form = document.getElementById("finder");
    var box = form && form.querySelector(".locate");
    if (!box) return;
    var button = box.querySelector(".js-locate");
    var status = document.getElementById("locate-status");
    if (!("geolocation" in navigator)) {
      button.hidden = true;
      status.textContent = message("unavailable");
      return;
    }
    button.addEventListener("click", function () {
      status.textContent = message("working");
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        button.disabled = false;
        status.textContent = "";
        form.elements.lat.value = position.coords.latitude.toFixed(5);
        form.elements.lon.value = position.coords.longitude.toFixed(5);
        form.elements.q.value = "";
        form.requestSubmit();
      }, function (error) {
        button.disabled = false;
        var reasons = { 1: "denied", 2: "unavailable", 3: "timeout" };
        status.textContent = message(reasons[error.code] || "unavailable");
        form.elements.q.focus();
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
    });
  }

  function setupLanguageSwitch() {
    // Pages change their URL through htmx; come back to the current one, not the first.
    document.querySelectorAll("form.language-switch").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.elements.next.value = location.pathname + location.search;
      });
    });
  }

  function setupStationActions() {
    var navigate = document.querySelector(".js-navigate");
    if (navigate && /iPhone|iPad|iPod/.test(navigator.userAgent)) {
      navigate.href = navigate.dataset.apple;
    }
    var share = document.querySelector(".js-share");
    if (!share) return;
    share.addEventListener("click", function (event) {
      if (navigator.share) {
        event.preventDefault();
        navigator.share({ title: share.dataset.title, url: share.href }).catch(function () {});
      } else if (navigator.clipboard) {
        event.preventDefault();
        navigator.clipboard.writeText(share.href).then(function () {
          share.textContent = share.dataset.copied;
        });
      }
    });
  }

  function setupOffline() {
    var banner = document.getElementById("offline-banner");
    if ("serviceWorker" in navigator && document.body.dataset.serviceWorker) {
      navigator.serviceWorker.register(document.body.dataset.serviceWorker, { scope: "/" })
        .catch(function () {});
    }
    if (!banner) return;
    function show(text) { banner.textContent = text; banner.hidden = false; }
    var savedAt = document.documentElement.dataset.offlineSavedAt;
    if (savedAt) {
      var saved = new Date(savedAt);
      var hhmm = ("0" + saved.getHours()).slice(-2) + ":" + ("0" + saved.getMinutes()).slice(-2);
      show(banner.dataset.saved.replace("{time}", hhmm));
    }
    window.addEventListener("offline", function () { if (!savedAt) show(banner.dataset.now); });
    window.addEventListener("online", function () { if (!savedAt) banner.hidden = true; });
    function offlineNow() { return !navigator.onLine || Boolean(savedAt); }
    // Writes need the server: say so instead of letting the browser show its error page.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if ((form.method || "").toLowerCase() === "post" && offlineNow()) {
        event.preventDefault();
        event.stopImmediatePropagation();
        show(banner.dataset.write);
      }
    }, true);
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      var verb = (event.detail.requestConfig && event.detail.requestConfig.verb) || "get";
      if (verb !== "get" && offlineNow()) {
        event.preventDefault();
        show(banner.dataset.write);
      }
    });
    document.body.addEventListener("htmx:sendError", function () { if (!savedAt) show(banner.dataset.now); });
    // A write the server was too busy to take (503) swaps nothing: say so, in the same bar.
    document.body.addEventListener("htmx:responseError", function (event) {
      if (event.detail.xhr && event.detail.xhr.status === 503) show(banner.dataset.busy);
    });
  }

  function setupPrint() {
    document.querySelectorAll(".js-print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  setupLocate();
  setupPrint();
  setupLanguageSwitch();
  setupStationActions();
  setupOffline();
})();
