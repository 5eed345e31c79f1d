"""seed-demo gives a worklist with an item of every kind and a report with figures."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.support.auth import bearer, new_client, token_for
from tests.support.database import fresh_database
from victim_api.app import create_app
from victim_api.demo import seed_demo
from victim_api.platform.clock import utcnow
from victim_api.platform.principal import Channel
from victim_api.settings import Settings


def test_the_demo_worklist_has_every_kind_and_the_report_figures(
    tmp_path: Path, settings: Settings
) -> None:
    with fresh_database(tmp_path) as url:
        demo_settings = settings.model_copy(update={"database_url": url})
        app = create_app(demo_settings)
        try:
            first = seed_demo(app.state.database, demo_settings)
            second = seed_demo(app.state.database, demo_settings)
            with TestClient(app) as client:
                staff = bearer(token_for(client, new_client(app, Channel.STAFF)))
                worklist = client.get("/v1/worklist?limit=100", headers=staff)
                today = utcnow().date()
                report = client.get(
                    "/v1/reports/compliance",
                    params={"from": f"{today.year - 1}-{today:%m-%d}", "to": str(today)},
                    headers=staff,
                )
        finally:
            app.state.database.dispose()
    assert "[callbacks] 3 demo callback requests and 3 feedback answers created" in first
    assert "[callbacks] 0 demo callback requests and 0 feedback answers created" in second
    assert worklist.status_code == 200, worklist.text
    items = worklist.json()["items"]
    assert {i["kind"] for i in items} == {
        "NOTIFICATION_DUTY",
        "REFERRAL_NOT_SENT",
        "REFERRAL_NOT_ACKNOWLEDGED",
        "CALLBACK",
        "CONTACT_UPDATE",
    }
    assert {i["state"] for i in items} == {"OVERDUE", "DUE_SOON", "PENDING"}
    assert report.status_code == 200, report.text
    figures = report.json()
    total = figures["duties"]["total"]
    assert total["duties_due"] > 0
    for outcome in ("met_on_time", "met_late", "overdue", "waived"):
        assert total[outcome] > 0, outcome
    assert figures["referrals"]["offered_referral"] >= 2
    assert figures["callbacks"]["completed"] == 1
    assert figures["callbacks"]["median_hours_to_callback"] == 3.0
    assert figures["feedback"] == {"count": 3, "average_rating": 3.67}
