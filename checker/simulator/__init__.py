"""A loopback server that speaks every provider kind's wire format, strict like the real
APIs, with its scenarios as data. Powers ``checker demo``, ``checker simulate`` and the
test suite."""

from .faults import build_gzip_bomb
from .server import SCENARIOS, Answered, Probe, Simulator

__all__ = ["SCENARIOS", "Answered", "Probe", "Simulator", "build_gzip_bomb"]
