"""The load test's traffic (run by bench/loadtest.py, which seeds the data and starts the
servers). Each simulated user is a distinct worker, signed in once, on one of the servers
(LOADTEST_HOSTS, comma-separated), with the mix of issue 17:

- 70% the finder list and the nearest API from random points near Chinese cities,
- 15% station pages,
- 10% check-ins (a tap on "Check in" at a random station),
- 5% event sign-ups (a worker) and wish claims (a volunteer).

`LOADTEST_MIX=checkins` runs check-ins only, `LOADTEST_MIX=nearest` the nearest API only
(anonymous, as an app would call it), `LOADTEST_MIX=healthz` bare /healthz."""
import itertools
import json
import os
import random
import re

from locust import FastHttpUser, between, constant, task

HOSTS = os.environ.get("LOADTEST_HOSTS", "http://127.0.0.1:8001").split(",")
MIX = os.environ.get("LOADTEST_MIX", "mix")
SEED = json.loads(open(os.environ["LOADTEST_SEED_FILE"]).read()) if MIX != "healthz" else {}
PASSWORD = SEED.get("password", "")
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
CITIES = ((39.9042, 116.4074), (31.2304, 121.4737), (23.1291, 113.2644), (22.5431, 114.0579),
          (30.5728, 104.0668), (39.1335, 117.2081), (30.2741, 120.1551), (34.3416, 108.9398))
_numbers = itertools.count()


def city_point() -> tuple[float, float]:
    lat, lon = random.choice(CITIES)
    return round(lat + random.uniform(-0.15, 0.15), 5), round(lon + random.uniform(-0.15, 0.15), 5)


class Visitor(FastHttpUser):
    """One worker (or, one in twenty, a volunteer) on one server. FastHttpUser
    (geventhttpclient) rather than HttpUser (requests): the load generator shares the two
    cores with the servers, and requests cost it several times the CPU per request."""

    wait_time = between(0.5, 1.5) if MIX == "mix" else constant(0)

    def on_start(self):
        number = next(_numbers)
        self.host = HOSTS[number % len(HOSTS)]
        self.client.base_url = self.host
        self.volunteer = MIX == "mix" and number % 20 == 19
        if MIX in ("healthz", "nearest"):
            return
        # Distinct accounts (bench/loadtest.py seeds one per user): the nth volunteer is
        # user 20n + 19, and used to be the same volunteer for all of them.
        phone = (SEED["volunteers"][number // 20 % len(SEED["volunteers"])] if self.volunteer
                 else SEED["workers"][number % len(SEED["workers"])])
        page = self.client.get("/account/login", name="/account/login")
        token = TOKEN.search(page.text).group(1)
        with self.client.post("/account/login", data={"phone": phone, "password": PASSWORD,
                                                      "csrf_token": token},
                              allow_redirects=False, name="/account/login [POST]",
                              catch_response=True) as response:
            if response.status_code != 303:
                response.failure(f"login {phone}: {response.status_code}")
        self.token = TOKEN.search(self.client.get("/account", name="/account").text).group(1)

    def _post(self, path: str, name: str, accept=(303,), data=None):
        with self.client.post(path, data={"csrf_token": self.token, **(data or {})},
                              allow_redirects=False, name=name, catch_response=True) as response:
            if response.status_code in accept:
                response.success()
            else:
                response.failure(f"{response.status_code}")

    @task(35)
    def finder(self):
        if MIX != "mix":
            return self._other()
        lat, lon = city_point()
        self.client.get(f"/?lat={lat}&lon={lon}", name="/ (finder list)")

    @task(35)
    def nearest(self):
        if MIX not in ("mix", "nearest"):
            return self._other()
        lat, lon = city_point()
        self.client.get(f"/api/stations/nearest?lat={lat}&lon={lon}&limit=5",
                        name="/api/stations/nearest")

    @task(15)
    def station_page(self):
        if MIX != "mix":
            return self._other()
        self.client.get(f"/stations/{random.choice(SEED['stations'])}", name="/stations/<id>")

    @task(10)
    def check_in(self):
        if MIX not in ("mix", "checkins"):
            return self._other()
        self._post(f"/stations/{random.choice(SEED['stations'])}/check-in",
                   "/stations/<id>/check-in [POST]")

    @task(5)
    def sign_up_or_claim(self):
        if MIX != "mix":
            return self._other()
        if self.volunteer:
            # Someone else may have claimed it first: "already claimed" is a right answer.
            self._post(f"/wishes/{random.choice(SEED['wishes'])}/claim",
                       "/wishes/<id>/claim [POST]", accept=(200, 303, 404, 409))
        else:
            # A second sign-up, a full event or a closed window are answered, not errors.
            self._post(f"/services/{random.choice(SEED['events'])}/register",
                       "/services/<id>/register [POST]", accept=(200, 303, 409, 422))

    def _other(self):
        if MIX == "healthz":
            self.client.get("/healthz", name="/healthz")
        elif MIX == "nearest":
            self.nearest()
        elif MIX == "checkins":
            self._post(f"/stations/{random.choice(SEED['stations'])}/check-in",
                       "/stations/<id>/check-in [POST]")
