"""Local servers that speak Alibaba Cloud's and Tencent Cloud's SMS APIs, for the real
provider SDKs: `stub(reply)` starts one, `provider(backend, endpoint)` points the app at it."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class ProviderStub:
    """A threaded HTTP server on 127.0.0.1. `reply(request)` returns (status, JSON body);
    with `hang` set, it holds the response until the test ends (the client times out)."""

    def __init__(self, reply):
        self.requests, self.reply, self.release = [], reply, threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                request = {"path": self.path, "headers": dict(self.headers), "body": body,
                           "query": parse_qs(urlsplit(self.path).query)}
                stub.requests.append(request)
                if stub.reply is None:
                    stub.release.wait(10)
                    return
                status, payload = stub.reply(request)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                       kwargs={"poll_interval": 0.05})  # a quick shutdown()
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    servers = []

    def start(reply):
        server = ProviderStub(reply)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def aliyun_fields(request) -> dict:
    """An Aliyun request's parameters, from its query and its form body."""
    fields = {k: v[0] for k, v in request["query"].items()}
    fields.update({k: v[0] for k, v in parse_qs(request["body"]).items()})
    return fields


@pytest.fixture
def provider(app):
    """The app's SMS settings pointed at a stub for one test, then back to console."""
    settings = dict(
        SMS_PROTOCOL="http", SMS_TIMEOUT_SECONDS=1, SMS_SIGN_NAME="驿站", SMS_TEMPLATE="SMS_1",
        SMS_RECOMMENDATION_TEMPLATE="SMS_2", ALIYUN_ACCESS_KEY_ID="id",
        ALIYUN_ACCESS_KEY_SECRET="secret", TENCENT_SECRET_ID="id", TENCENT_SECRET_KEY="secret",
        TENCENT_SMS_APP_ID="1400000000")
    saved = {key: app.config.get(key) for key in [*settings, "SMS_BACKEND", "SMS_ENDPOINT"]}

    def use(backend: str, endpoint: str):
        app.config.update(SMS_BACKEND=backend, SMS_ENDPOINT=endpoint, **settings)

    yield use
    app.config.update(saved)


# What each provider answers for a message it took.
OK_REPLIES = {
    "aliyun": {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"},
    "tencent": {"Response": {"SendStatusSet": [{"SerialNo": "1", "Code": "Ok", "Message": "ok",
                                                "Fee": 1, "PhoneNumber": "", "IsoCode": "CN",
                                                "SessionContext": ""}],
                             "RequestId": "r"}},
}


def notice_sent(backend: str, request) -> tuple[str, str, list[str]]:
    """(template, phone, parameters in template order) of a request a stub received."""
    if backend == "aliyun":
        fields = aliyun_fields(request)
        return (fields["TemplateCode"], fields["PhoneNumbers"],
                list(json.loads(fields["TemplateParam"]).values()))
    body = json.loads(request["body"])
    return body["TemplateId"], body["PhoneNumberSet"][0], body["TemplateParamSet"]
