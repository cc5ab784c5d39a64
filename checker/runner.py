"""Run the probes: asyncio, bounded concurrency (in all and per provider), retries for
transient outcomes, a whole-run deadline, and what each check is doing at every moment.

The network is ``transport``'s; every decision is a pure function's (``classify``,
``retry.decide``, ``policy``). A check the run stops is reported from what it last saw.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx2

from .classify import classify
from .limits import is_limit_header
from .model import ACCESS, Check, Provider
from .outcomes import OutcomeClass, Verdict, info, unverified_note
from .policy import result_without_probe, verdict_for
from .providers import ProbeRequest, ProviderKind, dialect_of, kind_of
from .providers.base import Fetched
from .results import LastSeen, Result
from .retry import decide
from .sanitize import clean
from .secrets import Redactor, Secret
from .transport import Clients, attempt

DEFAULT_MAX_WAIT = 60.0  # seconds one retry may wait (e.g. for Retry-After)
SLOW_AFTER = 5.0  # seconds after which a probe or a wait is worth telling someone about
REQUEST_ID_HEADERS = ("x-request-id", "apim-request-id", "request-id", "x-ms-request-id")

log = logging.getLogger("checker")

Sleep = Callable[[float], Coroutine[Any, Any, None]]


@dataclass
class Activity:
    """What one check is doing right now (owned by the runner, read by observers). An
    interrupted check is reported from its last activity, so nothing it saw is lost."""

    check: Check
    started: float  # clock reading when the check started
    attempts: int = 0
    state: str = "queued"  # queued | probing | waiting
    since: float = 0.0  # clock reading when ``state`` began
    wait_for: float = 0.0  # seconds, while waiting
    wait_reason: str = ""
    last_class: OutcomeClass | None = None
    last_status: int | None = None
    last_message: str = ""


@dataclass(frozen=True)
class Snapshot:
    """The run at one moment, for a live status line."""

    elapsed: float  # seconds since the run started
    now: float  # the clock reading the activities' ``since`` compares with
    done: int
    total: int
    active: tuple[Activity, ...]  # checks being probed or waiting, longest first


class Observer:
    """Hooks for what a person watching the run should see. Every method is optional."""

    def result(self, result: Result) -> None:
        """A check finished."""

    def waiting(self, activity: Activity) -> None:
        """A check starts waiting ``activity.wait_for`` seconds before its next attempt."""

    def tick(self, snapshot: Snapshot) -> None:
        """About once a second while the run goes on."""


class Identities:
    """Who each provider's credentials are (``ProviderKind.identity``): looked up once
    per provider and run, after its first probe was authorized, beside the probes. A
    lookup that fails or takes longer than a probe may is only a missing line in the
    report, never a check's outcome."""

    def __init__(self, clients: Clients, redactor: Redactor) -> None:
        self.clients = clients
        self.redactor = redactor
        self.lookups: dict[str, asyncio.Task[str | None]] = {}

    def start(self, provider: Provider, kind: ProviderKind, timeout: float) -> None:
        if provider.name not in self.lookups:
            self.lookups[provider.name] = asyncio.ensure_future(
                self._lookup(provider, kind, timeout))

    async def of(self, provider: Provider) -> str | None:
        lookup = self.lookups.get(provider.name)
        if lookup is None:
            return None
        # Shielded: a check that is cancelled must not cancel the lookup the others share.
        return await asyncio.shield(lookup)

    async def _lookup(self, provider: Provider, kind: ProviderKind,
                      timeout: float) -> str | None:
        client = self.clients.get(provider)

        async def fetch(request: ProbeRequest) -> Fetched:
            learn_secrets(request, self.redactor)
            answer = await attempt(client, request, timeout)
            return Fetched(answer.status, answer.headers, answer.body)

        try:
            async with asyncio.timeout(2 * timeout):
                identity = await kind.identity(provider, fetch)
        except Exception as exc:  # a courtesy: it must never fail or hold up a check
            log.debug("identity of %s unknown: %s: %s", provider.name, type(exc).__name__,
                      self.redactor(clean(str(exc), 200)))
            return None
        if not identity:
            return None
        return self.redactor(clean(identity, 300)) or None

    def close(self) -> None:
        for lookup in self.lookups.values():
            lookup.cancel()


def learn_secrets(request: ProbeRequest, redactor: Redactor) -> None:
    """Credentials ``authorize`` fetched or derived (a session token, a signing key):
    redacted from every output like the keys of the config."""
    for _, value in request.headers:
        if isinstance(value, Secret):
            redactor.add(value.reveal())
    for secret in request.secrets:
        redactor.add(secret.reveal())


@dataclass
class RunOptions:
    concurrency: int = 8
    provider_concurrency: int = 4
    deadline: float | None = None  # seconds for the whole run
    timeout: float | None = None  # overrides every check's per-attempt timeout
    retries: int | None = None  # overrides every check's retries
    max_wait: float = DEFAULT_MAX_WAIT  # a single wait longer than this is not slept
    clock: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    # A transport for tests; None = the network.
    transport: httpx2.AsyncBaseTransport | None = None
    observer: Observer | None = None
    tick_interval: float = 1.0


async def run_checks(
    checks: Sequence[Check],
    options: RunOptions,
    redactor: Redactor,
    stop: asyncio.Event | None = None,
) -> tuple[list[Result], str | None]:
    """Run every check. Returns results in ``checks`` order and why the run stopped early
    (``"deadline"``, or the reason set on ``stop``), if it did. Unfinished checks are
    reported as ``interrupted`` with what they last saw, never dropped."""
    started = options.clock()
    deadline = started + options.deadline if options.deadline is not None else None
    limit = asyncio.Semaphore(options.concurrency)
    clients = Clients(options.provider_concurrency, options.transport)
    identities = Identities(clients, redactor)
    provider_limits: dict[str, asyncio.Semaphore] = {}
    results: dict[int, Result] = {}
    activities: dict[int, Activity] = {}
    observer = options.observer

    async def one(index: int, check: Check) -> None:
        semaphore = provider_limits.setdefault(
            check.provider.name,
            asyncio.Semaphore(check.provider.concurrency or options.provider_concurrency),
        )
        activity = activities[index] = Activity(check, options.clock())
        try:
            result = await _run_check(check, options, clients, limit, semaphore, redactor,
                                      deadline, activity, identities)
        except Exception as exc:  # a bug in checker must not lose the other results
            result = result_without_probe(
                check, OutcomeClass.UNKNOWN,
                redactor(clean(f"checker internal error: {type(exc).__name__}: {exc}")),
            )
        results[index] = result
        del activities[index]
        if observer is not None:
            observer.result(result)

    async def ticker() -> None:
        assert observer is not None
        while True:
            await asyncio.sleep(options.tick_interval)
            now = options.clock()
            active = sorted((a for a in activities.values() if a.state != "queued"),
                            key=lambda a: a.started)
            observer.tick(Snapshot(now - started, now, len(results), len(checks),
                                   tuple(active)))

    tasks = [asyncio.ensure_future(one(i, check)) for i, check in enumerate(checks)]
    ticking = asyncio.ensure_future(ticker()) if observer is not None else None
    stopped: str | None = None
    try:
        stopped = await _wait(tasks, options, deadline, stop)
    finally:
        if ticking is not None:
            ticking.cancel()
        unfinished = dict(activities)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if ticking is not None:
            await asyncio.gather(ticking, return_exceptions=True)
        identities.close()
        await asyncio.gather(*identities.lookups.values(), return_exceptions=True)
        await clients.close()

    ordered: list[Result] = []
    now = options.clock()
    for index, check in enumerate(checks):
        if index in results:
            ordered.append(results[index])
            continue
        if stopped == "deadline":
            why = (f"not finished within the run deadline ({options.deadline:g}s)"
                   if options.deadline is not None else "not finished")
        else:
            why = f"not finished: the run was interrupted ({stopped or 'stopped'})"
        ordered.append(_interrupted(check, unfinished.get(index), why, now, redactor))
    return ordered, stopped


def _interrupted(check: Check, activity: Activity | None, why: str, now: float,
                 redactor: Redactor) -> Result:
    """The result of a check the run stopped: what it last saw, how many attempts it
    made, how long it ran, and what it was doing."""
    if activity is None or activity.state == "queued":
        return result_without_probe(check, OutcomeClass.INTERRUPTED, f"{why}; never started")
    if activity.state == "waiting":
        doing = f"waiting {activity.wait_for:.0f}s ({activity.wait_reason})"
    else:
        doing = f"probing (attempt {activity.attempts}, {now - activity.since:.1f}s)"
    last = None
    message = f"{why} while {doing}"
    if activity.last_class is not None:
        last = LastSeen(activity.last_class, activity.last_status, doing)
        status = f" HTTP {activity.last_status}" if activity.last_status is not None else ""
        message += f"; last seen: {activity.last_class.value}{status}"
        if activity.last_message:
            message += f" ({activity.last_message})"
    else:
        last = LastSeen(OutcomeClass.INTERRUPTED, None, doing)
    cls = OutcomeClass.INTERRUPTED
    return Result(check=check, cls=cls, verdict=verdict_for(check, cls),
                  status=activity.last_status, message=redactor(clean(message, 600)),
                  rule="interrupted", attempts=activity.attempts,
                  duration_s=now - activity.started, last_seen=last)


async def _wait(
    tasks: Sequence[asyncio.Future[None]],
    options: RunOptions,
    deadline: float | None,
    stop: asyncio.Event | None,
) -> str | None:
    if not tasks:
        return None
    everything = asyncio.ensure_future(asyncio.wait(tasks))
    waiters: list[asyncio.Future[Any]] = [everything]
    stop_waiter = None
    if stop is not None:
        stop_waiter = asyncio.ensure_future(stop.wait())
        waiters.append(stop_waiter)
    timeout = None if deadline is None else max(0.0, deadline - options.clock())
    try:
        done, _ = await asyncio.wait(waiters, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    if everything in done:
        # A task that raised is a bug in checker; it must still not lose the report.
        return None
    if stop_waiter is not None and stop_waiter in done:
        return getattr(stop, "reason", None) or "stopped"
    return "deadline"


async def _run_check(
    check: Check,
    options: RunOptions,
    clients: Clients,
    limit: asyncio.Semaphore,
    provider_limit: asyncio.Semaphore,
    redactor: Redactor,
    deadline: float | None,
    activity: Activity,
    identities: Identities,
) -> Result:
    kind = kind_of(check)
    ambient = check.key is None and kind.ambient_credentials(check.provider.options) is not None
    if not ambient and (check.key is None or check.key.value is None):
        if check.key is not None and check.key.optional:
            return result_without_probe(
                check, OutcomeClass.CONFIG_ERROR,
                f"skipped: {check.key.missing_message()} (the check is optional)",
                verdict=Verdict.SKIPPED)
        message = (check.key.missing_message() if check.key is not None
                   else "no api_key for this check")
        return result_without_probe(
            check, OutcomeClass.CONFIG_ERROR,
            f"{message}: export it, map the CI secret into the step's env, or mark the check "
            "`optional: true`")
    dialect = dialect_of(kind)
    timeout = options.timeout or check.timeout
    try:
        request = await kind.authorize(kind.build_probe(check), check.provider)
        learn_secrets(request, redactor)
        client = clients.get(check.provider)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        return result_without_probe(check, OutcomeClass.CONFIG_ERROR,
                                    redactor(clean(f"cannot set up the probe: {exc}")))
    identities.start(check.provider, kind, timeout)
    retries = options.retries if options.retries is not None else check.retries
    started = activity.started
    notes: list[str] = []
    while True:
        # The provider's slot first: a probe waiting for its provider must not hold one
        # of the global slots that probes of other providers could use.
        async with provider_limit, limit:
            activity.attempts += 1
            activity.state, activity.since = "probing", options.clock()
            answer = await attempt(client, request, timeout)
        if answer.failure is not None:
            cls, status, message, rule, code = (answer.failure, answer.failure_status,
                                                answer.failure_message, "transport", None)
        else:
            body = kind.readable(request, answer.status, answer.headers, answer.body)
            outcome = classify(answer.status, answer.headers, body, request.expected, dialect)
            cls, status, message, rule, code = (outcome.cls, outcome.status, outcome.message,
                                                outcome.rule, outcome.code)
        activity.last_class, activity.last_status = cls, status
        activity.last_message = clean(message, 200)
        log.debug("%s attempt %d: %s %s -> %s in %.0fms", check.id, activity.attempts,
                  request.method, request.url,
                  status if status is not None else cls.value, answer.latency_ms)
        now = options.clock()
        decision = decide(
            retryable=info(cls).retryable,
            attempt=activity.attempts,
            max_retries=retries,
            headers=answer.headers,
            message=message,
            now=now,
            deadline=deadline,
            now_epoch=time.time(),
            rng=options.rng,
            max_wait=options.max_wait,
            body=answer.body.decode("utf-8", "replace") if answer.failure is None else "",
        )
        if not decision.retry:
            if info(cls).retryable and decision.wanted is not None:
                notes.append(decision.reason)
            break
        notes.append(f"attempt {activity.attempts}: {cls.value}, retried after "
                     f"{decision.delay:.2f}s ({decision.reason})")
        activity.state, activity.since = "waiting", now
        activity.wait_for, activity.wait_reason = decision.delay, f"{cls.value}, {decision.reason}"
        if options.observer is not None:
            options.observer.waiting(activity)
        await options.sleep(decision.delay)

    verdict = verdict_for(check, cls)
    if verdict is not Verdict.PASSED:  # an expected denial needs no fixing
        if cls is OutcomeClass.MODEL_NOT_FOUND and ACCESS in kind.model_info(check.model).gated:
            notes.append(unverified_note(check.model))
        advice = kind.advice(check, cls, rule)
        if advice:
            notes.append(advice)
    return Result(
        check=check,
        cls=cls,
        verdict=verdict,
        status=status,
        message=redactor(clean(message)),
        rule=rule,
        code=None if code is None else clean(code, 100),
        request_id=_request_id(answer.headers),
        attempts=activity.attempts,
        latency_ms=answer.latency_ms,
        duration_s=options.clock() - started,
        endpoint=request.url,
        limits={k: clean(v, 100) for k, v in answer.headers.items() if is_limit_header(k)},
        notes=tuple(redactor(clean(n)) for n in notes),
        identity=await identities.of(check.provider),
    )


def _request_id(headers: Mapping[str, str]) -> str | None:
    for name in REQUEST_ID_HEADERS:
        if name in headers:
            return clean(headers[name], 128) or None
    return None
