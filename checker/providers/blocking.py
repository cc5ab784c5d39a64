"""Blocking vendor calls (a token exchange, a credential file, a local CLI) off the event
loop, bounded by a timeout; and the credentials they return, kept per provider and run.

The call runs in a daemon thread: one that never returns (a metadata server that does not
answer, a CLI that hangs) can neither hold up the run past its timeout nor keep the
process alive when the run is over.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    import asyncio

from .extras import MissingExtra

T = TypeVar("T")


async def in_thread(call: Callable[[], T], timeout: float, what: str) -> T:
    """``call()`` in a daemon thread; its exception is raised here. ``TimeoutError`` (an
    ``OSError``) when it has not returned after ``timeout`` seconds."""
    import asyncio  # only when probing: loading a config must not import asyncio

    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():  # the caller stopped waiting
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        result: T | None = None
        error: BaseException | None = None
        try:
            result = call()
        except BaseException as exc:  # handed to the caller, never lost in the thread
            error = exc
        # RuntimeError: the run is over and its loop closed; nobody is waiting.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name=f"checker-{what}", daemon=True).start()
    try:
        return await asyncio.wait_for(future, timeout)
    except TimeoutError:
        raise TimeoutError(f"{what}: no answer within {timeout:g}s") from None


class CredentialsError(ValueError):
    """A vendor library could not find or refresh credentials (a ValueError: the runner
    reports it as the check's config_error)."""


class _Slot(Generic[T]):
    def __init__(self) -> None:
        import asyncio

        self.lock = asyncio.Lock()
        self.value: T | None = None
        self.error: CredentialsError | None = None


class PerRun(Generic[T]):
    """Credentials per provider and run (a run is one event loop): loaded once, reloaded
    only when ``fresh`` says they expired. A failure is remembered too, so that twenty
    checks of one provider do not each wait for a token service that is not there."""

    def __init__(self, what: str) -> None:
        self.what = what  # named in errors and thread names: "Application Default Credentials"
        self._runs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Slot[T]]]
        self._runs = weakref.WeakKeyDictionary()

    def _slot(self, provider: str) -> _Slot[T]:
        import asyncio

        slots = self._runs.setdefault(asyncio.get_running_loop(), {})
        return slots.setdefault(provider, _Slot())

    async def get(self, provider: str, load: Callable[[T | None], T],
                  fresh: Callable[[T], bool], timeout: float, hint: str) -> T:
        """The provider's credentials: ``load(previous)`` (in a daemon thread, at most
        ``timeout`` seconds) when there are none yet or they are no longer ``fresh``."""
        slot = self._slot(provider)
        async with slot.lock:
            if slot.error is not None:
                raise slot.error
            if slot.value is None or not fresh(slot.value):
                previous = slot.value
                try:
                    slot.value = await in_thread(lambda: load(previous), timeout,
                                                 self.what.lower().replace(" ", "-"))
                except MissingExtra:
                    raise
                except TimeoutError as exc:
                    slot.error = CredentialsError(f"{self.what}: {exc} ({hint})")
                    raise slot.error from None
                except Exception as exc:  # the vendor library's own errors, whatever type
                    slot.error = CredentialsError(
                        f"{self.what}: {type(exc).__name__}: {exc} ({hint})")
                    raise slot.error from None
            return slot.value

    def known(self, provider: str) -> T | None:
        """The provider's credentials if this run loaded them (no loading here)."""
        import asyncio

        try:
            slots = self._runs.get(asyncio.get_running_loop(), {})
        except RuntimeError:
            return None
        slot = slots.get(provider)
        return None if slot is None else slot.value
