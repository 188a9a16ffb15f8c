"""[LY22] 四(一), 附件2/附件3: the lists as structured rows, an .xlsx template to fill and import, row errors."""
import io

from freezegun import freeze_time
from openpyxl import Workbook, load_workbook

from models import Case, db
from rules.annex_tables import ANNEXES, import_xlsx, parse_rows, template_xlsx
from tests.factories import PASSWORD, PDF
from tests.sanctions_factories import registered_agency, task_of
from tests.test_grading import SELF, _open_round


def _xlsx(rows, header=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header or ["序号", *ANNEXES["annex2"]["columns"]])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = [1, "某化工厂安全现状评价", "2026-03-01", "2026-04-10", "临沂市应急管理局", "某化工厂", "化工", "兰山区",
        "本机构", "临沂", "张一"]


def test_template_has_the_paper_forms_columns():
    """附件2 columns: 序号, 项目名称, 项目时间, 报告评审时间, 评审机关, 生产经营单位, 所属行业, 所在县区, 评价机构, 注册地, 项目负责人."""
    header = next(load_workbook(io.BytesIO(template_xlsx("annex2"))).active.iter_rows(values_only=True))
    assert list(header) == ["序号", "项目名称", "项目时间", "报告评审时间", "评审机关", "生产经营单位", "所属行业",
                            "所在县区", "评价机构", "注册地", "项目负责人"]
    header3 = next(load_workbook(io.BytesIO(template_xlsx("annex3"))).active.iter_rows(values_only=True))
    assert header3[1] == "企业名称" and header3[-1] == "整改情况"


def test_import_reports_row_errors_and_takes_nothing_from_a_bad_file():
    """A bad row (missing name, bad date) → errors naming the row; nothing imported."""
    bad = [2, "", "2026-13-01", "", "", "", "", "", "", "", ""]
    text, errors = import_xlsx("annex2", _xlsx([GOOD, bad]))
    assert text == "" and "第2行：项目名称不能为空" in errors and "第2行：项目时间应为日期（YYYY-MM-DD）" in errors
    text, errors = import_xlsx("annex2", _xlsx([GOOD]))
    assert errors == [] and text.split("\t")[0] == "某化工厂安全现状评价"
    assert import_xlsx("annex2", _xlsx([GOOD], header=["错误表头"]))[1][0].startswith("表头应为")
    assert import_xlsx("annex2", b"not a workbook")[1] == ["无法读取该文件，请使用平台提供的 .xlsx 模板"]
    assert parse_rows("annex3", "企业甲\t排查项目\t报告\t兰山区\t2026-05-01")[1] == []


def test_self_assessment_imports_rows_in_the_page_and_refuses_bad_rows(api_as, client):
    """The agency imports 附件2 from the template in its task page; bad rows are refused with row errors."""
    with freeze_time("2026-09-01 09:00:00+08:00"):
        agency_api, agency = registered_agency(api_as, n=1)
        _open_round(api_as, [agency])
        task = task_of(agency_api, "self_assessment")
        res = agency_api.post(f"/api/tasks/{task['id']}/complete",
                              json={"data": dict(SELF, statutory_projects="\t2026-01-01")})
        assert res.status_code == 422 and "第1行：项目名称不能为空" in res.get_json()["errors"]["statutory_projects"]
        version = db.session.get(Case, task["case_id"]).version
        client.post("/login", data={"username": agency_api.user.username, "password": PASSWORD})
        bad = client.post(f"/tasks/{task['id']}/import/statutory_projects", content_type="multipart/form-data",
                          data={"summary": "总结", "import_statutory_projects": (io.BytesIO(_xlsx([[1, "", "2026-01-01"]])), "a.xlsx")})
        assert bad.status_code == 422 and "第1行：项目名称不能为空" in bad.get_data(as_text=True)
        good = client.post(f"/tasks/{task['id']}/import/statutory_projects", content_type="multipart/form-data",
                           data={"summary": "总结", "import_statutory_projects": (io.BytesIO(_xlsx([GOOD])), "a.xlsx")})
        page = good.get_data(as_text=True)
        assert good.status_code == 200 and "某化工厂安全现状评价" in page and "已导入 1 行" in page and "总结" in page
        # the re-rendered form submits to the task (not to the import again) and keeps a chosen evidence file
        assert f'action="/tasks/{task["id"]}"' in page
        with_file = client.post(f"/tasks/{task['id']}/import/statutory_projects", content_type="multipart/form-data",
                                data={"summary": "总结", "file_self_evidence": (io.BytesIO(PDF), "佐证.pdf"),
                                      "import_statutory_projects": (io.BytesIO(_xlsx([GOOD])), "a.xlsx")})
        assert with_file.status_code == 200 and "佐证.pdf" in with_file.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Case, task["case_id"]).version == version  # importing saves nothing by itself
