"""Calling an API route over real HTTP, SigV4-signed for `execute-api` exactly as an IAM client does."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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


class Invoker:
    """One HTTP connection pool; every request is signed with the given credentials unless told not to."""

    def __init__(self, credentials: ReadOnlyCredentials, region: str, timeout: float = 60, pool_size: int = 32):
        self._credentials = credentials
        self._region = region
        self._http = URLLib3Session(timeout=timeout, max_pool_connections=pool_size)

    def request(
        self,
        method: str,
        url: str,
        body: bytes | str | Mapping[str, Any] | list[Any] | None = None,
        headers: Mapping[str, str] | None = None,
        sign: bool = True,
    ) -> HttpResponse:
        preparing = time.monotonic()
        data, content_type = _encode(body)
        all_headers = {**({"Content-Type": content_type} if content_type else {}), **(headers or {})}
        request = AWSRequest(method=method, url=url, data=data, headers=all_headers)
        if sign:
            SigV4Auth(self._credentials, "execute-api", self._region).add_auth(request)
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
