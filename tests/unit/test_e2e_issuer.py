"""The disposable Cognito issuer (against a stubbed cognito-idp), the client-credentials token request (against
a local token endpoint) and the callers a JWT scenario derives from them."""

from __future__ import annotations

import base64
import contextlib
import threading
from pathlib import Path
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
from botocore.stub import ANY, Stubber

from stepgate.e2e import caller as caller_module
from stepgate.e2e.caller import iam_caller, open_caller
from stepgate.e2e.invoke import ANONYMOUS, BearerToken, SigV4
from stepgate.e2e.issuer import OTHER_SCOPE, Issuer, OAuthClient, cognito_issuer, fetch_access_token
from stepgate.e2e.scenario import DEFAULT_FILE, load_scenario
from stepgate.e2e.target import Target
from stepgate.errors import StepgateError

POOL = "us-east-1_Abc123"

JWT_SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "http-api-jwt" / DEFAULT_FILE


def stubbed_idp() -> tuple[Any, Stubber]:
    idp = boto3.client("cognito-idp", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    return idp, Stubber(idp)


def expect_setup(stubber: Stubber, domain_statuses: tuple[str, ...] = ("CREATING", "ACTIVE")) -> None:
    stubber.add_response("create_user_pool", {"UserPool": {"Id": POOL}},
                         {"PoolName": ANY, "UserPoolTags": {"stepgate:e2e": "jwt-issuer"}})
    stubber.add_response("create_resource_server", {"ResourceServer": {"Identifier": "orders"}}, {
        "UserPoolId": POOL, "Identifier": "orders", "Name": "orders",
        "Scopes": [{"ScopeName": "write", "ScopeDescription": ANY}, {"ScopeName": OTHER_SCOPE, "ScopeDescription": ANY}],
    })
    stubber.add_response("create_user_pool_domain", {}, {"Domain": ANY, "UserPoolId": POOL})
    for label, scope in (("caller", "orders/write"), ("unscoped", f"orders/{OTHER_SCOPE}"), ("foreign", "orders/write")):
        stubber.add_response(
            "create_user_pool_client", {"UserPoolClient": {"ClientId": f"id-{label}", "ClientSecret": f"secret-{label}"}},
            {"UserPoolId": POOL, "ClientName": ANY, "GenerateSecret": True, "AllowedOAuthFlows": ["client_credentials"],
             "AllowedOAuthScopes": [scope], "AllowedOAuthFlowsUserPoolClient": True},
        )
    for status in domain_statuses:
        stubber.add_response("describe_user_pool_domain", {"DomainDescription": {"Status": status}}, {"Domain": ANY})


def expect_teardown(stubber: Stubber, domain: bool = True) -> None:
    if domain:
        stubber.add_response("delete_user_pool_domain", {}, {"Domain": ANY, "UserPoolId": POOL})
    stubber.add_response("delete_user_pool", {}, {"UserPoolId": POOL})


def test_the_issuer_is_a_user_pool_with_the_route_scope_and_three_clients_and_is_deleted_after() -> None:
    idp, stubber = stubbed_idp()
    expect_setup(stubber)
    expect_teardown(stubber)
    with stubber, cognito_issuer(idp, "us-east-1", "orders/write", domain_timeout=10) as issuer:
        assert issuer.issuer == f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
        assert issuer.token_url.startswith("https://stepgate-e2e-")
        assert issuer.token_url.endswith(".auth.us-east-1.amazoncognito.com/oauth2/token")
        assert issuer.audiences == ["id-caller", "id-unscoped"]
        assert (issuer.caller.scope, issuer.unscoped.scope, issuer.foreign.scope) == \
            ("orders/write", f"orders/{OTHER_SCOPE}", "orders/write")
        assert issuer.foreign.client_id not in issuer.audiences
        assert "secret-caller" not in repr(issuer)
    stubber.assert_no_pending_responses()


def test_the_issuer_is_deleted_when_the_run_fails() -> None:
    idp, stubber = stubbed_idp()
    expect_setup(stubber)
    expect_teardown(stubber)
    with stubber, pytest.raises(RuntimeError, match="verification broke"):
        with cognito_issuer(idp, "us-east-1", "orders/write", domain_timeout=10):
            raise RuntimeError("verification broke")
    stubber.assert_no_pending_responses()


def test_a_failed_setup_is_one_error_and_leaves_no_pool() -> None:
    idp, stubber = stubbed_idp()
    stubber.add_response("create_user_pool", {"UserPool": {"Id": POOL}}, {"PoolName": ANY, "UserPoolTags": ANY})
    stubber.add_client_error("create_resource_server", "LimitExceededException", "too many resource servers")
    expect_teardown(stubber, domain=False)
    with stubber, pytest.raises(StepgateError, match=f"cannot set up the disposable Cognito issuer {POOL}: .*too many"):
        with cognito_issuer(idp, "us-east-1", "orders/write"):
            pytest.fail("the body must not run")
    stubber.assert_no_pending_responses()


def test_a_domain_that_fails_is_reported_and_cleaned_up() -> None:
    idp, stubber = stubbed_idp()
    expect_setup(stubber, domain_statuses=("CREATING", "FAILED"))
    expect_teardown(stubber)
    with stubber, pytest.raises(StepgateError, match="of the disposable issuer ended FAILED"):
        with cognito_issuer(idp, "us-east-1", "orders/write", domain_timeout=10):
            pytest.fail("the body must not run")
    stubber.assert_no_pending_responses()


@pytest.fixture
def token_endpoint() -> Iterator[tuple[str, list[dict[str, Any]], list[tuple[int, bytes]]]]:
    """A local OAuth token endpoint answering from a queue of (status, body); the last answer repeats."""
    seen: list[dict[str, Any]] = []
    answers: list[tuple[int, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            seen.append({"headers": dict(self.headers), "form": parse_qs(self.rfile.read(length).decode())})
            status, body = answers.pop(0) if len(answers) > 1 else answers[0]
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/oauth2/token", seen, answers
    server.shutdown()
    server.server_close()


CLIENT = OAuthClient("client-1", "s3cret", "orders/write")


def test_the_token_comes_from_a_client_credentials_grant_retried_until_the_domain_answers(token_endpoint: Any) -> None:
    url, seen, answers = token_endpoint
    answers += [(404, b"<html>not yet</html>"), (200, b'{"access_token": "eyJ.token", "token_type": "Bearer"}')]
    assert fetch_access_token(url, CLIENT, timeout=30) == "eyJ.token"
    assert len(seen) == 2
    request = seen[-1]
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"client-1:s3cret").decode()
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["form"] == {"grant_type": ["client_credentials"], "scope": ["orders/write"]}


def test_a_token_endpoint_that_never_issues_one_is_reported_with_its_last_answer(token_endpoint: Any) -> None:
    url, _, answers = token_endpoint
    answers.append((400, b'{"error": "invalid_scope"}'))
    with pytest.raises(StepgateError, match=r"waiting for an access token .*last answer: HTTP 400 \{\"error\": \"invalid_scope\"\}"):
        fetch_access_token(url, CLIENT, timeout=1.5)


def test_an_unreachable_token_endpoint_is_reported(token_endpoint: Any) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StepgateError, match="last answer: .*127.0.0.1"):
        fetch_access_token(f"http://127.0.0.1:{port}/oauth2/token", CLIENT, timeout=1.5)


class KeyedTarget(Target):
    """A target whose credentials need no chain lookup."""

    def credentials(self, session: object = None) -> Any:  # type: ignore[override]
        from botocore.credentials import ReadOnlyCredentials

        return ReadOnlyCredentials("AKIDEXAMPLE", "secret", None)

    def client(self, service: str, session: object = None) -> Any:  # type: ignore[override]
        return f"client:{service}"


def test_iam_callers_are_refused_unsigned_only_where_iam_is_enforced() -> None:
    local = iam_caller(KeyedTarget("local", "us-east-1", "http://127.0.0.1:1"))
    aws = iam_caller(KeyedTarget("aws", "eu-west-1"))
    assert isinstance(local.auth, SigV4) and local.refused == () and local.tf_vars == {}
    assert isinstance(aws.auth, SigV4) and aws.auth.region == "eu-west-1"
    assert [(r.label, r.auth, r.status) for r in aws.refused] == [("unsigned request", ANONYMOUS, 403)]


def test_a_jwt_scenario_calls_with_the_scoped_token_and_expects_401_401_403_for_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = Issuer("https://cognito-idp.us-east-1.amazonaws.com/pool", "https://d.auth/oauth2/token",
                    caller=OAuthClient("id-caller", "s", "orders/write"),
                    unscoped=OAuthClient("id-unscoped", "s", f"orders/{OTHER_SCOPE}"),
                    foreign=OAuthClient("id-foreign", "s", "orders/write"))
    used: list[tuple[Any, str, str]] = []

    @contextlib.contextmanager
    def fake_issuer(idp: Any, region: str, scope: str) -> Iterator[Issuer]:
        used.append((idp, region, scope))
        yield issuer

    monkeypatch.setattr(caller_module, "cognito_issuer", fake_issuer)
    monkeypatch.setattr(caller_module, "fetch_access_token", lambda url, client: f"token-of-{client.client_id}")
    with open_caller(load_scenario(JWT_SCENARIO), KeyedTarget("aws", "us-east-1")) as caller:
        assert used == [("client:cognito-idp", "us-east-1", "orders/write")]
        assert caller.auth == BearerToken("token-of-id-caller")
        assert [(r.auth, r.status) for r in caller.refused] == [
            (ANONYMOUS, 401), (BearerToken("token-of-id-foreign"), 401), (BearerToken("token-of-id-unscoped"), 403)]
        assert caller.tf_vars == {"jwt_issuer": issuer.issuer, "jwt_audiences": ["id-caller", "id-unscoped"]}


def test_a_jwt_scenario_never_creates_an_issuer_for_the_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(caller_module, "cognito_issuer", lambda *args: pytest.fail("no issuer may be created"))
    with pytest.raises(StepgateError, match="runs only with --target aws"):
        with open_caller(load_scenario(JWT_SCENARIO), KeyedTarget("local", "us-east-1", "http://127.0.0.1:1")):
            pass
