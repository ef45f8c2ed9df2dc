"""Sending one text message: the code that proves a phone number (accounts.otp).

SMS_BACKEND picks the sender:
- `console` (development and testing): the code goes to the application log, and into an
  in-process outbox that tests and the browser test read (`last_code_for`).
- `aliyun`: Alibaba Cloud SMS through its official SDK (alibabacloud-dysmsapi20170525).
- `tencent`: Tencent Cloud SMS through its official SDK (tencentcloud-sdk-python-sms).

`check_settings()` runs at startup: outside development and testing the console sender is
refused and a provider without its keys is a startup error, never a silent fallback.
SMS_ENDPOINT and SMS_PROTOCOL point a provider's SDK elsewhere (tests use a local server).
"""
import json
import logging
from collections import deque
from dataclasses import dataclass

from flask import current_app

from accounts.phones import masked, national_digits

log = logging.getLogger("yizhan.sms")
BACKENDS = ("console", "aliyun", "tencent")
REQUIRED = {
    "console": (),
    "aliyun": ("ALIYUN_ACCESS_KEY_ID", "ALIYUN_ACCESS_KEY_SECRET", "SMS_SIGN_NAME",
               "SMS_TEMPLATE"),
    "tencent": ("TENCENT_SECRET_ID", "TENCENT_SECRET_KEY", "TENCENT_SMS_APP_ID",
                "SMS_SIGN_NAME", "SMS_TEMPLATE"),
}

# (E.164 number, code), newest last: what the console sender "sent" in this process.
outbox: deque[tuple[str, str]] = deque(maxlen=200)


class SmsError(RuntimeError):
    """The provider did not take the message (refused, unreachable or too slow)."""


@dataclass
class ConsoleSender:
    """Development: the code is logged (and kept in `outbox`), nothing leaves the machine."""

    def send_code(self, phone: str, code: str) -> None:
        outbox.append((phone, code))
        current_app.logger.warning("SMS code for %s: %s (SMS_BACKEND=console)", masked(phone), code)


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
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        from alibabacloud_tea_openapi.models import Config
        from darabonba.runtime import RuntimeOptions

        client = Client(Config(access_key_id=self.access_key_id,
                               access_key_secret=self.access_key_secret,
                               endpoint=self.endpoint, protocol=self.protocol,
                               read_timeout=self.timeout_ms, connect_timeout=self.timeout_ms))
        request = SendSmsRequest(phone_numbers=national_digits(phone), sign_name=self.sign_name,
                                 template_code=self.template,
                                 template_param=json.dumps({"code": code}))
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
        request.TemplateId = self.template
        request.TemplateParamSet = [code]
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


def last_code_for(phone: str) -> str | None:
    """The newest code the console sender sent to `phone` in this process (tests)."""
    return next((code for number, code in reversed(outbox) if number == phone), None)
