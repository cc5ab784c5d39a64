"""No answer can hang, crash or blind checker: backtracking bait, deep nesting, stacked
encodings, escape and bidi sequences, workflow commands in merged reports, endless waits,
signals while reports are written, keys sent through a proxy in clear text."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from checker import classify as classify_module
from checker import retry, sanitize
from checker.classify import RULES, classify, classify_client_text
from checker.decoding import BoundedDecoder, DecodingError, parse_encodings
from checker.diagnose import diagnose, infer_status
from checker.rules import CLIENT_RULES
from checker.secrets import Redactor
from checker.simulator import Simulator
from tests.conftest import clean_env, run_cli, sim_config
from tests.test_classify import CLIENT_SAMPLES, RULE_SAMPLES

ONE_CHECK = "  - providers: [prod]\n    models: [gpt-4o-mini]\n"

SIZE = 256 * 1024
BOUND = 2.0  # seconds for one adversarial body: a quadratic pattern takes minutes


def seeds() -> list[str]:
    """What the patterns look for: the text every rule matched in its real sample, and the
    tokens the readers key on (fields, tags, keys, escapes, durations)."""
    found = []
    samples = [(name, body) for name, _, body, _ in RULE_SAMPLES]
    samples += [(name, text) for name, text, _ in CLIENT_SAMPLES]
    for name, body in samples:
        rule = next(r for r in (*RULES, *CLIENT_RULES) if r.name == name)
        if rule.text is not None:
            match = re.search(rule.text, body.lower())
            if match and match.group(0) not in found:
                found.append(match.group(0))
    return [*found, '"code"', "code", "type:", "param=", "<", "<html", '"message":"',
                    '"object": "', '"choices": ', '"data":', "data:", "event:", "{", "[",
                    '"', "\\", "sk-", "bearer ", "api_key=", "secret:", "try again in 1",
                    "retry after 1", "\x1b[", "\x1b]", "\x9b", "\u202e", "Error code: 400 - {",
                    '"reason": "', "reason: \"", "AccessDeniedException", "PERMISSION_DENIED",
                    "HTTP/1.1 403", "Error: 4", "status code 4", "[403 Forbidden",
                    *NEW_PATTERN_SEEDS, *ROUND_3_SEEDS]


# What the patterns added in issue 12's second round look for, beside their rule's sample:
# the other alternatives of a phrase, and the tokens the Google quota reader keys on.
NEW_PATTERN_SEEDS = [
    "quotaId\\\": \\\"", "'quotaId': '", '"quota_limit": "', "quota exceeded for metric: ",
    "quota exceeded for quota metric '", "' and limit '", ", limit: 0",
    'quota_limit_value\\" value: \\"', "deleted or deactivated", "prompt was flagged",
    "flagged as potentially violating", "missing authorization header", "no endpoints found for",
    "no endpoints available matching", "负载已饱和", "resource exhausted", '"loc": [ "body"',
    "{'detail': 'Method Not Allowed'}", "timeoutexception", "ssl connection", "secure channel",
    "premature close", "connection failed", "connect error", "denied due to virtual network",
]

# ... and in the third round: every alternative of the client rules, the HTTP phrases added,
# and what marks a client's error serialised as JSON.
ROUND_3_SEEDS = [
    "err_bad_request", "err_bad_response", "httpclient.timeout", "und_err_connect_timeout",
    "und_err_headers_timeout", "timeout of 1", "timeout of 120000 ms exceeded",
    "dioexception [connection timeout]", "dioexception [receive timeout]", "socket timeout",
    "took longer than 0:00:", "curl: (28", "curl error 28", "curl: (", "curl error ",
    "curl:  (56", "x509: ", "ssl_error_", "ssl_connect", "sslhandshakeexception",
    "unknownhostexception", "unable to resolve host", "dns error", "failed to lookup address",
    "tunneling socket could not be established", "tunnel connection failed",
    "connect tunnel failed", "from proxy after connect", "unable to tunnel through proxy",
    "proxyerror", "cannot connect to proxy", "connectionrefused", "unable to connect to",
    "other side closed", "und_err_socket", "typeerror: terminated",
    "connection was closed unexpectedly", "failed to fetch", "failed to fetch  ",
    "dioexception [connection error]", "the connection errored", "ehostunreach",
    "enetunreach", '{"stack":', "{'errno' :", '{"e": "x\\n    at ', "\\n\t at f (",
    "public access is disabled", "public network access is disabled",
    "only master key can be used", "only the proxy admin key can be used",
    "not allowed to call this route", "does not support parameters", "unsupportedparamserror",
    "param \n   incorrect", "incorrect parameter", "not supported for this api version",
    "please use api-version", "unsupported openai-version", "please wait 1", "please wait 12 s",
    "invalid url(post ", "unknown_url", "i/o timeout", "err_connection_timed_out", "tls: ",
    "connectexception", "all connection attempts failed", "epipe", "forcibly closed",
    "remoteprotocolerror", "incomplete read", "incomplete chunked", "err_network", "net::err_",
    "net::err_" + "a" * 39, "networkerror when attempting to fetch", "typeerror: load failed",
    "error sending request for url", "budgetexceedederror", "contentpolicyviolationerror",
    "contextwindowexceedederror",
]


def baits() -> Iterator[tuple[str, str]]:
    for seed in seeds():
        for cut in sorted({max(1, len(seed) // 2), len(seed)}):
            prefix = seed[:cut]
            for name, body in (("repeated", prefix * (SIZE // len(prefix) + 1)),
                               ("whitespace", prefix + " \n\t" * (SIZE // 3)),
                               ("word", prefix + "a" * SIZE)):
                yield f"{seed[:20]!r}[:{cut}]-{name}", body[:SIZE]


BAITS = list(baits())


def test_there_is_bait_for_every_rule_with_a_phrase() -> None:
    assert len(BAITS) > 200
    phrases = sum(rule.text is not None for rule in (*RULES, *CLIENT_RULES))
    assert len(seeds()) >= phrases  # every rule with a phrase has a seed from its real body


def test_every_reader_of_provider_text_is_linear_in_its_size() -> None:
    redactor = Redactor(["sk-proj-abcdefghijklmnopqrstuvwxyz012345"])
    slowest = ("", 0.0)
    for name, body in BAITS:
        started = time.perf_counter()
        classify(400, {}, body)
        classify_client_text(body)
        infer_status(body)
        if name.endswith("-repeated"):
            classify(200, {}, body)
        sanitize.clean(body)
        redactor(body)
        retry.server_hint({"retry-after": body[:8192]}, body, 0.0)
        took = time.perf_counter() - started
        assert took < BOUND, f"{name}: {took:.1f}s"
        slowest = max(slowest, (name, took), key=lambda item: item[1])
    print("slowest bait:", slowest)


def test_diagnose_on_bait_returns_at_once(tmp_path: Path) -> None:
    body = tmp_path / "bait.txt"
    body.write_text("Error code: 400 - " + "code" + " " * SIZE + "x", encoding="utf-8")
    started = time.monotonic()
    result = run_cli("diagnose", str(body))
    assert result.code == 0 and "Traceback" not in result.stderr
    assert time.monotonic() - started < 10


# --- nesting -------------------------------------------------------------------------------

DEEP = '{"error": ' + "[" * 100_000 + "]" * 100_000 + "}"


def test_a_deeply_nested_body_classifies_without_recursion() -> None:
    for status in (400, 200, None):
        outcome = classify(status, {}, DEEP)
        assert outcome.cls.value in ("unknown", "unexpected_response")
    assert diagnose(DEEP).outcome.cls.value == "unknown"


def test_diagnose_merge_and_baseline_refuse_deep_nesting_in_one_line(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP, encoding="utf-8")
    result = run_cli("diagnose", str(deep))
    assert result.code == 0 and "Traceback" not in result.stderr
    result = run_cli("merge", str(deep))
    assert result.code == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "nests deeper than 64 levels" in result.stderr
    config, env = sim_config(simulator, write_config,
                             ONE_CHECK, {"prod": "verified"})
    result = run_cli("run", "-c", str(config), "--baseline", str(deep), env=env)
    assert result.code == 2 and "Traceback" not in result.stderr
    assert "baseline" in result.stderr and "nests deeper than 64 levels" in result.stderr


# --- stacked encodings ------------------------------------------------------------------------

def test_stacked_gzip_is_decoded_within_the_cap() -> None:
    bomb = gzip.compress(gzip.compress(b"\0" * (64 << 20), 9), 9)
    tracemalloc.start()
    decoder = BoundedDecoder(parse_encodings("gzip, gzip"), 64 * 1024)
    out = b"".join(decoder.feed(bomb[i:i + 512]) for i in range(0, len(bomb), 512))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(out) == 64 * 1024 and decoder.done
    assert peak < 8 * 1024 * 1024


@pytest.mark.parametrize(("header", "message"), [
    ("br", "unsupported content encoding 'br'"),
    ("gzip, gzip, gzip, gzip", "4 stacked content encodings"),
])
def test_encodings_checker_did_not_ask_for_are_refused(header: str, message: str) -> None:
    with pytest.raises(DecodingError, match=message):
        parse_encodings(header)


def test_deflate_with_and_without_the_zlib_wrapper() -> None:
    wrapped = zlib.compress(b'{"object": "chat.completion"}')
    raw = zlib.compressobj(wbits=-15)
    bare = raw.compress(b'{"object": "chat.completion"}') + raw.flush()
    for data in (wrapped, bare):
        assert BoundedDecoder(["deflate"], 1024).feed(data) == b'{"object": "chat.completion"}'
    with pytest.raises(DecodingError):
        BoundedDecoder(["gzip"], 1024).feed(b"not gzip at all")


def test_a_gzip_bomb_answer_costs_no_memory_end_to_end(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config) -> None:
    from checker.config import load_config
    from checker.runner import RunOptions, run_checks

    config_path, env = sim_config(simulator, write_config,
                                  "  - providers: [bomb, healthy]\n    models: [gpt-4o-mini]\n",
                                  {"bomb": "gzip-bomb", "healthy": "verified"})
    config = load_config(str(config_path), env)
    tracemalloc.start()
    results, _ = asyncio.run(run_checks(config.checks, RunOptions(retries=0), Redactor()))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    by_provider = {r.check.provider.name: r for r in results}
    assert by_provider["bomb"].cls.value == "unexpected_response"
    assert by_provider["healthy"].cls.value == "ok"
    assert peak < 32 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"


# --- escape sequences, bidi, workflow commands -----------------------------------------------

FORBIDDEN = re.compile("[\x1b\x9b\u202a-\u202e\u2066-\u2069\u200b]|\\[31m|\\[2J|\\]8;;")


def test_escape_sequences_are_removed_whole_everywhere(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config,
                             "  - providers: [evil]\n    models: [gpt-4o-mini]\n",
                             {"evil": "escapes"})
    files = [tmp_path / "r.xml", tmp_path / "r.json", tmp_path / "r.md"]
    result = run_cli("run", "-c", str(config), "--junit-xml", str(files[0]), "--json",
                     str(files[1]), "--markdown", str(files[2]), "--github-annotations", "-v",
                     env=env)
    assert result.code == 1
    outputs = {"stdout": result.stdout, "stderr": result.stderr,
               **{path.name: path.read_text(encoding="utf-8") for path in files}}
    for name, text in outputs.items():
        assert not FORBIDDEN.search(text), (name, FORBIDDEN.search(text))
    record = json.loads(files[1].read_text())["results"][0]
    assert record["message"].startswith("Incorrect API key provided")
    assert "click" in record["message"] and "gnp.exe" in record["message"]
    assert record["request_id"] == "req_red"


def test_the_sanitiser_removes_whole_sequences() -> None:
    text = ("a\x1b[31mred\x1b[0m b\x1b]0;title\x07c \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ "
            "\x9b1;2Hd \x1bPdcs\x1b\\e \u202eevil\u202c \u2066iso\u2069 z\u200bw\ufeff"
            "\x00nul\r\nline\u2028sep")
    assert sanitize.clean(text) == "ared bc link d e evil iso zw nul line sep"


def test_merge_fences_provider_text_in_github_actions(tmp_path: Path) -> None:
    record = {"id": "p / m [access]", "provider": "p", "model": "m", "capability": "access",
              "class": "unknown", "verdict": "inconclusive", "attempts": 1,
              "message": "::error title=pwned::injected ##[error]legacy \x1b[31mred",
              "request_id": "::add-mask::x", "file": "checks.yml", "line": 3}
    report = {"version": 1, "config": "checks.yml", "results": [record]}
    path = tmp_path / "shard.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    summary = tmp_path / "summary.md"
    result = run_cli("merge", str(path), "-v",
                     env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
                          "GITHUB_OUTPUT": str(tmp_path / "out")})
    assert result.code == 3
    lines = result.stdout.splitlines()
    token = lines[0].removeprefix("::stop-commands::")
    assert lines[0].startswith("::stop-commands::") and len(token) == 32
    end = lines.index(f"::{token}::")
    inside, outside = lines[1:end], lines[end + 1:]
    assert any("pwned" in line for line in inside)
    assert any("##[error]legacy" in line for line in inside)
    for line in outside:  # only our own annotations, whose text is escaped
        assert line.startswith(("::warning ", "::error ", "::notice ")), line
    assert "\x1b" not in result.stdout and "[31m" not in result.stdout


# --- waits: bounded and visible ---------------------------------------------------------------

def test_a_long_retry_after_is_reported_at_once_not_slept(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config,
                             "  - providers: [busy]\n    models: [gpt-4o-mini]\n",
                             {"busy": "rate-limited-long"})
    report = tmp_path / "r.json"
    started = time.monotonic()
    result = run_cli("run", "-c", str(config), "--json", str(report), "--deadline", "0", env=env)
    assert time.monotonic() - started < 15
    assert result.code == 3
    record = json.loads(report.read_text())["results"][0]
    assert record["class"] == "rate_limited" and record["attempts"] == 1
    assert any("Retry-After asked for 120s" in note and "--max-wait" in note
               for note in record["notes"]), record["notes"]


def test_each_wait_is_one_line_in_a_ci_log(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Simulator(retry_after_seconds=2) as simulator:
        config, env = sim_config(simulator, write_config,
                                 "  - providers: [busy]\n    models: [gpt-4o-mini]\n",
                                 {"busy": "rate-limited"})
        result = run_cli("run", "-c", str(config), env=env)
    assert result.code == 0, result.stdout + result.stderr
    waits = [line for line in result.stderr.splitlines() if line.startswith("checker: waiting")]
    assert len(waits) == 1, result.stderr
    assert re.match(r"checker: waiting [23]s for busy / gpt-4o-mini \[access\]: rate_limited, "
                    r"Retry-After asked for 2s$", waits[0]), waits[0]


def test_an_interrupted_wait_keeps_what_it_saw(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Simulator(retry_after_seconds=30) as simulator:
        config, env = sim_config(simulator, write_config,
                                 "  - providers: [busy]\n    models: [gpt-4o-mini]\n",
                                 {"busy": "rate-limited"})
        report, junit = tmp_path / "r.json", tmp_path / "r.xml"
        process = subprocess.Popen(
            [sys.executable, "-m", "checker", "run", "-c", str(config), "--json", str(report),
             "--junit-xml", str(junit)], env=clean_env(env), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while not simulator.answered:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(1.5)
        os.kill(process.pid, signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 143, stderr
    assert re.search(r"checker: waiting 3[01]s for busy / gpt-4o-mini \[access\]", stderr)
    record = json.loads(report.read_text())["results"][0]
    assert record["class"] == "interrupted"
    assert record["attempts"] == 1 and record["status"] == 429
    assert record["duration_ms"] >= 1000
    assert record["last_seen"]["class"] == "rate_limited"
    assert re.match(r"waiting 3[01]s \(rate_limited, Retry-After asked for 30s\)",
                    record["last_seen"]["doing"])
    assert "last seen: rate_limited HTTP 429" in record["message"]
    assert "interrupted" in stdout and "0.00s" not in stdout.split("interrupted")[1][:40]
    assert "last seen: rate_limited" in junit.read_text()


# --- signals while reports are written; temporary files --------------------------------------

def test_a_signal_while_reports_are_written_finishes_them_first(tmp_path: Path) -> None:
    from checker.reports import write_atomic
    from checker.signals import SignalLatch

    target = tmp_path / "r.json"

    class KillsMidWrite(Redactor):
        def __call__(self, text: str) -> str:
            os.kill(os.getpid(), signal.SIGTERM)  # arrives while the report is written
            time.sleep(0.05)
            return text

    with SignalLatch() as latch:
        write_atomic(str(target), '{"complete": true}', KillsMidWrite())
    assert latch.received == "SIGTERM"
    assert json.loads(target.read_text()) == {"complete": True}


def test_a_stale_temporary_file_is_cleaned_by_the_next_write(tmp_path: Path) -> None:
    from checker.reports import temporary_path, write_atomic

    target = tmp_path / "r.xml"
    stale = Path(temporary_path(str(target)))
    stale.write_text("half a report from a killed run")
    write_atomic(str(target), "<testsuites/>", Redactor())
    assert target.read_text() == "<testsuites/>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xml"]


# --- proxies never see a plain-http key ------------------------------------------------------

class _RecordingProxy(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        _RecordingProxy.seen.append(self.path + " " + self.headers.get("authorization", ""))
        self.send_response(502)
        self.send_header("content-length", "0")
        self.end_headers()

    do_GET = do_CONNECT = do_POST

    def log_message(self, *args: object) -> None:
        pass


def test_plain_http_is_never_sent_through_a_proxy(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path) -> None:
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingProxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        config, env = sim_config(simulator, write_config,
                                 "  - providers: [prod]\n    models: [gpt-4o-mini]\n",
                                 {"prod": "verified"})
        url = f"http://127.0.0.1:{proxy.server_address[1]}"
        env.update({"HTTP_PROXY": url, "http_proxy": url, "ALL_PROXY": url, "NO_PROXY": ""})
        result = run_cli("run", "-c", str(config), env=env)
    finally:
        proxy.shutdown()
    assert result.code == 0, result.stdout
    assert _RecordingProxy.seen == []
    assert len(simulator.log) == 1


def test_no_internal_error_from_any_hostile_scenario(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Simulator() as simulator:
        scenarios = {name: name for name in ("gzip-bomb", "escapes", "deep-json", "backtrack",
                                             "no-stream", "truncated", "html-200")}
        config, env = sim_config(simulator, write_config,
                                 f"  - providers: [{', '.join(scenarios)}]\n"
                                 "    models: [gpt-4o-mini]\n    capabilities: [access, stream]\n",
                                 scenarios, defaults="{retries: 0, timeout: 10}")
        report = tmp_path / "r.json"
        started = time.monotonic()
        result = run_cli("run", "-c", str(config), "--json", str(report), env=env)
    assert time.monotonic() - started < 30
    assert "Traceback" not in result.stderr
    records = json.loads(report.read_text())["results"]
    assert len(records) == 14
    assert not [r for r in records if "internal error" in r["message"]]
    assert {r["class"] for r in records} <= {"ok", "unexpected_response", "unknown",
                                             "auth_failed", "rate_limited"}


def test_classify_module_patterns_have_no_unbounded_neighbours() -> None:
    """A cheap static guard beside the timing test: no pattern over provider text puts an
    unbounded whitespace quantifier next to another one."""
    for name in dir(classify_module):
        value = getattr(classify_module, name)
        if isinstance(value, re.Pattern):
            assert not re.search(r"\\s\*\s*(\(\?:)?[^)]*\\s\+", value.pattern), name
