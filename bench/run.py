"""Benchmark model-access-checker against its simulator: throughput, CPU, start-up, memory,
retries under load. Standard library only.

    python bench/run.py            # the figures of issue 6 (about a minute)
    python bench/run.py --quick    # smaller matrices, one repetition (about 15 s)

The simulator runs in a separate process on 127.0.0.1 with a fixed injected latency, so
the checker's CPU time and peak RSS (``os.wait4`` on the checker's own process) are its
own. The checker runs as a user runs it: ``python -m checker run -c <config> --json ...``.
Figures are medians over repetitions; targets are from issue 6. See docs/benchmark.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIM_SERVER = HERE / "sim_server.py"
NEEDS_PATH = importlib.util.find_spec("checker") is None
if NEEDS_PATH:
    sys.path.insert(0, str(ROOT))

# Targets. Speed is judged as ratios measured in the same run: against the network-bound
# ideal, and against a reference client on stock httpx2 sending the same requests
# (figure 6). Issue 6's absolute targets (1.15× ideal, 1.5 ms CPU per probe) were met with
# a home-made connection pool; with httpx2's pool they are shown for information.
STARTUP_RATIO = 1.5
RSS_MB = 80.0
RSS_GROWTH_MB = 2.0  # "not growing with answer size": 4× larger answers, same peak
RETRY_SLACK_S = 0.5  # over the same matrix without 429s, plus the Retry-After
REFERENCE_CPU_RATIO = 1.5

PROVIDERS = 10  # the large matrices are spread over this many providers, one key each
HEAVY_MODULES = ("httpx2", "httpcore2", "anyio", "checker.runner", "checker.classify")
REFERENCE_CLIENT = HERE / "reference_client.py"
REFERENCE_RATIO = 1.05  # checker's probing time within 5 % of stock httpx2's
HOSTILE_RSS_MB = 200.0  # peak memory under any answer


@dataclass(frozen=True)
class Scale:
    name: str
    latency: float  # seconds the simulator waits before each answer
    small: tuple[int, int]  # (checks, concurrency)
    large: tuple[int, int]
    naive_checks: int  # the sequential way is measured on this many, then extrapolated
    repeats: int
    startup_runs: int
    images: int
    image_mb: float
    retry: tuple[int, int]
    reference: tuple[int, int]  # (checks, concurrency) against stock httpx2
    bombs: int  # probes answered with a gzip bomb, all in flight
    retry_fraction: float = 0.2
    retry_after_s: int = 1


FULL = Scale("full", 0.1, (200, 20), (1000, 50), 40, 3, 11, 50, 3.0, (1000, 50), (1000, 100),
             20)
QUICK = Scale("quick", 0.05, (60, 20), (200, 50), 10, 1, 3, 10, 3.0, (200, 50), (200, 50), 5)


@dataclass
class Figure:
    name: str
    measured: str
    target: str
    met: bool | None  # None: for information, no target
    value: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Run:
    """One finished checker process."""

    wall: float
    cpu: float
    rss_mb: float
    code: int
    report: dict[str, Any] | None = None
    stderr: str = ""


class BenchError(Exception):
    """Something the benchmark relies on did not work (not a missed target)."""


# --- processes -------------------------------------------------------------------------------


PYCACHE = Path(tempfile.gettempdir()) / "checker-bench-pycache"
# Children run here, so that `python -m checker` imports the checker on sys.path (the
# installed one, or PYTHONPATH's), not whatever `checker/` the current directory holds.
CHILD_CWD = tempfile.gettempdir()


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the checker and simulator processes: no CI integration, no
    proxy and no SSL_CERT_* (the providers are plain http on loopback; with SSL_CERT_FILE
    set the checker loads that CA store once, ~25 ms), no colour, and bytecode caches
    (as after `pip install`) kept outside the source tree."""
    skipped = ("GITHUB_", "RUNNER_", "OPENAI_", "AZURE_")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(skipped) and "proxy" not in k.lower()
           and k not in ("CI", "PYTHONDONTWRITEBYTECODE", "SSL_CERT_FILE", "SSL_CERT_DIR")}
    env["NO_COLOR"] = "1"
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    if NEEDS_PATH:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


def measure(command: Sequence[str], env: dict[str, str]) -> Run:
    """Run ``command``; wall time, CPU seconds and peak RSS of that process alone (its
    stdout, if it printed JSON, becomes ``report``)."""
    with tempfile.TemporaryFile() as stderr, tempfile.TemporaryFile() as stdout:
        began = time.perf_counter()
        process = subprocess.Popen(list(command), env=env, cwd=CHILD_CWD,
                                   stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        text = stderr.read().decode("utf-8", "replace")
        stdout.seek(0)
        printed = stdout.read().decode("utf-8", "replace").strip()
    run = Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
              process.returncode, stderr=text)
    if printed.startswith("{"):
        run.report = json.loads(printed.splitlines()[-1])
    return run


def checker_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "checker", *args]


def console_command(*args: str) -> list[str]:
    """`checker ...` as a user types it: the console script pip installed next to this
    Python (no runpy), or `python -m checker` when there is none."""
    script = Path(sys.executable).parent / "checker"
    return [str(script), *args] if script.is_file() else checker_command(*args)


class SimProcess:
    """``bench/sim_server.py`` in its own process."""

    def __init__(self, latency: float, keys: int, **options: float | int) -> None:
        self.command = [sys.executable, str(SIM_SERVER), "--latency", str(latency),
                        "--keys", str(keys)]
        for name, value in options.items():
            self.command += ["--" + name.replace("_", "-"), str(value)]
        self.url = ""
        self.keys: list[str] = []
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> SimProcess:
        self.process = subprocess.Popen(self.command, env=child_env(), text=True, cwd=CHILD_CWD,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self._readline()
        started = json.loads(line)
        self.url, self.keys = started["url"], started["keys"]
        return self

    def _readline(self) -> str:
        assert self.process is not None and self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise BenchError("the simulator process did not start")
        return line

    def _ask(self, command: str) -> str:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._readline().strip()

    def answers(self, directory: Path) -> list[dict[str, Any]]:
        path = directory / "answers.json"
        self._ask(f"answers {path}")
        records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        return records

    def cpu_seconds(self) -> float:
        return float(json.loads(self._ask("usage"))["cpu_s"])

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- configs ---------------------------------------------------------------------------------


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def models_for(total: int, providers: int, family: str) -> list[list[str]]:
    """``total`` distinct model names the simulator knows (``gpt-4o-mini-*`` is a chat
    model, ``gpt-image-1-mini-*`` an image model), spread over ``providers``."""
    return [[f"{family}-p{p:02d}-{i:04d}" for i in range(count)]
            for p, count in enumerate(split(total, providers))]


def write_config(path: Path, url: str, models: list[list[str]]) -> dict[str, str]:
    """A config with one provider (and key variable) per model list; returns the keys'
    environment variable names → index of the simulator key to use."""
    lines = ["version: 1", "defaults: {timeout: 30, retries: 2}", "providers:"]
    variables: dict[str, str] = {}
    for index in range(len(models)):
        variable = f"BENCH_KEY_{index:02d}"
        variables[variable] = str(index)
        lines += [f"  p{index:02d}:", f"    base_url: {url}", f"    api_key: ${{{variable}}}"]
    lines.append("checks:")
    for index, names in enumerate(models):
        if names:
            lines += [f"  - providers: [p{index:02d}]", f"    models: [{', '.join(names)}]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return variables


def key_env(variables: dict[str, str], keys: Sequence[str]) -> dict[str, str]:
    return {variable: keys[int(index)] for variable, index in variables.items()}


def probe_run(sim: SimProcess, work: Path, label: str, models: list[list[str]],
              concurrency: int, *extra: str) -> Run:
    """One ``checker run`` over the matrix; every check must end ok."""
    config, report = work / f"{label}.yml", work / f"{label}.json"
    variables = write_config(config, sim.url, models)
    per_provider = math.ceil(concurrency / len(models))  # the slots add up to C
    run = measure(checker_command(
        "run", "-c", str(config), "--json", str(report), "-q",
        "--concurrency", str(concurrency), "--provider-concurrency", str(per_provider), *extra,
    ), child_env(key_env(variables, sim.keys)))
    if not report.exists():
        raise BenchError(f"{label}: checker exited {run.code} without a report:\n{run.stderr}")
    run.report = json.loads(report.read_text(encoding="utf-8"))
    summary = run.report["summary"]
    if run.code != 0 or summary["passed"] != summary["total"]:
        raise BenchError(f"{label}: checker exited {run.code}, {summary['passed']}/"
                         f"{summary['total']} passed:\n{run.stderr}")
    return run


def run_seconds(run: Run) -> float:
    """The probing phase as the checker's report times it (start-up excluded)."""
    assert run.report is not None
    return float(run.report["duration_s"])


# --- 1, 2: throughput, naive way, CPU per probe -------------------------------------------------


def ideal_seconds(checks: int, concurrency: int, latency: float) -> float:
    return math.ceil(checks / concurrency) * latency


def throughput_figure(name: str, runs: list[Run], checks: int, concurrency: int,
                      latency: float) -> Figure:
    ideal = ideal_seconds(checks, concurrency, latency)
    measured = statistics.median(run_seconds(r) for r in runs)
    wall = statistics.median(r.wall for r in runs)
    ratio = measured / ideal
    return Figure(
        name, f"{ratio:.2f}× ideal ({measured:.2f} s vs ceil({checks}/{concurrency})·"
        f"{latency * 1000:.0f} ms = {ideal:.2f} s)", "see 6a", None, ratio,
        [f"N={checks} C={concurrency}: median of {len(runs)}; whole process incl. start-up "
         f"and report: {wall:.2f} s ({wall / ideal:.2f}× ideal)"],
    )


def probes_of(config: Path, env: dict[str, str], count: int) -> list[dict[str, Any]]:
    """The first ``count`` probes of the matrix, exactly as checker would send them."""
    from checker.config import load_config
    from checker.providers import build_probe

    loaded = load_config(str(config), env)
    probes = []
    for check in loaded.checks[:count]:
        probe = build_probe(check)
        probes.append({"method": probe.method, "url": probe.url,
                       "headers": probe.wire_headers(), "body": dict(probe.body)})
    return probes


def naive_requests(config: Path, env: dict[str, str], count: int) -> list[urllib.request.Request]:
    return [urllib.request.Request(p["url"], data=json.dumps(p["body"]).encode(),
                                   headers=p["headers"], method=p["method"])
            for p in probes_of(config, env, count)]


def naive_seconds(requests: list[urllib.request.Request]) -> float:
    """One request after another, a new connection each: a hand-written script."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    began = time.perf_counter()
    for request in requests:
        try:
            with opener.open(request, timeout=30) as response:
                response.read()
        except urllib.error.HTTPError as error:
            error.read()
    return time.perf_counter() - began


def naive_figure(sim: SimProcess, work: Path, scale: Scale, large_runs: list[Run]) -> Figure:
    checks = scale.large[0]
    config = work / "naive.yml"
    variables = write_config(config, sim.url, models_for(checks, PROVIDERS, "gpt-4o-mini"))
    requests = naive_requests(config, key_env(variables, sim.keys), scale.naive_checks)
    seconds = naive_seconds(requests)
    estimate = seconds / len(requests) * checks
    checker_wall = statistics.median(r.wall for r in large_runs)
    return Figure(
        "1c. naive sequential", f"{estimate:.1f} s for N={checks} (extrapolated), "
        f"{estimate / checker_wall:.0f}× slower than checker", "for comparison", None,
        estimate, [f"measured {len(requests)} requests one after another in {seconds:.2f} s "
                   f"({seconds / len(requests) * 1000:.0f} ms each), scaled to N={checks}; "
                   f"checker's whole process took {checker_wall:.2f} s"])


def redaction_seconds(run: Run, keys: Sequence[str]) -> tuple[float, int]:
    """CPU seconds checker's redactor takes over this run's JSON report, and its size."""
    from checker.secrets import Redactor

    text = json.dumps(run.report, indent=2, ensure_ascii=False) + "\n"
    redactor = Redactor(keys)
    began = time.process_time()
    redactor(text)
    return time.process_time() - began, len(text)


def cpu_figure(runs: list[Run], checks: int, single: list[Run],
               redaction: tuple[float, int]) -> Figure:
    cpu = statistics.median(r.cpu for r in runs)
    per_probe = cpu / checks * 1000
    fixed = statistics.median(r.cpu for r in single)
    marginal = (cpu - fixed) / (checks - 1) * 1000
    seconds, size = redaction
    return Figure(
        "2. CPU per probe", f"{per_probe:.2f} ms ({cpu:.2f} s CPU / {checks} probes)",
        "see 6b", None, per_probe,
        ["user+system time of the checker process: start-up and JSON report included",
         f"a 1-check run costs {fixed * 1000:.0f} ms (start-up, imports, report); each "
         f"further probe {marginal:.2f} ms",
         f"of that, redacting the {size / 1e6:.1f} MB JSON report (checker.secrets, timed "
         f"in the bench process): {seconds * 1000:.0f} ms = {seconds / checks * 1000:.2f} ms "
         "per probe"])


def rss_figure(runs: list[Run], checks: int) -> Figure:
    rss = statistics.median(r.rss_mb for r in runs)
    return Figure(f"4a. peak RSS, {checks} checks", f"{rss:.1f} MB", f"≤ {RSS_MB:.0f} MB",
                  rss <= RSS_MB, rss, [f"max over runs {max(r.rss_mb for r in runs):.1f} MB"])


def probing_figures(scale: Scale, work: Path) -> list[Figure]:
    figures: list[Figure] = []
    with SimProcess(scale.latency, PROVIDERS) as sim:
        progress("warm-up run (bytecode caches)")
        probe_run(sim, work, "warm-up", models_for(20, 2, "gpt-4o-mini"), 10)
        runs: dict[str, list[Run]] = {}
        for label, (checks, concurrency) in (("small", scale.small), ("large", scale.large)):
            progress(f"throughput N={checks} C={concurrency}, {scale.repeats}×")
            providers = max(1, min(PROVIDERS, checks // 50))
            models = models_for(checks, providers, "gpt-4o-mini")
            runs[label] = [probe_run(sim, work, f"{label}-{i}", models, concurrency)
                           for i in range(scale.repeats)]
            letter = "a" if label == "small" else "b"
            figures.append(throughput_figure(f"1{letter}. throughput ({label})", runs[label],
                                             checks, concurrency, scale.latency))
        progress(f"naive sequential, {scale.naive_checks} requests")
        figures.append(naive_figure(sim, work, scale, runs["large"]))
        single = [probe_run(sim, work, f"single-{i}", [["gpt-4o-mini"]], 1)
                  for i in range(scale.repeats)]
        redaction = redaction_seconds(runs["large"][0], sim.keys)
        figures.append(cpu_figure(runs["large"], scale.large[0], single, redaction))
        figures.append(rss_figure(runs["large"], scale.large[0]))
        sim_cpu = sim.cpu_seconds()
    total = sum(r.cpu for rs in runs.values() for r in rs)
    figures[0].notes.append(f"simulator process CPU over all these runs: {sim_cpu:.1f} s "
                            f"(checker: {total:.1f} s)")
    return figures


# --- 3: start-up -----------------------------------------------------------------------------


def startup_commands(config: Path) -> dict[str, list[str]]:
    return {
        "baseline": [sys.executable, "-c", "import yaml"],
        "version": console_command("--version"),
        "validate": console_command("validate", "-c", str(config)),
    }


def write_small_config(path: Path) -> dict[str, str]:
    variables = write_config(path, "http://127.0.0.1:9/v1", [["gpt-4o-mini", "o3", "gpt-5"]])
    return {variable: "sk-bench-not-a-key" for variable in variables}


def heavy_imports(command: list[str], env: dict[str, str]) -> list[str]:
    """Heavy modules a command imports, from ``python -X importtime``."""
    traced = [command[0], "-X", "importtime", *command[1:]]
    result = subprocess.run(traced, env=env, cwd=CHILD_CWD, capture_output=True, text=True,
                            check=False)
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    return [module for module in HEAVY_MODULES if module in imported]


def startup_figures(scale: Scale, work: Path) -> list[Figure]:
    """Medians of interleaved runs."""
    config = work / "small.yml"
    env = child_env(write_small_config(config))
    commands = startup_commands(config)
    progress(f"start-up, {scale.startup_runs} runs of each command")
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for command in commands.values():
        measure(command, env)  # warm the bytecode and file caches
    for _ in range(scale.startup_runs):
        for name, command in commands.items():
            runs[name].append(measure(command, env))
    for name, results in runs.items():
        if any(r.code != 0 for r in results):
            raise BenchError(f"start-up: {name} failed: {results[0].stderr}")
    wall = {name: statistics.median(r.wall for r in results) for name, results in runs.items()}
    heavy = {name: heavy_imports(commands[name], env) for name in ("version", "validate")}
    return _startup_figures(wall, heavy, scale.startup_runs)


def _startup_figures(wall: dict[str, float], heavy: dict[str, list[str]],
                     runs: int) -> list[Figure]:
    base = wall["baseline"]
    figures = [Figure("3a. start-up baseline", f"{base * 1000:.0f} ms",
                      "python -c 'import yaml'", None, base,
                      [f"medians of {runs} interleaved runs after one warm-up run each"])]
    for letter, name, label in (("b", "version", "checker --version"),
                                ("c", "validate", "checker validate")):
        ratio = wall[name] / base
        imported = ", ".join(heavy[name]) or "none"
        target = f"≤ {STARTUP_RATIO}× baseline" if name == "validate" else "(no target)"
        met = ratio <= STARTUP_RATIO and not heavy[name] if name == "validate" else None
        figures.append(Figure(f"3{letter}. start-up {name}",
                              f"{wall[name] * 1000:.0f} ms = {ratio:.2f}× baseline", target,
                              met, ratio, [f"{label}: heavy modules imported: {imported}"]))
    return figures


# --- 4: memory with large answers ---------------------------------------------------------------


def image_rss(scale: Scale, work: Path, answer_mb: float, label: str) -> list[Run]:
    raw_bytes = int(answer_mb * 1024 * 1024 * 3 / 4)  # base64 makes 4 bytes of every 3
    progress(f"{scale.images} image probes answering {answer_mb:g} MB each, "
             f"{scale.repeats}×")
    providers = max(1, scale.images // 10)
    models = models_for(scale.images, providers, "gpt-image-1-mini")
    with SimProcess(scale.latency, providers, image_bytes=raw_bytes) as sim:
        return [probe_run(sim, work, f"{label}-{i}", models, scale.images)
                for i in range(scale.repeats)]


def memory_figures(scale: Scale, work: Path) -> list[Figure]:
    """Peak RSS with large answers, and again with answers 4× larger: reads are capped,
    so the second must not be higher (beyond noise)."""
    bigger_mb = 4 * scale.image_mb
    large = statistics.median(r.rss_mb for r in image_rss(scale, work, scale.image_mb, "img"))
    larger = statistics.median(r.rss_mb for r in image_rss(scale, work, bigger_mb, "img4"))
    growth = larger - large
    in_flight = scale.images * scale.image_mb
    return [
        Figure(f"4b. peak RSS, {scale.images} image answers of {scale.image_mb:g} MB",
               f"{large:.1f} MB", f"≤ {RSS_MB:.0f} MB", large <= RSS_MB, large,
               [f"all {scale.images} probes in flight at once: {in_flight:.0f} MB of answers "
                "on the wire; checker reads 4 KiB of each (one 64 KiB socket read)"]),
        Figure("4c. RSS growth with answer size", f"{growth:+.1f} MB "
               f"({bigger_mb:g} MB vs {scale.image_mb:g} MB answers: {larger:.1f} vs "
               f"{large:.1f} MB)", f"≤ {RSS_GROWTH_MB:g} MB", growth <= RSS_GROWTH_MB, growth),
    ]


# --- 5: retries under load ---------------------------------------------------------------------


def early_retries(answers: list[dict[str, Any]]) -> tuple[int, int, float]:
    """(429 answers, retries sent before their Retry-After, smallest wait seen)."""
    by_check: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for answer in answers:
        by_check.setdefault((answer["path"], answer["model"], answer["capability"]),
                            []).append(answer)
    limited = early = 0
    smallest = math.inf
    for requests in by_check.values():
        requests.sort(key=lambda a: a["received"])
        for refused, retry in itertools.pairwise(requests):
            if refused["status"] != 429:
                continue
            limited += 1
            waited = retry["received"] - refused["sent"]
            smallest = min(smallest, waited)
            early += waited < float(refused["retry_after"])
        limited += requests[-1]["status"] == 429  # a 429 never retried
    return limited, early, smallest


def retry_figures(scale: Scale, work: Path, without_retries: float) -> list[Figure]:
    """``without_retries``: the probing time of the same matrix when nothing is refused."""
    checks, concurrency = scale.retry
    progress(f"retries: N={checks} C={concurrency}, {scale.retry_fraction:.0%} get 429 "
             f"with Retry-After: {scale.retry_after_s}")
    models = models_for(checks, PROVIDERS, "gpt-4o-mini")
    with SimProcess(scale.latency, PROVIDERS, retry_after_seconds=scale.retry_after_s,
                    rate_limit_fraction=scale.retry_fraction) as sim:
        run = probe_run(sim, work, "retry", models, concurrency, "--retries", "2")
        answers = sim.answers(work)
    assert run.report is not None
    results = run.report["results"]
    ok = sum(r["class"] == "ok" for r in results)
    retried = sum(r["attempts"] > 1 for r in results)
    limited, early, smallest = early_retries(answers)
    budget = without_retries + scale.retry_after_s + RETRY_SLACK_S
    took = run_seconds(run)
    return [
        Figure("5a. retries: outcomes", f"{ok}/{checks} ok ({retried} retried, "
               f"{limited} answers were 429)", "all ok", ok == checks, ok),
        Figure("5b. retries: wall time", f"{took:.2f} s", f"≤ {budget:.2f} s", took <= budget,
               took, [f"whole process: {run.wall:.2f} s; budget: the same matrix without 429s "
                      f"({without_retries:.2f} s, 1b) + Retry-After {scale.retry_after_s} s + "
                      f"{RETRY_SLACK_S} s"]),
        Figure("5c. retries: Retry-After respected", f"{early} early of {limited}; shortest "
               f"wait {smallest:.3f} s", f"0 sent before {scale.retry_after_s} s",
               early == 0 and limited > 0, early,
               ["measured by the simulator: 429 written → next request for the same "
                "check received"]),
    ]


# --- 6: against stock httpx2 --------------------------------------------------------------------


def reference_figures(scale: Scale, work: Path) -> list[Figure]:
    """checker against a minimal client (stock httpx2, asyncio, one pooled client) sending
    the same requests at the same concurrency to the same simulator."""
    checks, concurrency = scale.reference
    progress(f"reference client vs checker: N={checks} C={concurrency}, {scale.repeats}×")
    models = models_for(checks, PROVIDERS, "gpt-4o-mini")
    with SimProcess(scale.latency, PROVIDERS) as sim:
        config = work / "reference.yml"
        variables = write_config(config, sim.url, models)
        requests = work / "reference-requests.json"
        requests.write_text(json.dumps(probes_of(config, key_env(variables, sim.keys),
                                                 checks)), encoding="utf-8")
        command = [sys.executable, str(REFERENCE_CLIENT), str(requests), "--concurrency",
                   str(concurrency)]
        measure(command, child_env())  # warm-up
        references, runs = [], []
        for i in range(scale.repeats):
            reference = measure(command, child_env())
            if reference.code != 0 or reference.report is None or (
                    reference.report["ok"] != checks):
                raise BenchError(f"reference client failed: {reference.stderr}")
            references.append(reference)
            runs.append(probe_run(sim, work, f"reference-{i}", models, concurrency))
    probing = statistics.median(run_seconds(r) for r in runs)
    reference_probing = statistics.median(float(r.report["seconds"]) for r in references
                                          if r.report is not None)
    wall = statistics.median(r.wall for r in runs)
    reference_wall = statistics.median(r.wall for r in references)
    cpu = statistics.median(r.cpu for r in runs)
    reference_cpu = statistics.median(r.cpu for r in references)
    ratio = probing / reference_probing
    return [
        Figure("6a. probing time vs stock httpx2", f"{ratio:.3f}× ({probing:.2f} s vs "
               f"{reference_probing:.2f} s)", f"≤ {REFERENCE_RATIO}×", ratio <= REFERENCE_RATIO,
               ratio, [f"N={checks} C={concurrency}, medians of {scale.repeats}; checker: the "
                       "report's duration_s; reference: first request to last answer"]),
        Figure("6b. whole process vs stock httpx2", f"CPU {cpu / reference_cpu:.2f}×, "
               f"wall {wall / reference_wall:.2f}×", f"CPU ≤ {REFERENCE_CPU_RATIO}×",
               cpu / reference_cpu <= REFERENCE_CPU_RATIO, cpu / reference_cpu,
               [f"checker {wall:.2f} s wall / {cpu:.2f} s CPU (start-up, config, "
                "classification, reports); reference "
                f"{reference_wall:.2f} s / {reference_cpu:.2f} s (httpx2 only)"]),
    ]


def hostile_figure(scale: Scale, work: Path) -> Figure:
    """Peak RSS when every answer is a gzip bomb (2 KB that inflate to 1 GiB)."""
    progress(f"{scale.bombs} probes answered with a gzip bomb")
    models = models_for(scale.bombs, 1, "gpt-4o-mini")
    with SimProcess(scale.latency, 1, scenario="gzip-bomb") as sim:
        config, report = work / "bomb.yml", work / "bomb.json"
        variables = write_config(config, sim.url, models)
        run = measure(checker_command("run", "-c", str(config), "--json", str(report), "-q",
                                      "--concurrency", str(scale.bombs),
                                      "--provider-concurrency", str(scale.bombs)),
                      child_env(key_env(variables, sim.keys)))
    data = json.loads(report.read_text(encoding="utf-8"))
    classes = {r["class"] for r in data["results"]}
    return Figure(f"4d. peak RSS, {scale.bombs} gzip-bomb answers", f"{run.rss_mb:.1f} MB",
                  f"≤ {HOSTILE_RSS_MB:.0f} MB", run.rss_mb <= HOSTILE_RSS_MB, run.rss_mb,
                  [f"each answer is ~2 KB of `Content-Encoding: gzip, gzip` that inflates to "
                   f"1 GiB; all in flight at once; classes: {', '.join(sorted(classes))}"])


# --- output ------------------------------------------------------------------------------------


def progress(message: str) -> None:
    sys.stderr.write(f"bench: {message}…\n")
    sys.stderr.flush()


def machine() -> str:
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, {date.today().isoformat()}")


def verdict(figure: Figure) -> str:
    return {True: "met", False: "MISSED", None: "info"}[figure.met]


def render(figures: list[Figure], scale: Scale) -> str:
    lines = [f"model-access-checker benchmark ({scale.name}): {machine()}",
             f"simulator: separate process on 127.0.0.1, {scale.latency * 1000:.0f} ms per "
             "answer; checker: `python -m checker run -q --json`"]
    if scale is QUICK:
        lines.append("quick mode: small matrices, one repetition; fixed costs weigh more, "
                     "so the targets (set for the full run) are for orientation only")
    lines.append("")
    width = max(len(f.name) for f in figures)
    measured_width = max(len(f.measured) for f in figures)
    for figure in figures:
        lines.append(f"{figure.name:<{width}}  {figure.measured:<{measured_width}}  "
                     f"target {figure.target:<22} {verdict(figure)}")
    lines.append("")
    for figure in figures:
        lines += [f"{figure.name}: {note}" for note in figure.notes]
    missed = [f.name for f in figures if f.met is False]
    lines += ["", "targets missed: " + ", ".join(missed) if missed else "every target met"]
    return "\n".join(lines) + "\n"


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="checker-bench-") as directory:
        yield Path(directory)


def run_all(scale: Scale) -> list[Figure]:
    with workdir() as work:
        startup = startup_figures(scale, work)
        probing = probing_figures(scale, work)
        large = next(f for f in probing if f.name.startswith("1b."))
        without_retries = (large.value or 0.0) * ideal_seconds(*scale.large, scale.latency)
        figures = [*startup, *probing, *memory_figures(scale, work),
                   hostile_figure(scale, work), *retry_figures(scale, work, without_retries),
                   *reference_figures(scale, work)]
    return sorted(figures, key=lambda figure: figure.name)  # the names are numbered


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark checker against its simulator.")
    parser.add_argument("--quick", action="store_true", help="small matrices, one repetition")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    scale = QUICK if args.quick else FULL
    try:
        figures = run_all(scale)
    except BenchError as exc:
        sys.stderr.write(f"bench: failed: {exc}\n")
        return 2
    sys.stdout.write(render(figures, scale))
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"scale": asdict(scale), "machine": machine(),
             "figures": [asdict(f) for f in figures]}, indent=2) + "\n", encoding="utf-8")
    return 1 if args.strict and any(f.met is False for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
