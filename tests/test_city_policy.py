"""City policy data: each city loads, every row is cited, the seeds' counts and codes are right."""

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from rules.city_policy import POLICY_ROOT, CityPolicy, PolicyError, clear_cache, list_cities, load_city

CITIES = ["jiaxing", "jincheng", "linyi", "wujin"]
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
SEED_FILES = {"JC": "000_", "WJ": "001_", "LY23": "002_", "LY22": "003_", "JX": "004_"}
UNITS = {  # GB/T 2260 county-level codes under each city
    "jincheng": {
        "140502": "城区",
        "140521": "沁水县",
        "140522": "阳城县",
        "140524": "陵川县",
        "140525": "泽州县",
        "140581": "高平市",
    },
    "linyi": {
        "371302": "兰山区",
        "371311": "罗庄区",
        "371312": "河东区",
        "371321": "沂南县",
        "371322": "郯城县",
        "371323": "沂水县",
        "371324": "兰陵县",
        "371325": "费县",
        "371326": "平邑县",
        "371327": "莒南县",
        "371328": "蒙阴县",
        "371329": "临沭县",
    },
    "jiaxing": {
        "330402": "南湖区",
        "330411": "秀洲区",
        "330421": "嘉善县",
        "330424": "海盐县",
        "330481": "海宁市",
        "330482": "平湖市",
        "330483": "桐乡市",
    },
    "wujin": {},
}
CITY_CODES = {
    "jincheng": ("140500", "140000"),
    "wujin": ("320412", "320400"),
    "linyi": ("371300", "370000"),
    "jiaxing": ("330400", "330000"),
}


def cited_rows(city: CityPolicy) -> list[dict]:
    """Every row that must carry a citation."""
    return [
        *city.registration_materials,
        *city.commitment_points,
        *city.interview_grounds,
        *city.blacklist_grounds,
        *city.barred_services_on_poor_grade,
    ]


def test_the_four_cities_ship_policy_data():
    assert list_cities() == CITIES


@pytest.mark.parametrize("key", CITIES)
def test_city_loads_by_key_and_by_code(key):
    city = load_city(key)
    assert city.key == key
    assert (city.code, city.parent_code) == CITY_CODES[key]
    assert city.bureau_name.endswith("应急管理局")
    assert load_city(city.code) is city  # cached


@pytest.mark.parametrize("key", CITIES)
def test_every_row_cites_a_declared_source(key):
    city = load_city(key)
    rows = cited_rows(city)
    assert rows
    for row in rows:
        tags = re.findall(r"\[([A-Z0-9]+)\]", row["source"])
        assert tags and set(tags) <= set(city.documents), row
        assert row["title"].strip() and row["text"].strip(), row
        assert "[" not in city.cite(row), row  # the tag is written out as the document's title


@pytest.mark.parametrize("key", CITIES)
def test_every_setting_has_a_basis(key):
    city = load_city(key)
    for group in (city.interview, city.blacklist):
        for name in group:
            assert group.basis(name).strip(), name
    assert city.interview.reminder_working_days_before == 2
    assert city.interview.attendees_required == ("主要负责人",)
    assert city.blacklist.early_removal_after_months == 12
    assert city.blacklist.defence_window_working_days == 5
    assert city.blacklist.requires_penalty_decision is True


@pytest.mark.parametrize("key", CITIES)
def test_unit_codes_are_six_digits_under_the_city(key):
    city = load_city(key)
    assert {u["code"]: u["name"] for u in city.units} == UNITS[key]
    for u in city.units:
        assert re.fullmatch(r"\d{6}", u["code"]) and u["code"][:4] == city.code[:4]
        assert u["parent_code"] == city.code and u["source"].startswith("GB/T 2260")
    rows = city.unit_rows()
    assert rows[0] == (city.code, city.name, None, "city")
    assert all(parent == city.code and level == "county" for _, _, parent, level in rows[1:])


def test_wujin_is_the_district_bureau_under_changzhou():
    city = load_city("wujin")
    assert (city.code, city.name, city.parent_name) == ("320412", "常州市武进区", "常州市")
    assert city.units == ()
    assert [u["code"] for u in city.review_units()] == ["320412"]
    assert load_city("jincheng").review_units() == load_city("jincheng").units


def test_jincheng_interview_grounds_are_article_17():
    city = load_city("jincheng")
    assert [g["source"] for g in city.interview_grounds] == [f"[JC] 第十七条({n})" for n in "一二三"]
    assert city.interview.publish_bulletin is False
    assert city.cite("[JC] 第十七条") == "《晋城市安全生产技术服务机构管理办法(试行)》第十七条"


def test_jincheng_registration_materials():
    city = load_city("jincheng")
    kinds = [m["kind"] for m in city.registration_materials]
    assert kinds == [
        "business_license",
        "premises_proof",
        "qualification_certificate",
        "staff_roster",
        "staff_certificates",
        "social_insurance_proof",
        "commitment",
    ]
    conditional = [m for m in city.registration_materials if m["when"]]
    assert [(m["kind"], m["when"], m["required"]) for m in conditional] == [
        ("qualification_certificate", "qualification_required", False)
    ]
    assert all(m["required"] is True for m in city.registration_materials if not m["when"])
    assert city.commitment[0].startswith("本单位承诺,本单位所提供的相关文件及其信息均经本单位确认真实")
    assert {p["source"] for p in city.commitment_points} == {"[JC] 附件1", "[JC] 第四条", "[JC] 第五条"}


def test_jincheng_blacklist_and_validity():
    city = load_city("jincheng")
    local = [g for g in city.blacklist_grounds if not g["code"].startswith("MEM11-")]  # national ones: test_lawfulness
    assert [g["text"] for g in local] == ["租借资质", "挂靠", "出具虚假报告或者证书"]
    assert all(g["source"] == "[JC] 第十八条" and g["ban_scope"] for g in local)
    assert city.blacklist.period_years == 3
    assert (city.effective_from, city.effective_to) == (date(2024, 4, 16), date(2026, 4, 15))
    assert city.rules_validity["flag"] == "lapsed"
    assert city.in_force(date(2026, 4, 15)) and not city.in_force(date(2026, 4, 16))
    assert city.lapsed(date(2026, 11, 22)) and not city.lapsed(date(2025, 1, 1))


def test_wujin_grounds_commitment_and_ban():
    city = load_city("wujin")
    assert [g["source"] for g in city.interview_grounds] == [f"[WJ] 第二十四条({n})" for n in "一二三四"]
    assert city.interview.publish_bulletin is True
    local = [g for g in city.blacklist_grounds if not g["code"].startswith("MEM11-")]  # national ones: test_lawfulness
    assert len(local) == 12
    assert all(g["source"].startswith("[WJ] 第十九条(") and g["ban_scope"] == "常州市行政区域内" for g in local)
    assert local[10]["text"] == "纳入常州市安全生产诚信“黑名单”的"
    assert city.blacklist.period_years is None  # 行业禁入 until lifted
    assert city.blacklist.account_freeze is True
    assert len(city.commitment) == 8 and city.commitment.preamble.startswith("本机构承诺")
    assert not city.lapsed(date(2026, 11, 22)) and city.effective_from == date(2021, 2, 1)


def test_linyi_interview_grounds_and_barred_services():
    city = load_city("linyi")
    grounds = city.interview_grounds[:3]  # then one per veto item ([LY22] 三(六)2), see test_lawfulness
    assert [g["title"] for g in grounds] == [
        "评估得分低于70分",
        "服务质量较差",
        "反映意见较多",
    ]
    assert grounds[0]["score_below"] == 70
    assert all(g["source"] == "[LY22] 五" for g in grounds)
    assert [s["title"] for s in city.barred_services_on_poor_grade] == [
        "行政许可",
        "三同时审查",
        "标准化评审",
        "双体系建设",
        "全要素评价",
        "企业诊断性检查",
    ]
    assert all(s["source"] == "[LY22] 六(三)" for s in city.barred_services_on_poor_grade)
    assert len(city.commitment) == 9 and city.registration["mode"] == "client_disclosure"


def test_jiaxing_eight_constraint_measures():
    city = load_city("jiaxing")
    assert [g["source"] for g in city.interview_grounds] == [f"[JX] 约束措施 第{n}项" for n in range(1, 9)]
    assert [g["code"] for g in city.blacklist_grounds] == ["MEM11-1", "MEM11-2", "MEM11-3"]  # national only
    assert city.effective_from is None
    assert "尚无行政处罚依据或情节轻微" in city.interview.definition


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds not beside the repository")
@pytest.mark.parametrize("key", CITIES)
def test_texts_are_verbatim_from_the_cited_seed(key):
    city = load_city(key)
    seeds = {
        tag: re.sub(r"\s+", "", next(SEEDS.glob(f"{prefix}*")).read_text(encoding="utf-8"))
        for tag, prefix in SEED_FILES.items()
    }
    rows = [*cited_rows(city), city.rules_validity]
    for row in rows:
        text = re.sub(r"\s+", "", row["text"])
        tags = re.findall(r"\[([A-Z0-9]+)\]", row["source"])
        if tags and not any(t in seeds for t in tags):  # national rules (e.g. [MEM11]) are not among the seeds
            assert all(t in city.documents for t in tags), row
            continue
        assert any(text in seeds[t] for t in tags), row


def test_settings_and_rows_are_read_only():
    city = load_city("jincheng")
    with pytest.raises(AttributeError):
        city.blacklist.period_years = 5
    with pytest.raises(AttributeError):
        _ = city.blacklist.no_such_setting
    assert isinstance(city.blacklist.publication_channels, tuple)


def test_unknown_city_is_refused():
    with pytest.raises(PolicyError, match="没有城市政策数据"):
        load_city("beijing")


def _broken_copy(tmp_path: Path, change) -> Path:
    """A policy root holding jincheng's YAML with one change applied."""
    data = yaml.safe_load((POLICY_ROOT / "jincheng" / "city.yaml").read_text(encoding="utf-8"))
    change(data)
    (tmp_path / "jincheng").mkdir()
    (tmp_path / "jincheng" / "city.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    return tmp_path


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["interview_grounds"][0].pop("source"), r"interview_grounds\[0\]: missing source"),
        (lambda d: d["registration"]["materials"][1].update(source="第十条"), r"names no document tag"),
        (lambda d: d["blacklist_grounds"][0].update(source="[XX] 第一条"), r"\[XX\] is not in documents"),
        (
            lambda d: d["units"].append({"code": "320412", "name": "武进区", "source": "GB/T 2260"}),
            r"units\[6\]",
        ),
        (
            lambda d: d["blacklist"]["period_years"].pop("basis"),
            r"blacklist.period_years: must be \{value, basis\}",
        ),
        (
            lambda d: d["blacklist"].pop("defence_window_working_days"),
            r"defence_window_working_days: required",
        ),
        (lambda d: d["registration"]["materials"][0].update(when="always"), r"when must be one of"),
    ],
)
def test_schema_check_refuses_uncited_or_malformed_data(tmp_path, change, message):
    root = _broken_copy(tmp_path, change)
    try:
        with pytest.raises(PolicyError, match=message):
            load_city("jincheng", root=root)
    finally:
        clear_cache()


def test_a_bureau_copy_loads_from_its_own_root(tmp_path):
    shutil.copytree(POLICY_ROOT / "wujin", tmp_path / "wujin")
    try:
        assert load_city("320412", root=tmp_path).key == "wujin"
        assert load_city("wujin", root=tmp_path) is not load_city("wujin")
    finally:
        clear_cache()
