"""The `/l` page in a real browser (Debian's Chromium through Playwright), as a victim uses it.

It opens the page from a QR URL the server issued, reads the leaflet, switches
language, verifies as the seeded victim, sees the case, requests a callback, and
meets the expired-code message. Screenshots at 360 px and 1280 px go to the
test's temporary directory (their paths are printed); axe-core (vendored in
tests/frontends/vendor) must find no serious or critical problem, and the page
must run without a single Content-Security-Policy violation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.frontends.conftest import DEMO_CASE_ID, DEMO_VICTIM, DemoServer
from victim_api.platform.db import Database
from victim_api.platform.keys import KeyStore
from victim_api.platform.tokens import sign
from victim_api.qr.service import qr_kind
from victim_api.settings import Settings

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000


@dataclass
class Watched:
    """A page and what its console said about the Content-Security-Policy."""

    page: Page
    csp_violations: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), timeout=60_000)
        yield launched
        launched.close()


def _open(browser: Browser, url: str, viewport: dict[str, int] = PHONE) -> Watched:
    page = browser.new_page(viewport=viewport)  # type: ignore[arg-type]
    page.set_default_timeout(TIMEOUT_MS)
    watched = Watched(page)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text or "Trusted Type" in message.text:
            watched.csp_violations.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.csp_violations.append(f"page error: {error}"))
    page.goto(url)
    return watched


def _axe_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations (WCAG 2.0-2.2 A and AA rules)."""
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _screenshot(watched: Watched, path: Path) -> None:
    watched.page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000, path
    print(f"screenshot: {path}")


def _expired_token(server: DemoServer) -> str:
    """A QR token signed with the server's own key, whose time ran out yesterday."""
    settings = Settings(
        database_url=server.env["VICTIM_API_DATABASE_URL"],
        keys_dir=Path(server.env["VICTIM_API_KEYS_DIR"]),
    )
    database = Database(settings.database_url)
    try:
        signed = sign(
            KeyStore.for_settings(database, settings),
            qr_kind(settings),
            issuer=settings.qr_token_issuer,
            subject="vi",
            lifetime=timedelta(days=-1),
        )
    finally:
        database.dispose()
    return signed.token


def test_the_qr_url_opens_the_leaflet_with_support_services_and_languages(
    browser: Browser, demo_server: DemoServer, tmp_path: Path
) -> None:
    issued = demo_server.issue_qr(case_id=DEMO_CASE_ID)
    assert issued["url"].startswith(f"{demo_server.base_url}/l#t=")
    watched = _open(browser, issued["url"])
    page = watched.page

    expect(page.locator("#leaflet-title")).to_have_text("Information for victims of crime")
    expect(page.locator("#leaflet")).to_have_attribute("lang", "en")
    expect(page.locator("#leaflet-sections h2")).to_have_count(8)
    expect(page.locator("#your-rights")).to_have_text("Your rights")
    # The leaflet's own links survive the page's allow-list; tel: links are dialable.
    assert page.locator("#leaflet-sections a[href^='tel:']").count() > 0
    services = page.locator("#support-list li")
    assert services.count() > 0, "the burglary case's code should list support services"
    for link in services.locator("a[href^='tel:']").all():
        shown = link.inner_text()
        assert link.get_attribute("href") == "tel:" + re.sub(r"[^\d+]", "", shown), shown
    assert services.locator("a[href^='tel:']").count() == services.count()
    expect(page.locator("#updates-heading")).to_be_visible()

    _screenshot(watched, tmp_path / "leaflet-360.png")
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    _screenshot(watched, tmp_path / "leaflet-1280.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        "nothing may scroll sideways on a 360 px phone"
    )
    assert _axe_problems(page) == []

    page.select_option("#language-select", "cy")
    page.get_by_role("button", name="Show in this language").click()
    expect(page.locator("#leaflet")).to_have_attribute("lang", "cy")
    expect(page.locator("#sample-note")).to_be_visible()
    expect(page.locator("#leaflet-title")).to_be_focused()
    assert watched.csp_violations == []


def test_an_expired_code_says_what_to_do_next(
    browser: Browser, demo_server: DemoServer, tmp_path: Path
) -> None:
    watched = _open(browser, f"{demo_server.base_url}/l#t={_expired_token(demo_server)}")
    page = watched.page
    expect(page.locator("#problem-message")).to_contain_text("This QR code has expired.")
    expect(page.locator("#problem-message")).to_contain_text("call the helpline on 0808 157 0100")
    expect(page.locator("#problem-heading")).to_be_focused()
    expect(page.locator("#leaflet")).to_be_hidden()
    _screenshot(watched, tmp_path / "expired-360.png")
    assert _axe_problems(page) == []
    assert watched.csp_violations == []


def test_a_page_without_a_code_says_it_could_not_read_one(
    browser: Browser, demo_server: DemoServer
) -> None:
    page = _open(browser, f"{demo_server.base_url}/l").page
    expect(page.locator("#problem-message")).to_contain_text("We could not read this QR code.")


def test_a_victim_verifies_sees_their_case_and_asks_for_a_callback(
    browser: Browser, demo_server: DemoServer, tmp_path: Path
) -> None:
    watched = _open(browser, demo_server.issue_qr(case_id=DEMO_CASE_ID)["url"])
    page = watched.page
    expect(page.locator("#leaflet-title")).not_to_be_empty()

    page.get_by_label("Crime reference number").fill(DEMO_VICTIM["crime_reference"])
    year, month, day = DEMO_VICTIM["date_of_birth"].split("-")
    page.get_by_label("Day").fill(day)
    page.get_by_label("Month").fill(month)
    page.get_by_label("Year").fill(year)
    page.get_by_label("PIN (if we gave you one)").fill(DEMO_VICTIM["pin"])
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("#case-heading")).to_be_focused()
    summary = page.locator("#case-summary")
    expect(summary).to_contain_text("Status")
    expect(summary).to_contain_text(DEMO_VICTIM["crime_reference"])
    expect(page.locator("#timeline li").first).not_to_be_empty()
    _screenshot(watched, tmp_path / "case-360.png")
    assert _axe_problems(page) == []

    page.get_by_label("Getting support").check()
    page.get_by_role("button", name="Request a callback").click()
    expect(page.locator("#callback-result")).to_contain_text("Thank you. We will call you back")

    page.get_by_label("How often you want updates").select_option("EVERY_14_DAYS")
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator("#preferences-result")).to_contain_text("Saved.")
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    _screenshot(watched, tmp_path / "case-1280.png")
    assert watched.csp_violations == []


def test_wrong_details_get_one_plain_answer(browser: Browser, demo_server: DemoServer) -> None:
    page = _open(browser, demo_server.issue_qr()["url"]).page
    expect(page.locator("#leaflet-title")).not_to_be_empty()
    page.get_by_label("Crime reference number").fill(DEMO_VICTIM["crime_reference"])
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("1970")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#verify-error")).to_contain_text("We could not match those details.")
    expect(page.locator("#case")).to_be_hidden()
