"""From what the user points at to a plan JSON: a configuration directory, a saved binary plan or a plan JSON.

A directory is planned in a scratch mirror (stepgate.workspace) with a local, empty state, so the plan
shows the whole configuration and the user's backend and state are never touched. With `sandbox` the
plan runs against a throw-away local emulator, so no cloud credentials are needed: its STS answers the
account id and its Step Functions validates the definitions the provider checks at plan time.
"""

from __future__ import annotations

import contextlib
import os
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stepgate.errors import StepgateError
from stepgate.plan import read_plan_json

# What only planning a directory needs (logging, the sandbox's sockets and subprocesses, tftest) is
# imported where it is used: checking a plan JSON file starts without it.
if TYPE_CHECKING:
    from stepgate.sandbox.process import Sandbox
    from stepgate.tf import Toolchain

Progress = Callable[[str], None]


@contextlib.contextmanager
def quiet_tftest() -> Iterator[None]:
    """tftest logs a failed command's whole output at ERROR before raising; the raised error already
    becomes stepgate's one line, so the log would only bury it."""
    import logging

    logger = logging.getLogger("tftest")
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous


def require_readable_dir(path: Path) -> None:
    # glob() silently finds nothing in a directory it may not list, which would read as "no .tf files"
    if not os.access(path, os.R_OK | os.X_OK):
        raise StepgateError(f"{path} is not readable (permission denied)")


def plan_directory(directory: Path, tf_vars: Mapping[str, Any] | None = None, sandbox: bool | Sandbox = False,
                   progress: Progress = lambda _: None, toolchain: Toolchain | None = None) -> dict[str, Any]:
    """Plan a configuration directory in a scratch mirror; `sandbox`: True starts a throw-away emulator for
    the plan, a running Sandbox is planned against as it is. `toolchain`: default find_toolchain()."""
    from stepgate.sandbox import Sandbox, render_provider_override, running_sandbox
    from stepgate.tf import TfRunner, find_toolchain
    from stepgate.workspace import open_workspace

    toolchain = toolchain or find_toolchain()
    with contextlib.ExitStack() as stack:
        override = ""
        if sandbox is True:
            progress("starting a local sandbox to plan against")
            sandbox = stack.enter_context(running_sandbox())
            progress(f"sandbox up at {sandbox.endpoint_url} in {sandbox.start_seconds:.1f} s")
        if isinstance(sandbox, Sandbox):
            override = render_provider_override(sandbox.endpoint_url, sandbox.region)
        workspace = stack.enter_context(open_workspace(directory, override, keep_lock_file=toolchain.mirror is None))
        runner = TfRunner(workspace.workdir, toolchain, progress=progress, disposable=True)
        with quiet_tftest():
            progress(f"{toolchain.label} init in a scratch copy of {directory}")
            runner.init()
            progress(f"{toolchain.label} plan" + (" against the sandbox" if override else ""))
            return runner.plan(tf_vars)
    raise AssertionError("unreachable")  # ExitStack does not swallow exceptions


def plan_document_from_path(path: Path, tf_vars: Mapping[str, Any] | None = None, sandbox: bool | Sandbox = False,
                            progress: Progress = lambda _: None) -> dict[str, Any]:
    """The plan JSON for a directory, a binary plan or a plan JSON file."""
    path = Path(path)
    if not path.exists():
        raise StepgateError(f"{path} does not exist")
    if path.is_dir():
        require_readable_dir(path)
        if not any(path.glob("*.tf")) and not any(path.glob("*.tf.json")):
            raise StepgateError(f"{path} contains no .tf files")
        return plan_directory(path, tf_vars, sandbox, progress)
    if sandbox:
        raise StepgateError(f"--sandbox plans a configuration directory; {path} is already a plan")
    if zipfile.is_zipfile(path):
        from stepgate.tf import TfRunner, find_toolchain

        # `show` of a binary plan needs the providers the directory it was made in has initialised
        runner = TfRunner(path.parent, find_toolchain())
        progress(f"{runner.toolchain.kind} show {path.name}")
        with quiet_tftest():
            return runner.show(path)
    document = read_plan_json(path)
    if not isinstance(document, dict):
        raise StepgateError(f"{path} is not a plan JSON: use `tofu show -json PLANFILE`")
    return document
