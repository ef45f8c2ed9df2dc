"""Pages: 附近的活 with filters in the URL, the post page's JSON-LD, one-tap apply, the
worker's wage answer reaching the legal-aid page, and the Excel upload preview and import."""
import io
import json
import re
from datetime import timedelta

from openpyxl import Workbook
from sqlalchemy import select

import clock
from extensions import db
from jobs.models import JobPost, WageCase
from jobs.uploads import HEADERS
from tests.accounts.helpers import log_in, post
from tests.jobs.conftest import NOW, TIANJIN, credit_code

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def test_nearby_lists_gigs_nearest_first_and_filters_by_distance_in_the_url(client, make_post):
    near = make_post(title="近处帮工", lat=TIANJIN[0] + 0.009, lon=TIANJIN[1])
    far = make_post(title="远处帮工", lat=TIANJIN[0] + 0.2, lon=TIANJIN[1])
    with clock.travel_to(NOW):
        page = client.get(f"/jobs?lat={TIANJIN[0]}&lon={TIANJIN[1]}").get_data(as_text=True)
        assert page.index(near.title) < page.index(far.title)
        page = client.get(f"/jobs?lat={TIANJIN[0]}&lon={TIANJIN[1]}&km=5").get_data(as_text=True)
    assert near.title in page and far.title not in page
    assert "1.0 km" in page


def test_filters_by_category_pay_and_same_day_pay(client, make_post):
    make_post(title="保安夜班", category="security", pay_min=150, pay_max=180, paid_daily=False)
    make_post(title="餐饮帮工", category="catering", pay_min=200, pay_max=242)
    with clock.travel_to(NOW):
        assert "保安夜班" not in client.get("/jobs?category=catering").get_data(as_text=True)
        assert "保安夜班" not in client.get("/jobs?pay=200").get_data(as_text=True)
        page = client.get("/jobs?daily=y").get_data(as_text=True)
    assert "餐饮帮工" in page and "保安夜班" not in page


def test_the_post_page_carries_a_job_posting(client, make_post):
    gig = make_post(title="餐饮帮工")
    with clock.travel_to(NOW):
        page = client.get(f"/jobs/{gig.id}").get_data(as_text=True)
    posting = json.loads(LD.search(page).group(1))
    assert posting["@type"] == "JobPosting" and posting["title"] == "餐饮帮工"
    assert posting["employmentType"] == "TEMPORARY"
    assert posting["baseSalary"]["value"] == {"@type": "QuantitativeValue", "minValue": 200,
                                              "maxValue": 242, "unitText": "DAY"}
    assert posting["jobLocation"]["geo"]["latitude"] == TIANJIN[0]
    assert posting["hiringOrganization"]["name"] == gig.employer.name


def test_drafts_are_not_shown_to_strangers(client, make_post):
    assert client.get(f"/jobs/{make_post(state='draft').id}").status_code == 404


def test_one_tap_apply_then_not_received_reaches_the_legal_aid_page(client, make_post, make_user,
                                                                    staff):
    gig = make_post()
    worker = make_user("worker")
    with clock.travel_to(NOW):
        log_in(client, worker)
        assert post(client, f"/jobs/{gig.id}/apply").status_code == 303
        page = client.get("/jobs/mine").get_data(as_text=True)
    assert gig.title in page
    application_id = int(re.search(r'id="application-(\d+)"', page).group(1))
    with clock.travel_to(gig.starts_at):
        assert post(client, f"/jobs/applications/{application_id}/check-in",
                    {"lat": TIANJIN[0], "lon": TIANJIN[1]}).status_code == 303
    client.post("/account/logout", data={})
    staff_client = client.application.test_client()
    with clock.travel_to(gig.ends_at):
        log_in(staff_client, staff)
        assert post(staff_client, f"/jobs/applications/{application_id}/mark_done").status_code == 303
    with clock.travel_to(gig.ends_at + timedelta(hours=24)):
        worker_client = client.application.test_client()
        log_in(worker_client, worker)
        assert post(worker_client, f"/jobs/applications/{application_id}/report_unpaid",
                    {"answer": "not_paid", "note": "说月底给"}).status_code == 303
        cases = staff_client.get("/staff/jobs/wage-cases").get_data(as_text=True)
    assert gig.title in cases and "说月底给" in cases
    assert db.session.scalar(select(WageCase.state)) == "open"


def _sheet(rows) -> bytes:
    workbook = Workbook()
    workbook.active.append(list(HEADERS.values()))
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_upload_previews_every_error_of_a_row_flags_duplicates_and_imports_the_rest(
        client, make_employer, staff):
    employer = make_employer(credit_code=credit_code(42))
    good = ["零工", employer.credit_code, "餐饮帮工", "餐饮服务", "津塘路 88 号", "39.12", "117.25",
            "120102", "200", "242", "天", "2026-12-05", "10:00", "20:00", "是", "5", "是",
            "2026-12-04", "洗切配"]
    duplicate = list(good)
    bad = ["零工", "91120102MA05JQ8R0X", "", "挖掘", "", "", "", "1201", "abc", "242", "周",
           "2026-12-05", "10:00", "20:00", "是", "5", "是", "2026-12-04", "限男性"]
    log_in(client, staff)
    with clock.travel_to(NOW):
        response = post(client, "/staff/jobs/upload",
                        {"file": (io.BytesIO(_sheet([good, duplicate, bad])), "岗位.xlsx")},
                        content_type="multipart/form-data")
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert page.count("row-duplicate") == 1 and page.count("row-new") == 1
        bad_row = page[page.index("<td>4</td>"):]
        assert bad_row.count('class="field-error"') >= 5
        token = re.search(r"/staff/jobs/upload/([^/]+)/import", page).group(1)
        assert post(client, f"/staff/jobs/upload/{token}/import").status_code == 303
    posts = db.session.scalars(select(JobPost)).all()
    assert [(p.title, p.state) for p in posts] == [("餐饮帮工", "published")]
