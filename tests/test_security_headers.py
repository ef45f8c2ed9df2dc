"""Every page forbids third-party scripts and styles; tiles are the one outside origin."""


def test_pages_send_a_nonce_csp_and_companion_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert "img-src 'self' data: https://tile.openstreetmap.org" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]


def test_each_response_gets_a_fresh_nonce(client):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_absolute_urls_use_the_configured_base_not_the_host_header(app, client):
    from pages import absolute_url_for

    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert absolute_url_for("stations.index").startswith("http://evil.example")
        app.config["PUBLIC_BASE_URL"] = "https://yizhan.example.cn/"
        try:
            assert absolute_url_for("stations.detail", station_id=7) == \
                "https://yizhan.example.cn/stations/7"
        finally:
            app.config["PUBLIC_BASE_URL"] = ""


def test_a_database_error_other_than_busy_is_still_a_500():
    # The 503 of a busy SQLite (tests/test_transactions.py) is for "database is locked" only.
    from sqlalchemy.exc import OperationalError

    from accounts.policy import public
    from app import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", PROPAGATE_EXCEPTIONS=False)

    @public
    def broken():
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    app.add_url_rule("/broken", "broken", broken)
    response = app.test_client().get("/broken")
    assert response.status_code == 500 and "Retry-After" not in response.headers
