"""Fault injection against the simulator on loopback: each fault ends in the right class with
a useful message, never a traceback, and the other checks of the run are unaffected.
Also: signals mid-run, the whole-run deadline, and TLS trust."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import trustme
import xmlschema

from checker.simulator import Simulator
from tests.conftest import clean_env, run_cli

XSD = Path(__file__).parent / "schemas" / "junit-10-checker.xsd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_fault(write_config, tmp_path: Path, base_url: str, key: str, models: str = "gpt-4o-mini",  # type: ignore[no-untyped-def]
              extra: str = "", healthy: Simulator | None = None, args: tuple[str, ...] = (),
              env: dict[str, str] | None = None) -> tuple[dict[str, dict], object]:
    """Run one faulty provider next to a healthy one; return results by provider."""
    healthy_block = ""
    environment = {"FAULT_KEY": key, **(env or {})}
    if healthy is not None:
        environment["HEALTHY_KEY"] = healthy.new_key("verified")
        healthy_block = (f"  healthy:\n    base_url: {healthy.url}\n"
                         "    api_key: ${HEALTHY_KEY}\n")
    config = write_config(f"""
defaults: {{timeout: 1, retries: 0}}
providers:
  fault:
    base_url: {base_url}
    api_key: ${{FAULT_KEY}}
{extra}
{healthy_block}
checks:
  - providers: [fault{", healthy" if healthy else ""}]
    models: [{models}]
""")
    report = tmp_path / "faults.json"
    result = run_cli("run", "-c", str(config), "--json", str(report), *args, env=environment)
    assert "Traceback" not in result.stderr + result.stdout
    records = json.loads(report.read_text())["results"]
    by_provider = {r["provider"]: r for r in records}
    if healthy is not None:
        assert by_provider["healthy"]["class"] == "ok"
    return by_provider, result


SCENARIO_FAULTS = [
    # scenario, expected class, words the message must contain
    ("slow", "timeout", "no answer within 1s"),  # nothing before the timeout
    ("stall-body", "timeout", "no answer within 1s"),  # headers, then nothing
    ("reset", "network_error", "connection broken mid-answer"),
    ("truncated", "unexpected_response", '{"id": "chatcmpl-sim", "obj'),
    ("html-200", "unexpected_response", "Sign in"),
    ("empty-200", "unexpected_response", "empty body"),
    ("html", "server_error", "502 Bad Gateway"),  # an edge proxy's 5xx page
    ("redirect", "unexpected_response", "redirect to login.example.net not followed"),
]


@pytest.mark.parametrize(("scenario", "expected", "words"), SCENARIO_FAULTS,
                         ids=[f[0] for f in SCENARIO_FAULTS])
def test_scenario_faults(write_config, tmp_path: Path, scenario: str, expected: str,  # type: ignore[no-untyped-def]
                         words: str) -> None:
    with Simulator(slow_seconds=20) as faulty, Simulator() as healthy:
        by_provider, _ = run_fault(write_config, tmp_path, faulty.url, faulty.new_key(scenario),
                                   healthy=healthy)
    fault = by_provider["fault"]
    assert fault["class"] == expected, fault
    assert words in fault["message"], fault["message"]


def test_stream_that_never_sends_an_event_times_out(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Simulator() as faulty, Simulator() as healthy:
        config = write_config(f"""
defaults: {{timeout: 1, retries: 0}}
providers:
  fault: {{base_url: "{faulty.url}", api_key: "${{FAULT_KEY}}"}}
  healthy: {{base_url: "{healthy.url}", api_key: "${{HEALTHY_KEY}}"}}
checks:
  - providers: [fault, healthy]
    models: [o3]
    capabilities: [stream]
""")
        report = tmp_path / "r.json"
        started = time.monotonic()
        result = run_cli("run", "-c", str(config), "--json", str(report), env={
            "FAULT_KEY": faulty.new_key("stall-stream"),
            "HEALTHY_KEY": healthy.new_key("verified")})
    assert time.monotonic() - started < 15 and "Traceback" not in result.stderr
    records = {r["provider"]: r for r in json.loads(report.read_text())["results"]}
    assert records["fault"]["class"] == "timeout"
    assert records["healthy"]["class"] == "ok"


def test_connection_refused(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Simulator() as healthy:
        by_provider, _ = run_fault(write_config, tmp_path,
                                   f"http://127.0.0.1:{free_port()}/v1", "sk-sim-anything-1234",
                                   healthy=healthy)
    assert by_provider["fault"]["class"] == "network_error"
    assert "connection refused" in by_provider["fault"]["message"].lower()


def test_dns_failure(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Simulator() as healthy:
        # .invalid is reserved (RFC 2606): it never resolves, so nothing leaves the machine.
        by_provider, _ = run_fault(write_config, tmp_path, "https://api.checker-test.invalid/v1",
                                   "sk-sim-anything-1234", healthy=healthy)
    assert by_provider["fault"]["class"] == "network_error"
    assert by_provider["fault"]["message"].startswith("DNS lookup failed")


@pytest.fixture(scope="module")
def tls_authority() -> trustme.CA:
    return trustme.CA()


def tls_simulator(ca: trustme.CA) -> Simulator:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return Simulator(tls=context)


def test_untrusted_certificate_is_refused(write_config, tmp_path: Path,  # type: ignore[no-untyped-def]
                                          tls_authority: trustme.CA) -> None:
    with tls_simulator(tls_authority) as faulty, Simulator() as healthy:
        by_provider, _ = run_fault(write_config, tmp_path, faulty.url,
                                   faulty.new_key("verified"), healthy=healthy)
        assert faulty.log == []  # the key was never sent
    assert by_provider["fault"]["class"] == "network_error"
    assert by_provider["fault"]["message"].startswith("TLS handshake failed")
    assert "CERTIFICATE_VERIFY_FAILED" in by_provider["fault"]["message"]


def test_custom_ca_bundle_and_ssl_cert_file(write_config, tmp_path: Path,  # type: ignore[no-untyped-def]
                                            tls_authority: trustme.CA) -> None:
    ca_file = tmp_path / "ca.pem"
    tls_authority.cert_pem.write_to_path(str(ca_file))
    with tls_simulator(tls_authority) as server:
        by_provider, _ = run_fault(write_config, tmp_path, server.url, server.new_key("verified"),
                                   extra=f"    ca_bundle: {ca_file}")
        assert by_provider["fault"]["class"] == "ok"
        by_provider, _ = run_fault(write_config, tmp_path, server.url, server.new_key("verified"),
                                   env={"SSL_CERT_FILE": str(ca_file)})
        assert by_provider["fault"]["class"] == "ok"


def test_retry_after_2_then_success_waits_at_least_2s(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Simulator(retry_after_seconds=2) as simulator:
        by_provider, _ = run_fault(write_config, tmp_path, simulator.url,
                                   simulator.new_key("rate-limited"), args=("--retries", "2"))
        times = [probe.time for probe in simulator.log]
    fault = by_provider["fault"]
    assert (fault["class"], fault["attempts"]) == ("ok", 2)
    assert times[1] - times[0] >= 2.0


def test_retry_after_beyond_the_deadline_stops_and_reports(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Simulator() as simulator, Simulator() as healthy:
        started = time.monotonic()
        by_provider, result = run_fault(write_config, tmp_path, simulator.url,
                                        simulator.new_key("rate-limited-long"), healthy=healthy,
                                        args=("--retries", "5", "--deadline", "10s"))
    assert time.monotonic() - started < 8
    fault = by_provider["fault"]
    assert fault["class"] == "rate_limited" and fault["attempts"] == 1
    assert any("would pass the run deadline" in note for note in fault["notes"])
    assert result.code == 3  # type: ignore[attr-defined]


def test_endless_body_is_capped(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Simulator() as simulator:
        started = time.monotonic()
        by_provider, _ = run_fault(write_config, tmp_path, simulator.url,
                                   simulator.new_key("endless"), models="gpt-image-1")
    assert by_provider["fault"]["class"] == "ok"  # the start of an image answer is enough
    assert time.monotonic() - started < 15


def test_deadline_reports_unfinished_checks(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Simulator(slow_seconds=30) as simulator, Simulator() as healthy:
        by_provider, result = run_fault(write_config, tmp_path, simulator.url,
                                        simulator.new_key("slow"), healthy=healthy,
                                        extra="    timeout: 60",
                                        args=("--deadline", "2s"))
    assert by_provider["fault"]["class"] == "interrupted"
    assert "run deadline (2s)" in by_provider["fault"]["message"]
    assert result.code == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_mid_run_writes_complete_reports(write_config, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                signum: signal.Signals, code: int) -> None:
    with Simulator(slow_seconds=60) as simulator:
        config = write_config(f"""
defaults: {{timeout: 120, retries: 0}}
providers:
  slow: {{base_url: "{simulator.url}", api_key: "${{SLOW_KEY}}"}}
  fast: {{base_url: "{simulator.url}", api_key: "${{FAST_KEY}}"}}
checks:
  - providers: [fast, slow]
    models: [gpt-4o-mini, o3, gpt-5]
""")
        junit, report = tmp_path / "r.xml", tmp_path / "r.json"
        env = clean_env({"SLOW_KEY": simulator.new_key("slow"),
                         "FAST_KEY": simulator.new_key("verified")})
        process = subprocess.Popen(
            [sys.executable, "-m", "checker", "run", "-c", str(config), "--junit-xml",
             str(junit), "--json", str(report)], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while sum(p.scenario == "slow" for p in simulator.log) < 3:
            assert time.monotonic() < deadline, "the slow probes never started"
            time.sleep(0.05)
        os.kill(process.pid, signum)
        stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    xmlschema.validate(str(junit), str(XSD))
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    assert len(cases) == 6
    assert all(cases[f"fast / {m} [access]"].find("skipped") is None
               for m in ("gpt-4o-mini", "o3", "gpt-5"))
    for model in ("gpt-4o-mini", "o3", "gpt-5"):
        unfinished = cases[f"slow / {model} [access]"].find("failure")
        assert unfinished is not None and unfinished.get("type") == "interrupted"
        assert signum.name in unfinished.get("message", "")
    data = json.loads(report.read_text())
    assert data["interrupted_by"] == signum.name and data["summary"]["exit_code"] == code
    assert f"stopped early: {signum.name}" in stdout


def test_reports_are_written_atomically(tmp_path: Path) -> None:
    from checker.reports import write_atomic
    from checker.secrets import Redactor

    target = tmp_path / "r.xml"
    target.write_text("old")
    write_atomic(str(target), "new", Redactor())
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xml"]  # no temp file left behind
    assert oct(target.stat().st_mode & 0o777) == "0o644"
