"""Sending one text message: the code that proves a phone number (accounts.otp), or a
notice another domain sends (a job recommendation: jobs.seekers).

SMS_BACKEND picks the sender:
- `console` (development and testing): the code goes to the application log, and into an
  in-process outbox that tests and the browser test read (`last_code_for`).
- `aliyun`: Alibaba Cloud SMS through its official SDK (alibabacloud-dysmsapi20170525).
- `tencent`: Tencent Cloud SMS through its official SDK (tencentcloud-sdk-python-sms).

Chinese providers send only templates they approved, so each kind of message has its own
template setting: SMS_TEMPLATE for the code, and one per notice (NOTICE_TEMPLATES). A notice's
parameters are short texts (`notice_params` fits them to NOTICE_PARAM_MAX characters): the
template holds the fixed words, and any link, since neither provider accepts a link in a
parameter.

`check_settings()` runs at startup: outside development and testing the console sender is
refused and a provider without its keys or any of its templates is a startup error, never a
silent fallback. SMS_ENDPOINT and SMS_PROTOCOL point a provider's SDK elsewhere (tests use a
local server).
"""
import json
import logging
from collections import deque
from dataclasses import dataclass

from flask import current_app

from accounts.phones import masked, national_digits

log = logging.getLogger("yizhan.sms")
BACKENDS = ("console", "aliyun", "tencent")
# Each notice a domain sends -> the setting that names its approved template, and the
# template's parameters in order (Aliyun fills ${name}; Tencent fills {1}, {2}, ... in this
# order).
NOTICE_TEMPLATES = {"recommendation": ("SMS_RECOMMENDATION_TEMPLATE", ("title", "place"))}
# Aliyun's notice variables hold 1-35 characters by default (older templates fail beyond
# 20); a Tencent enterprise account has no per-variable limit. 20 fits both.
NOTICE_PARAM_MAX = 20
_NOTICE_SETTINGS = tuple(setting for setting, _names in NOTICE_TEMPLATES.values())
REQUIRED = {
    "console": (),
    "aliyun": ("ALIYUN_ACCESS_KEY_ID", "ALIYUN_ACCESS_KEY_SECRET", "SMS_SIGN_NAME",
               "SMS_TEMPLATE", *_NOTICE_SETTINGS),
    "tencent": ("TENCENT_SECRET_ID", "TENCENT_SECRET_KEY", "TENCENT_SMS_APP_ID",
                "SMS_SIGN_NAME", "SMS_TEMPLATE", *_NOTICE_SETTINGS),
}

# (E.164 number, code), newest last: what the console sender "sent" in this process.
outbox: deque[tuple[str, str]] = deque(maxlen=200)
# (E.164 number, template, parameters), newest last: the console sender's notices.
notices: deque[tuple[str, str, dict]] = deque(maxlen=200)


class SmsError(RuntimeError):
    """The provider did not take the message (refused, unreachable or too slow)."""


@dataclass
class ConsoleSender:
    """Development: the code is logged (and kept in `outbox`), nothing leaves the machine."""

    def send_code(self, phone: str, code: str) -> None:
        outbox.append((phone, code))
        current_app.logger.warning("SMS code for %s: %s (SMS_BACKEND=console)", masked(phone), code)

    def send_notice(self, phone: str, template: str, params: dict[str, str]) -> None:
        notices.append((phone, template, dict(params)))
        current_app.logger.warning("SMS notice %s for %s: %s (SMS_BACKEND=console)",
                                   template, masked(phone), params)


@dataclass
class AliyunSender:
    access_key_id: str
    access_key_secret: str
    sign_name: str
    template: str
    endpoint: str = "dysmsapi.aliyuncs.com"
    protocol: str = "https"
    timeout_ms: int = 5000

    def send_code(self, phone: str, code: str) -> None:
        self._send(phone, self.template, {"code": code})

    def send_notice(self, phone: str, template: str, params: dict[str, str]) -> None:
        self._send(phone, template, params)

    def _send(self, phone: str, template: str, params: dict[str, str]) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        from alibabacloud_tea_openapi.models import Config
        from darabonba.runtime import RuntimeOptions

        client = Client(Config(access_key_id=self.access_key_id,
                               access_key_secret=self.access_key_secret,
                               endpoint=self.endpoint, protocol=self.protocol,
                               read_timeout=self.timeout_ms, connect_timeout=self.timeout_ms))
        request = SendSmsRequest(phone_numbers=national_digits(phone), sign_name=self.sign_name,
                                 template_code=template,
                                 template_param=json.dumps(params))
        try:
            response = client.send_sms_with_options(request, RuntimeOptions(autoretry=False))
        except Exception as error:  # the SDK raises its own and the transport's errors
            raise SmsError(f"aliyun: {type(error).__name__}: {error}") from error
        body = response.body
        if body is None or body.code != "OK":
            raise SmsError(f"aliyun: {getattr(body, 'code', None)}: {getattr(body, 'message', None)}")


@dataclass
class TencentSender:
    secret_id: str
    secret_key: str
    app_id: str
    sign_name: str
    template: str
    region: str = "ap-guangzhou"
    endpoint: str = "sms.tencentcloudapi.com"
    protocol: str = "https"
    timeout_s: int = 5

    def send_code(self, phone: str, code: str) -> None:
        self._send(phone, self.template, [code])

    def send_notice(self, phone: str, template: str, params: dict[str, str]) -> None:
        self._send(phone, template, list(params.values()))

    def _send(self, phone: str, template: str, params: list[str]) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException)
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import models, sms_client

        profile = ClientProfile(httpProfile=HttpProfile(
            protocol=self.protocol, endpoint=self.endpoint, reqTimeout=self.timeout_s))
        client = sms_client.SmsClient(credential.Credential(self.secret_id, self.secret_key),
                                      self.region, profile)
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [phone]
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = template
        request.TemplateParamSet = params
        try:
            response = client.SendSms(request)
        except TencentCloudSDKException as error:
            raise SmsError(f"tencent: {error.get_code()}: {error.get_message()}") from error
        statuses = response.SendStatusSet or []
        if not statuses or statuses[0].Code != "Ok":
            status = statuses[0] if statuses else None
            raise SmsError(f"tencent: {getattr(status, 'Code', None)}: "
                           f"{getattr(status, 'Message', None)}")


def sender(config=None):
    """The sender SMS_BACKEND names, built from the settings."""
    config = config or current_app.config
    backend = config["SMS_BACKEND"]
    endpoint, protocol = config.get("SMS_ENDPOINT") or None, config.get("SMS_PROTOCOL") or "https"
    timeout = float(config.get("SMS_TIMEOUT_SECONDS", 5))
    if backend == "aliyun":
        return AliyunSender(config["ALIYUN_ACCESS_KEY_ID"], config["ALIYUN_ACCESS_KEY_SECRET"],
                            config["SMS_SIGN_NAME"], config["SMS_TEMPLATE"],
                            endpoint=endpoint or "dysmsapi.aliyuncs.com", protocol=protocol,
                            timeout_ms=int(timeout * 1000))
    if backend == "tencent":
        return TencentSender(config["TENCENT_SECRET_ID"], config["TENCENT_SECRET_KEY"],
                             config["TENCENT_SMS_APP_ID"], config["SMS_SIGN_NAME"],
                             config["SMS_TEMPLATE"],
                             region=config.get("TENCENT_SMS_REGION") or "ap-guangzhou",
                             endpoint=endpoint or "sms.tencentcloudapi.com", protocol=protocol,
                             timeout_s=max(1, round(timeout)))
    return ConsoleSender()


def notice_params(kind: str, values: dict[str, str]) -> dict[str, str]:
    """The notice's parameters in its template's order, each one line of at most
    NOTICE_PARAM_MAX characters (a cut one ends in "…"), never empty (providers refuse an
    empty variable)."""
    fitted = {}
    for name in NOTICE_TEMPLATES[kind][1]:
        text = " ".join(str(values.get(name) or "").split()) or "-"
        fitted[name] = text if len(text) <= NOTICE_PARAM_MAX else text[:NOTICE_PARAM_MAX - 1] + "…"
    return fitted


def send_notice(phone: str, kind: str, values: dict[str, str], config=None) -> None:
    """Send the notice `kind` (a key of NOTICE_TEMPLATES) through the configured sender, in
    its approved template; raises SmsError. Call it after the transaction that decided it
    has committed: a message cannot be taken back by a rollback."""
    config = config or current_app.config
    setting, _names = NOTICE_TEMPLATES[kind]
    sender(config).send_notice(phone, config.get(setting) or kind, notice_params(kind, values))


def check_settings(config) -> None:
    """Refuse to start with an SMS setup that would not reach people (see module docstring)."""
    backend = config.get("SMS_BACKEND")
    if backend not in BACKENDS:
        raise RuntimeError(f"SMS_BACKEND={backend!r} is not one of {', '.join(BACKENDS)}")
    if backend == "console" and config["ENV_NAME"] not in ("development", "testing"):
        raise RuntimeError("SMS_BACKEND is console (codes would only reach the log); set "
                           "SMS_BACKEND=aliyun or tencent and its keys for production.")
    missing = [name for name in REQUIRED[backend] if not config.get(name)]
    if missing:
        raise RuntimeError(f"SMS_BACKEND={backend} needs {', '.join(missing)}")


def notices_to(phone: str) -> list[tuple[str, dict]]:
    """(template, parameters) of the console sender's notices to `phone`, oldest first (tests)."""
    return [(template, params) for number, template, params in notices if number == phone]


def last_code_for(phone: str) -> str | None:
    """The newest code the console sender sent to `phone` in this process (tests)."""
    return next((code for number, code in reversed(outbox) if number == phone), None)
