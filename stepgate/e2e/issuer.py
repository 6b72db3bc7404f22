"""A disposable OIDC issuer for JWT routes: an Amazon Cognito user pool in the sandbox account.

A JWT route can only be proven with tokens from an issuer that API Gateway can reach, so an aws-target
run creates one: a user pool with a resource server whose scopes are the route's, a hosted domain for
the OAuth token endpoint, and app clients that get tokens by the client-credentials grant. Cognito access
tokens carry `client_id` and no `aud`; API Gateway's JWT authorizer then matches `client_id` against the
authorizer's audiences, so the audiences are app client ids. Everything is deleted when the run ends.
"""

from __future__ import annotations

import base64
import contextlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from botocore.awsrequest import AWSRequest
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.httpsession import URLLib3Session

from stepgate.e2e.verify import poll
from stepgate.errors import StepgateError

# A scope no route requires: the token of a client holding only this one must be refused with 403.
OTHER_SCOPE = "stepgate-unrelated"


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    client_secret: str = field(repr=False)
    scope: str  # the one "resource-server/scope" it may request


@dataclass(frozen=True)
class Issuer:
    """What the example is applied with (issuer, audiences) and the clients that get tokens from it."""

    issuer: str
    token_url: str
    caller: OAuthClient  # an audience, holding the route's scope
    unscoped: OAuthClient  # an audience, holding only OTHER_SCOPE
    foreign: OAuthClient  # holds the route's scope, but is no audience of the API

    @property
    def audiences(self) -> list[str]:
        return [self.caller.client_id, self.unscoped.client_id]


@contextlib.contextmanager
def cognito_issuer(idp: Any, region: str, scope: str, domain_timeout: float = 300) -> Iterator[Issuer]:
    """Create the user pool, its resource server, domain and three app clients; delete them on exit."""
    resource_server, scope_name = scope.split("/", 1)
    name = f"stepgate-e2e-{uuid.uuid4().hex[:12]}"
    try:
        pool_id = idp.create_user_pool(PoolName=name, UserPoolTags={"stepgate:e2e": "jwt-issuer"})["UserPool"]["Id"]
    except (BotoCoreError, ClientError) as error:
        raise StepgateError(f"cannot create the disposable Cognito issuer: {error}") from error
    domain_created = False
    try:
        try:
            idp.create_resource_server(
                UserPoolId=pool_id, Identifier=resource_server, Name=resource_server,
                Scopes=[{"ScopeName": scope_name, "ScopeDescription": "the scope the routes require"},
                        {"ScopeName": OTHER_SCOPE, "ScopeDescription": "a scope no route requires"}],
            )
            idp.create_user_pool_domain(Domain=name, UserPoolId=pool_id)
            domain_created = True
            other = f"{resource_server}/{OTHER_SCOPE}"
            caller, unscoped, foreign = (_client(idp, pool_id, f"{name}-{label}", granted)
                                         for label, granted in (("caller", scope), ("unscoped", other), ("foreign", scope)))
            status = poll(lambda: idp.describe_user_pool_domain(Domain=name)["DomainDescription"].get("Status"),
                          lambda found: found in ("ACTIVE", "FAILED"), domain_timeout,
                          f"the Cognito domain {name} to become active", first_delay=2.0, max_delay=10.0)
        except (BotoCoreError, ClientError) as error:
            raise StepgateError(f"cannot set up the disposable Cognito issuer {pool_id}: {error}") from error
        if status != "ACTIVE":
            raise StepgateError(f"the Cognito domain {name} of the disposable issuer ended {status}")
        yield Issuer(
            issuer=f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
            token_url=f"https://{name}.auth.{region}.amazoncognito.com/oauth2/token",
            caller=caller, unscoped=unscoped, foreign=foreign,
        )
    finally:
        _delete(idp, pool_id, name if domain_created else None)


def _client(idp: Any, pool_id: str, name: str, scope: str) -> OAuthClient:
    created = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=name, GenerateSecret=True, AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=[scope], AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    return OAuthClient(created["ClientId"], created["ClientSecret"], scope)


def _delete(idp: Any, pool_id: str, domain: str | None) -> None:
    """A user pool with a domain cannot be deleted, so the domain goes first."""
    try:
        if domain is not None:
            idp.delete_user_pool_domain(Domain=domain, UserPoolId=pool_id)
        idp.delete_user_pool(UserPoolId=pool_id)
    except (BotoCoreError, ClientError) as error:
        raise StepgateError(f"the disposable Cognito issuer {pool_id} was not deleted: {error}") from error


def fetch_access_token(token_url: str, client: OAuthClient, timeout: float = 180) -> str:
    """An access token by the client-credentials grant (RFC 6749 4.4). A new hosted domain takes a while to
    answer (DNS, then the endpoint itself), so failures are retried until `timeout`; the last answer is reported."""
    basic = base64.b64encode(f"{client.client_id}:{client.client_secret}".encode()).decode()
    body = urlencode({"grant_type": "client_credentials", "scope": client.scope}).encode()
    headers = {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"}
    http = URLLib3Session(timeout=30)
    last = ["none"]  # the latest answer, for the error message

    def ask() -> str | None:
        try:
            response = http.send(AWSRequest(method="POST", url=token_url, data=body, headers=headers).prepare())
        except (HTTPClientError, BotoConnectionError) as error:
            last[0] = str(error)
            return None
        token = _token(response.content) if response.status_code == 200 else None
        last[0] = f"HTTP {response.status_code} {response.content[:200].decode('utf-8', 'replace')}"
        return token

    try:
        token = poll(ask, lambda found: found is not None, timeout, f"an access token from {token_url}",
                     first_delay=1.0, max_delay=10.0)
    except StepgateError as error:
        raise StepgateError(f"{error} (last answer: {last[0]})") from error
    finally:
        http.close()
    assert token is not None
    return token


def _token(content: bytes) -> str | None:
    try:
        token = json.loads(content.decode("utf-8")).get("access_token")
    except (UnicodeDecodeError, ValueError, AttributeError):
        return None
    return token if isinstance(token, str) and token else None
