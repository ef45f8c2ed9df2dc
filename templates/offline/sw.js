/* Yizhan's service worker: the finder keeps working in basements, tunnels and lifts.
   Rendered by offline.py, so the cache name changes whenever a shell file changes.
   - The app shell (styles, scripts, icons) is cached at install.
   - The results list and station pages are fetched from the network first; a copy is kept
     for {{ max_age_hours }} hours and served, marked with its time, when the network fails.
   - Nothing else is cached: accounts, staff pages and every write always need the network. */
"use strict";
var CACHE = "yizhan-{{ version }}";
var SHELL = {{ shell | tojson }};
var MAX_AGE_MS = {{ max_age_hours }} * 3600 * 1000;
var NETWORK_TIMEOUT_MS = {{ network_timeout_ms }};
var LAST_LIST = "/__last-list__";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("yizhan-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function isCachedPage(url) {
  return url.pathname === "/" || /^\/stations\/\d+$/.test(url.pathname);
}

function stamped(response) {
  // Keep the moment we saved it, so the offline page can say how old it is.
  return response.clone().text().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set("X-Yizhan-Saved-At", new Date().toISOString());
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  });
}

function markedOffline(response) {
  var savedAt = response.headers.get("X-Yizhan-Saved-At");
  if (!savedAt || Date.now() - Date.parse(savedAt) > MAX_AGE_MS) return null;
  return response.text().then(function (body) {
    body = body.replace("<html ", '<html data-offline-saved-at="' + savedAt + '" ');
    return new Response(body, { status: 200, headers: response.headers });
  });
}

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
                 function (error) { clearTimeout(timer); reject(error); });
  });
}

function fromCache(request, isList) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (found) {
      return found || (isList ? cache.match(LAST_LIST) : undefined);
    });
  }).then(function (found) { return found ? markedOffline(found) : null; });
}

function pageFirstFromNetwork(request, url) {
  var isList = url.pathname === "/";
  var fetched = fetch(request).then(function (response) {
    if (response.ok && (response.headers.get("Content-Type") || "").indexOf("text/html") === 0) {
      var saved = stamped(response);
      saved.then(function (copy) {
        return caches.open(CACHE).then(function (cache) {
          var puts = [cache.put(request, copy.clone())];
          if (isList) puts.push(cache.put(LAST_LIST, copy.clone()));
          return Promise.all(puts);
        });
      });
    }
    return response;
  });
  return withTimeout(fetched, NETWORK_TIMEOUT_MS).catch(function () {
    return fromCache(request, isList).then(function (cached) {
      return cached || fetched;  // nothing saved: keep waiting for the network
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    // Fingerprinted URLs never change content: the cache answers first.
    event.respondWith(caches.match(request).then(function (found) {
      return found || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  // Only whole pages: an htmx fragment request for the same URL must not get a page.
  if (isCachedPage(url) && !request.headers.get("HX-Request")) {
    event.respondWith(pageFirstFromNetwork(request, url));
  }
});
