"""Posts from an Excel sheet (岗位归集 by upload): read, preview every row with all its
errors and possible duplicates, then import the good rows in one transaction.

The preview-then-import flow is station_admin's: the checked records are stored (JobUpload)
so the import re-checks exactly what the preview showed, on any worker process.
"""
import csv
import io
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

import clock
from extensions import db
from jobs import operations, rules
from jobs.models import CATEGORIES, Employer, JobPost, JobUpload, valid_region_code
from spreadsheets import safe_row, unguard_cell

HEADERS = {  # column -> Chinese header of the template
    "kind": "类型", "credit_code": "用工方统一社会信用代码", "title": "岗位名称",
    "category": "工种", "address": "地址", "lat": "纬度", "lon": "经度",
    "region_code": "地区代码", "pay_min": "最低工资", "pay_max": "最高工资", "pay_unit": "计薪",
    "day": "日期", "start": "开始时间", "end": "结束时间", "paid_daily": "日结",
    "headcount": "人数", "insured": "意外险", "expires_on": "截止日期", "description": "说明",
}
COLUMNS = tuple(HEADERS)
ALIASES = {chinese: column for column, chinese in HEADERS.items()}
KIND_WORDS = {"零工": "gig", "长期": "job", "长期岗位": "job", "gig": "gig", "job": "job"}
CATEGORY_WORDS = {"保安": "security", "保洁": "cleaning", "家政": "housekeeping",
                  "餐饮服务": "catering", "餐饮": "catering", "快递分拣": "parcel_sorting",
                  "装卸搬运": "loading", "货车司机": "truck_driver", "厨师": "cook",
                  "销售导购": "sales", "电梯/设备安装": "equipment_install",
                  "设备安装": "equipment_install", "其他": "other",
                  **{code: code for code in CATEGORIES}}
UNIT_WORDS = {"天": "day", "日": "day", "小时": "hour", "时": "hour", "月": "month",
              "day": "day", "hour": "hour", "month": "month"}
YES = {"是", "有", "yes", "y", "1", "true"}
NO = {"否", "无", "no", "n", "0", "false", ""}
MAX_ROWS = 500
UPLOAD_LIFETIME = timedelta(days=1)


class UploadError(ValueError):
    """The whole file is refused; the message is for the person who sent it."""


@dataclass
class PreviewRow:
    line: int
    values: dict
    errors: list[str] = field(default_factory=list)
    duplicate: str = ""  # why this row looks like a post we already have
    draft: operations.PostDraft | None = None
    employer: Employer | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def read_records(filename: str, data: bytes) -> list[dict]:
    """The sheet's rows as {column: text}, with Chinese or English headers."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not data:
        raise UploadError(_("The file is empty."))
    if extension == "xlsx":
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            rows = [[_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError):
            raise UploadError(_("This file is not a readable Excel workbook. Save it again as "
                                ".xlsx, or as CSV (UTF-8).")) from None
    elif extension == "csv":
        try:
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        except UnicodeDecodeError:
            raise UploadError(_("Save the CSV file as UTF-8.")) from None
    else:
        raise UploadError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise UploadError(_("The file is empty."))
    if len(rows) > MAX_ROWS + 1:
        raise UploadError(_("The file has more than %(num)d rows. Split it into smaller files.",
                            num=MAX_ROWS))
    header = [ALIASES.get(cell.strip(), cell.strip().lower()) for cell in rows[0]]
    missing = [c for c in ("kind", "credit_code", "title", "category", "pay_min", "pay_max",
                           "pay_unit", "region_code", "expires_on") if c not in header]
    if missing:
        raise UploadError(_("The first row must hold the column names of the template. "
                            "Missing: %(columns)s", columns="、".join(HEADERS[c] for c in missing)))
    return [{"line": number, **{column: unguard_cell(cell.strip())
                                for column, cell in zip(header, row) if column in HEADERS}}
            for number, row in enumerate(rows[1:], start=2)]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()


def _int(values: dict, column: str, errors: list[str]) -> int | None:
    text = values.get(column, "")
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError:
        errors.append(_("%(column)s is not a number: %(value)s", column=HEADERS[column], value=text))
        return None


def _float(values: dict, column: str, errors: list[str]) -> float | None:
    text = values.get(column, "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        errors.append(_("%(column)s is not a number: %(value)s", column=HEADERS[column], value=text))
        return None


def _date(values: dict, column: str, errors: list[str]) -> date | None:
    text = values.get(column, "").replace("/", "-").replace(".", "-")[:10]
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(_("%(column)s is not a date like 2026-12-05: %(value)s",
                        column=HEADERS[column], value=values.get(column)))
        return None


def _time(values: dict, column: str, errors: list[str]) -> time | None:
    text = values.get(column, "").replace("：", ":")
    if not text:
        return None
    try:
        return time.fromisoformat(text if len(text) > 4 else text.zfill(5))
    except ValueError:
        errors.append(_("%(column)s is not a time like 09:30: %(value)s",
                        column=HEADERS[column], value=text))
        return None


def _yes(values: dict, column: str, errors: list[str]) -> bool:
    text = values.get(column, "").strip().lower()
    if text in YES:
        return True
    if text not in NO:
        errors.append(_("%(column)s must be 是 or 否: %(value)s", column=HEADERS[column], value=text))
    return False


def check_row(values: dict, staff) -> PreviewRow:
    """One row with every error it has (not just the first)."""
    errors: list[str] = []
    kind = KIND_WORDS.get(values.get("kind", "").strip().lower())
    if kind is None:
        errors.append(_("类型 must be 零工 or 长期."))
    code = values.get("credit_code", "").strip().upper()
    employer = None
    if not rules.valid_credit_code(code):
        errors.append(_("The unified social credit code is not valid: %(code)s", code=code or "—"))
    else:
        employer = db.session.scalar(Employer.managed_by(staff).where(Employer.credit_code == code))
        if employer is None:
            errors.append(_("No employer of your branch has the credit code %(code)s; register "
                            "it first.", code=code))
    if not values.get("title"):
        errors.append(_("岗位名称 is missing."))
    category = CATEGORY_WORDS.get(values.get("category", "").strip())
    if category is None:
        errors.append(_("工种 is not one of ours: %(value)s", value=values.get("category") or "—"))
    unit = UNIT_WORDS.get(values.get("pay_unit", "").strip().lower())
    if unit is None:
        errors.append(_("计薪 must be 天, 小时 or 月."))
    pay_min, pay_max = _int(values, "pay_min", errors), _int(values, "pay_max", errors)
    lat, lon = _float(values, "lat", errors), _float(values, "lon", errors)
    region_code = values.get("region_code", "")
    if not valid_region_code(region_code):
        errors.append(_("The region code has six digits, e.g. 120102."))
    day, start, end = (_date(values, "day", errors), _time(values, "start", errors),
                       _time(values, "end", errors))
    expires_on = _date(values, "expires_on", errors)
    if expires_on is None and not any(HEADERS["expires_on"] in e for e in errors):
        errors.append(_("截止日期 is missing."))
    headcount = _int(values, "headcount", errors) or 1
    paid_daily, insured = _yes(values, "paid_daily", errors), _yes(values, "insured", errors)
    draft = None
    if not errors:
        starts_at = datetime.combine(day, start, clock.DEFAULT_ZONE) if day and start else None
        ends_at = datetime.combine(day, end, clock.DEFAULT_ZONE) if day and end else None
        if starts_at and ends_at and ends_at <= starts_at:
            ends_at += timedelta(days=1)
        draft = operations.PostDraft(
            kind=kind, title=values["title"], category=category, pay_min=pay_min or 0,
            pay_max=pay_max if pay_max is not None else (pay_min or 0), pay_unit=unit,
            expires_at=datetime.combine(expires_on, time(23, 59), clock.DEFAULT_ZONE),
            region_code=region_code, description=values.get("description", ""),
            address=values.get("address", ""), lat=lat, lon=lon, starts_at=starts_at,
            ends_at=ends_at, paid_daily=paid_daily, headcount=headcount, insured=insured)
        errors.extend(operations.draft_problems(draft))
    return PreviewRow(line=values["line"], values=values, errors=errors, draft=draft,
                      employer=employer)


def _identity(employer_id: int, draft: operations.PostDraft) -> tuple:
    """Same employer, title, place and date: the same post."""
    day = clock.local(draft.starts_at).date() if draft.starts_at else None
    place = draft.address or (round(draft.lat or 0, 4), round(draft.lon or 0, 4))
    return employer_id, draft.title, place, day


def preview(records: list[dict], staff) -> list[PreviewRow]:
    """Every row checked, and duplicates (in the file, or of a live post) flagged."""
    rows = [check_row(values, staff) for values in records]
    seen: dict[tuple, int] = {}
    for row in rows:
        if not row.ok:
            continue
        identity = _identity(row.employer.id, row.draft)
        if identity in seen:
            row.duplicate = _("Same employer, title, place and date as line %(line)d.",
                              line=seen[identity])
            continue
        seen[identity] = row.line
        existing = db.session.scalars(select(JobPost).where(
            JobPost.employer_id == row.employer.id, JobPost.title == row.draft.title,
            JobPost.state.in_(("draft", "pending", "published")))).all()
        for post in existing:
            if _identity(post.employer_id, post) == identity:
                row.duplicate = _("Same employer, title, place and date as post #%(id)d.",
                                  id=post.id)
                break
    return rows


def import_rows(rows: list[PreviewRow], staff, *, now: datetime) -> list[JobPost]:
    """Create the good, non-duplicate rows as posts; staff's own upload is published when the
    employer may publish, else it waits in the review queue. The caller owns the transaction."""
    created = []
    for row in rows:
        if not row.ok or row.duplicate:
            continue
        post = operations.create_post(row.employer, row.draft, staff, now=now)
        operations.transition_post(post.id, "submit", staff, now=now)
        publish_if_allowed(post, staff, now=now)
        created.append(post)
    return created


def publish_if_allowed(post: JobPost, staff, *, now: datetime) -> bool:
    """Publish a pending post staff entered themselves, unless a rule stops it."""
    try:
        with db.session.begin_nested():
            operations.transition_post(post.id, "publish", staff, now=now)
    except operations.JobError:
        return False
    return True


def store_upload(staff, filename: str, records: list[dict], organisation_id: int) -> JobUpload:
    upload = JobUpload(token=secrets.token_urlsafe(32), user_id=staff.id, filename=filename[:200],
                       records=records, organisation_id=organisation_id)
    db.session.add(upload)
    db.session.flush()
    return upload


def load_upload(staff, token: str, *, now: datetime) -> JobUpload | None:
    """The staff member's own upload, while it is fresh."""
    upload = db.session.scalar(select(JobUpload).where(JobUpload.token == token,
                                                       JobUpload.user_id == staff.id))
    if upload is None or upload.created_at < now - UPLOAD_LIFETIME:
        return None
    return upload


def template_xlsx() -> bytes:
    """An empty sheet with the Chinese headers and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "岗位"
    sheet.append(list(HEADERS.values()))
    sheet.append(safe_row(["零工", "91120102MA05JQ8R0L", "餐饮帮工", "餐饮服务", "津塘路 88 号",
                           "39.1203", "117.2580", "120102", "200", "242", "天", "2026-12-05",
                           "10:00", "20:00", "是", "5", "是", "2026-12-04", "后厨洗切配"]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
