"""Factories that go through the domain verbs and the HTTP API, not raw rows."""
import io
from dataclasses import dataclass

import pytest

from models import db
from rules.credit_code import make_credit_code
from workflows.people import create_user

PASSWORD = "Passw0rd!x"

# Smallest valid files of each accepted type (content-checked by the platform).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\nxref\n0 4\n0000000000 65535 f \n"
       b"0000000009 00000 n \n0000000053 00000 n \n0000000103 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
       b"startxref\n167\n%%EOF\n")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


@dataclass
class Api:
    """A logged-in JSON API client."""

    client: object
    token: str
    user: object

    def _h(self):
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, url, **kw):
        return self.client.get(url, headers=self._h(), **kw)

    def post(self, url, json=None, **kw):
        return self.client.post(url, json=json, headers=self._h(), **kw)

    def upload(self, case_id: int, kind: str, content: bytes = PDF, filename: str = "材料.pdf"):
        return self.client.post(f"/api/cases/{case_id}/documents", headers=self._h(),
                                data={"kind": kind, "file": (io.BytesIO(content), filename)},
                                content_type="multipart/form-data")


@pytest.fixture
def make_user(app):
    """Create a user through the domain verb (committed)."""
    counter = {"n": 0}

    def _make(role: str, unit: str | None = None, agency_id: int | None = None, name: str | None = None):
        counter["n"] += 1
        username = name or f"{role}{counter['n']}"
        user = create_user(username, PASSWORD, role=role, unit_code=unit, agency_id=agency_id,
                           display_name=name or f"{role}-{counter['n']}")
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user
    return _make


@pytest.fixture
def api_as(client, make_user):
    """Log a new user of a role in through POST /api/tokens and return an Api helper."""
    def _as(role: str, unit: str | None = None, agency_id: int | None = None, name: str | None = None) -> Api:
        user = make_user(role, unit, agency_id, name)
        res = client.post("/api/tokens", json={"username": user.username, "password": PASSWORD})
        assert res.status_code == 201, res.get_json()
        return Api(client, res.get_json()["token"], user)
    return _as


def credit_code(n: int) -> str:
    """A valid 统一社会信用代码 for test agency number n."""
    return make_credit_code(f"91140500MA0{n:06d}")


def application(county: str = "140502", n: int = 1, **over) -> dict:
    """A complete 情况表 (documents to be added by the caller)."""
    data = {
        "name": f"晋城市安泰安全技术服务有限公司{n}", "credit_code": credit_code(n), "legal_representative": "王建国",
        "contact_person": "李娜", "contact_phone": "13800138000", "email": "contact@antai.example.cn",
        "address": "晋城市城区凤台东街100号", "county": county, "staff_count": 18,
        "service_categories": ["安全评估评价", "安全咨询托管"], "business_scope": "安全评价、安全咨询",
        "qualification_required": True,
    }
    data.update(over)
    return data


REQUIRED_KINDS = ["business_license", "premises_proof", "qualification_certificate", "staff_roster",
                  "staff_certificates", "social_insurance_proof", "commitment"]


def with_documents(api: Api, case_id: int, data: dict, kinds=REQUIRED_KINDS) -> dict:
    """Upload one PDF per material kind and put the document ids into the form data."""
    out = dict(data)
    for kind in kinds:
        res = api.upload(case_id, kind)
        assert res.status_code == 201, res.get_json()
        out[kind] = res.get_json()["id"]
    return out


__all__ = [
    "PASSWORD",
    "PDF",
    "PNG",
    "REQUIRED_KINDS",
    "Api",
    "api_as",
    "application",
    "credit_code",
    "make_user",
    "with_documents",
]
