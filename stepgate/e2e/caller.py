"""Who calls an example's routes in an e2e run: the authorised client, the clients that must be refused,
and what the example has to be applied with so that exactly these are told apart."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from stepgate.e2e.invoke import ANONYMOUS, BearerToken, RequestAuth, SigV4
from stepgate.e2e.issuer import cognito_issuer, fetch_access_token
from stepgate.e2e.scenario import Scenario
from stepgate.e2e.target import Target


@dataclass(frozen=True)
class Refused:
    """A caller a route must turn away, before any execution starts, with this status."""

    label: str
    auth: RequestAuth
    status: int


@dataclass(frozen=True)
class Caller:
    auth: RequestAuth  # the authorised client every case and rejection check calls as
    refused: tuple[Refused, ...] = ()
    tf_vars: Mapping[str, Any] = field(default_factory=dict)  # applied (and destroyed) with the example


def iam_caller(target: Target) -> Caller:
    """The credentials of the run itself, SigV4-signed. The local emulator enforces no IAM, so an unsigned
    request is only known to be refused (403 Missing Authentication Token) where IAM is enforced."""
    refused = () if target.is_local else (Refused("unsigned request", ANONYMOUS, 403),)
    return Caller(SigV4(target.credentials(), target.region), refused)


@contextlib.contextmanager
def open_caller(scenario: Scenario, target: Target) -> Iterator[Caller]:
    """The caller for the scenario's auth type; for JWT, a disposable issuer that lives as long as the run."""
    scenario.require_target(target.kind)
    if scenario.auth == "AWS_IAM":
        yield iam_caller(target)
        return
    assert scenario.jwt_scope is not None  # load_scenario guarantees it for JWT
    with cognito_issuer(target.client("cognito-idp"), target.region, scenario.jwt_scope) as issuer:
        token = {client: BearerToken(fetch_access_token(issuer.token_url, client))
                 for client in (issuer.caller, issuer.unscoped, issuer.foreign)}
        # API Gateway's JWT authorizer: 401 for a missing or invalid token (a foreign audience included),
        # 403 for a valid token that carries none of the route's scopes.
        yield Caller(
            auth=token[issuer.caller],
            refused=(
                Refused("request without a token", ANONYMOUS, 401),
                Refused("token of an app client that is no audience", token[issuer.foreign], 401),
                Refused("token without the route's scope", token[issuer.unscoped], 403),
            ),
            tf_vars={"jwt_issuer": issuer.issuer, "jwt_audiences": issuer.audiences},
        )
