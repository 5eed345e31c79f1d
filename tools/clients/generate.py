"""Generate the API clients from the committed contract (``make clients``).

    python tools/clients/generate.py [--typescript FILE] [--python DIR] [--contract FILE]
    python tools/clients/generate.py --mock-contract FILE

With no output named, writes both clients to their homes: ``clients/typescript/schema.d.ts``
(openapi-typescript) and ``clients/python/`` (openapi-python-client, package
``victim_api_client``). Both are derived files, ignored by git: the contract is the one
committed source. The tests call the same functions with temporary outputs, so CI
always exercises clients generated from the contract as it is now.

The Node tools come from ``tools/clients/node_modules`` (``npm ci --ignore-scripts``);
openapi-python-client from its own virtualenv (``.venv/clientgen``, see README.md here
for why it is not in the service's). Run it with the service's virtualenv (PyYAML).

openapi-python-client is handed a copy of the contract with its known gaps worked
around (``for_python_generator``); the TypeScript types come from the contract as is.
``--mock-contract`` writes the copy ``make mock`` serves (``for_mock``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools" / "clients"
CONTRACT = ROOT / "openapi" / "openapi.yaml"
TYPESCRIPT_OUT = ROOT / "clients" / "typescript" / "schema.d.ts"
PYTHON_OUT = ROOT / "clients" / "python"
PYTHON_CONFIG = TOOLS / "openapi-python-client.yaml"
CLIENTGEN_VENV = Path(os.environ.get("VICTIM_API_CLIENTGEN_VENV", ROOT / ".venv" / "clientgen"))
TIMEOUT_SECONDS = 120


class ToolMissingError(RuntimeError):
    pass


def node_tool(name: str) -> Path:
    """A pinned Node tool from tools/clients, or a clear error naming the fix."""
    path = TOOLS / "node_modules" / ".bin" / name
    if not path.exists():
        raise ToolMissingError(f"{path} is missing: run `make clients-tools` (npm ci here)")
    return path


def clientgen_bin(name: str) -> Path:
    path = CLIENTGEN_VENV / "bin" / name
    if not path.exists():
        raise ToolMissingError(f"{path} is missing: run `make clients-tools`")
    return path


def generate_typescript(out_file: Path, contract: Path = CONTRACT) -> None:
    out_file.parent.mkdir(parents=True, exist_ok=True)
    _run([str(node_tool("openapi-typescript")), str(contract), "--output", str(out_file)])


def for_python_generator(document: dict[str, Any]) -> dict[str, Any]:
    """The contract with what openapi-python-client 0.29 cannot take rewritten, meaning kept.

    - A header parameter with ``const`` ("Literal ... is not allowed in header": the
      whole operation would be dropped) becomes a one-value ``enum``. Example:
      ``If-None-Match: *`` on ``PUT /v1/cases/{case_id}``.

    ``tests/clients/test_python_client.py`` fails if an operation is still dropped.
    """
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "header" and "const" in schema:
                    schema["enum"] = [schema.pop("const")]
    return document


# json-schema-faker settings for Prism's dynamic answers: without a bound, nested
# lists (the Open Referral feed) come back megabytes long.
MOCK_FAKER_OPTIONS = {"maxItems": 2}


def for_mock(document: dict[str, Any]) -> dict[str, Any]:
    """The contract plus ``x-json-schema-faker`` (read by Prism alone); nothing else changes."""
    return {**document, "x-json-schema-faker": MOCK_FAKER_OPTIONS}


def write_mock_contract(out_file: Path, contract: Path = CONTRACT) -> None:
    out_file.parent.mkdir(parents=True, exist_ok=True)
    document = for_mock(_load(contract))
    out_file.write_text(json.dumps(document, default=str, indent=1), encoding="utf-8")


def _load(contract: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(contract.read_text(encoding="utf-8"))
    return loaded


def generate_python(out_dir: Path, contract: Path = CONTRACT) -> None:
    """Write the package to ``out_dir`` (replaced whole), formatted by the pinned ruff."""
    generator = clientgen_bin("openapi-python-client")
    document = for_python_generator(_load(contract))
    with tempfile.TemporaryDirectory(prefix="victim-api-contract-") as work:
        prepared = Path(work) / "openapi.json"
        prepared.write_text(json.dumps(document, default=str), encoding="utf-8")
        _generate_python(generator, prepared, out_dir)


def _generate_python(generator: Path, contract: Path, out_dir: Path) -> None:
    command = [
        str(generator),
        "generate",
        "--path",
        str(contract),
        "--output-path",
        str(out_dir),
        "--overwrite",
        "--meta",
        "setup",
        "--config",
        str(PYTHON_CONFIG),
    ]
    # Its post hooks run `ruff`: the one pinned beside it, not whichever is first on PATH.
    env = {**os.environ, "PATH": f"{generator.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    output = _run(command, env=env)
    # Its warnings are not fatal, so show them: an unsupported media type leaves that body
    # raw (content_type_overrides in the config, if it is bytes or text); an unsupported
    # construct drops the operation (for_python_generator above; the tests catch it).
    if "Warning(s) encountered" in output:
        print(output, file=sys.stderr)
    if not (out_dir / "victim_api_client" / "__init__.py").exists():
        raise RuntimeError(f"openapi-python-client wrote no package:\n{output}")


def _run(command: list[str], env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(  # noqa: S603 (our pinned tools, no shell)
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    output = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {completed.returncode}:\n{output}")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contract", type=Path, default=CONTRACT)
    parser.add_argument("--typescript", type=Path, help="write the TypeScript types here")
    parser.add_argument("--python", type=Path, help="write the Python client package here")
    parser.add_argument("--mock-contract", type=Path, help="write the contract Prism serves")
    args = parser.parse_args(argv)
    if args.mock_contract:
        write_mock_contract(args.mock_contract.resolve(), args.contract.resolve())
        return 0
    both = args.typescript is None and args.python is None
    try:
        if both or args.typescript:
            target = (args.typescript or TYPESCRIPT_OUT).resolve()
            generate_typescript(target, args.contract.resolve())
            print(f"typescript: {target}")
        if both or args.python:
            target = (args.python or PYTHON_OUT).resolve()
            generate_python(target, args.contract.resolve())
            print(f"python:     {target}")
    except (ToolMissingError, RuntimeError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
