"""The compliance report against a synthetic month with known answers (conftest)."""

from __future__ import annotations

import csv
import io
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from tests.reports.conftest import Month

MAY = {"from": "2026-05-01", "to": "2026-05-31"}
SVG = "{http://www.w3.org/2000/svg}"


def _figures(due: int, on: int, late: int, overdue: int, waived: int, pct: float | None) -> Any:
    return {
        "duties_due": due,
        "met_on_time": on,
        "met_late": late,
        "overdue": overdue,
        "waived": waived,
        "pending": 0,
        "on_time_percent": pct,
    }


def _report(client: TestClient, staff: dict[str, str], **params: str) -> dict[str, Any]:
    response = client.get("/v1/reports/compliance", params={**MAY, **params}, headers=staff)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return dict(response.json())


@pytest.fixture
def staff(channel_tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {channel_tokens['STAFF']}"}


def test_deadlines_skip_the_bank_holidays(month: Month) -> None:
    assert month.due_on == {
        "c1 reported": "2026-05-06",
        "c1 interviewed": "2026-05-28",
        "c2 reported": "2026-05-27",
        "c3 reported": "2026-05-13",
        "c3 interviewed": "2026-06-04",
    }


def test_every_figure_of_the_month(client: TestClient, staff: dict[str, str], month: Month) -> None:
    report = _report(client, staff, group_by="duty_type")
    assert report["from"] == "2026-05-01"
    assert report["to"] == "2026-05-31"
    assert report["group_by"] == "duty_type"
    assert report["duties"] == {
        "groups": [
            {"group": "CASE_REPORTED", **_figures(3, 1, 1, 0, 1, 50.0)},
            {"group": "SUSPECT_INTERVIEWED", **_figures(1, 0, 0, 1, 0, 0.0)},
        ],
        "total": _figures(4, 1, 1, 1, 1, 33.3),
    }
    # 3 people on cases reported in May; 2 referred, after 1 and 3 working days
    # (Friday 1 May -> Tuesday 5 May over the bank holiday; Friday 22 -> Thursday 28).
    assert report["referrals"] == {
        "victims": 3,
        "offered_referral": 2,
        "offered_percent": 66.7,
        "median_working_days_to_referral": 2.0,
    }
    assert report["callbacks"] == {"completed": 2, "median_hours_to_callback": 15.0}
    assert report["feedback"] == {"count": 3, "average_rating": 3.33}


def test_groups_by_borough_team_and_month(
    client: TestClient, staff: dict[str, str], month: Month
) -> None:
    by_borough = _report(client, staff, group_by="borough")["duties"]["groups"]
    assert by_borough == [
        {"group": "CAMDEN", **_figures(3, 1, 1, 1, 0, 33.3)},
        {"group": "SUTTON", **_figures(1, 0, 0, 0, 1, None)},
    ]
    by_team = _report(client, staff, group_by="team")["duties"]["groups"]
    assert [(g["group"], g["on_time_percent"]) for g in by_team] == [
        ("Month North", 33.3),
        ("Month South", None),
    ]
    by_month = _report(client, staff, group_by="month")["duties"]["groups"]
    assert by_month == [{"group": "2026-05", **_figures(4, 1, 1, 1, 1, 33.3)}]


def test_one_borough(client: TestClient, staff: dict[str, str], month: Month) -> None:
    report = _report(client, staff, borough="CAMDEN", group_by="borough")
    assert report["duties"]["total"] == _figures(3, 1, 1, 1, 0, 33.3)
    assert report["referrals"] == {
        "victims": 2,
        "offered_referral": 2,
        "offered_percent": 100.0,
        "median_working_days_to_referral": 2.0,
    }
    assert report["callbacks"] == {"completed": 2, "median_hours_to_callback": 15.0}
    assert report["feedback"] == {"count": 2, "average_rating": 3.5}


def test_csv_has_the_same_figures(client: TestClient, staff: dict[str, str], month: Month) -> None:
    response = client.get(
        "/v1/reports/compliance",
        params={**MAY, "group_by": "borough"},
        headers={**staff, "Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [
        [
            "borough",
            "duties_due",
            "met_on_time",
            "met_late",
            "overdue",
            "waived",
            "pending",
            "on_time_percent",
        ],
        ["CAMDEN", "3", "1", "1", "1", "0", "0", "33.3"],
        ["SUTTON", "1", "0", "0", "0", "1", "0", ""],
        ["TOTAL", "4", "1", "1", "1", "1", "0", "33.3"],
    ]


def test_the_svg_chart_stands_on_its_own(
    client: TestClient, staff: dict[str, str], month: Month
) -> None:
    response = client.get(
        "/v1/reports/compliance", params=MAY, headers={**staff, "Accept": "image/svg+xml"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)
    assert root.tag == f"{SVG}svg"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Victims' Code duties met on time, by borough" in texts
    assert "Duties due 2026-05-01 to 2026-05-31" in texts
    assert "Duties met on time (%)" in texts  # the y axis
    assert "Borough" in texts  # the x axis
    assert {"0%", "50%", "100%"} <= set(texts)  # the scale
    assert {"Camden", "Sutton"} <= set(texts)  # bar labels
    assert {"33.3%", "n/a"} <= set(texts)  # value labels
    assert root.find(f"{SVG}title") is not None
    assert not list(root.iter(f"{SVG}script"))
    assert "href" not in response.text
    assert "font-face" not in response.text


@pytest.mark.parametrize("accept", ["text/html", "application/pdf", "image/png;q=1, */*;q=0"])
def test_other_media_types_are_406(client: TestClient, staff: dict[str, str], accept: str) -> None:
    response = client.get("/v1/reports/compliance", params=MAY, headers={**staff, "Accept": accept})
    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-05-31", "to": "2026-05-01"},
        {"from": "2025-01-01", "to": "2026-05-01"},
        {"from": "2026-05-01"},
        {**MAY, "group_by": "victim"},
        {**MAY, "borough": "ATLANTIS"},
    ],
)
def test_bad_periods_and_groupings_are_422(
    client: TestClient, staff: dict[str, str], params: dict[str, str]
) -> None:
    response = client.get("/v1/reports/compliance", params=params, headers=staff)
    assert response.status_code == 422, response.text


def test_reports_are_staff_only(client: TestClient, channel_tokens: dict[str, str]) -> None:
    for channel in ("PHONE", "PARTNER", "WEB", "POLICE_SYSTEM"):
        headers = {"Authorization": f"Bearer {channel_tokens[channel]}"}
        assert client.get("/v1/reports/compliance", params=MAY, headers=headers).status_code == 403
