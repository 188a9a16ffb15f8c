"""No English in the zh-CN interface (issue 9): crawl every page of a full run as each role and the public.

A full run: an agency in grading publicity, an interview rectified-then-referred (a linked listing case), and
an agency listed after its 陈述申辩. Each role starts at its landing pages and follows every link; any ASCII
word on a page fails unless it is on the short allow-list below (names, numbers, file names, codes people typed).
"""
import re
from collections import deque
from urllib.parse import urlsplit

from freezegun import freeze_time

from models import Agency, User, db
from tests.factories import PASSWORD
from tests.sanctions_factories import complete, registered_agency
from tests.test_blacklist import INVESTIGATION
from tests.test_grading import _examined_agency
from tests.test_interview import NOTICE, RECORD

START = ("/", "/inbox", "/cases", "/audit/cases", "/processes", "/admin/calendar", "/grading/rounds",
         "/public/directory", "/public/blacklist", "/public/bulletins", "/public/publicity")
SKIP = re.compile(r"^/(static|api|documents)/|\.(xlsx|zip|docx|pdf)$|^/(logout|login)\b|/edit$|/print/")
# Words that are formal zh-CN usage or names of formats/standards the bureaus themselves write in Latin letters.
# KB: file sizes; single capitals: annex and table letters of the standards (附录A, 表A); chinesecalendar: proper name of the holiday data package the admin page says it relies on.
ALLOWED = {"PDF", "Excel", "Word", "SHA-256", "SHA", "GB/T", "ZIP", "JPEG", "PNG", "Ctrl", "BPMN", "DMN", "A4", "KB",
           "chinesecalendar"}
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/:@+]*")
CREDIT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
FILE = re.compile(r"\.(pdf|docx|xlsx|zip|jpe?g|png|py|bpmn|dmn)$", re.IGNORECASE)
HEX = re.compile(r"^[0-9a-f]{8,}…?$")
EMAIL = re.compile(r"^[\w.+-]+@[\w.-]+$")


DEBUG = False


def visible_text(html: str) -> str:
    """What a reader sees: scripts, styles and the raw audit record (kept verbatim for hash checks) removed."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r'(?s)<details class="raw">.*?</details>', " ", html)
    html = re.sub(r"(?s)<code\b[^>]*>.*?</code>", " ", html)  # identifiers, hashes, commands shown verbatim
    html = re.sub(r"<[^>]+>", " ", html)
    return html.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&").replace("&lt;", "<").replace(
        "&gt;", ">")


def english_words(text: str, typed: set[str]) -> set[str]:
    """ASCII words that are not a number, date, file name, credit code, hash, e-mail, name or allowed term."""
    bad = set()
    text = re.sub(r"\S+\.(pdf|docx|xlsx|zip|jpe?g|png|bpmn|dmn)\b", " ", text, flags=re.IGNORECASE)  # file names
    for token in TOKEN.findall(text):
        word = token.rstrip(".:/-")
        if not re.search(r"[A-Za-z]", word) or word in ALLOWED or word in typed or re.fullmatch(r"[A-Z]", word):
            continue
        if CREDIT.match(word) or FILE.search(word) or HEX.match(word) or EMAIL.match(word):
            continue
        bad.add(word)
    return bad


def full_run(api_as):
    """Cases of every process in telling states; returns the API users whose pages are crawled."""
    with freeze_time("2026-09-01 09:00:00+08:00"):
        _graded, experts = _examined_agency(api_as, {})
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency_row = registered_agency(api_as, n=2)
        city, leader = api_as("city_official", name="赵科长"), api_as("leader", name="钱局长")
        res = city.post("/api/cases", json={"process": "interview", "data": dict(NOTICE, agency_id=agency_row.id)})
        case_id = res.get_json()["id"]
        complete(leader, "approve_notice", {"decision": "approve"})
        complete(agency_api, "acknowledge_notice", {"attendees": "王建国，总经理", "acknowledged": True})
    with freeze_time("2026-11-23 09:45:00+08:00"):  # the record is entered once the interview has begun
        complete(city, "hold_interview", RECORD)
        evidence = agency_api.upload(case_id, "evidence").get_json()["id"]
        complete(agency_api, "submit_rectification", {"report": "已整改", "evidence": evidence})
        complete(city, "review_rectification", {"decision": "refer", "opinion": "整改不到位"})
        listed_api, listed_row = registered_agency(api_as, n=3)
        res = city.post("/api/cases", json={"process": "blacklist", "data": dict(INVESTIGATION,
                                                                                 agency_id=listed_row.id)})
        listing_case = res.get_json()["id"]
        complete(leader, "approve_notice", {"notice_decision": "approve"}, listing_case)
        statement = listed_api.upload(listing_case, "evidence").get_json()["id"]
        complete(listed_api, "file_defence", {"statement": "我单位不知情", "evidence": statement})
        complete(city, "review_defence", {"decision": "list", "opinion": "申辩理由不成立"}, listing_case)
        complete(leader, "decide", {"decision": "list", "decision_no": "晋市应急失信〔2026〕1号"}, listing_case)
    county = api_as("county_official", unit="140502", name="城区审核员")
    return {"city_official": city, "leader": leader, "agency": agency_api, "listed_agency": listed_api,
            "county_official": county, "expert": experts[0], "auditor": api_as("auditor", name="周审计"),
            "process_owner": api_as("process_owner", name="孙工"), "admin": api_as("admin", name="管理员")}


def typed_words() -> set[str]:
    """ASCII that people typed or that names them: user names, agency names, e-mails, document numbers."""
    words = set()
    for u in db.session.query(User).all():
        words.update(TOKEN.findall(f"{u.username} {u.display_name or ''}"))
    for a in db.session.query(Agency).all():
        words.update(TOKEN.findall(f"{a.name} {a.email or ''} {a.address or ''} {a.business_scope or ''}"))
    return words


def crawl(client, headers: dict) -> dict[str, set[str]]:
    """Every page reachable from the landing pages: url → English words found."""
    seen, queue, found = set(), deque(START), {}
    typed = typed_words()
    while queue and len(seen) < 250:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        res = client.get(url, headers=headers)
        if res.status_code != 200 or not res.content_type.startswith("text/html"):
            continue
        html = res.get_data(as_text=True)
        bad = english_words(visible_text(html), typed)
        if bad:
            found[url] = bad
            if DEBUG:
                text = visible_text(html)
                print(url, [text[max(0, text.index(w) - 80):text.index(w) + 40] for w in bad if w in text])
        for href in re.findall(r'href="([^"#]+)', html):
            path = urlsplit(href).path if href.startswith(("/", "http://localhost")) else None
            if path and not SKIP.search(path) and path not in seen:
                queue.append(path)
    assert len(seen) > 10
    print("crawled", len(seen), headers and "role" or "public", sorted(seen)[:400] if DEBUG else "")
    return found


def test_every_page_of_a_full_run_is_in_chinese_for_every_role(api_as, client):
    """Outcomes, timeline actions, document kinds, decisions, lanes: no English code on any page for any role."""
    users = full_run(api_as)
    problems = {}
    for role, api in users.items():  # tokens issued now: those of the frozen days have expired
        token = client.post("/api/tokens", json={"username": api.user.username, "password": PASSWORD}).get_json()["token"]
        for url, words in crawl(client, {"Authorization": f"Bearer {token}"}).items():
            problems[f"{role} {url}"] = sorted(words)
    for url, words in crawl(client, {}).items():
        problems[f"public {url}"] = sorted(words)
    report = "\n".join(f"{k}: {v}" for k, v in sorted(problems.items()))
    print(report)
    assert not problems, report
