"""Report formats, one module each behind ``base.ReportFormat``, registered in
``registry.FORMATS``; ``writer`` puts them where they go (files, the terminal, GitHub
Actions' channels), always through the run's redactor. To add a format: write
``reports/<format>.py``, add a ``Format`` member and one line to ``FORMATS``.
"""

from .base import RenderOptions, ReportFormat
from .registry import FILE_FORMATS, FORMATS, Format
from .writer import OutputOptions, temporary_path, write_atomic, write_reports

__all__ = ["FILE_FORMATS", "FORMATS", "Format", "OutputOptions", "RenderOptions",
           "ReportFormat", "temporary_path", "write_atomic", "write_reports"]
