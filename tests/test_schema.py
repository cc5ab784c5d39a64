"""`checker schema`: the JSON Schema of the config, the shipped copy, and agreement with
the loader on configs that are good and configs that are not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from checker.config import parse_config
from checker.config.checks import check_fields
from checker.config.providers import fields_for
from checker.fields import DEFAULTS_FIELDS, PRICE_FIELDS, TOP_FIELDS
from checker.model import ConfigError
from checker.providers import KINDS
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "schema" / "checks.schema.json"
GOOD_FILES = [
    ROOT / "checker" / "data" / "demo.yml",
    ROOT / "examples" / "checks.yml",
    ROOT / "tests" / "action" / "checks.yml",
    ROOT / "tests" / "action" / "lenient.yml",
]
ENVIRON = {"KEY": "sk-test-not-a-real-key", "OTHER_KEY": "sk-test-other", "URL":
           "http://127.0.0.1:9/v1", "TIMEOUT": "12"}

HEAD = """\
version: 1
providers:
  openai:
    base_url: https://api.openai.com/v1  # display only
    api_key: ${KEY}
"""

# (id, config text, accepted by the loader and the schema alike)
CASES = [
    ("minimal", HEAD + "checks:\n  - providers: [openai]\n    models: [gpt-5]\n", True),
    ("singular forms", HEAD + "checks:\n  - provider: openai\n    model: gpt-5\n", True),
    ("scalar for a list", HEAD + "checks:\n  - providers: openai\n    models: gpt-5\n", True),
    ("everything", """\
version: 1
defaults: {timeout: 20, retries: 2, concurrency: 8, provider_concurrency: 4, deadline: 300}
prices:
  my-model: {input: 1.5, output: 6, image: 0.04}
providers:
  openai:
    base_url: https://api.openai.com/v1  # display only
    api_key: ${KEY}
    organization: ${ORG:-}
    project: proj_abc
    headers: {X-Team: platform, X-Gateway-Token: "${OTHER_KEY}"}
    concurrency: 2
    timeout: ${TIMEOUT}
  azure-east:
    kind: azure
    base_url: https://my-resource.openai.azure.com  # display only
    api_key: ${KEY}
    api_version: 2025-04-01-preview
    deployments: {gpt-image-1: image-prod}
  local:
    base_url: ${URL}
    api_key: ${KEY}
    allow_insecure_http: true
checks:
  - name: production
    providers: [openai, azure-east]
    models: [gpt-image-1]
  - provider: openai
    models: [o3]
    capabilities: [stream, reasoning_summary]
    timeout: 30
    retries: 0
    min_rpm: 500
    min_tpm: 30000
  - provider: openai
    model: gpt-5
    api_key: ["${OTHER_KEY}"]
    expect: denied
  - provider: local
    model: my-model
    expect: [ok, quota_exhausted]
    probe: chat
    params: {max_tokens: 1, metadata: {why: probe}}
    prompt: Say OK.
""", True),
    ("typo in a check key", HEAD + "checks:\n  - providers: [openai]\n    modles: [gpt-5]\n",
     False),
    ("unknown top-level key", HEAD + "checks:\n  - provider: openai\n    model: gpt-5\n"
     "extra: 1\n", False),
    ("literal api key", HEAD.replace("${KEY}", "sk-proj-abcdefghijklmnopqrstuvwxyz012345")
     + "checks:\n  - provider: openai\n    model: gpt-5\n", False),
    ("provider without base_url", "providers:\n  openai:\n    api_key: ${KEY}\n"
     "checks:\n  - provider: openai\n    model: gpt-5\n", False),
    ("no checks key", HEAD, False),
    ("empty checks", HEAD + "checks: []\n", False),
    ("check without a model", HEAD + "checks:\n  - provider: openai\n", False),
    ("provider and providers", HEAD + "checks:\n  - provider: openai\n    providers: [openai]"
     "\n    model: gpt-5\n", False),
    ("unknown capability", HEAD + "checks:\n  - provider: openai\n    model: o3\n"
     "    capabilities: [streaming]\n", False),
    ("unknown expectation", HEAD + "checks:\n  - provider: openai\n    model: o3\n"
     "    expect: denyed\n", False),
    ("unknown kind", HEAD.replace("    api_key", "    kind: sagemaker\n    api_key")
     + "checks:\n  - provider: openai\n    model: gpt-5\n", False),
    ("api_version without azure", HEAD.replace("    api_key", "    api_version: x\n    api_key")
     + "checks:\n  - provider: openai\n    model: gpt-5\n", False),
    ("negative retries", HEAD + "defaults: {retries: -1}\n"
     "checks:\n  - provider: openai\n    model: gpt-5\n", False),
    ("zero timeout", HEAD + "checks:\n  - provider: openai\n    model: gpt-5\n    timeout: 0\n",
     False),
    ("timeout not a number", HEAD + "checks:\n  - provider: openai\n    model: gpt-5\n"
     "    timeout: soon\n", False),
    ("boolean as text", HEAD.replace("    api_key", "    allow_insecure_http: maybe\n"
                                     "    api_key")
     + "checks:\n  - provider: openai\n    model: gpt-5\n", False),
    ("version 2", HEAD.replace("version: 1", "version: 2")
     + "checks:\n  - provider: openai\n    model: gpt-5\n", False),
    ("not an http url", HEAD.replace("https://api.openai.com/v1",  # display only
                                     "ftp://example.com")
     + "checks:\n  - provider: openai\n    model: gpt-5\n", False),
    ("provider name with a space", "providers:\n  open ai:\n    base_url: https://x.test/v1\n"
     "    api_key: ${KEY}\nchecks:\n  - provider: open ai\n    model: gpt-5\n", False),
    ("unknown price field", HEAD + "prices:\n  m: {inputs: 1}\n"
     "checks:\n  - provider: openai\n    model: gpt-5\n", False),
]


@pytest.fixture(scope="module")
def schema() -> dict:  # type: ignore[type-arg]
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema: dict) -> jsonschema.Draft202012Validator:  # type: ignore[type-arg]
    return jsonschema.Draft202012Validator(schema)


def test_checker_schema_prints_the_shipped_file() -> None:
    result = run_cli("schema")
    assert result.code == 0, result.stderr
    assert result.stdout == SHIPPED.read_text(encoding="utf-8"), (
        "schema/checks.schema.json is stale: run `checker schema > schema/checks.schema.json`")


def test_schema_is_a_valid_draft_2020_12_schema(schema: dict) -> None:  # type: ignore[type-arg]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_field_of_the_loader_is_in_the_schema(schema: dict) -> None:  # type: ignore[type-arg]
    properties = schema["properties"]
    sections = [
        (TOP_FIELDS, properties),
        (DEFAULTS_FIELDS, properties["defaults"]["properties"]),
        # every kind's fields, common ones first, each once
        (tuple({f.name: f for kind in KINDS for f in fields_for(kind)}.values()),
         schema["$defs"]["provider"]["properties"]),
        (check_fields(), schema["$defs"]["check"]["properties"]),
        (PRICE_FIELDS, properties["prices"]["additionalProperties"]["properties"]),
    ]
    for fields, shown in sections:
        assert list(shown) == [f.name for f in fields]
        for field in fields:
            # Two kinds may name a field alike (OpenAI's and Vertex's `project`): both say so.
            assert field.description in shown[field.name]["description"]


@pytest.mark.parametrize("path", GOOD_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_bundled_configs_validate(path: Path, validator) -> None:  # type: ignore[no-untyped-def]
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors


def test_the_broken_self_test_config_fails(validator) -> None:  # type: ignore[no-untyped-def]
    document = yaml.safe_load((ROOT / "tests" / "action" / "broken.yml").read_text())
    messages = [e.message for e in validator.iter_errors(document)]
    assert any("'modles' was unexpected" in m for m in messages), messages


@pytest.mark.parametrize(("text", "good"), [(t, g) for _, t, g in CASES],
                         ids=[name for name, _, _ in CASES])
def test_schema_and_loader_agree(text: str, good: bool, validator) -> None:  # type: ignore[no-untyped-def]
    try:
        parse_config(text, "checks.yml", ENVIRON)
        loader_ok, loader_said = True, ""
    except ConfigError as exc:
        loader_ok, loader_said = False, str(exc)
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(yaml.safe_load(text))]
    assert loader_ok is good, loader_said
    assert (not errors) is good, errors


def test_example_carries_the_editor_schema_line() -> None:
    first = (ROOT / "examples" / "checks.yml").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert first.endswith("/schema/checks.schema.json")


def test_check_jsonschema_accepts_good_and_rejects_bad(tmp_path: Path) -> None:
    """What a user runs in CI: check-jsonschema with the shipped schema file."""
    tool = Path(sys.executable).with_name("check-jsonschema")
    bad = tmp_path / "checks.yml"
    bad.write_text(next(text for name, text, _ in CASES if name == "typo in a check key"),
                   encoding="utf-8")
    good = subprocess.run([str(tool), "--schemafile", str(SHIPPED), *map(str, GOOD_FILES)],
                          capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stdout + good.stderr
    failed = subprocess.run([str(tool), "--schemafile", str(SHIPPED), str(bad)],
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert "modles" in failed.stdout
