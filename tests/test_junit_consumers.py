"""The JUnit XML that `checker` writes, as the CI ecosystem reads it: valid against the
Jenkins xunit-plugin schema (vendored under tests/schemas/, plus the `file`/`line`
attributes that annotating reporters use) and parsed by junitparser, the library EnricoMi's
publisher reads reports with. Providers are the simulator on 127.0.0.1."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, TestCase, TestSuite

from checker.simulator import Simulator
from tests.conftest import run_cli

SCHEMAS = Path(__file__).parent / "schemas"
CHECKER_XSD = SCHEMAS / "junit-10-checker.xsd"
JENKINS_XSD = SCHEMAS / "junit-10.xsd"
CASE_NAME = re.compile(r"^[A-Za-z0-9_.\-]+(@[a-z0-9-]+)? / [^ ]+ \[[a-z_]+\]"
                       r"( \(key [A-Z0-9_,]+\))?$")
FIXED_POINT = re.compile(r"^\d+\.\d{1,3}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")

CONFIG = """\
version: 1
defaults:
  timeout: 5
  retries: 0
providers:
  verified:
    base_url: ${SIM_URL}
    api_key: ${K_VERIFIED}
  unverified:
    base_url: ${SIM_URL}
    api_key: ${K_UNVERIFIED}
  revoked:
    base_url: ${SIM_URL}
    api_key: ${K_REVOKED}
  website:
    base_url: ${SIM_URL}
    api_key: ${K_WEBSITE}
checks:
  - providers: [verified, unverified]
    models:
      - gpt-image-1
      - gpt-4o-mini
  - provider: revoked
    model: gpt-5
  - provider: website
    model: gpt-4o-mini
  - provider: verified
    model: gpt-5
    api_key: ${K_STAGING}
    expect: denied
"""


def line_of(text: str, occurrence: int = 1) -> int:
    """1-based line of the n-th CONFIG line that ends with ``text``."""
    numbers = [n for n, line in enumerate(CONFIG.splitlines(), 1) if line.endswith(text)]
    return numbers[occurrence - 1]


def schema(path: Path) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(path))


def assert_valid(report: Path) -> None:
    errors = list(schema(CHECKER_XSD).iter_errors(str(report)))
    assert not errors, "\n".join(str(e) for e in errors[:3])


def cases_by_name(xml: JUnitXml) -> dict[str, tuple[TestSuite, TestCase]]:
    found: dict[str, tuple[TestSuite, TestCase]] = {}
    for suite in xml:
        for case in suite:
            assert case.name not in found, f"duplicate test name {case.name}"
            found[case.name] = (suite, case)
    return found


def outcome(case: TestCase) -> type | None:
    kinds = {type(r) for r in case.result}
    assert len(kinds) <= 1, kinds
    return kinds.pop() if kinds else None


@pytest.fixture
def simulated_run(simulator: Simulator, write_config, tmp_path: Path):  # type: ignore[no-untyped-def]
    config = write_config(CONFIG)
    env = {"SIM_URL": simulator.url,
           "K_VERIFIED": simulator.new_key("verified"),
           "K_UNVERIFIED": simulator.new_key("unverified"),
           "K_REVOKED": simulator.new_key("revoked"),
           "K_WEBSITE": simulator.new_key("html-200"),
           "K_STAGING": simulator.new_key("project-restricted")}

    def run(name: str = "report.xml") -> tuple[int, Path, str]:
        report = tmp_path / name
        result = run_cli("run", "-c", str(config), "--junit-xml", str(report), env=env,
                         cwd=tmp_path)
        return result.code, report, result.stdout
    return run


def test_run_report_validates_and_reads_back_in_junitparser(simulated_run) -> None:  # type: ignore[no-untyped-def]
    code, report, _ = simulated_run()
    assert code == 1
    assert_valid(report)
    xml = JUnitXml.fromfile(str(report))
    assert isinstance(xml, JUnitXml)
    assert [suite.name for suite in xml] == ["verified", "unverified", "revoked", "website"]
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (7, 3, 0, 0)

    cases = cases_by_name(xml)
    assert all(CASE_NAME.match(name) for name in cases), list(cases)
    assert set(cases) == {
        "verified / gpt-image-1 [access]",
        "verified / gpt-4o-mini [access]",
        "unverified / gpt-image-1 [access]",
        "unverified / gpt-4o-mini [access]",
        "revoked / gpt-5 [access]",
        "website / gpt-4o-mini [access]",
        "verified / gpt-5 [access] (key K_STAGING)",
    }
    # A gated model from an unverified org is a definite failure with the class as type.
    suite, gated = cases["unverified / gpt-image-1 [access]"]
    assert outcome(gated) is Failure
    failure = gated.result[0]
    assert failure.type == "verification_required"
    assert "verified" in failure.message.lower()
    assert "Verify" in (failure.text or "")  # reporters that ignore `message` show the text
    assert gated.classname == "unverified"
    assert suite.name == "unverified"
    # A revoked key: a definite failure too.
    assert cases["revoked / gpt-5 [access]"][1].result[0].type == "auth_failed"
    # An HTML page where an API should be: the probe could not decide. Still a failure (the
    # class says inconclusive), so no reporter shows it as less serious than a denial.
    _, website = cases["website / gpt-4o-mini [access]"]
    assert outcome(website) is Failure
    assert website.result[0].type == "unexpected_response"
    assert "(inconclusive)" in website.result[0].message
    # Passing checks, including a least-privilege check that was denied as expected.
    assert outcome(cases["verified / gpt-4o-mini [access]"][1]) is None
    assert outcome(cases["verified / gpt-5 [access] (key K_STAGING)"][1]) is None
    assert cases["verified / gpt-4o-mini [access]"][1].is_passed


def test_run_report_attributes_consumers_rely_on(simulated_run) -> None:  # type: ignore[no-untyped-def]
    _, report, _ = simulated_run()
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    for suite in root.iter("testsuite"):
        for attribute in ("name", "tests", "failures", "errors", "skipped", "time",
                          "timestamp"):
            assert suite.get(attribute) is not None, (suite.get("name"), attribute)
        assert TIMESTAMP.match(suite.get("timestamp", "")), suite.get("timestamp")
        assert FIXED_POINT.match(suite.get("time", "")), suite.get("time")
        assert suite.find("testsuite") is None  # no nested suites
        properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert properties["provider.kind"] == "openai"
        assert properties["provider.base_url"].startswith("http://127.0.0.1:")
        assert properties["checker.version"]
    lines = {}
    for case in root.iter("testcase"):
        assert FIXED_POINT.match(case.get("time", "")), case.get("time")
        assert case.get("classname")
        assert case.get("file") == "checks.yml"
        lines[case.get("name")] = int(case.get("line", "0"))
    # The line of the model entry in the YAML, for annotations on the right line.
    assert lines["verified / gpt-image-1 [access]"] == line_of("- gpt-image-1")
    assert lines["unverified / gpt-4o-mini [access]"] == line_of("- gpt-4o-mini")
    assert lines["revoked / gpt-5 [access]"] == line_of("model: gpt-5")
    assert lines["verified / gpt-5 [access] (key K_STAGING)"] == line_of("model: gpt-5", 2)


def test_run_report_properties_read_by_junitparser(simulated_run) -> None:  # type: ignore[no-untyped-def]
    _, report, _ = simulated_run()
    xml = JUnitXml.fromfile(str(report))
    suite = next(s for s in xml if s.name == "unverified")
    properties = {p.name: p.value for p in suite.properties()}
    assert properties["provider.kind"] == "openai"
    for case in suite:
        assert case.time >= 0
        assert "provider: unverified" in (case.system_out or "")


def test_names_are_stable_across_runs(simulated_run) -> None:  # type: ignore[no-untyped-def]
    _, first, _ = simulated_run("first.xml")
    _, second, _ = simulated_run("second.xml")
    names = [[c.name for c in s] for s in JUnitXml.fromfile(str(first))]
    assert names == [[c.name for c in s] for s in JUnitXml.fromfile(str(second))]


def test_report_deviates_from_plain_jenkins_schema_only_by_file_line_and_skipped(
    simulated_run,  # type: ignore[no-untyped-def]
) -> None:
    _, report, _ = simulated_run()
    root = ET.parse(report).getroot()
    root.attrib.pop("skipped", None)
    for case in root.iter("testcase"):
        case.attrib.pop("file", None)
        case.attrib.pop("line", None)
    stripped = report.with_name("stripped.xml")
    ET.ElementTree(root).write(stripped, encoding="utf-8", xml_declaration=True)
    errors = list(schema(JENKINS_XSD).iter_errors(str(stripped)))
    assert not errors, "\n".join(str(e) for e in errors[:3])


def test_demo_report_validates_and_parses(tmp_path: Path) -> None:
    result = run_cli("demo", "--junit-xml", "demo.xml", "--quiet", cwd=tmp_path)
    assert result.code == 1  # the demo fails on purpose
    report = tmp_path / "demo.xml"
    assert_valid(report)
    xml = JUnitXml.fromfile(str(report))
    cases = cases_by_name(xml)
    assert len(cases) == xml.tests == 34
    assert all(CASE_NAME.match(name) for name in cases), list(cases)
    assert {type(r).__name__ for _, c in cases.values() for r in c.result} == {"Failure"}
    types = {r.type for _, c in cases.values() for r in c.result}
    assert {"verification_required", "auth_failed", "quota_exhausted",
            "permission_denied", "region_blocked", "access_pending"} <= types
    for _, case in cases.values():
        assert case._elem.get("file") == "checker-demo.yml"
    assert (tmp_path / "checker-demo.yml").is_file()  # file= names a file that exists


def test_config_error_still_writes_a_valid_report(write_config, tmp_path: Path) -> None:
    config = write_config("""\
        version: 1
        providers:
          openai:
            base_url: https://api.openai.com/v1  # display only: a config error, nothing is sent
            api_key: ${OPENAI_API_KEY}
        checks:
          - providers: [openai]
            modles: [gpt-5]
        """)
    report = tmp_path / "report.xml"
    result = run_cli("run", "-c", str(config), "--junit-xml", str(report), cwd=tmp_path)
    assert result.code == 2
    assert "checks.yml:8:5: unknown key 'modles'" in result.stderr
    assert_valid(report)
    xml = JUnitXml.fromfile(str(report))
    cases = cases_by_name(xml)
    assert list(cases) == ["configuration"]
    _, case = cases["configuration"]
    assert outcome(case) is Error
    error = case.result[0]
    assert error.type == "config_error"
    assert "unknown key 'modles'" in error.message
    assert "did you mean 'models'" in (error.text or "")
    assert case._elem.get("file") == "checks.yml"
    assert case._elem.get("line") == "8"


def test_unfinished_checks_are_failures_not_skipped(write_config, tmp_path: Path) -> None:
    with Simulator(slow_seconds=3) as slow:
        config = write_config("""\
            version: 1
            providers:
              fast:
                base_url: ${SIM_URL}
                api_key: ${K_FAST}
              slow:
                base_url: ${SIM_URL}
                api_key: ${K_SLOW}
            checks:
              - providers: [fast, slow]
                model: gpt-4o-mini
            """)
        report = tmp_path / "report.xml"
        env = {"SIM_URL": slow.url, "K_FAST": slow.new_key("verified"),
               "K_SLOW": slow.new_key("slow")}
        result = run_cli("run", "-c", str(config), "--junit-xml", str(report),
                         "--deadline", "1s", env=env, cwd=tmp_path)
    assert result.code == 3  # nothing failed; one check could not finish
    assert_valid(report)
    xml = JUnitXml.fromfile(str(report))
    cases = cases_by_name(xml)
    assert outcome(cases["fast / gpt-4o-mini [access]"][1]) is None
    _, unfinished = cases["slow / gpt-4o-mini [access]"]
    # Skipped reads as a pass in dorny, mikepenz and EnricoMi: an unfinished check is not one.
    assert outcome(unfinished) is Failure
    assert unfinished.result[0].type == "interrupted"
    assert "run deadline" in unfinished.result[0].message
    assert (xml.failures, xml.skipped) == (1, 0)
