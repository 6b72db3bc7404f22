"""A user's repository: the wheel built from this checkout, installed in a fresh virtualenv, run in a
directory outside this repository with no AWS credentials in the environment, on a configuration that
calls the module by a git URL of the checkout (tests/consumer/repo: its own infra/, workflow, scenario
and pytest file). Only public interfaces: the `stepgate` and `checkov` commands and the pytest plugin.

The machine has no provider registry, so STEPGATE_PROVIDER_MIRROR names the mirror `make setup` built,
as a team without registry access would; LocalStack comes from the virtualenv `make setup` installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "repo"
PASSED_ON = ("PATH", "HOME", "STEPGATE_TF_BINARY", "STEPGATE_PROVIDER_MIRROR", "STEPGATE_LOCALSTACK_VENV", "TF_CLI_CONFIG_FILE",
             "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "AWS_CA_BUNDLE")


@dataclass(frozen=True)
class UserRepo:
    root: Path  # the team's repository, a copy of tests/consumer/repo outside this checkout
    venv: Path
    env: dict[str, str]

    def run(self, *command: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.venv / "bin" / command[0]), *command[1:]], cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=timeout)


def _no_credentials_env(scratch: Path, venv: Path) -> dict[str, str]:
    env = {key: os.environ[key] for key in PASSED_ON if key in os.environ}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # no credentials anywhere: no variables, no shared files, no instance metadata
    env.update({"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": str(scratch / "no-aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(scratch / "no-aws-credentials"), "COLUMNS": "200"})
    return env


@pytest.fixture(scope="module")
def user_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UserRepo]:
    scratch = tmp_path_factory.mktemp("consumer")
    wheels = scratch / "wheels"
    for attempt in (1, 2):  # the isolated build env comes from PyPI; one retry rides out a dropped download
        built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(REPO_ROOT)],
                               capture_output=True, text=True, timeout=600)
        if built.returncode == 0:
            break
    assert built.returncode == 0, f"pip wheel failed twice: {built.stderr[-3000:]}"
    (wheel,) = wheels.glob("stepgate-*.whl")
    venv = scratch / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "--no-compile",
                              "-c", str(REPO_ROOT / "constraints.txt"), str(wheel), "pytest"],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    root = scratch / "acme-invoices"
    shutil.copytree(FIXTURE, root)
    main_tf = root / "infra" / "main.tf"
    main_tf.write_text(main_tf.read_text().replace("git::file:///path/to/stepgate", f"git::file://{REPO_ROOT}"))
    yield UserRepo(root, venv, _no_credentials_env(scratch, venv))


def test_the_wheel_carries_the_policies_and_the_scenario_schema(user_repo: UserRepo) -> None:
    files = user_repo.run("python", "-c", "import stepgate, stepgate.policies as p, stepgate.e2e.scenario as s; "
                                          "print(stepgate.__file__); print(p.directory()); print(s.schema()['title'].replace(' ', '_'))")
    package, policies, title = files.stdout.split()
    assert str(user_repo.venv) in package and (Path(policies) / "stepgate_checks.py").is_file(), files.stderr
    assert title == "stepgate_e2e_scenario"
    assert str(REPO_ROOT) not in package


def test_checks_commands_and_the_user_s_pytest_pass(user_repo: UserRepo) -> None:
    """The four things a team runs, side by side (each waits mostly on tofu and the emulator)."""
    policies = user_repo.run("stepgate", "policies-dir").stdout.strip()
    sg_checks = user_repo.run("python", "-c", "from stepgate.rules import RULES; print(','.join(r.id for r in RULES if r.evaluate))").stdout.strip()
    commands = {
        "stepgate check --sandbox": ("stepgate", "check", "infra", "--sandbox"),
        "checkov with the shipped policies": ("checkov", "-d", "infra", "--framework", "terraform", "--external-checks-dir", policies,
                                              "--check", sg_checks, "--skip-download", "--compact", "--quiet"),
        "stepgate e2e": ("stepgate", "e2e", "infra"),
        "pytest with the plugin's fixtures": ("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"),
    }
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        results = dict(zip(commands, pool.map(lambda command: user_repo.run(*command), commands.values())))
    failed = {name: (result.returncode, result.stdout[-2500:], result.stderr[-2500:]) for name, result in results.items() if result.returncode}
    assert not failed, failed
    assert "stepgate: no findings" in results["stepgate check --sandbox"].stdout
    assert "Traceback" not in "".join(result.stderr for result in results.values())
    assert "2 passed" in results["pytest with the plugin's fixtures"].stdout
    e2e = results["stepgate e2e"].stdout
    assert "destroy leaves nothing behind" in e2e and " 0 failed" in e2e
    # nothing written into the team's repository but what it holds itself
    assert sorted(str(p.relative_to(user_repo.root)) for p in user_repo.root.rglob("*") if "__pycache__" not in p.parts) == sorted(
        str(p.relative_to(FIXTURE)) for p in FIXTURE.rglob("*") if "__pycache__" not in p.parts)
