"""The TypeScript client (openapi-typescript + openapi-fetch) against a real server.

``make clients-check`` type-checks ``clients/typescript/example.ts`` with tsc
--strict in CI; this runs it. The types are generated from the committed contract
into a temporary directory beside a copy of ``example.ts``, compiled with the
project's tsconfig (tsc from tools/clients), and ``main()`` is run with node:
it gets a token, reads a page of the audit trail and gets a typed 422 problem.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI

from tests.clients.conftest import LiveServer
from tests.support.auth import new_client
from tests.support.clients import generator
from victim_api.platform.audit import Operation, record_now
from victim_api.platform.principal import Channel, system_caller
from victim_api.platform.scopes import AUDIT_READ

pytestmark = pytest.mark.clients
TIMEOUT_SECONDS = 60
RUNNER = """\
import { main } from "./example.js";
const { VICTIM_API_BASE_URL, VICTIM_API_CLIENT_ID, VICTIM_API_CLIENT_SECRET } = process.env;
const result = await main(VICTIM_API_BASE_URL, VICTIM_API_CLIENT_ID, VICTIM_API_CLIENT_SECRET);
console.log(JSON.stringify(result));
"""


@pytest.fixture(scope="module")
def compiled_example(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``example.js`` built from the current contract, runnable with node."""
    work = tmp_path_factory.mktemp("typescript-client")
    generate = generator()
    generate.generate_typescript(work / "schema.d.ts")
    shutil.copy(repo_root / "clients" / "typescript" / "example.ts", work / "example.ts")
    tsconfig = {
        "extends": str(repo_root / "clients" / "typescript" / "tsconfig.json"),
        "compilerOptions": {"noEmit": False, "outDir": "out"},
        "files": ["schema.d.ts", "example.ts"],
    }
    (work / "tsconfig.json").write_text(json.dumps(tsconfig))
    tsc = generate.node_tool("tsc")
    _run([str(tsc), "-p", str(work / "tsconfig.json")], cwd=work)
    out = work / "out"
    (out / "package.json").write_text('{"type": "module"}\n')
    (out / "node_modules").symlink_to(generate.TOOLS / "node_modules", target_is_directory=True)
    (out / "run.mjs").write_text(RUNNER)
    return out


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
    )
    assert completed.returncode == 0, (
        f"{command} exited {completed.returncode}\n{completed.stdout}\n{completed.stderr}"
    )
    return completed.stdout


def test_the_example_runs_against_the_service(
    compiled_example: Path, live_server: LiveServer, app: FastAPI
) -> None:
    auditor = new_client(app, Channel.AUDITOR, {AUDIT_READ}, name="typescript client: auditor")
    record_now(
        app.state.database,
        system_caller(),
        operation=Operation.CONSULTATION,
        resource_type="probe",
        case_ids=[],
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(compiled_example),
        "VICTIM_API_BASE_URL": live_server.base_url,
        "VICTIM_API_CLIENT_ID": auditor.client_id,
        "VICTIM_API_CLIENT_SECRET": auditor.client_secret,
    }
    node = shutil.which("node")
    assert node, "node is needed for the TypeScript client (Node 20 on the build machines)"
    try:
        output = _run([node, "run.mjs"], cwd=compiled_example, env=env)
    except AssertionError as failure:
        raise AssertionError(f"{failure}\nserver log:\n{live_server.log_tail()}") from None
    result = json.loads(output)
    assert result["problem"] == {"status": 422, "code": "validation_failed"}
    assert 1 <= len(result["events"]) <= 5
    for event in result["events"]:
        assert isinstance(event["seq"], int)
        assert event["operation"] in {op.value for op in Operation}
