"""Report formats (one module each, behind ``interface.ReportFormat``) and the writer."""

from __future__ import annotations

import contextlib
import os
import tempfile

from ..secrets import Redactor
from .interface import ReportFormat


def write_atomic(path: str, text: str, redactor: Redactor) -> None:
    """Write ``text`` (redacted) to ``path`` via a temp file in the same directory + rename,
    so a reader (or a cancelled job) never sees half a report."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".checker-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(redactor(text))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes 0600; a report is meant to be read
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


__all__ = ["ReportFormat", "write_atomic"]
