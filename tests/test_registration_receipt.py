"""登记回执 (issue 12): generated from templates/docx/registration_receipt.docx when the agency submits its
registration ([JC] 第十条: the county receives the materials and reviews them), again after 补正; shown on the
case page for download, hashed and audited like other documents."""
import hashlib
import io

from docx import Document as Docx

from models import Case, Document, db
from tests.test_registration import COUNTY, review_task, submit


def _receipts(case_id: int) -> list[Document]:
    return db.session.query(Document).filter_by(case_id=case_id, kind="registration_receipt").order_by(Document.id).all()


def _text(content: bytes) -> str:
    doc = Docx(io.BytesIO(content))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_submission_generates_the_receipt_listing_the_materials(api_as, client):
    """The agency's submission yields one receipt: its number, the agency, every material with its status."""
    agency = api_as("agency")
    case_id = submit(agency)
    [receipt] = _receipts(case_id)
    assert receipt.generated and receipt.filename.startswith("登记回执-")
    assert receipt.sha256 == hashlib.sha256(receipt.content).hexdigest()
    text = _text(receipt.content)
    case = db.session.get(Case, case_id)
    assert case.number in text and "晋城市安泰安全技术服务有限公司1" in text
    assert "营业执照复印件" in text and "已提交" in text and "登记材料已收到" in text and "城区应急管理局" in text
    # downloadable by the agency (API) and listed on the case page with its hash
    res = agency.get(f"/api/documents/{receipt.id}")
    assert res.status_code == 200 and hashlib.sha256(res.data).hexdigest() == receipt.sha256
    token = {"Authorization": f"Bearer {agency.token}"}
    page = client.get(f"/cases/{case_id}", headers=token).get_data(as_text=True)
    assert receipt.filename in page and receipt.sha256[:16] in page and "登记建档回执" in page
    actions = [e["action"] for e in agency.get(f"/api/cases/{case_id}/history").get_json()["events"]]
    assert "document_generated" in actions


def test_a_resubmission_after_correction_gets_its_own_receipt(api_as):
    """退回补正 then resubmission: a second receipt, numbered apart, for the 补正材料."""
    agency = api_as("agency")
    official = api_as("county_official", unit=COUNTY)
    case_id = submit(agency)
    task = review_task(official, case_id)
    res = official.post(f"/api/tasks/{task['id']}/complete",
                        json={"data": {"decision": "return", "opinion": "营业执照复印件不清晰"}})
    assert res.status_code == 200
    [back] = agency.get("/api/inbox").get_json()["items"]
    detail = agency.get(f"/api/tasks/{back['id']}").get_json()
    assert agency.post(f"/api/tasks/{back['id']}/complete", json={"data": detail["prefill"]}).status_code == 200
    first, second = _receipts(case_id)
    number = db.session.get(Case, case_id).number
    assert second.filename.startswith("登记回执（补正）-") and f"{number}-2" in _text(second.content)
    assert "补正材料已收到" in _text(second.content) and first.sha256 != second.sha256
