"""A courier's first visit, in real Chromium on a 390×844 phone in Chinese: scan a station's
poster while having no account, follow 用手机号注册, prove the number with the SMS code,
and land back on the check-in, which one tap completes. The code is read from the console
sender's outbox, as the courier would read it off their phone."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.sms import last_code_for
from checkins.posters import poster_token
from extensions import db
from rest_stations.models import Station

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("YIZHAN_SCREENSHOTS")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/first-visit-{name}.png", full_page=True)


def test_new_courier_signs_up_from_the_poster_and_the_check_in_follows(phone, live_server):
    with live_server.app_context():
        station = db.session.scalars(db.select(Station).order_by(Station.id.desc())).first()
        token, name = poster_token(station.id, 1), station.name
        db.session.remove()
    courier = phone(locale="zh-CN")
    page = courier.page
    courier.goto(f"/check-in/{token}")
    expect(page).to_have_url(re.compile(r"/account/login\?next="))
    page.get_by_role("link", name="用手机号注册").click()
    expect(page).to_have_url(re.compile(r"/account/register\?next=(%2F|/)check-in(%2F|/)"))

    page.locator("input[name=phone]").fill("137 0000 8421")
    page.get_by_role("button", name="发送验证码").click()
    expect(page.locator(".send-code [role=status]")).to_contain_text("137****8421")
    shoot(page, "1-code-sent")
    code = last_code_for("+8613700008421")
    assert code is not None
    page.locator("input[name=code]").fill(code)
    page.locator("input[name=display_name]").fill("新骑手")
    page.locator("input[name=password]").fill("first time here")
    page.locator("input[name=consent]").check()
    shoot(page, "2-filled")
    page.get_by_role("button", name="注册", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/check-in/{re.escape(token)}$"))
    expect(page.locator("body")).to_contain_text(name)
    page.wait_for_load_state("load")
    panel = page.locator(".check-in")
    panel.get_by_role("button", name="签到", exact=True).click()
    expect(panel.locator(".check-in-line")).to_contain_text(re.compile(r"\d\d:\d\d 已签到"))
    shoot(page, "3-checked-in")
    assert not courier.console_errors, courier.console_errors
