"""Search by place on a phone: Chinese typed without spaces finds the station, and a street no
station names ("南京路") goes to the geocoder (a local Nominatim-format server) and lists the
stations nearest to it."""
import pytest
from playwright.sync_api import expect

from tests.station_admin.test_geocoding import nominatim  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def geocoder(live_server, nominatim):
    config = live_server.app.config
    saved = {key: config[key] for key in ("GEOCODER", "GEOCODER_SCHEME", "GEOCODER_DOMAIN",
                                          "GEOCODER_MIN_DELAY_SECONDS")}
    config.update(GEOCODER="nominatim", GEOCODER_SCHEME="http",
                  GEOCODER_DOMAIN=f"127.0.0.1:{nominatim.server_port}",
                  GEOCODER_MIN_DELAY_SECONDS=0)
    yield nominatim
    config.update(saved)


@pytest.mark.parametrize("locale, heading, riding", [
    ("zh-CN", "距 南京路 最近的驿站", "骑行约"),
    ("en", "Stations nearest to 南京路", "min by bike"),
])
def test_a_street_no_station_names_lists_the_nearest_stations(phone, live_server, geocoder,
                                                               locale, heading, riding):
    device = phone(locale=locale)
    page = device.page
    device.goto("/")
    page.locator("input[name=q]").fill("南京路")
    page.locator("input[name=q]").press("Enter")
    expect(page.locator(".results-title").first).to_have_text(heading)
    expect(page.locator(".station-row").first).to_contain_text(riding)
    assert geocoder.requests and "南京路" in geocoder.requests[-1]["q"][0]
    page.screenshot(path=f"test-results/place-search-{locale}.png")


def test_an_address_typed_without_spaces_finds_its_station(phone, live_server):
    device = phone(locale="zh-CN")
    page = device.page
    device.goto("/")
    page.locator("input[name=q]").fill("天津市河东区大王庄")
    page.locator("input[name=q]").press("Enter")
    expect(page.locator(".station-row").first).to_contain_text("大王庄")
