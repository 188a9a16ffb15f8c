"""Browser fixtures: the real app served over HTTP in a thread, driven by Debian's Chromium via Playwright."""
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from models import db
from tests.conftest import PG_URL, make_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def live_app(tmp_path, _template_db):
    """The app with CSRF on, served on a free loopback port."""
    if PG_URL:
        pytest.skip("browser tests run once, on SQLite")
    app = make_app(tmp_path, _template_db, WTF_CSRF_ENABLED=True, TESTING=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser():
    """Headless Debian Chromium (no downloads, no background networking)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def login(page, base: str, username: str, password: str) -> None:
    """Log in through the HTML form."""
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.startswith(base) and "/login" not in url)


def logout(page) -> None:
    page.click("header button.link")


def returned_registration(app, agency_username: str, reviewer_username: str, n: int, reviewer_name: str,
                          opinion: str) -> None:
    """An agency's submitted registration that a 城区 reviewer returned for correction (through the verbs)."""
    from tests.factories import PASSWORD, PDF, REQUIRED_KINDS, application
    from workflows.cases import start_case
    from workflows.documents import upload_document
    from workflows.people import create_user
    from workflows.queries import case_open_tasks
    from workflows.tasks import complete_task
    with app.app_context():
        agency = create_user(agency_username, PASSWORD, role="agency", display_name="机构经办人")
        reviewer = create_user(reviewer_username, PASSWORD, role="county_official", unit_code="140502",
                               display_name=reviewer_name)
        db.session.commit()
        case = start_case(agency, "registration")
        db.session.flush()
        data = application("140502", n)
        for kind in REQUIRED_KINDS:
            data[kind] = upload_document(agency, case, filename=f"{kind}.pdf", content=PDF, kind=kind).id
        complete_task(agency, case_open_tasks(case.id)[0][0].id, data)
        review = case_open_tasks(case.id)[0][0]
        complete_task(reviewer, review.id, {"decision": "return", "opinion": opinion})
        db.session.commit()
