"""The command line: ``main`` parses and dispatches; one module per command."""

from .main import main

__all__ = ["main"]
