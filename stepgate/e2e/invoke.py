"""Calling an API route over real HTTP, authenticated exactly as a client of that route would be:
SigV4-signed for `execute-api` (AWS_IAM routes) or with an OAuth bearer token (JWT routes)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError
from botocore.httpsession import URLLib3Session

from stepgate.errors import StepgateError


class EndpointUnreachable(StepgateError):
    """The API endpoint refused or dropped the connection (for the sandbox: the emulator is gone)."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes
    seconds: float
    sent_at: float = field(default=0.0)  # time.time() when the request left, for latency measurements
    prepare_seconds: float = field(default=0.0)  # the harness's own share: encoding and signing

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON (the check that needs JSON reports that)."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None

    def summary(self) -> str:
        return f"HTTP {self.status} {self.body[:300].decode('utf-8', 'replace')}"


@dataclass(frozen=True)
class RouteUrls:
    """How a stage path becomes a URL: REST stages are reached by path on the emulator (no wildcard DNS
    here), and through the invoke URL on AWS."""

    base: str

    @classmethod
    def for_emulator(cls, endpoint_url: str, api_id: str, stage: str) -> RouteUrls:
        return cls(f"{endpoint_url.rstrip('/')}/restapis/{api_id}/{stage}/_user_request_")

    @classmethod
    def for_invoke_url(cls, invoke_url: str) -> RouteUrls:
        return cls(invoke_url.rstrip("/"))

    def url(self, path: str) -> str:
        return self.base + "/" + path.lstrip("/")


class RequestAuth(Protocol):
    """What makes a request come from a given caller: it adds that caller's credentials to the request."""

    def apply(self, request: AWSRequest) -> None: ...


@dataclass(frozen=True)
class SigV4:
    """An IAM principal: the request is signed for execute-api, as the AWS SDKs and `awscurl` sign it."""

    credentials: ReadOnlyCredentials
    region: str

    def apply(self, request: AWSRequest) -> None:
        SigV4Auth(self.credentials, "execute-api", self.region).add_auth(request)


@dataclass(frozen=True)
class BearerToken:
    """An OAuth client: the access token its identity provider issued, in the Authorization header."""

    token: str = field(repr=False)

    def apply(self, request: AWSRequest) -> None:
        request.headers["Authorization"] = f"Bearer {self.token}"


class Anonymous:
    """No credentials at all: what an unauthenticated caller sends."""

    def apply(self, request: AWSRequest) -> None:
        return None

    def __repr__(self) -> str:
        return "Anonymous()"


ANONYMOUS = Anonymous()


class Invoker:
    """One HTTP connection pool; every request carries the default caller's credentials unless another
    `auth` is given for it."""

    def __init__(self, auth: RequestAuth, timeout: float = 60, pool_size: int = 32):
        self._auth = auth
        self._http = URLLib3Session(timeout=timeout, max_pool_connections=pool_size)

    def request(
        self,
        method: str,
        url: str,
        body: bytes | str | Mapping[str, Any] | list[Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: RequestAuth | None = None,
    ) -> HttpResponse:
        preparing = time.monotonic()
        data, content_type = _encode(body)
        all_headers = {**({"Content-Type": content_type} if content_type else {}), **(headers or {})}
        request = AWSRequest(method=method, url=url, data=data, headers=all_headers)
        (auth or self._auth).apply(request)
        prepared = request.prepare()
        sent_at = time.time()
        started = time.monotonic()
        try:
            response = self._http.send(prepared)
        except (HTTPClientError, BotoConnectionError) as error:
            raise EndpointUnreachable(f"{method} {url} failed: {error}") from error
        return HttpResponse(
            status=response.status_code,
            headers={key.lower(): value for key, value in response.headers.items()},
            body=response.content,
            seconds=time.monotonic() - started,
            sent_at=sent_at,
            prepare_seconds=started - preparing,
        )

    def close(self) -> None:
        self._http.close()


def _encode(body: bytes | str | Mapping[str, Any] | list[Any] | None) -> tuple[bytes | None, str | None]:
    if body is None:
        return None, None
    if isinstance(body, bytes):
        return body, "application/json"
    if isinstance(body, str):
        return body.encode("utf-8"), "application/json"
    return json.dumps(body).encode("utf-8"), "application/json"
