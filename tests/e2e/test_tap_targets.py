"""Every link and button a thumb may need is at least 44×44 CSS pixels on a 360 px phone.

Links inside a sentence are the one exception (WCAG 2.5.8): the sentence around them sets
their height, and making them taller would break the line. Everything else — header, menu,
chips, list rows, form buttons — is measured on the main pages, signed out and as staff.
"""
import pytest

from tests.e2e.conftest import require_chromium

pytestmark = pytest.mark.browser

MINIMUM = 44
# Visible, clickable, and not a link inside running text.
MEASURE = """() => {
  const small = [];
  const targets = document.querySelectorAll(
    'a[href], button, summary, input[type=submit], input[type=button], select, [role=button]');
  for (const el of targets) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (el.closest('.visually-hidden, [hidden]')) continue;
    if (style.display === 'inline' && el.tagName === 'A') {
      const parentText = (el.parentElement.innerText || '').trim();
      const ownText = (el.innerText || '').trim();
      if (parentText.length > ownText.length) continue;  // a link in a sentence
    }
    if (box.width < %(min)d - 0.5 || box.height < %(min)d - 0.5) {
      small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}""" % {"min": MINIMUM}

PUBLIC_PAGES = ["/", "/?lat=39.1335&lon=117.2081", "/services", "/wishes", "/account/login",
                "/account/register"]


def _small_targets(page, path, *, open_menu=False):
    page.goto(path)
    page.wait_for_load_state("load")
    if open_menu:
        page.click("details.menu > summary")
    return page.evaluate(MEASURE)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_public_pages_have_no_tap_target_under_44px(phone, live_server, locale):
    require_chromium()
    device = phone(locale=locale)
    device.page.set_viewport_size({"width": 360, "height": 780})
    station_path = device.page.goto(live_server.url + "/?lat=39.1335&lon=117.2081") and \
        device.page.locator("a[href^='/stations/']").first.get_attribute("href")
    problems = {}
    for path in PUBLIC_PAGES + [station_path]:
        small = _small_targets(device.page, live_server.url + path)
        if small:
            problems[path] = small
    small = _small_targets(device.page, live_server.url + "/", open_menu=True)
    if small:
        problems["/ (menu open)"] = small
    assert not problems, problems


def test_header_stays_one_row_at_360px(phone, live_server):
    device = phone(locale="en")
    device.page.set_viewport_size({"width": 360, "height": 780})
    device.goto("/")
    height = device.page.evaluate("document.querySelector('header.topbar').getBoundingClientRect().height")
    assert height <= 60


STAFF_PAGES = ["/staff/people", "/staff/stations", "/staff/reports", "/staff/services",
               "/staff/wishes"]


def test_staff_pages_and_menu_have_no_tap_target_under_44px(phone, live_server):
    from datetime import datetime, timezone

    from werkzeug.security import generate_password_hash

    from accounts.models import Organisation, User
    from extensions import db

    with live_server.app_context():
        organisation = Organisation(name="点按测试工会", city="天津市", district="河东区")
        db.session.add(organisation)
        db.session.flush()
        db.session.add(User(phone="+8613900004444", display_name="小王", role="staff",
                            organisation_id=organisation.id, consent_at=datetime.now(timezone.utc),
                            password_hash=generate_password_hash("tap targets", method="pbkdf2:sha256:1")))
        db.session.commit()
        db.session.remove()
    device = phone(locale="zh-CN")
    page = device.page
    page.set_viewport_size({"width": 360, "height": 780})
    device.goto("/account/login")
    page.locator("input[name=phone]").fill("13900004444")
    page.locator("input[name=password]").fill("tap targets")
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_load_state("load")
    problems = {}
    for path in STAFF_PAGES:
        small = _small_targets(page, live_server.url + path)
        if small:
            problems[path] = small
        height = page.evaluate("document.querySelector('header.topbar').getBoundingClientRect().height")
        if height > 60:
            problems[path + " header"] = [f"{height} px tall"]
    small = _small_targets(page, live_server.url + "/staff/people", open_menu=True)
    if small:
        problems["menu"] = small
    assert not problems, problems
