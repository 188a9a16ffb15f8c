"""Validity of the cited documents: a document past its stated validity is no basis for a new decision.

[JC] 第二十二条: the 晋城 办法 is valid for two years from 2024-04-16 (policies/jincheng/city.yaml `rules_validity`);
after it lapses a decision cites the national rule where one applies, and officials are warned on the task.
"""
import re
from datetime import date

from rules.city_policy import CityPolicy

_TAG = re.compile(r"\[([A-Za-z0-9]+)\]")


def lapsed_tags(policy: CityPolicy, on: date) -> set[str]:
    """Tags of the city's documents whose validity ended before `on`."""
    return {tag for tag in policy.documents if policy.document_lapsed(tag, on)}


def cites_only_lapsed(policy: CityPolicy, source: str, on: date) -> bool:
    """The source names documents by tag and every one of them has lapsed on `on`."""
    tags = set(_TAG.findall(source or ""))
    return bool(tags) and tags <= lapsed_tags(policy, on)


def current_basis(policy: CityPolicy, text: str, on: date) -> str:
    """A basis text ('A；[JC] 第十八条') without the parts that cite only a lapsed document, written out."""
    lapsed = lapsed_tags(policy, on)
    parts = [p.strip() for p in re.split(r"[；;]", text or "") if p.strip()]
    kept = [p for p in parts if not (set(_TAG.findall(p)) and set(_TAG.findall(p)) <= lapsed)
            and not any(str(policy.documents[t]["title"]) in p for t in lapsed)]
    return "；".join(policy.cite(p) for p in kept)


def lapsed_documents(policy: CityPolicy, on: date) -> list[dict]:
    """The city's documents past their validity on `on`, with the dates and the clause that sets them."""
    out = []
    for tag in sorted(lapsed_tags(policy, on)):
        doc = policy.documents[tag]
        start, end, source = policy.document_validity(tag)
        out.append({"tag": tag, "title": str(doc["title"]), "number": str(doc.get("number") or ""),
                    "effective_from": start, "effective_to": end, "source": policy.cite(source or "")})
    return out


def validity_warnings(policy: CityPolicy, on: date) -> list[str]:
    """What an official deciding today must be told about lapsed documents."""
    return [(f"{d['title']}（{d['number']}）已于{d['effective_to'].isoformat()}有效期届满（{d['source']}），"
             "不得作为本次决定的现行依据；本案依据国家规定办理，所援引的该文件条款已从决定依据中去除。")
            for d in lapsed_documents(policy, on)]


def warning_panel(policy: CityPolicy, on: date) -> list[dict]:
    """A task panel carrying the warnings (empty when nothing cited has lapsed)."""
    lines = validity_warnings(policy, on)
    if not lines:
        return []
    return [{"title": "依据文件有效期提示", "rows": [("提示", line) for line in lines], "documents": []}]


def document_rows(policy: CityPolicy, on: date) -> list[dict]:
    """Every document the city's rules cite, with its validity on `on`; lapsed ones first."""
    rows = []
    for tag, doc in policy.documents.items():
        start, end, source = policy.document_validity(tag)
        rows.append({"tag": tag, "title": str(doc["title"]), "number": str(doc.get("number") or ""),
                     "issuer": str(doc.get("issuer") or ""), "effective_from": start, "effective_to": end,
                     "source": policy.cite(source or "") if source else "", "lapsed": policy.document_lapsed(tag, on)})
    return sorted(rows, key=lambda r: not r["lapsed"])
