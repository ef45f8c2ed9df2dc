"""Request limits, id bounds, redirects, proxies, hosts and HSTS (issue 14, items 5–7, 10)."""
import pytest
from flask import request

from accounts.policy import public
from app import create_app
from i18n import safe_next
from tests.accounts.helpers import csrf_token


def _app(**settings):
    return create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", **settings)


def test_large_bodies_are_refused_before_they_are_parsed_with_a_page_in_chinese(client):
    token = csrf_token(client)
    response = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token,
                                              "padding": "x" * 70_000})
    assert response.status_code == 413
    assert "太大" in response.get_data(as_text=True)


def test_the_413_page_speaks_english_to_english_readers(client):
    response = client.post("/account/login", data={"phone": "x" * 100_000},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_a_chunked_body_is_never_read_past_the_limit(client):
    """Without Content-Length (chunked), werkzeug stops reading at the limit: a field
    placed after 100 KB of padding is never seen."""
    import io
    from urllib.parse import urlencode

    body = urlencode({"pad": "x" * 100_000, "lang": "en", "next": "/",
                      "csrf_token": csrf_token(client)}).encode()
    response = client.post("/language", input_stream=io.BytesIO(body),
                           headers={"Content-Type": "application/x-www-form-urlencoded",
                                    "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 400  # no CSRF token and no language: both were cut off


def test_api_gets_its_413_as_json(client):
    response = client.post("/api/stations/nearest", data="x" * 70_000)
    assert response.status_code in (405, 413)
    response = client.post("/language", data="x" * 70_000,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_upload_endpoint_takes_bodies_up_to_eight_megabytes(app):
    from security import UPLOAD_ENDPOINTS

    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024
    assert app.config["UPLOAD_MAX_CONTENT_LENGTH"] == 8 * 1024 * 1024
    assert UPLOAD_ENDPOINTS <= {rule.endpoint for rule in app.url_map.iter_rules()}
    for endpoint in UPLOAD_ENDPOINTS:
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        with app.test_request_context(rule.rule, method="POST"):
            request.url_rule = rule  # what routing would have set
            from security import limit_request_body

            limit_request_body()
            assert request.max_content_length == 8 * 1024 * 1024


def test_staff_upload_of_six_megabytes_reaches_the_view_and_gets_its_message(
        client, make_user, make_organisation):
    from tests.accounts.helpers import log_in

    staff = make_user("staff", organisation_id=make_organisation().id)
    log_in(client, staff)
    token = csrf_token(client, "/staff/stations/upload")
    payload = b"name,address\n" + b"a" * (6 * 1024 * 1024)
    import io

    response = client.post("/staff/stations/upload", data={
        "csrf_token": token, "file": (io.BytesIO(payload), "big.csv")},
        content_type="multipart/form-data", headers={"Accept-Language": "en"})
    # The view's own limit (5 MB) answers, naming it: the body was not cut off at 64 KB.
    assert response.status_code == 413
    assert "5 MB" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    "/stations/2147483648", "/stations/9223372036854775808", "/stations/0",
    "/stations/-1", "/stations/" + "9" * 10_000, "/services/2147483648.ics",
    "/wishes/99999999999999999999"])
def test_ids_out_of_range_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_the_largest_id_postgresql_can_hold_is_looked_up(client):
    assert client.get("/stations/2147483647").status_code == 404


@pytest.mark.parametrize("target", [
    "/\t/evil.example", "/\r\nSet-Cookie: x=1", "//evil.example", "/\\evil.example",
    "\\\\evil.example", "https://evil.example/", "evil.example", "/%0a/\x00", " //evil.example",
    "/\x7f/evil.example", "http:/evil.example", ""])
def test_safe_next_refuses_anything_that_could_leave_the_site(app, target):
    with app.test_request_context("/"):
        assert safe_next(target) == "/"
        assert safe_next(target, "/services/mine") == "/services/mine"


def test_safe_next_keeps_a_path_with_its_query(app):
    with app.test_request_context("/"):
        assert safe_next("/services?category=legal&day=2026-12-02") == \
            "/services?category=legal&day=2026-12-02"


def test_language_switch_with_a_tab_in_next_stays_on_the_site(client):
    response = client.post("/language", data={"lang": "en", "next": "/\t/evil.example",
                                              "csrf_token": csrf_token(client)})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_the_login_link_carries_this_page_with_its_query(client):
    page = client.get("/?amenity=water&lat=39.1&lon=117.2").get_data(as_text=True)
    assert 'href="/account/login?next=/?amenity%3Dwater%26lat%3D39.1%26lon%3D117.2"' in page


def test_a_megabyte_long_query_is_not_echoed_into_links_or_the_login_redirect(client):
    huge = "9" * 1_000_000
    page = client.get(f"/?unused={huge}")
    assert page.status_code < 500 and len(page.get_data()) < 200_000
    assert 'href="/account/login?next=/"' in page.get_data(as_text=True)
    to_login = client.get(f"/account?unused={huge}")
    assert to_login.status_code == 302
    assert to_login.headers["Location"] == "/account/login?next=/account"


def test_a_page_whose_path_alone_is_too_long_gets_no_next(app):
    from pages import return_path

    with app.test_request_context("/stations/" + "9" * 2_000):
        assert return_path() is None
    with app.test_request_context("/services?day=2026-12-02"):
        assert return_path() == "/services?day=2026-12-02"


def test_services_action_redirect_uses_the_same_rule():
    import inspect

    import services.views

    source = inspect.getsource(services.views)
    assert "safe_next(request.form.get(\"next\")" in source


def _whoami_app(**settings):
    app = _app(**settings)

    @public
    def whoami():
        return {"addr": request.remote_addr, "scheme": request.scheme}

    app.add_url_rule("/whoami", "whoami", whoami)
    return app


def test_without_proxy_hops_forwarded_headers_are_ignored():
    client = _whoami_app().test_client()
    response = client.get("/whoami", headers={"X-Forwarded-For": "203.0.113.9",
                                              "X-Forwarded-Proto": "https"})
    assert response.json == {"addr": "127.0.0.1", "scheme": "http"}
    assert "Strict-Transport-Security" not in response.headers


def test_one_proxy_hop_believes_the_last_forwarded_address_only():
    client = _whoami_app(PROXY_FIX_HOPS=1).test_client()
    response = client.get("/whoami", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9",
                                              "X-Forwarded-Proto": "https"})
    assert response.json == {"addr": "203.0.113.9", "scheme": "https"}
    assert response.headers["Strict-Transport-Security"] == \
        "max-age=31536000; includeSubDomains"


def test_https_responses_carry_hsts_and_http_ones_do_not(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_trusted_hosts_refuse_a_foreign_host_header():
    client = _app(TRUSTED_HOSTS=["yizhan.example.cn"]).test_client()
    assert client.get("/", headers={"Host": "yizhan.example.cn"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PROXY_FIX_HOPS", "2")
    monkeypatch.setenv("TRUSTED_HOSTS", "yizhan.example.cn, .yizhan.example.cn")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "32768")
    app = _app()
    assert app.config["PROXY_FIX_HOPS"] == 2
    assert app.config["TRUSTED_HOSTS"] == ["yizhan.example.cn", ".yizhan.example.cn"]
    assert app.config["MAX_CONTENT_LENGTH"] == 32768


def test_a_malformed_number_setting_names_itself(monkeypatch):
    monkeypatch.setenv("PROXY_FIX_HOPS", "one")
    with pytest.raises(RuntimeError, match="PROXY_FIX_HOPS"):
        _app()


def test_integer_parameters_out_of_the_databases_range_count_as_malformed(app):
    with app.test_request_context("/?station=9223372036854775808&small=7&page=-2147483649"
                                  "&many=1&many=2147483648&many=-3"):
        assert request.args.get("station", type=int) is None
        assert request.args.get("station", default=0, type=int) == 0
        assert request.args.get("small", type=int) == 7
        assert request.args.get("page", type=int) is None
        assert request.args.getlist("many", type=int) == [1, -3]
        assert request.args.get("station") == "9223372036854775808"  # strings untouched
