"""The client generators of ``tools/clients/generate.py``, for tests.

Tests generate into temporary directories from the committed contract, so they
always exercise clients of the contract as it is now (the generated files in
``clients/`` are ignored by git and may be stale or absent).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
GENERATE_PY = ROOT / "tools" / "clients" / "generate.py"
PYTHON_PACKAGE = "victim_api_client"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("victim_api_clients_generate", GENERATE_PY)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def imported_python_client(out_dir: Path) -> Iterator[ModuleType]:
    """Generate the Python client into ``out_dir`` and import it; unimport afterwards."""
    generator().generate_python(out_dir)
    sys.path.insert(0, str(out_dir))
    try:
        yield importlib.import_module(PYTHON_PACKAGE)
    finally:
        sys.path.remove(str(out_dir))
        for name in [n for n in sys.modules if n.split(".")[0] == PYTHON_PACKAGE]:
            del sys.modules[name]


def snake_case(operation_id: str) -> str:
    """``getQrTokenPng`` -> ``get_qr_token_png``: the generator's module names."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", operation_id).lower()
