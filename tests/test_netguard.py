"""The network guard of conftest: tests stay on loopback, whatever a test or a process it
starts tries (tests/netguard/sitecustomize.py)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests import openai_spec
from tests.conftest import clean_env, refused_connections, run_cli


def test_a_provider_url_is_refused_in_this_process_before_anything_is_sent() -> None:
    # The URL the vendored OpenAI description names as its server (tests/specs/).
    with pytest.raises(httpx2.ConnectError, match="not loopback"):
        httpx2.get("https://api.openai.com/v1/models", timeout=5)
    refused = refused_connections()
    assert len(refused) == 1 and "lookup of 'api.openai.com' refused" in refused[0]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("192.0.2.1", 443), timeout=5)  # TEST-NET-1, by address
    assert any("192.0.2.1" in line for line in refused_connections())


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
    assert refused_connections() == []


def test_a_process_a_test_starts_is_guarded_too() -> None:
    code = "import socket; socket.create_connection(('192.0.2.1', 443), timeout=5)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               env=clean_env(), timeout=60)
    assert completed.returncode != 0
    assert "test network guard: 192.0.2.1 is not loopback" in completed.stderr
    assert any("192.0.2.1" in line for line in refused_connections())


def test_checker_pointed_at_the_real_api_sends_nothing(tmp_path: Path) -> None:
    config = tmp_path / "checks.yml"
    config.write_text("providers:\n  openai:\n    base_url: https://api.openai.com/v1\n"
                      "    api_key: ${OPENAI_API_KEY}\n"
                      "checks:\n  - {provider: openai, model: gpt-4o-mini}\n"
                      "defaults: {retries: 0, timeout: 5}\n", encoding="utf-8")
    result = run_cli("run", "-c", str(config), "--json", str(tmp_path / "r.json"),
                     env={"OPENAI_API_KEY": "sk-test-not-a-real-key"})
    assert result.code == 3, result.stdout + result.stderr
    assert "network_error" in result.stdout
    refused = refused_connections()
    assert refused and all("lookup of 'api.openai.com' refused" in line for line in refused)


def _refs(node: object) -> Iterator[str]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                yield ref
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def test_the_vendored_api_description_is_data_never_a_destination() -> None:
    # tests/specs/openai-openapi.yaml names https://api.openai.com/v1 as its server and in its
    # curl examples. It is parsed and its schemas resolved in-process: every $ref is local
    # (nothing for a resolver to fetch), and using every schema contacts nothing.
    spec = openai_spec.document()
    assert spec["servers"] == [{"url": "https://api.openai.com/v1"}]
    refs = list(_refs(spec))
    assert refs and all(ref.startswith("#/components/") for ref in refs)
    for name in spec["components"]["schemas"]:
        openai_spec.errors(name, {})
    assert refused_connections() == []
