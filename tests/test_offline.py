"""The service worker script (offline.py): served from the root, revalidated every time,
and a 304 when the browser already has it."""


def test_the_service_worker_is_revalidated_and_answered_304_when_unchanged(client):
    first = client.get("/sw.js")
    assert first.status_code == 200 and first.mimetype == "text/javascript"
    assert first.headers["Cache-Control"] == "no-cache"
    assert first.headers["Service-Worker-Allowed"] == "/"
    body = first.get_data(as_text=True)
    assert "/static/css/site.css?v=" in body and 'var CACHE = "yizhan-' in body
    again = client.get("/sw.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/sw.js").get_data(as_text=True) == body


def test_the_service_worker_follows_its_settings(app, client):
    before = client.get("/sw.js")
    app.config["OFFLINE_MAX_AGE_HOURS"] += 1
    try:
        after = client.get("/sw.js", headers={"If-None-Match": before.headers["ETag"]})
    finally:
        app.config["OFFLINE_MAX_AGE_HOURS"] -= 1
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
