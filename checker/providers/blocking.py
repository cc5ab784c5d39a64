"""Blocking vendor calls (a token exchange, a credential file, a local CLI) off the event
loop, bounded by a timeout.

The call runs in a daemon thread: one that never returns (a metadata server that does not
answer, a CLI that hangs) can neither hold up the run past its timeout nor keep the
process alive when the run is over.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def in_thread(call: Callable[[], T], timeout: float, what: str) -> T:
    """``call()`` in a daemon thread; its exception is raised here. ``TimeoutError`` (an
    ``OSError``) when it has not returned after ``timeout`` seconds."""
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
