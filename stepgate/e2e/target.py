"""Where an end-to-end run talks to: the local sandbox (fixed test keys, one endpoint) or a real sandbox account.

A real account is used only through the standard credential chain and only when the caller's account id
equals STEPGATE_SANDBOX_ACCOUNT_ID, so a run can never land in a production account by accident.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.credentials import ReadOnlyCredentials
from botocore.exceptions import BotoCoreError, ClientError

from stepgate.errors import StepgateError

SANDBOX_ACCOUNT_ENV = "STEPGATE_SANDBOX_ACCOUNT_ID"
LOCAL_KEYS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
_ACCOUNT_ID = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Target:
    """`local`: the emulator at endpoint_url; `aws`: the account the default credential chain resolves to."""

    kind: str
    region: str
    endpoint_url: str | None = None

    @property
    def is_local(self) -> bool:
        return self.kind == "local"

    def session(self) -> boto3.Session:
        if self.is_local:
            return boto3.Session(region_name=self.region, **LOCAL_KEYS)
        return boto3.Session(region_name=self.region)

    def client(self, service: str, session: boto3.Session | None = None) -> Any:
        config = Config(
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
            max_pool_connections=32,
            # The emulator has no per-operation host names (e.g. sync-states.*), so host prefixes must stay off.
            inject_host_prefix=not self.is_local,
        )
        return (session or self.session()).client(service, endpoint_url=self.endpoint_url, config=config)

    def credentials(self, session: boto3.Session | None = None) -> ReadOnlyCredentials:
        found = (session or self.session()).get_credentials()
        if found is None:
            raise StepgateError("no AWS credentials found in the standard chain (env, profile, SSO, instance role)")
        return found.get_frozen_credentials()


def require_sandbox_account(sts: Any, env: Mapping[str, str] | None = None) -> str:
    """The caller's account id, or StepgateError unless it is exactly the declared sandbox account."""
    env = os.environ if env is None else env
    expected = env.get(SANDBOX_ACCOUNT_ENV, "").strip()
    if not expected:
        raise StepgateError(f"--target aws refuses to run: set {SANDBOX_ACCOUNT_ENV} to the sandbox account id")
    if not _ACCOUNT_ID.match(expected):
        raise StepgateError(f"{SANDBOX_ACCOUNT_ENV}={expected!r} is not a 12-digit account id")
    try:
        actual = str(sts.get_caller_identity()["Account"])
    except (BotoCoreError, ClientError) as error:
        raise StepgateError(f"--target aws cannot identify the caller: {error}") from error
    if actual != expected:
        raise StepgateError(f"--target aws refuses to run: credentials are for account {actual}, not the sandbox account {expected}")
    return actual
