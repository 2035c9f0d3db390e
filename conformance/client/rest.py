"""The GWS REST client: Basic auth, the JSESSIONID cookie session, CSRF as the server names it.

Every request becomes an :class:`Exchange`, a record of what was sent and received with the
credentials, cookies and CSRF token redacted, ready for a transcript and a curl line.
"""

from __future__ import annotations

import base64
import json
import shlex
import time
from dataclasses import dataclass
from typing import Any

import httpx

from conformance.config import TlsConfig
from conformance.redaction import redact_headers



class TargetUnreachable(Exception):
    """The target did not answer at all (refused, DNS, TLS, timeout): nothing can be checked."""


@dataclass(frozen=True)
class Exchange:
    method: str
    url: str
    request_headers: dict[str, str]  # redacted
    request_body: Any  # parsed JSON, or text for raw bodies
    status: int
    response_headers: dict[str, str]  # redacted
    body: Any  # parsed JSON, else the text
    started: float  # time.monotonic()
    ended: float

    def curl(self) -> str:
        """A shell block that reproduces the request as pasted: credentials from ``$GWS_USER`` and
        ``$GWS_PASSWORD``; for a write, it first opens the cookie session with a GET and takes the
        CSRF token GWS hands out on it (page "Cross-Site Request Forgery protection")."""
        csrf = next((h for h in self.request_headers if h.upper() == "X-CSRF-TOKEN"), None)
        session = "-b gws-cookies.txt -c gws-cookies.txt"
        lines = []
        if csrf is not None:
            me = self.url.split("/api/v2/", 1)[0] + "/api/v2/me"
            lines += [f'curl -sS -u "$GWS_USER:$GWS_PASSWORD" {session} -o /dev/null -D gws-headers.txt {shlex.quote(me)}',
                      "GWS_CSRF_TOKEN=$(tr -d '\\r' < gws-headers.txt | awk -F': ' "
                      "'tolower($1)==\"x-csrf-token\"{print $2}')"]
        parts = ["curl", "-sS", "-X", self.method, '-u "$GWS_USER:$GWS_PASSWORD"', session]
        if csrf is not None:
            parts.append('-H "X-CSRF-TOKEN: $GWS_CSRF_TOKEN"')
        if self.request_body is not None:
            body = self.request_body if isinstance(self.request_body, str) else json.dumps(self.request_body)
            parts += ["-H 'Content-Type: application/json'", "--data", shlex.quote(body)]
        return "\n".join([*lines, " ".join(parts + [shlex.quote(self.url)])])


def _parsed(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


class GwsRestClient:
    def __init__(self, base_url: str, username: str, password: str, *, tls: TlsConfig | None = None,
                 timeout: float = 30.0) -> None:
        tls = tls or TlsConfig()
        verify: bool | str = str(tls.ca_bundle) if tls.ca_bundle else tls.verify
        cert = (str(tls.client_cert), str(tls.client_key)) if tls.client_cert and tls.client_key else (
            str(tls.client_cert) if tls.client_cert else None)
        self._basic_authorization = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.http = httpx.Client(base_url=base_url, auth=httpx.BasicAuth(username, password), verify=verify,
                                 cert=cert, timeout=timeout)
        self._csrf: tuple[str, str] | None = None  # (header name, token)

    def close(self) -> None:
        self.http.close()

    def _send(self, method: str, path: str, *, json_body: Any = None, content: bytes | None = None,
              content_type: str | None = None, params: dict[str, Any] | None = None) -> Exchange:
        headers = {}
        if method != "GET":
            if self._csrf is None:
                self.get("/api/v2/me")  # GWS hands out the CSRF token on GETs
            if self._csrf is not None:
                headers[self._csrf[0]] = self._csrf[1]
        if content_type:
            headers["Content-Type"] = content_type
        started = time.monotonic()
        try:
            response = self.http.request(method, path, json=json_body, content=content, params=params,
                                         headers=headers)
        except httpx.TransportError as exc:
            raise TargetUnreachable(f"{method} {self.http.base_url.join(path)}: {type(exc).__name__}: {exc}") from None
        ended = time.monotonic()
        name, token = response.headers.get("X-CSRF-HEADER"), response.headers.get("X-CSRF-TOKEN")
        if name and token:
            self._csrf = (name, token)
        request_body = json_body if content is None else content.decode("utf-8", "replace")
        return Exchange(method, str(response.request.url), redact_headers(response.request.headers), request_body,
                        response.status_code, redact_headers(response.headers), _parsed(response), started, ended)

    def credential_headers(self) -> dict[str, str]:
        """What another HTTP client needs to act as this one: Basic auth, the cookie session, CSRF.
        Secrets: whoever prints them must redact them (schemathesis does for its reproductions)."""
        if self._csrf is None:
            self.get("/api/v2/me")
        headers = {"Authorization": self._basic_authorization,
                   "Cookie": "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())}
        if self._csrf is not None:
            headers[self._csrf[0]] = self._csrf[1]
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None) -> Exchange:
        return self._send("GET", path, params=params)

    def post(self, path: str, json_body: Any) -> Exchange:
        return self._send("POST", path, json_body=json_body)

    def post_raw(self, path: str, content: bytes, content_type: str) -> Exchange:
        return self._send("POST", path, content=content, content_type=content_type)
