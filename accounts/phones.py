"""Mainland mobile numbers: parse what people type, store E.164, show masked."""
import phonenumbers


def normalise_mainland_mobile(raw: str) -> str | None:
    """'138 1234 1234', '+86 13812341234' and '008613812341234' all give '+8613812341234';
    anything that is not a valid mainland mobile number gives None."""
    cleaned = (raw or "").strip()
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != "CN":
        return None
    if phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_digits(e164: str) -> str:
    """'+8613812341234' -> '13812341234'."""
    return e164[3:] if e164.startswith("+86") else e164


def masked(e164: str | None) -> str:
    """'+8613812341234' -> '138****1234': enough to tell people apart, not to call them."""
    if not e164:
        return ""
    digits = national_digits(e164)
    return f"{digits[:3]}****{digits[-4:]}"


def spaced(e164: str) -> str:
    """'+8613812341234' -> '138 1234 1234', the way people read numbers aloud."""
    digits = national_digits(e164)
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
