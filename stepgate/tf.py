"""Finding tofu or terraform and running it: init/plan/show/apply/destroy with one-line errors.

Providers are installed the way the user's own CLI configuration says (TF_CLI_CONFIG_FILE or
~/.terraformrc: registry, network mirror, plugin cache). A filesystem mirror is used instead only when
asked (STEPGATE_PROVIDER_MIRROR, as this repository's CI does) or when init cannot reach a registry and
the default mirror directory (~/.terraform.d/plugins) holds providers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tftest

from stepgate.errors import StepgateError

MIN_VERSION = (1, 6)
MIRROR_ENV = "STEPGATE_PROVIDER_MIRROR"
BINARY_ENV = "STEPGATE_TF_BINARY"
_VERSION_LINE = re.compile(r"^(OpenTofu|Terraform) v(\d+)\.(\d+)\.(\d+)\S*", re.MULTILINE)
# init's words for "no registry answered" (DNS, connection, TLS or proxy failures on the registry host)
_REGISTRY_UNREACHABLE = re.compile(
    r"(could not connect to|Failed to query available provider packages|failed to request discovery document|"
    r"dial tcp|no such host|connection refused|i/o timeout|Client.Timeout|certificate)", re.IGNORECASE)
# the aws provider's words for "no usable credentials" (it calls STS at plan time)
_NO_CREDENTIALS = re.compile(
    r"(No valid credential sources found|failed to refresh cached credentials|NoCredentialProviders|"
    r"validating provider credentials|InvalidClientTokenId|UnrecognizedClientException|ExpiredToken|"
    r"SignatureDoesNotMatch|get identity|AWS account ID not previously found)", re.IGNORECASE)


@dataclass(frozen=True)
class Toolchain:
    """A usable binary, and the filesystem mirror it installs providers from (None: the user's CLI config)."""

    binary: Path
    kind: str  # "tofu" or "terraform"
    version: str
    mirror: Path | None = None

    def cli_config(self) -> str:
        """A CLI configuration that installs what the mirror holds from it, and anything else directly."""
        assert self.mirror is not None
        sources = ", ".join(f'"{source}"' for source in mirrored_providers(self.mirror))
        return (
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{self.mirror}"\n    include = [{sources}]\n  }}\n'
            f"  direct {{\n    exclude = [{sources}]\n  }}\n"
            "}\n"
        )

    def with_mirror(self, mirror: Path | None) -> Toolchain:
        return replace(self, mirror=mirror)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.version}"


def default_mirror(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("HOME", "~")).expanduser() / ".terraform.d" / "plugins"


def mirrored_providers(mirror: Path) -> list[str]:
    """Provider sources (host/namespace/type) a filesystem mirror directory holds a build of."""
    found = {
        "/".join(build.relative_to(mirror).parts[:3])
        for build in mirror.glob("*/*/*/*/*/terraform-provider-*")
    } if mirror.is_dir() else set()
    return sorted(found)


def provider_versions(mirror: Path, source: str) -> list[str]:
    root = mirror / source
    return sorted(p.name for p in root.iterdir() if any(p.glob("*/terraform-provider-*"))) if root.is_dir() else []


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
    """The binary from STEPGATE_TF_BINARY, else tofu, else terraform (>= 1.6) on PATH; the mirror from
    STEPGATE_PROVIDER_MIRROR when set."""
    env = os.environ if env is None else env
    explicit = env.get(BINARY_ENV)
    if explicit:
        candidates = [Path(explicit) if os.sep in explicit else Path(shutil.which(explicit, path=env.get("PATH")) or explicit)]
    else:
        candidates = [Path(found) for name in ("tofu", "terraform") if (found := shutil.which(name, path=env.get("PATH")))]
    if not candidates:
        raise StepgateError(f"no tofu or terraform on PATH: install one (>= 1.6) or set {BINARY_ENV} to its path")
    mirror = Path(env[MIRROR_ENV]).expanduser() if env.get(MIRROR_ENV) else None
    if mirror is not None and not mirrored_providers(mirror):
        raise StepgateError(f"{MIRROR_ENV}={mirror} holds no provider builds (expected HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-*)")
    rejected = []
    for binary in candidates:
        if not binary.is_file():
            rejected.append(f"{binary} does not exist")
            continue
        kind, version, major_minor = _binary_version(binary)
        if major_minor < MIN_VERSION:
            rejected.append(f"{binary} is {kind} {version}, older than 1.6")
            continue
        return Toolchain(binary=binary, kind=kind, version=version, mirror=mirror)
    raise StepgateError("no usable tofu/terraform: " + "; ".join(rejected))


def json_document(text: str) -> Any:
    """The JSON a `show -json`/`output -json` call printed, after any warnings the binary put before it
    (tofu prints CLI configuration warnings on stdout)."""
    start = next((i for i, line in enumerate(text.splitlines(keepends=True)) if line.lstrip().startswith("{")), None)
    if start is None:
        raise ValueError("no JSON object in the output")
    return json.loads("".join(text.splitlines(keepends=True)[start:]))


@dataclass
class TfRunner:
    """tofu/terraform in one working directory, with extra environment (e.g. TF_DATA_DIR)."""

    workdir: Path
    toolchain: Toolchain
    extra_env: Mapping[str, str] = field(default_factory=dict)
    progress: Callable[[str], None] = lambda _: None
    disposable: bool = False  # a scratch copy of stepgate's own: its lock file may be dropped

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir).resolve()
        if not self.workdir.is_dir():
            raise StepgateError(f"{self.workdir} is not a directory")
        if not os.access(self.workdir, os.R_OK | os.X_OK):
            raise StepgateError(f"{self.workdir} is not readable")
        self._configure(self.toolchain)

    def _configure(self, toolchain: Toolchain) -> None:
        self.toolchain = toolchain
        env = {"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_INPUT": "0", **self.extra_env}
        if toolchain.mirror is not None:
            config = Path(tempfile.mkdtemp(prefix="stepgate-tf-")) / "cli.tfrc"
            config.write_text(toolchain.cli_config())
            env["TF_CLI_CONFIG_FILE"] = str(config)
        self._tf = tftest.TerraformTest(str(self.workdir), binary=str(toolchain.binary), env=env)

    def _run(self, what: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except tftest.TerraformTestError as error:
            raise StepgateError(f"{self.toolchain.kind} {what} failed in {self.workdir}: {_last_error(_stderr(error))}") from error

    def init(self) -> str:
        try:
            return str(self._tf.init(backend=True, input=False))
        except tftest.TerraformTestError as error:
            stderr = _stderr(error)
            fallback = default_mirror()
            if self.toolchain.mirror is None and _REGISTRY_UNREACHABLE.search(stderr) and mirrored_providers(fallback):
                self.progress(f"no provider registry reachable: installing providers from the filesystem mirror {fallback}")
                self._configure(self.toolchain.with_mirror(fallback))
                if self.disposable:  # a lock file of registry builds cannot match locally built providers
                    (self.workdir / ".terraform.lock.hcl").unlink(missing_ok=True)
                return self._run("init", lambda: self._tf.init(backend=True, input=False))
            if "provider" in stderr.lower() and ("install" in stderr.lower() or "query" in stderr.lower()):
                source = "the filesystem mirror " + str(self.toolchain.mirror) if self.toolchain.mirror else "your CLI configuration (TF_CLI_CONFIG_FILE or ~/.terraformrc)"
                raise StepgateError(
                    f"{self.toolchain.kind} init cannot install a provider from {source}: {_last_error(stderr)}; "
                    f"give the CLI configuration a reachable registry, network mirror or plugin cache, or set {MIRROR_ENV} "
                    "to a filesystem mirror that holds the provider") from error
            raise StepgateError(f"{self.toolchain.kind} init failed in {self.workdir}: {_last_error(stderr)}") from error

    def validate(self) -> str:
        return str(self._run("validate", lambda: self._tf.execute_command("validate", "-no-color").out))

    def fmt_check(self) -> str:
        return str(self._run("fmt", lambda: self._tf.execute_command("fmt", "-check", "-recursive", "-no-color").out))

    def plan(self, tf_vars: Mapping[str, Any] | None = None, out: Path | None = None) -> dict[str, Any]:
        """Plan and return the plan JSON (as `show -json` prints it); keep the binary plan at `out` if given."""
        planfile = Path(out) if out else Path(tempfile.mkdtemp(prefix="stepgate-plan-")) / "plan.tfplan"
        args = ["-no-color", "-input=false", f"-out={planfile}", *_var_args(tf_vars)]
        try:
            self._tf.execute_command("plan", *args)
        except tftest.TerraformTestError as error:
            stderr = _stderr(error)
            if _NO_CREDENTIALS.search(stderr):
                raise StepgateError(
                    f"planning {self.workdir.name} needs AWS credentials (the aws provider calls STS and Step Functions at "
                    f"plan time) and found none usable: {_last_error(stderr)}; without credentials, use --sandbox to plan "
                    "against a throw-away local emulator") from error
            raise StepgateError(f"{self.toolchain.kind} plan failed in {self.workdir}: {_last_error(stderr)}") from error
        return self.show(planfile)

    def show(self, planfile: Path) -> dict[str, Any]:
        text = self._run("show", lambda: self._tf.execute_command("show", "-no-color", "-json", str(planfile)).out)
        try:
            document = json_document(text)
        except ValueError as error:
            raise StepgateError(f"{self.toolchain.kind} show -json printed no JSON for {planfile}") from error
        if not isinstance(document, dict):
            raise StepgateError(f"{self.toolchain.kind} show -json printed no plan object for {planfile}")
        return document

    def apply(self, tf_vars: Mapping[str, Any] | None = None) -> str:
        args = ["-no-color", "-input=false", "-auto-approve", *_var_args(tf_vars)]
        return str(self._run("apply", lambda: self._tf.execute_command("apply", *args).out))

    def destroy(self, tf_vars: Mapping[str, Any] | None = None) -> str:
        args = ["-no-color", "-input=false", "-auto-approve", *_var_args(tf_vars)]
        return str(self._run("destroy", lambda: self._tf.execute_command("destroy", *args).out))

    def outputs(self) -> dict[str, Any]:
        text = self._run("output", lambda: self._tf.execute_command("output", "-no-color", "-json").out)
        try:
            document = json_document(text) if text.strip() else {}
        except ValueError:
            document = {}
        return {name: item.get("value") for name, item in document.items()}


def _stderr(error: tftest.TerraformTestError) -> str:
    return str(error.args[1]) if len(error.args) > 1 and error.args[1] else str(error.args[0])


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
