"""What a successful answer looks like: the shape a probe expects, and the shape a body
has. Shared by the classifier and the provider kinds (a small module: `checker validate`
loads the kinds, and must not load the classifier)."""

from __future__ import annotations

from typing import NamedTuple


class Expected(NamedTuple):
    """What a successful answer to the probe looks like: ``kind`` is the endpoint (chat,
    responses, images, embeddings, messages, …; None accepts any) and ``stream`` whether
    the probe asked for an event stream. A 2xx proves access only in that shape."""

    kind: str | None = None
    stream: bool | None = None  # None: either (a pasted body, `checker diagnose`)


ANY_SUCCESS = Expected()


class SuccessShape(NamedTuple):
    format: str  # "json" | "sse" | "eventstream"
    kind: str | None  # the endpoint whose success this is, when the body says
