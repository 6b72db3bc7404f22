"""Finding the tofu/terraform binary and running it, always offline against the local provider mirror.

Every call gets its own CLI configuration (a filesystem mirror for hashicorp/aws and no network fallback
for it), so an ambient ``TF_CLI_CONFIG_FILE`` or ``~/.terraformrc`` can neither break nor change a plan.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import tftest

from stepgate.errors import StepgateError

MIN_VERSION = (1, 6)
AWS_PROVIDER_SOURCES = ("registry.opentofu.org/hashicorp/aws", "registry.terraform.io/hashicorp/aws")
_VERSION_LINE = re.compile(r"^(OpenTofu|Terraform) v(\d+)\.(\d+)\.(\d+)\S*", re.MULTILINE)


@dataclass(frozen=True)
class Toolchain:
    """A usable binary plus the provider mirror it installs hashicorp/aws from."""

    binary: Path
    kind: str  # "tofu" or "terraform"
    version: str
    plugin_dir: Path

    def cli_config(self) -> str:
        sources = ", ".join(f'"{source}"' for source in AWS_PROVIDER_SOURCES)
        return (
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{self.plugin_dir}"\n    include = [{sources}]\n  }}\n'
            f"  direct {{\n    exclude = [{sources}]\n  }}\n"
            "}\n"
        )


def default_plugin_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get("STEPGATE_PLUGIN_DIR") or Path(env.get("HOME", "~")).expanduser() / ".terraform.d" / "plugins")


def _binary_version(binary: Path) -> tuple[str, str, tuple[int, int]]:
    try:
        result = subprocess.run(
            [str(binary), "version"], capture_output=True, text=True, timeout=60,
            env={**os.environ, "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": os.devnull},
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StepgateError(f"cannot run {binary} version: {error}") from error
    match = _VERSION_LINE.search(result.stdout)
    if not match:
        raise StepgateError(f"{binary} does not look like tofu or terraform (version said: {result.stdout.strip()[:80]!r})")
    kind = "tofu" if match.group(1) == "OpenTofu" else "terraform"
    major, minor = int(match.group(2)), int(match.group(3))
    return kind, f"{major}.{minor}.{match.group(4)}", (major, minor)


def find_toolchain(env: Mapping[str, str] | None = None) -> Toolchain:
    """The binary from STEPGATE_TF_BINARY, else tofu, else terraform (>= 1.6) on PATH or in ~/.local/bin."""
    env = os.environ if env is None else env
    explicit = env.get("STEPGATE_TF_BINARY")
    if explicit:
        candidates = [Path(explicit) if os.sep in explicit else Path(shutil.which(explicit, path=env.get("PATH")) or explicit)]
    else:
        search_path = os.pathsep.join([env.get("PATH", ""), str(Path(env.get("HOME", "~")).expanduser() / ".local" / "bin")])
        candidates = [Path(found) for name in ("tofu", "terraform") if (found := shutil.which(name, path=search_path))]
    if not candidates:
        raise StepgateError("no tofu or terraform binary found: run `make setup` or set STEPGATE_TF_BINARY")
    rejected = []
    for binary in candidates:
        if not binary.is_file():
            rejected.append(f"{binary} does not exist")
            continue
        kind, version, major_minor = _binary_version(binary)
        if major_minor < MIN_VERSION:
            rejected.append(f"{binary} is {kind} {version}, older than 1.6")
            continue
        return Toolchain(binary=binary, kind=kind, version=version, plugin_dir=default_plugin_dir(env))
    raise StepgateError("no usable tofu/terraform: " + "; ".join(rejected))


def installed_aws_provider_versions(plugin_dir: Path) -> list[str]:
    root = plugin_dir / AWS_PROVIDER_SOURCES[0]
    return sorted(p.name for p in root.iterdir() if any(p.glob("*/terraform-provider-aws_*"))) if root.is_dir() else []


@dataclass
class TfRunner:
    """tofu/terraform in one working directory, with the offline CLI config and extra environment."""

    workdir: Path
    toolchain: Toolchain
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir).resolve()
        if not self.workdir.is_dir():
            raise StepgateError(f"{self.workdir} is not a directory")
        if not os.access(self.workdir, os.R_OK | os.X_OK):
            raise StepgateError(f"{self.workdir} is not readable")
        config = Path(tempfile.mkdtemp(prefix="stepgate-tf-")) / "cli.tfrc"
        config.write_text(self.toolchain.cli_config())
        self._env = {
            "TF_CLI_CONFIG_FILE": str(config),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_INPUT": "0",
            **self.extra_env,
        }
        self._tf = tftest.TerraformTest(str(self.workdir), binary=str(self.toolchain.binary), env=self._env)

    def _run(self, what: str, call: Any) -> Any:
        try:
            return call()
        except tftest.TerraformTestError as error:
            stderr = error.args[1] if len(error.args) > 1 and error.args[1] else str(error.args[0])
            raise StepgateError(f"{self.toolchain.kind} {what} failed in {self.workdir}: {_last_error(stderr)}") from error

    def init(self) -> str:
        return self._run("init", lambda: self._tf.init(backend=False))

    def validate(self) -> str:
        return self._run("validate", lambda: self._tf.execute_command("validate", "-no-color").out)

    def fmt_check(self) -> str:
        return self._run("fmt", lambda: self._tf.execute_command("fmt", "-check", "-recursive", "-no-color").out)

    def plan(self, tf_vars: Mapping[str, Any] | None = None, out: Path | None = None) -> dict[str, Any]:
        """Plan and return the plan JSON (as `show -json` prints it); keep the binary plan at `out` if given."""
        planfile = Path(out) if out else Path(tempfile.mkdtemp(prefix="stepgate-plan-")) / "plan.tfplan"
        args = ["-no-color", "-input=false", f"-out={planfile}", *_var_args(tf_vars)]
        self._run("plan", lambda: self._tf.execute_command("plan", *args))
        return self.show(planfile)

    def show(self, planfile: Path) -> dict[str, Any]:
        text = self._run("show", lambda: self._tf.execute_command("show", "-no-color", "-json", str(planfile)).out)
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise StepgateError(f"{self.toolchain.kind} show -json printed no JSON for {planfile}") from error

    def apply(self, tf_vars: Mapping[str, Any] | None = None) -> str:
        args = ["-no-color", "-input=false", "-auto-approve", *_var_args(tf_vars)]
        return self._run("apply", lambda: self._tf.execute_command("apply", *args).out)

    def destroy(self, tf_vars: Mapping[str, Any] | None = None) -> str:
        args = ["-no-color", "-input=false", "-auto-approve", *_var_args(tf_vars)]
        return self._run("destroy", lambda: self._tf.execute_command("destroy", *args).out)

    def outputs(self) -> dict[str, Any]:
        text = self._run("output", lambda: self._tf.execute_command("output", "-no-color", "-json").out)
        return {name: item.get("value") for name, item in json.loads(text or "{}").items()}

    def providers(self) -> str:
        return self._run("providers", lambda: self._tf.execute_command("providers", "-no-color").out)


def _var_args(tf_vars: Mapping[str, Any] | None) -> list[str]:
    args = []
    for name, value in (tf_vars or {}).items():
        rendered = value if isinstance(value, str) else json.dumps(value)
        args.append(f"-var={name}={rendered}")
    return args


def _last_error(stderr: str) -> str:
    """The first `Error:` line and its detail, without the box drawing, so one line tells what broke."""
    lines = [line.strip(" │╷╵\t") for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    for index, line in enumerate(lines):
        if line.startswith("Error:"):
            return " ".join(lines[index : index + 4])
    return " ".join(lines[-4:]) if lines else "no error output"
