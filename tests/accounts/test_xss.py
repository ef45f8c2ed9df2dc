"""Whatever people type into an account's text fields comes back escaped, on every page
that shows it: their own profile, the navigation, and the staff pages."""
import pytest

from tests.accounts.helpers import log_in, post

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
            "</textarea><svg onload=alert(1)>"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_fields_render_escaped_everywhere(app, client, make_user, make_organisation, payload):
    organisation = make_organisation(district="河东区")
    worker = make_user(home_district="河东区")
    log_in(client, worker)
    response = post(client, "/account", {"display_name": payload[:50], "platform": "",
                                         "home_region_code": "120102", "language": "zh_Hans"})
    assert response.status_code == 303
    # District names typed before the picker (the codes still match, so staff see the worker).
    organisation.district = payload[:50]
    worker.home_district = payload[:50]
    from extensions import db
    db.session.commit()
    staff = make_user("staff", organisation_id=organisation.id, display_name=payload[:50])
    staff_client = app.test_client()
    log_in(staff_client, staff)
    pages = [client.get("/account"), staff_client.get("/staff/people"),
             staff_client.get(f"/staff/people/{worker.id}"), staff_client.get("/account")]
    for page in pages:
        body = page.get_data(as_text=True)
        assert page.status_code == 200
        assert payload[:50] not in body
        assert "&lt;" in body


def test_registration_errors_echo_input_escaped(client):
    from tests.accounts.helpers import csrf_token

    response = client.post("/account/register", data={
        "phone": "<script>alert(1)</script>", "display_name": "<script>alert(1)</script>",
        "password": "x", "csrf_token": csrf_token(client)})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
