"""Report formats (one module each, behind ``interface.ReportFormat``) and the writer."""

from __future__ import annotations

import contextlib
import os

from ..secrets import Redactor
from .interface import ReportFormat


def temporary_path(path: str) -> str:
    """Where ``path`` is written before it is renamed into place. Fixed per target, so a
    temporary file left by a killed run is overwritten (and renamed or removed) by the
    next write to the same path instead of piling up."""
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(directory, f".{name}.checker-tmp")


def write_atomic(path: str, text: str, redactor: Redactor) -> None:
    """Write ``text`` (redacted) to ``path`` via a temporary file in the same directory
    and a rename, so a reader (or a cancelled job) never sees half a report."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = temporary_path(path)
    data = redactor(text).encode("utf-8")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


__all__ = ["ReportFormat", "write_atomic"]
