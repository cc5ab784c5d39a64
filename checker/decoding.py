"""Content-Encoding, decoded with a cap on what comes out.

An HTTP client decodes a compressed body chunk by chunk without a limit on the output, so
a 2 KB answer with ``Content-Encoding: gzip, gzip`` can inflate to a gigabyte in one
step. checker reads the raw bytes and decodes them here, through every stacked encoding,
asking zlib for no more output than is still wanted (``max_length``): memory stays
bounded by the cap whatever the ratio. Only what checker asks for (``gzip``,
``deflate``, ``identity``) is accepted, at most ``MAX_LAYERS`` deep.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

ACCEPT_ENCODING = "gzip, deflate"
MAX_LAYERS = 3
_STEP = 64 * 1024  # output asked of zlib per call, per layer


class DecodingError(Exception):
    """The body cannot be decoded (an unknown or corrupt encoding)."""


def parse_encodings(header: str | None) -> list[str]:
    """The codings of a Content-Encoding header, in the order they were applied."""
    if not header:
        return []
    codings = [c.strip().lower() for c in header.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if len(codings) > MAX_LAYERS:
        raise DecodingError(f"{len(codings)} stacked content encodings")
    for coding in codings:
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise DecodingError(f"unsupported content encoding {coding!r}")
    return codings


class _Layer:
    def __init__(self, coding: str) -> None:
        self.coding = coding
        # gzip: header and trailer; deflate: zlib-wrapped, or raw (some servers send it).
        self.inflater = zlib.decompressobj(zlib.MAX_WBITS | 16 if "gzip" in coding
                                           else zlib.MAX_WBITS)
        self.first = True
        self.pending = b""  # input not yet consumed because output was capped

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data`` (after what is pending), producing at most ``room`` bytes."""
        data = self.pending + data
        self.pending = b""
        try:
            out = self.inflater.decompress(data, max(1, room))
        except zlib.error:
            if self.first and self.coding == "deflate":
                self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                self.first = False
                return self.feed(data, room)
            raise DecodingError(f"corrupt {self.coding} data") from None
        self.first = False
        self.pending = self.inflater.unconsumed_tail
        return out


class BoundedDecoder:
    """Feed raw body chunks; get decoded bytes, never more than ``cap`` in total. Once
    the cap is reached or the encoded stream has ended (``done``), input is ignored, so
    neither data past the end of a gzip stream nor a bomb costs memory or time."""

    def __init__(self, encodings: Sequence[str], cap: int) -> None:
        # Encodings were applied in order, so they are undone in reverse.
        self.layers = [_Layer(c) for c in reversed(encodings)]
        self.cap = cap
        self.produced = 0
        self.ended = False

    @property
    def done(self) -> bool:
        return self.ended or self.produced >= self.cap

    def feed(self, chunk: bytes) -> bytes:
        if self.done:
            return b""
        out = self._through(0, chunk) if self.layers else chunk[: self.cap - self.produced]
        self.produced += len(out)
        return out

    def _through(self, index: int, data: bytes) -> bytes:
        """``data`` decoded through layers ``index``…, bounded by the room left."""
        layer = self.layers[index]
        innermost = index == len(self.layers) - 1
        pieces: list[bytes] = []
        produced = 0
        while not self.ended:
            room = self.cap - self.produced - produced
            if room <= 0:
                break
            step = layer.feed(data, min(_STEP, room) if innermost else _STEP)
            data = b""
            if step and not innermost:
                step = self._through(index + 1, step)
            if step:
                pieces.append(step)
                produced += len(step)
            if layer.inflater.eof:
                self.ended = True  # anything after the end of a stream is ignored
            if not layer.pending:
                break
        return b"".join(pieces)
