"""Offline: the last results list and the station pages visited open without a connection,
marked with the time they were saved, and writes say they need a connection."""
import re

import pytest

pytestmark = pytest.mark.browser

LIST = "/?lat=39.1335&lon=117.2081"


@pytest.mark.parametrize("locale, saved, write", [
    ("zh-CN", r"离线 · 更新于 \d\d:\d\d", "您已离线"),
    ("en", r"Offline · updated at \d\d:\d\d", "You are offline"),
])
def test_list_and_station_page_open_offline_and_writes_wait_for_a_connection(
        phone, live_server, locale, saved, write):
    device = phone(locale=locale)
    page = device.page
    device.goto(LIST)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # The first visit installs the worker; from the second on it keeps copies.
    device.goto(LIST)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    station_link = page.locator("a[href^='/stations/']").first
    station_path = station_link.get_attribute("href")
    station_name = station_link.locator(".station-name").inner_text().strip()
    device.goto(station_path)
    page.wait_for_load_state("load")
    assert page.locator("#offline-banner").is_hidden()

    page.context.set_offline(True)
    device.goto(LIST)
    banner = page.locator("#offline-banner")
    assert re.fullmatch(saved, banner.inner_text().strip())
    assert page.locator(f"a[href='{station_path}']").count() == 1

    # Another list URL falls back to the last list that was loaded.
    device.goto("/?lat=39.14&lon=117.21")
    assert page.locator(f"a[href='{station_path}']").count() == 1

    device.goto(station_path)
    assert station_name in page.locator("h1").inner_text()
    assert re.fullmatch(saved, banner.inner_text().strip())
    page.screenshot(path=f"test-results/offline-station-{locale}.png")

    # Any POST form (here the language switch) stays on the page and says why.
    page.locator("form.language-switch button[type=submit]").click()
    assert write in banner.inner_text()
    assert page.url.endswith(station_path)
    page.context.set_offline(False)


def test_pages_that_were_never_saved_are_not_faked(phone, live_server):
    device = phone(locale="en")
    page = device.page
    device.goto(LIST)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    device.goto(LIST)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    with pytest.raises(Exception):
        device.goto("/services")  # not an offline page: the browser's own error, honestly
    page.context.set_offline(False)
