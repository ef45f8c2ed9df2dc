// Camera scanning of QR tickets on the staff roster (/staff/services/<id>/roster).
//
// "Scan with camera" opens the camera (the back one on phones), reads the worker's QR ticket
// and submits its code through the roster's ticket code form, exactly as if it had been
// typed: htmx posts it and swaps the roster. The browser's BarcodeDetector reads the code
// where it exists; elsewhere the vendored jsQR decoder is loaded, only when the button is
// pressed. Without a camera, without permission or without JavaScript the typed box works
// and the page says why scanning is unavailable (the messages come translated in the page).
(function () {
  "use strict";

  // services/tickets.py: "<registration id>-<8 base32 characters>", e.g. 123-K7QX2M9A.
  var TICKET = /^\d+-[A-Z2-7]{8}$/i;
  var SAME_CODE_PAUSE_MS = 4000; // the same ticket stays in view; submit it once
  var FRAME_GAP_MS = 120;        // decode about eight frames a second, not sixty
  var MAX_SIDE = 640;            // jsQR reads a downscaled frame; tickets fill the view

  var root, startButton, stopButton, view, video, statusLine;
  var stream = null, detect = null, lastCode = "", lastAt = 0, lastFrameAt = 0, busy = false;

  function message(reason) {
    var template = root.querySelector("template.scanner-messages");
    var item = template && template.content.querySelector('[data-reason="' + reason + '"]');
    return item ? item.textContent : "";
  }

  function say(reason) {
    statusLine.textContent = reason ? message(reason) : "";
    statusLine.dataset.reason = reason || "";
  }

  function unavailable(reason) {
    stopCamera();
    startButton.hidden = true;
    say(reason);
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src; // same origin, so the page's CSP (script-src 'self') allows it
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function jsqrDetector() {
    var load = window.jsQR ? Promise.resolve() : loadScript(root.dataset.decoder);
    return load.then(function () {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function (frame) {
        var scale = Math.min(1, MAX_SIDE / Math.max(frame.videoWidth, frame.videoHeight));
        var width = Math.round(frame.videoWidth * scale), height = Math.round(frame.videoHeight * scale);
        if (!width || !height) return Promise.resolve(null);
        canvas.width = width;
        canvas.height = height;
        context.drawImage(frame, 0, 0, width, height);
        var found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height,
                                { inversionAttempts: "attemptBoth" });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  function makeDetector() {
    if (!("BarcodeDetector" in window)) return jsqrDetector();
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") === -1) return jsqrDetector();
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function (frame) {
        return detector.detect(frame).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      };
    }, jsqrDetector);
  }

  function submit(text) {
    var code = (text || "").trim();
    if (!code) return;
    if (!TICKET.test(code)) {
      say("not_a_ticket");
      return;
    }
    var now = Date.now();
    if (code === lastCode && now - lastAt < SAME_CODE_PAUSE_MS) return;
    var form = document.querySelector("#roster form.scan-form");
    if (!form || form.classList.contains("htmx-request")) return;
    lastCode = code;
    lastAt = now;
    form.elements.code.value = code;
    say("read");
    if (navigator.vibrate) navigator.vibrate(60);
    form.requestSubmit();
  }

  function nextFrame() {
    if (stream) window.requestAnimationFrame(scanFrame);
  }

  function scanFrame(time) {
    if (!stream) return;
    if (busy || video.readyState < 2 || time - lastFrameAt < FRAME_GAP_MS) {
      nextFrame();
      return;
    }
    busy = true;
    lastFrameAt = time;
    detect(video).then(submit, function () {}).then(function () {
      busy = false;
      nextFrame();
    });
  }

  function reasonFor(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") return "denied";
    if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "no_camera";
    if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") return "busy";
    return "unsupported";
  }

  function startCamera() {
    startButton.disabled = true;
    say("starting");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (opened) {
        stream = opened;
        return (detect ? Promise.resolve(detect) : makeDetector()).then(function (made) {
          detect = made;
        }, function () {
          unavailable("no_decoder");
          throw new Error("no decoder");
        });
      }, function (error) {
        unavailable(reasonFor(error));
        throw error;
      })
      .then(function () {
        if (!stream) return;
        video.srcObject = stream;
        view.hidden = false;
        startButton.hidden = true;
        startButton.disabled = false;
        stopButton.hidden = false;
        say("scanning");
        return video.play();
      })
      .then(nextFrame, function () {});
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    if (video) video.srcObject = null;
    if (view) view.hidden = true;
    if (stopButton) stopButton.hidden = true;
    if (startButton) startButton.disabled = false;
  }

  function setup() {
    root = document.getElementById("ticket-scanner");
    if (!root || root.dataset.ready) return;
    root.dataset.ready = "1";
    startButton = root.querySelector(".js-scan-start");
    stopButton = root.querySelector(".js-scan-stop");
    view = root.querySelector(".scanner-view");
    video = view.querySelector("video");
    statusLine = root.querySelector(".scanner-status");

    if (!window.isSecureContext) return say("insecure");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return say("unsupported");
    startButton.hidden = false;
    // Before anyone presses: a device with no camera at all says so at once.
    if (navigator.mediaDevices.enumerateDevices) {
      navigator.mediaDevices.enumerateDevices().then(function (devices) {
        var cameras = devices.filter(function (device) { return device.kind === "videoinput"; });
        if (!cameras.length && !stream) unavailable("no_camera");
      }, function () {});
    }
    startButton.addEventListener("click", startCamera);
    stopButton.addEventListener("click", function () {
      stopCamera();
      startButton.hidden = false;
      say("");
    });
    // Give the camera back when the page is left or put away; pressing the button reopens it.
    window.addEventListener("pagehide", stopCamera);
    document.addEventListener("visibilitychange", function () {
      if (document.hidden && stream) {
        stopCamera();
        startButton.hidden = false;
        say("");
      }
    });
    // The roster was swapped (a scan or a typed code): keep asking for the next ticket.
    document.body.addEventListener("htmx:afterSettle", function () {
      if (stream && statusLine.dataset.reason === "read") say("scanning");
    });
    // A ticket or a tap that cannot be used now (a place cancelled meanwhile) answers 409
    // with the roster, or the row, and its message; show it instead of leaving it unchanged.
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
      if (event.detail.xhr.status === 409 && elt && elt.closest && elt.closest("#roster")) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
