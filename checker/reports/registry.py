"""The registry of report formats: every ``Format`` and its class (a test keeps the two
complete). The CLI generates its report options from ``FILE_FORMATS``."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from .base import ReportFormat
from .github import GitHubAnnotationsFormat
from .json import JSONFormat
from .junit import JUnitFormat
from .markdown import MarkdownFormat
from .terminal import TerminalFormat


class Format(enum.StrEnum):
    JUNIT_XML = "junit-xml"
    JSON = "json"
    MARKDOWN = "markdown"
    TERMINAL = "terminal"
    GITHUB_ANNOTATIONS = "github-annotations"


FORMATS: Mapping[Format, type[ReportFormat]] = {
    Format.JUNIT_XML: JUnitFormat,
    Format.JSON: JSONFormat,
    Format.MARKDOWN: MarkdownFormat,
    Format.TERMINAL: TerminalFormat,
    Format.GITHUB_ANNOTATIONS: GitHubAnnotationsFormat,
}

FILE_FORMATS: tuple[Format, ...] = tuple(f for f, cls in FORMATS.items() if cls.to_file)
