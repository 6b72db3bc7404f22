"""The HTTP invoker (SigV4 on the wire), the --target aws guard and scenario loading."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.credentials import ReadOnlyCredentials
from botocore.stub import Stubber

from stepgate.e2e.invoke import ANONYMOUS, BearerToken, EndpointUnreachable, Invoker, RouteUrls, SigV4
from stepgate.e2e.target import require_sandbox_account
from stepgate.errors import StepgateError

CREDENTIALS = ReadOnlyCredentials("AKIDEXAMPLE", "secret", None)


@pytest.fixture
def echo_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            seen.append({"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"executionArn": "arn:x"}')

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_requests_are_sigv4_signed_for_execute_api(echo_server: tuple[str, list[dict[str, Any]]]) -> None:
    base, seen = echo_server
    invoker = Invoker(SigV4(CREDENTIALS, "eu-central-1"))
    url = RouteUrls.for_emulator(base, "abc123", "v1").url("/processReport")
    response = invoker.request("POST", url, {"reportId": "r1"}, headers={"Idempotency-Key": "k1"})
    assert response.status == 200 and response.json() == {"executionArn": "arn:x"}
    request = seen[0]
    assert request["path"] == "/restapis/abc123/v1/_user_request_/processReport"
    auth = request["headers"]["Authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") and "/eu-central-1/execute-api/aws4_request" in auth
    assert "idempotency-key" in auth.split("SignedHeaders=")[1] and "X-Amz-Date" in request["headers"]
    assert request["body"] == b'{"reportId": "r1"}' and request["headers"]["Content-Type"] == "application/json"


def test_anonymous_requests_carry_no_authorization(echo_server: tuple[str, list[dict[str, Any]]]) -> None:
    base, seen = echo_server
    Invoker(SigV4(CREDENTIALS, "us-east-1")).request("POST", base + "/x", b"{}", auth=ANONYMOUS)
    assert "Authorization" not in seen[0]["headers"] and "X-Amz-Date" not in seen[0]["headers"]


def test_bearer_token_callers_send_the_token_and_no_signature(echo_server: tuple[str, list[dict[str, Any]]]) -> None:
    base, seen = echo_server
    invoker = Invoker(BearerToken("eyJ.default"))
    invoker.request("POST", base + "/x", {"a": 1})
    invoker.request("POST", base + "/x", {"a": 1}, auth=BearerToken("eyJ.other"))
    assert [request["headers"]["Authorization"] for request in seen] == ["Bearer eyJ.default", "Bearer eyJ.other"]
    assert "X-Amz-Date" not in seen[0]["headers"]
    assert "eyJ" not in repr(BearerToken("eyJ.secret"))


def test_refused_connection_is_endpoint_unreachable() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(EndpointUnreachable, match="failed"):
        Invoker(SigV4(CREDENTIALS, "us-east-1"), timeout=2).request("POST", f"http://127.0.0.1:{port}/x", {})


def test_invoke_url_routes() -> None:
    assert RouteUrls.for_invoke_url("https://a.execute-api.us-east-1.amazonaws.com/v1/").url("/processReport") == \
        "https://a.execute-api.us-east-1.amazonaws.com/v1/processReport"


def stubbed_sts(account: str | None) -> Any:
    sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    stubber = Stubber(sts)
    if account:
        stubber.add_response("get_caller_identity", {"Account": account, "Arn": "arn:aws:iam::x:user/u", "UserId": "u"})
    else:
        stubber.add_client_error("get_caller_identity", "ExpiredToken", "token expired")
    stubber.activate()
    return sts


def test_guard_accepts_only_the_declared_sandbox_account() -> None:
    env = {"STEPGATE_SANDBOX_ACCOUNT_ID": "111122223333"}
    assert require_sandbox_account(stubbed_sts("111122223333"), env) == "111122223333"
    with pytest.raises(StepgateError, match="account 999988887777, not the sandbox account 111122223333"):
        require_sandbox_account(stubbed_sts("999988887777"), env)


@pytest.mark.parametrize("env, message", [
    ({}, "set STEPGATE_SANDBOX_ACCOUNT_ID"),
    ({"STEPGATE_SANDBOX_ACCOUNT_ID": "prod"}, "not a 12-digit account id"),
])
def test_guard_refuses_without_a_valid_declaration(env: dict[str, str], message: str) -> None:
    with pytest.raises(StepgateError, match=message):
        require_sandbox_account(stubbed_sts("111122223333"), env)


def test_guard_reports_unusable_credentials() -> None:
    with pytest.raises(StepgateError, match="cannot identify the caller"):
        require_sandbox_account(stubbed_sts(None), {"STEPGATE_SANDBOX_ACCOUNT_ID": "111122223333"})
