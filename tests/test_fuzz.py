"""Bad input never gets a traceback: random and mutated YAML into `checker validate`, random
bytes and JSON into `checker diagnose` and the classifier. The only outcomes are a clean
result or one-line errors (file:line:column) with exit 2."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.classify import classify
from checker.cli import main
from checker.outcomes import OutcomeClass

GOOD = """version: 1
defaults: {timeout: 20, retries: 2}
providers:
  openai-prod:
    base_url: https://api.openai.com/v1  # display only
    api_key: ${OPENAI_API_KEY}
    organization: ${OPENAI_ORG_ID:-org-123}
  azure:
    kind: azure
    base_url: https://res.openai.azure.com  # display only
    api_key: ${AZURE_KEY}
    deployments: {gpt-image-1: image-prod}
checks:
  - providers: [openai-prod, azure]
    models: [gpt-image-2, o3, gpt-5]
  - provider: openai-prod
    models: [o3]
    capabilities: [stream, reasoning_summary]
    params: {temperature: 0}
  - providers: [openai-prod]
    models: [gpt-5]
    api_key: ${STAGING_KEY}
    expect: denied
"""

LOCATED = re.compile(r"^.+:\d+:\d+: \S")
FUZZ = settings(max_examples=150, deadline=5000,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def validate(text: str | bytes, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "checks.yml"
        path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str)
                         else text)
        code = main(["validate", "-c", str(path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_clean(code: int, out: str, err: str) -> None:
    assert code in (0, 2), (code, err)
    if code == 2:
        lines = err.strip().splitlines()
        assert lines, "an error without a message"
        for line in lines:
            assert LOCATED.match(line), line
            assert "Traceback" not in line


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """The good config with a few random edits: deletions, insertions, swaps."""
    text = GOOD
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 12)):]
        elif action == "insert":
            text = text[:position] + draw(st.sampled_from(
                [":", "-", " ", "\n", "[", "]", "{", "}", "${", "&a", "*a", "'", '"', "\t",
                 "!!python/object:os.system", "modles", "0", "~", "\x00", "é"])) + text[position:]
        else:
            line_start = text.rfind("\n", 0, position) + 1
            line_end = text.find("\n", position)
            line = text[line_start:line_end if line_end >= 0 else len(text)]
            text = text[:line_start] + line + "\n" + text[line_start:]
    return text


@FUZZ
@given(mutated())
def test_mutated_configs_never_crash(capsys: pytest.CaptureFixture[str], text: str) -> None:
    assert_clean(*validate(text, capsys))


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_random_text_never_crashes(capsys: pytest.CaptureFixture[str], text: str) -> None:
    assert_clean(*validate(text, capsys))


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(capsys: pytest.CaptureFixture[str], data: bytes) -> None:
    assert_clean(*validate(data, capsys))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(
        st.sampled_from(["error", "message", "code", "type", "param", "metadata", "raw",
                         "detail", "x"]), children, max_size=5),
    max_leaves=30)


@FUZZ
@given(json_values, st.sampled_from([None, 200, 400, 401, 403, 404, 429, 500, 503]))
def test_classify_never_raises_on_any_json(value: object, status: int | None) -> None:
    outcome = classify(status, {}, json.dumps(value))
    assert isinstance(outcome.cls, OutcomeClass)
    assert "\n" not in outcome.message


@FUZZ
@given(st.binary(max_size=600), st.sampled_from([None, 200, 403, 500]))
def test_classify_never_raises_on_any_bytes(body: bytes, status: int | None) -> None:
    assert isinstance(classify(status, {}, body).cls, OutcomeClass)


@FUZZ
@given(st.binary(min_size=1, max_size=400) | json_values.map(json.dumps).map(str.encode))
def test_diagnose_never_crashes(capsys: pytest.CaptureFixture[str], data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "body.txt"
        path.write_bytes(data)
        code = main(["diagnose", "--json", str(path)])
    captured = capsys.readouterr()
    if not data.decode("utf-8", "replace").strip():
        assert code == 2 and "nothing to diagnose" in captured.err
        return
    assert code == 0, captured.err
    assert json.loads(captured.out)["class"] in {c.value for c in OutcomeClass}


def test_deep_nesting_and_alias_bombs_are_refused_quickly(
        capsys: pytest.CaptureFixture[str]) -> None:
    deep = "checks: " + "[" * 5000 + "]" * 5000 + "\n"
    assert_clean(*validate(deep, capsys))
    bomb = GOOD.replace("params: {temperature: 0}", "params: {x: *f}")
    bomb = "\n".join([f"{n}: &{n} [{', '.join(['*' + p] * 9) if p else 'x'}]"
                      for p, n in zip(["", "a", "b", "c", "d", "e"], "abcdef", strict=True)]
                     ) + "\n" + bomb
    code, _, err = validate(bomb, capsys)
    assert code == 2 and "'params' is too large" in err


# --- adversarial bodies: nesting, backtracking bait, escapes and bidi, stacked encodings ------

ESCAPES = st.sampled_from(["\x1b[31m", "\x1b[0m", "\x1b]0;title\x07", "\x1b]8;;http://x\x1b\\",
                           "\x9b2J", "\x1bP1$r\x1b\\", "\u202e", "\u2066", "\u200b", "\ufeff",
                           "\x00", "\r\n", "::error::x", "##[error]x", "\x1b", "\x9d"])
PHRASES = st.sampled_from(["code", '"code": ', "type ", "<", "<html>", '"message": "', "{", "[",
                           "organization must be verified", "rate limit", "project `",
                           "model `", "sk-", "bearer ", "api_key=", "try again in 2",
                           "Error code: 400 - {", '"', "\\", " ", "\n"])


@st.composite
def adversarial(draw: st.DrawFn) -> str:
    """A body built from pieces every reader keys on, repeated and interleaved with escape
    sequences, long runs and deep nesting."""
    pieces = draw(st.lists(PHRASES | ESCAPES | st.text(max_size=8), min_size=1, max_size=12))
    repeat = draw(st.integers(1, 4000))
    depth = draw(st.integers(0, 3000))
    body = "".join(pieces) * repeat
    return ("[" * depth + body + "]" * depth)[: 256 * 1024]


@FUZZ
@given(adversarial(), st.sampled_from([None, 200, 400, 403, 429, 500]))
def test_classify_is_clean_and_bounded_on_adversarial_bodies(body: str, status: int | None) -> None:
    import time

    from checker.sanitize import clean

    started = time.perf_counter()
    outcome = classify(status, {}, body)
    assert time.perf_counter() - started < 2.0
    assert isinstance(outcome.cls, OutcomeClass)
    assert outcome.message == clean(outcome.message)  # already one sanitised line
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b]", outcome.message)


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200) | adversarial())
def test_the_sanitiser_is_idempotent_and_leaves_no_control(text: str) -> None:
    from checker.sanitize import clean

    once = clean(text)
    assert clean(once) == once
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]",
                         once)


@FUZZ
@given(st.binary(max_size=2000), st.lists(st.sampled_from(["gzip", "deflate"]), max_size=3),
       st.integers(1, 5000))
def test_bounded_decoding_never_exceeds_its_cap(payload: bytes, codings: list[str],
                                                cap: int) -> None:
    import gzip
    import zlib

    from checker.decoding import BoundedDecoder, DecodingError

    data = payload
    for coding in codings:
        data = gzip.compress(data) if coding == "gzip" else zlib.compress(data)
    decoder = BoundedDecoder(codings, cap)
    out = b""
    try:
        for start in range(0, len(data), 97):
            out += decoder.feed(data[start:start + 97])
    except DecodingError:
        pytest.fail("valid stacked encodings must decode")
    assert len(out) <= cap
    assert out == payload[:cap]


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["gzip", "deflate", "gzip, deflate"]))
def test_corrupt_encoded_bodies_raise_one_clean_error(garbage: bytes, header: str) -> None:
    from checker.decoding import BoundedDecoder, DecodingError, parse_encodings

    decoder = BoundedDecoder(parse_encodings(header), 4096)
    try:
        out = decoder.feed(garbage)
    except DecodingError:
        return
    assert len(out) <= 4096
