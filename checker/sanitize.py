"""The one sanitiser for provider text (and anything else checker did not write itself).

Every message, request id, header value or echoed name that came from a provider, a
pasted body, a baseline or a merged report passes through ``clean`` once, where it enters
checker, before any report or terminal sees it. ``clean`` returns one printable line:

* whole escape sequences are removed, not just their ESC byte (CSI ``ESC [ … final``,
  8-bit CSI ``0x9b … final``, OSC ``ESC ] … BEL|ST``, DCS/PM/APC/SOS strings, and
  two-byte ``ESC x`` sequences), so ``[31m`` never survives into a report;
* other C0/C1 control characters and line breaks become spaces;
* bidirectional overrides and isolates, and zero-width characters, are removed (they can
  make a report read differently from what it holds);
* runs of whitespace collapse to one space.

Every pattern here is linear in the input: no nested or adjacent unbounded quantifiers.
"""

from __future__ import annotations

import re

# ESC-introduced strings terminated by BEL or ST (ESC \): OSC ], DCS P, SOS X, PM ^, APC _.
_ESC_STRING = re.compile(r"\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?")
# 8-bit forms of the same (OSC 0x9d, DCS 0x90, SOS 0x98, PM 0x9e, APC 0x9f).
_C1_STRING = re.compile(r"[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?")
# CSI: ESC [ or 0x9b, parameter bytes, intermediate bytes, one final byte.
_CSI = re.compile(r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?")
# Any other escape: ESC, optional intermediates, one final byte.
_ESC_OTHER = re.compile(r"\x1b[\x20-\x2f]*[\x30-\x7e]?")
# Left-to-right/right-to-left marks, embeddings, overrides and isolates; zero-width
# characters; the byte order mark; the Arabic letter mark.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean(text: str, limit: int | None = None) -> str:
    """``text`` as one printable line (see the module docstring); cut to ``limit``
    characters with an ellipsis when given."""
    if limit is not None and len(text) > limit * 4:
        text = text[: limit * 4]  # a bound on the work; the result is cut again below
    text = _ESC_STRING.sub("", text)
    text = _C1_STRING.sub("", text)
    text = _CSI.sub("", text)
    text = _ESC_OTHER.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = " ".join(_CONTROL.sub(" ", text).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
