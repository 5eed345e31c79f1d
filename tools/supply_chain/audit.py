"""`make lint`'s dependency audit: pip-audit over the installed environment, with an allowlist.

Fails on any known vulnerability that `pip-audit-allowlist.txt` does not name,
and on an allowlist line that gives no reason. pip-audit asks PyPI's per-version
JSON API (or OSV) for advisories; when that service answers for none of the
installed packages (a mirror that serves only the package index, say), the
audit has checked nothing. That is reported loudly and fails with `--strict`
(`PIP_AUDIT_STRICT=1`), and is otherwise a warning so offline development works.

    python tools/supply_chain/audit.py [--allowlist FILE] [--report pip-audit.json] [--strict]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ALLOWLIST_LINE = re.compile(r"^(?P<id>\S+)\s+(?P<package>[A-Za-z0-9_.-]+):\s*(?P<reason>.*)$")


@dataclass(frozen=True)
class Allowed:
    vuln_id: str
    package: str
    reason: str


@dataclass
class Verdict:
    failures: list[str]
    warnings: list[str]
    audited: int
    skipped: int


def read_allowlist(text: str) -> tuple[list[Allowed], list[str]]:
    """The allowed exceptions, and a problem for each line that is not one with a reason."""
    allowed, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = ALLOWLIST_LINE.match(line)
        if not match or len(match["reason"].strip()) < 10:
            problems.append(f"allowlist line {number} must be `<id> <package>: <reason>`")
            continue
        allowed.append(Allowed(match["id"], _normal(match["package"]), match["reason"]))
    return allowed, problems


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def judge(report: dict[str, Any], allowed: list[Allowed], *, strict: bool) -> Verdict:
    """Decide from a pip-audit JSON report."""
    failures: list[str] = []
    warnings: list[str] = []
    used: set[Allowed] = set()
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dependency in dependencies:
        package = _normal(dependency["name"])
        for vuln in dependency.get("vulns", []):
            names = {vuln["id"], *vuln.get("aliases", [])}
            match = next((a for a in allowed if a.package == package and a.vuln_id in names), None)
            if match is None:
                failures.append(f"{dependency['name']} {dependency.get('version')}: {vuln['id']}")
            else:
                used.add(match)
    if dependencies and audited == 0:
        message = (
            f"the vulnerability service answered for none of {len(dependencies)} packages: "
            "nothing was audited"
        )
        (failures if strict else warnings).append(message)
    elif audited:
        warnings += [
            f"allowlisted {a.vuln_id} ({a.package}) is no longer reported: remove the line"
            for a in allowed
            if a not in used
        ]
    return Verdict(failures, warnings, audited, len(skipped))


def run_pip_audit() -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--format",
        "json",
        "--vulnerability-service",
        "pypi",
        "--skip-editable",
        "--progress-spinner",
        "off",
    ]
    # The report lists allowlisted advisories too; `judge` matches them by id or alias.
    # The command is fixed: this interpreter's own pip-audit.
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if not result.stdout.strip():
        raise SystemExit(f"pip-audit produced no report:\n{result.stderr[-2000:]}")
    return dict(json.loads(result.stdout))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allowlist", type=Path, default=Path("pip-audit-allowlist.txt"))
    parser.add_argument("--report", type=Path, help="judge a saved pip-audit JSON report")
    parser.add_argument(
        "--strict", action="store_true", default=os.environ.get("PIP_AUDIT_STRICT") == "1"
    )
    args = parser.parse_args(argv)
    allowed, problems = read_allowlist(args.allowlist.read_text())
    report = json.loads(args.report.read_text()) if args.report else run_pip_audit()
    verdict = judge(report, allowed, strict=args.strict)
    verdict.failures[:0] = problems
    print(f"pip-audit: {verdict.audited} packages audited, {verdict.skipped} not answered for")
    for warning in verdict.warnings:
        print(f"WARNING: {warning}")
    for failure in verdict.failures:
        print(f"FAIL: {failure}")
    return 1 if verdict.failures else 0


if __name__ == "__main__":
    sys.exit(main())
