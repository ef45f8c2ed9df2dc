"""The real provider SDKs, pointed at local servers that speak Alibaba Cloud's and Tencent
Cloud's SMS APIs: a message goes out, a provider error and a timeout become SmsError, and
the sign-up page answers them without a 500."""
import json

import pytest

from accounts import sms
from accounts.sms import AliyunSender, SmsError, TencentSender
from tests.accounts.helpers import post
from tests.accounts.sms_stubs import (OK_REPLIES, aliyun_fields, notice_sent,  # noqa: F401
                                     provider, stub)

PHONE = "+8613812345678"


def aliyun(endpoint: str, timeout_ms: int = 2000) -> AliyunSender:
    return AliyunSender("test-key-id", "test-key-secret", "驿站", "SMS_123456789",
                        endpoint=endpoint, protocol="http", timeout_ms=timeout_ms)


def tencent(endpoint: str, timeout_s: int = 1) -> TencentSender:
    return TencentSender("AKIDtest", "test-secret", "1400000000", "驿站", "1234567",
                         endpoint=endpoint, protocol="http", timeout_s=timeout_s)


def test_aliyun_sends_the_code_in_its_template_with_a_signed_request(stub):
    server = stub(lambda request: (200, {"Code": "OK", "Message": "OK", "BizId": "1",
                                         "RequestId": "r-1"}))
    aliyun(server.endpoint).send_code(PHONE, "123456")
    request = server.requests[0]
    headers = {name.lower(): value for name, value in request["headers"].items()}
    fields = aliyun_fields(request)
    # The V3 (ACS3) request: action and version in headers, parameters in the query.
    assert headers["x-acs-action"] == "SendSms" and headers["x-acs-version"] == "2017-05-25"
    assert headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=test-key-id,")
    assert fields["PhoneNumbers"] == "13812345678" and fields["SignName"] == "驿站"
    assert fields["TemplateCode"] == "SMS_123456789"
    assert json.loads(fields["TemplateParam"]) == {"code": "123456"}


def test_aliyun_business_error_becomes_sms_error(stub):
    server = stub(lambda request: (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL",
                                         "Message": "触发分钟级流控", "RequestId": "r-2"}))
    with pytest.raises(SmsError, match="BUSINESS_LIMIT_CONTROL"):
        aliyun(server.endpoint).send_code(PHONE, "123456")


def test_aliyun_http_error_becomes_sms_error(stub):
    server = stub(lambda request: (400, {"Code": "InvalidAccessKeyId.NotFound",
                                         "Message": "Specified access key is not found.",
                                         "RequestId": "r-3"}))
    with pytest.raises(SmsError, match="InvalidAccessKeyId"):
        aliyun(server.endpoint).send_code(PHONE, "123456")


def test_aliyun_timeout_becomes_sms_error(stub):
    server = stub(None)
    with pytest.raises(SmsError):
        aliyun(server.endpoint, timeout_ms=300).send_code(PHONE, "123456")


def test_tencent_sends_the_code_as_its_template_parameter(stub):
    server = stub(lambda request: (200, {"Response": {"SendStatusSet": [{
        "SerialNo": "1", "PhoneNumber": PHONE, "Fee": 1, "SessionContext": "",
        "Code": "Ok", "Message": "send success", "IsoCode": "CN"}], "RequestId": "r-1"}}))
    tencent(server.endpoint).send_code(PHONE, "654321")
    request = server.requests[0]
    body = json.loads(request["body"])
    assert request["headers"]["X-TC-Action"] == "SendSms"
    assert request["headers"]["X-TC-Version"] == "2021-01-11"
    assert "TC3-HMAC-SHA256" in request["headers"]["Authorization"]
    assert body["PhoneNumberSet"] == [PHONE] and body["TemplateParamSet"] == ["654321"]
    assert body["SmsSdkAppId"] == "1400000000" and body["SignName"] == "驿站"


def test_tencent_refused_number_becomes_sms_error(stub):
    server = stub(lambda request: (200, {"Response": {"SendStatusSet": [{
        "SerialNo": "", "PhoneNumber": PHONE, "Fee": 0, "SessionContext": "",
        "Code": "LimitExceeded.PhoneNumberDailyLimit", "Message": "daily limit",
        "IsoCode": "CN"}], "RequestId": "r-2"}}))
    with pytest.raises(SmsError, match="PhoneNumberDailyLimit"):
        tencent(server.endpoint).send_code(PHONE, "654321")


def test_tencent_api_error_becomes_sms_error(stub):
    server = stub(lambda request: (200, {"Response": {"Error": {
        "Code": "AuthFailure.SecretIdNotFound", "Message": "secret id not found"},
        "RequestId": "r-3"}}))
    with pytest.raises(SmsError, match="AuthFailure"):
        tencent(server.endpoint).send_code(PHONE, "654321")


def test_tencent_timeout_becomes_sms_error(stub):
    server = stub(None)
    with pytest.raises(SmsError):
        tencent(server.endpoint, timeout_s=1).send_code(PHONE, "654321")


@pytest.mark.parametrize("backend", ["aliyun", "tencent"])
def test_sign_up_sends_through_the_provider_and_the_code_it_carried_works(
        client, stub, provider, backend):
    ok = {"aliyun": {"Code": "OK", "Message": "OK", "RequestId": "r"},
          "tencent": {"Response": {"SendStatusSet": [{"Code": "Ok", "Message": "ok",
                                                      "PhoneNumber": PHONE}], "RequestId": "r"}}}
    server = stub(lambda request: (200, ok[backend]))
    provider(backend, server.endpoint)
    sent = post(client, "/account/register", {"phone": "13812345678", "send_code": "1"})
    assert sent.status_code == 200 and "138****5678" in sent.get_data(as_text=True)
    request = server.requests[0]
    code = (json.loads(aliyun_fields(request)["TemplateParam"])["code"] if backend == "aliyun"
            else json.loads(request["body"])["TemplateParamSet"][0])
    done = post(client, "/account/register", {"phone": "13812345678", "code": code,
                                              "display_name": "老张", "password": "long enough 1",
                                              "consent": "y"})
    assert done.status_code == 303


@pytest.mark.parametrize("backend", ["aliyun", "tencent"])
def test_provider_failure_is_a_clear_503_never_a_500(client, stub, provider, backend):
    server = stub(lambda request: (500, {"Code": "ServiceUnavailable", "Message": "down",
                                         "Response": {"Error": {"Code": "InternalError",
                                                                "Message": "down"}}}))
    provider(backend, server.endpoint)
    response = post(client, "/account/register", {"phone": "13812345678", "send_code": "1"},
                    headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert "could not be sent" in response.get_data(as_text=True)


def test_the_send_limits_hold_with_a_real_provider(client, stub, provider):
    server = stub(lambda request: (200, {"Code": "OK", "Message": "OK", "RequestId": "r"}))
    provider("aliyun", server.endpoint)
    first = post(client, "/account/register", {"phone": "13812345678", "send_code": "1"})
    again = post(client, "/account/register", {"phone": "13812345678", "send_code": "1"})
    assert (first.status_code, again.status_code) == (200, 429)
    assert len(server.requests) == 1  # the refused one never reached the provider


def test_production_refuses_console_and_providers_without_keys():
    base = {"ENV_NAME": "production", "SMS_BACKEND": "console"}
    with pytest.raises(RuntimeError, match="console"):
        sms.check_settings(base)
    with pytest.raises(RuntimeError, match="ALIYUN_ACCESS_KEY_SECRET"):
        sms.check_settings({**base, "SMS_BACKEND": "aliyun", "ALIYUN_ACCESS_KEY_ID": "x",
                            "SMS_SIGN_NAME": "驿站", "SMS_TEMPLATE": "SMS_1",
                            "SMS_RECOMMENDATION_TEMPLATE": "SMS_2"})
    with pytest.raises(RuntimeError, match="SMS_BACKEND"):
        sms.check_settings({**base, "SMS_BACKEND": ""})
    sms.check_settings({**base, "SMS_BACKEND": "tencent", "TENCENT_SECRET_ID": "a",
                        "TENCENT_SECRET_KEY": "b", "TENCENT_SMS_APP_ID": "1",
                        "SMS_SIGN_NAME": "驿站", "SMS_TEMPLATE": "1",
                        "SMS_RECOMMENDATION_TEMPLATE": "2"})


@pytest.mark.parametrize("keys", [
    {"SMS_BACKEND": "aliyun", "ALIYUN_ACCESS_KEY_ID": "a", "ALIYUN_ACCESS_KEY_SECRET": "b"},
    {"SMS_BACKEND": "tencent", "TENCENT_SECRET_ID": "a", "TENCENT_SECRET_KEY": "b",
     "TENCENT_SMS_APP_ID": "1"}])
def test_a_provider_without_the_recommendation_template_is_a_startup_error(keys):
    settings = {"ENV_NAME": "production", "SMS_SIGN_NAME": "驿站", "SMS_TEMPLATE": "1", **keys}
    with pytest.raises(RuntimeError, match="SMS_RECOMMENDATION_TEMPLATE"):
        sms.check_settings(settings)
    with pytest.raises(RuntimeError, match="SMS_RECOMMENDATION_TEMPLATE"):
        sms.check_settings({**settings, "ENV_NAME": "development"})  # no fallback anywhere
    sms.check_settings({**settings, "SMS_RECOMMENDATION_TEMPLATE": "2"})


NOTICE = {"title": "餐饮帮工（日结）", "place": "河东区就业驿站"}


def test_aliyun_sends_a_notice_in_its_own_template_with_named_parameters(stub):
    server = stub(lambda request: (200, OK_REPLIES["aliyun"]))
    aliyun(server.endpoint).send_notice(PHONE, "SMS_987654321", NOTICE)
    [request] = server.requests
    fields = aliyun_fields(request)
    assert fields["TemplateCode"] == "SMS_987654321" and fields["PhoneNumbers"] == "13812345678"
    assert fields["SignName"] == "驿站"
    assert json.loads(fields["TemplateParam"]) == NOTICE


def test_tencent_sends_a_notice_with_its_parameters_in_template_order(stub):
    server = stub(lambda request: (200, OK_REPLIES["tencent"]))
    tencent(server.endpoint).send_notice(PHONE, "7654321", NOTICE)
    [request] = server.requests
    body = json.loads(request["body"])
    assert body["TemplateId"] == "7654321" and body["PhoneNumberSet"] == [PHONE]
    assert body["TemplateParamSet"] == ["餐饮帮工（日结）", "河东区就业驿站"]


@pytest.mark.parametrize("backend", ["aliyun", "tencent"])
def test_a_refused_notice_becomes_sms_error(stub, backend):
    server = stub(lambda request: (200, {
        "Code": "isv.TEMPLATE_MISSING_PARAMETERS", "Message": "模板缺少变量", "RequestId": "r",
        "Response": {"Error": {"Code": "FailedOperation.TemplateIncorrectOrUnapproved",
                               "Message": "template"}, "RequestId": "r"}}))
    sender = aliyun(server.endpoint) if backend == "aliyun" else tencent(server.endpoint)
    with pytest.raises(SmsError, match="(?i)template"):
        sender.send_notice(PHONE, "1", NOTICE)


@pytest.mark.parametrize("backend", ["aliyun", "tencent"])
def test_send_notice_uses_the_configured_template_and_fits_the_parameters(
        app, stub, provider, backend):
    server = stub(lambda request: (200, OK_REPLIES[backend]))
    provider(backend, server.endpoint)
    long_title = "河东区大型连锁餐饮企业中央厨房\n切配帮工（日结，包午餐）"
    sms.send_notice(PHONE, "recommendation", {"title": long_title, "place": "", "extra": "x"})
    [request] = server.requests
    template, phone, params = notice_sent(backend, request)
    assert template == "SMS_2" and phone in (PHONE, "13812345678")
    assert params == ["河东区大型连锁餐饮企业中央厨房 切配帮…", "-"]
    assert len(params[0]) == sms.NOTICE_PARAM_MAX


def test_the_console_sender_keeps_notices_for_development(app):
    before = len(sms.notices_to("+8613900000001"))  # the outbox is the process's
    sms.send_notice("+8613900000001", "recommendation", NOTICE)
    # Development has no approved template: the console names the notice by its kind.
    assert sms.notices_to("+8613900000001")[before:] == [("recommendation", NOTICE)]
