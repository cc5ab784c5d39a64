"""The pre-commit hooks (.pre-commit-hooks.yaml) under real pre-commit: the manifest and
the example config validate, and `pre-commit try-repo` installs this repository into a
fresh environment (from PyPI: the one fetch these tests make) and runs the hooks in a
temporary git repository holding a config.

try-repo sees only committed or staged files of the hook repository, and makes a new
commit (so a new environment) per call when there are uncommitted changes. The hook
repository here is therefore a snapshot of the working tree (tracked and untracked files,
not ignored ones), committed once per session, so every call reuses one environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from checker.simulator import Simulator
from tests.conftest import clean_env

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = str(Path(sys.executable).with_name("pre-commit"))
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
                "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
                "GIT_CONFIG_NOSYSTEM": "1"}

slow = pytest.mark.slow  # installs the package with pip: tens of seconds the first time


def git(*args: str, cwd: Path) -> str:
    completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                               check=True, env={**os.environ, **GIT_IDENTITY})
    return completed.stdout


def manifest() -> list[dict[str, Any]]:
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_manifest_validates() -> None:
    result = subprocess.run([PRE_COMMIT, "validate-manifest", ".pre-commit-hooks.yaml"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_example_config_validates() -> None:
    result = subprocess.run([PRE_COMMIT, "validate-config", "examples/pre-commit-config.yaml"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    example = yaml.safe_load((ROOT / "examples/pre-commit-config.yaml").read_text())
    assert [h["id"] for h in example["repos"][0]["hooks"]] == ["checker", "checker-run"]


def test_hooks_follow_the_conventions() -> None:
    hooks = {hook["id"]: hook for hook in manifest()}
    assert list(hooks) == ["checker", "checker-run"]
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        assert hook["always_run"] is True
        assert hook["minimum_pre_commit_version"] == "3.2.0"
    # Commits stay offline and fast: the default hook only validates, on default stages.
    assert hooks["checker"]["entry"] == "checker validate"
    assert "stages" not in hooks["checker"]
    assert hooks["checker-run"]["entry"] == "checker run"
    assert hooks["checker-run"]["stages"] == ["pre-push", "manual"]


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of the project")
    files = git("ls-files", "--cached", "--others", "--exclude-standard", "-z",
                cwd=ROOT).split("\0")
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    git("init", "-q", cwd=snapshot)
    git("add", "-A", cwd=snapshot)
    git("commit", "-q", "-m", "snapshot of the working tree", cwd=snapshot)
    return snapshot


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def user_repo(path: Path, config: str) -> Path:
    path.mkdir()
    (path / "checks.yml").write_text(textwrap.dedent(config), encoding="utf-8")
    git("init", "-q", cwd=path)
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "config", cwd=path)
    return path


def package_index_hosts() -> str:
    """The hosts pip, inside pre-commit, may reach to install the hook: the only place past
    loopback a test lets a process go (tests/netguard)."""
    variables = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "HTTPS_PROXY", "https_proxy",
                 "HTTP_PROXY", "http_proxy")
    urls = [url for name in variables for url in os.environ.get(name, "").split()]
    hosts = {"pypi.org", "files.pythonhosted.org"}
    hosts.update(host for host in (urlsplit(url).hostname for url in urls) if host)
    return ",".join(sorted(hosts))


def try_repo(hook_repo: Path, home: Path, repo: Path, hook: str, *extra: str,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PRE_COMMIT, "try-repo", str(hook_repo), hook, "--all-files", *extra],
        cwd=repo, capture_output=True, text=True, timeout=900,
        env=clean_env({**GIT_IDENTITY, **(env or {}), "PRE_COMMIT_HOME": str(home),
                       "PRE_COMMIT_COLOR": "never",
                       "CHECKER_TEST_NETGUARD_ALLOW": package_index_hosts()}),
    )


GOOD = """\
    version: 1
    providers:
      openai:
        base_url: ${SIM_URL:-http://127.0.0.1:9/v1}
        api_key: ${OPENAI_API_KEY}
    checks:
      - providers: [openai]
        models: [gpt-4o-mini]
    """


@slow
def test_checker_hook_passes_on_a_good_config(hook_repo: Path, pre_commit_home: Path,
                                              tmp_path: Path) -> None:
    repo = user_repo(tmp_path / "good", GOOD)
    result = try_repo(hook_repo, pre_commit_home, repo, "checker")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "model access config (checker validate)" in result.stdout
    assert "Passed" in result.stdout


@slow
def test_checker_hook_fails_with_the_line_and_column_on_a_bad_config(
    hook_repo: Path, pre_commit_home: Path, tmp_path: Path,
) -> None:
    repo = user_repo(tmp_path / "bad", GOOD.replace("models:", "modles:"))
    result = try_repo(hook_repo, pre_commit_home, repo, "checker")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "- exit code: 2" in result.stdout
    assert ("checks.yml:8:5: unknown key 'modles' in checks[0] (did you mean 'models'?)"
            in result.stdout)


@slow
def test_networked_hook_runs_only_when_asked_and_gates_on_access(
    hook_repo: Path, pre_commit_home: Path, tmp_path: Path, simulator: Simulator,
) -> None:
    repo = user_repo(tmp_path / "networked", GOOD.replace("gpt-4o-mini", "gpt-image-1"))
    env = {"SIM_URL": simulator.url, "OPENAI_API_KEY": simulator.new_key("unverified")}
    # Not on commit: the hook is bound to pre-push and manual.
    on_commit = try_repo(hook_repo, pre_commit_home, repo, "checker-run", env=env)
    assert "No hook with id `checker-run` in stage `pre-commit`" in on_commit.stdout
    assert not simulator.log
    # By hand: it probes, fails on the unverified organization, and names the fix.
    manual = try_repo(hook_repo, pre_commit_home, repo, "checker-run", "--hook-stage",
                      "manual", env=env)
    assert manual.returncode == 1, manual.stdout + manual.stderr
    assert "model access (checker run)" in manual.stdout
    assert "FAIL    openai / gpt-image-1 [access]  verification_required" in manual.stdout
    assert env["OPENAI_API_KEY"] not in manual.stdout
    assert [p.model for p in simulator.log] == ["gpt-image-1"]
