"""The shell examples in README.md and docs/integration/ run, as written.

Every fenced block whose info string is exactly ``sh`` is an example to run:
it is run with ``bash -euo pipefail``, from the repository root, against a live
server on loopback (demo data: ``victim-api migrate`` and ``victim-api
seed-demo`` on a temporary SQLite file, keys in a temporary directory), with
``http://127.0.0.1:8000`` (and ``localhost:8000``) rewritten to that server.
``victim-api`` commands in a block use that server's database; HOME and TMPDIR
are a fresh temporary directory per block. A block fails on a non-zero exit,
on running longer than BLOCK_SECONDS, or if the server answered any of its
requests with a 5xx. On failure the block (with its line numbers in the
document), its output and the server's log are shown.

Opting out: a block that must not run here (deploy commands, ``make test``
itself, anything reaching another host) is fenced as ``sh no-run``. Other shell
info strings (``bash``, ``shell``, ``console``...) and unknown words after ``sh``
are refused, so an example cannot escape the check by its spelling. Expected
output goes in comments (``# {"status":"ok"}``), which bash ignores. See
docs/integration/README.md, "Examples that cannot rot".
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.markdown import ROOT, Block, documents, fenced_blocks
from tests.support.server import run_cli, running_server

pytestmark = pytest.mark.docs

BLOCK_SECONDS = float(os.environ.get("VICTIM_API_DOCS_BLOCK_SECONDS", "30"))
SETUP_SECONDS = 120
RUN, NO_RUN = "sh", "sh no-run"
SHELL_LANGUAGES = {"sh", "bash", "shell", "zsh", "console", "shell-session", "shellsession"}
LOCAL_SERVER = re.compile(r"(?:https?://)?(?:127\.0\.0\.1|localhost):8000(?![0-9])")


def all_blocks() -> list[Block]:
    return [block for path in documents() for block in fenced_blocks(path)]


def runnable() -> list[Block]:
    return [block for block in all_blocks() if block.info == RUN]


# ---------------------------------------------------------------- the live server


@dataclass(frozen=True)
class DocsServer:
    base_url: str
    env: dict[str, str]
    log_path: Path

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines()


def _block_env(home: Path, server_env: dict[str, str]) -> dict[str, str]:
    """A small, predictable environment: no proxies, no profile, no BASH_ENV."""
    venv_bin = str(Path(sys.executable).parent)
    return {
        "PATH": os.pathsep.join([venv_bin, os.environ.get("PATH", "/usr/bin:/bin")]),
        "HOME": str(home),
        "TMPDIR": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        # `victim-api ...` commands in a guide act on the server's database.
        **server_env,
    }


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocsServer]:
    work = tmp_path_factory.mktemp("docs-server")
    env = {
        "VICTIM_API_ENV": "development",
        "VICTIM_API_DATABASE_URL": f"sqlite:///{work / 'victim-api.db'}",
        "VICTIM_API_KEYS_DIR": str(work / "keys"),
        "VICTIM_API_LOG_FORMAT": "json",
        # Many examples fetch a token for the same demo client within a minute.
        "VICTIM_API_TOKEN_RATE_LIMIT_PER_MINUTE": "1000",
    }
    run_cli(["migrate"], env, SETUP_SECONDS)
    run_cli(["seed-demo"], env, SETUP_SECONDS)
    with running_server(env, work / "server.log") as base_url:
        yield DocsServer(base_url, env, work / "server.log")


# ---------------------------------------------------------------- the checks


def test_every_shell_block_either_runs_or_says_it_does_not() -> None:
    wrong = [
        f"{block.where}: ```{block.info}"
        for block in all_blocks()
        if block.language in SHELL_LANGUAGES and block.info not in (RUN, NO_RUN)
    ]
    assert not wrong, (
        "fence shell examples as ```sh (run by this test) or ```sh no-run (never run):\n"
        + "\n".join(wrong)
    )


def test_the_readme_walkthrough_is_among_the_examples() -> None:
    readme = [block for block in runnable() if block.path.name == "README.md"]
    assert any("/v1/oauth/token" in block.code for block in readme), readme


@pytest.mark.parametrize("block", runnable(), ids=lambda block: block.where)
def test_example_runs(block: Block, docs_server: DocsServer, tmp_path: Path) -> None:
    script = LOCAL_SERVER.sub(docs_server.base_url, block.code)
    script_path = tmp_path / "example.sh"
    script_path.write_text(script, encoding="utf-8")
    log_mark = len(docs_server.log_lines())
    process = subprocess.Popen(
        ["bash", "--noprofile", "--norc", "-euo", "pipefail", str(script_path)],
        cwd=ROOT,  # as a reader runs them (`.venv/bin/victim-api ...`); HOME is a temp dir
        env=_block_env(tmp_path, docs_server.env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=BLOCK_SECONDS)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process.pid)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        _kill_group(process.pid)  # anything the block left running in the background
    new_log = docs_server.log_lines()[log_mark:]
    server_errors = [line for line in new_log if _status(line) >= 500]

    if timed_out or process.returncode != 0 or server_errors:
        verdict = (
            f"timed out after {BLOCK_SECONDS:.0f}s"
            if timed_out
            else f"exited {process.returncode}"
            if process.returncode
            else f"the server answered {len(server_errors)} request(s) with a 5xx"
        )
        numbered = "\n".join(
            f"{block.line + n:5d}  {text}" for n, text in enumerate(script.splitlines())
        )
        pytest.fail(
            f"{block.where} {verdict}\n"
            f"--- the block (bash -euo pipefail, {docs_server.base_url} for 127.0.0.1:8000)\n"
            f"{numbered}\n--- stdout\n{stdout[-4000:]}\n--- stderr\n{stderr[-4000:]}\n"
            f"--- server log during the block\n" + "\n".join(new_log[-40:]),
            pytrace=False,
        )


def _kill_group(pid: int) -> None:
    """SIGKILL the process group we started for a block (its leader is bash, our child)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _status(log_line: str) -> int:
    try:
        entry = json.loads(log_line)
    except ValueError:
        return 0
    if not isinstance(entry, dict) or entry.get("event") != "request":
        return 0
    status = entry.get("status")
    return status if isinstance(status, int) else 0
