"""A winner's shipping address: read from the form or from ``wx.openAddress``, checked, as one plain value (pure).

Mainland China only: a mainland mobile number, one of the 31 provincial-level divisions by
its full name (a short name such as 广东 is completed), and a city and a district whose
names end as Chinese administrative names do (市, 州, 盟, 地区 …; 区, 县, 旗 …).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..catalog.messages import msg
from ..errors import InvalidInput

PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省",
    "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "内蒙古自治区", "广西壮族自治区",
    "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
)  # fmt: skip
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
CITY = re.compile(r"^[\u4e00-\u9fff]{1,18}(?:市|州|盟|地区|区|县|行政区划)$")
DISTRICT = re.compile(r"^[\u4e00-\u9fff]{1,18}(?:区|县|市|旗|林区|特区|镇)$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
POSTAL = re.compile(r"^[0-9]{6}$")
# wx.openAddress's answer fields, by our field names.
WX_FIELDS = {
    "recipient": "userName",
    "phone": "telNumber",
    "province": "provinceName",
    "city": "cityName",
    "district": "countyName",
    "detail": "detailInfo",
    "postal_code": "postalCode",
}


@dataclass(frozen=True)
class Address:
    """Where a shipped prize goes."""

    recipient: str
    phone: str
    province: str
    city: str
    district: str
    detail: str
    postal_code: str = ""

    def to_json(self) -> str:
        """The address as compact JSON, for sealing."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Address:
        """The address :meth:`to_json` wrote."""
        return cls(**json.loads(text))

    def one_line(self) -> str:
        """The address as a carrier's label writes it."""
        return f"{self.province}{'' if self.city == self.province else self.city}{self.district}{self.detail}"


def _text(raw: Mapping[str, Any], name: str, limit: int) -> str:
    value = raw.get(name)
    return value.strip() if isinstance(value, str) and len(value) <= limit * 4 else ""


def _province(value: str) -> str | None:
    return next((p for p in PROVINCES if value in (p, p.rstrip("省市"), p[:2], p[:3])), None) if value else None


def _field_problems(fields: dict[str, str]) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    if not 1 <= len(fields["recipient"]) <= 20 or CONTROL.search(fields["recipient"]):
        problems["recipient"] = msg("Enter the recipient's name (at most 20 characters).")
    if not MOBILE.match(fields["phone"]):
        problems["phone"] = msg("Enter a mainland mobile number: 11 digits starting with 1.")
    if _province(fields["province"]) is None:
        problems["province"] = msg("Choose a province of mainland China.")
    if not CITY.match(fields["city"]):
        problems["city"] = msg("Enter the city, such as 广州市.")
    if not DISTRICT.match(fields["district"]):
        problems["district"] = msg("Enter the district or county, such as 天河区.")
    if not 4 <= len(fields["detail"]) <= 120 or CONTROL.search(fields["detail"]):
        problems["detail"] = msg("Enter the street and number (4 to 120 characters).")
    if fields["postal_code"] and not POSTAL.match(fields["postal_code"]):
        problems["postal_code"] = msg("A postal code is 6 digits.")
    return problems


def parse(raw: Any) -> Address:
    """The address in ``raw`` (form fields), or InvalidInput naming every wrong field."""
    if not isinstance(raw, Mapping):
        raise InvalidInput(msg("Send the address as form fields."), fields={"address": msg("Required.")})
    limits = {"recipient": 20, "phone": 20, "province": 20, "city": 20, "district": 20, "detail": 120}
    fields = {name: _text(raw, name, limit) for name, limit in {**limits, "postal_code": 6}.items()}
    fields["phone"] = re.sub(r"[\s-]", "", fields["phone"]).removeprefix("+86")
    problems = _field_problems(fields)
    if problems:
        raise InvalidInput(msg("Please correct the address."), fields=problems)
    return Address(**{**fields, "province": _province(fields["province"]) or ""})


def from_wx(answer: Mapping[str, Any]) -> dict[str, str]:
    """``wx.openAddress``'s answer as the form's fields."""
    return {name: str(answer.get(wx_name) or "") for name, wx_name in WX_FIELDS.items()}
