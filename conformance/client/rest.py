"""The GWS REST client: Basic auth, the JSESSIONID cookie session, CSRF as the server names it.

Every request becomes an :class:`Exchange`, a record of what was sent and received with the
credentials, cookies and CSRF token redacted, ready for a transcript and a curl line.

Every exchange is bounded, whatever the server does (:func:`read_bounded`): a connect and a read
timeout, a total time for the whole body (a slow drip counts), and a size limit on the body as
decoded (a gzip bomb counts as what it inflates to). A :class:`Breaker` shared by a run's clients
remembers that the target once could not answer a kind of request, so later ones fail at once
with the same cause instead of waiting it out again.
"""

from __future__ import annotations

import base64
import functools
import json
import shlex
import ssl
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import certifi
import httpx

from conformance.client import tap
from conformance.config import AgentConfig, Config, TlsConfig
from conformance.errors import ConfigError
from conformance.redaction import redact_headers, redact_secrets, register_secret


class TargetUnreachable(Exception):
    """The target gave no usable answer (refused, DNS, TLS, timeout, a body too large or too slow,
    an illegal header): the exchange cannot be judged, so a check that needed it errors."""


MAX_BODY_BYTES = 8 * 2**20  # default limit of one response body, decoded


def read_bounded(response: httpx.Response, *, max_bytes: int, deadline: float, what: str) -> bytes:
    """The body of a streamed ``response``, read chunk by chunk: TargetUnreachable as soon as it
    passes ``max_bytes`` (as decoded) or is still arriving at ``deadline`` (time.monotonic())."""
    chunks, size = [], 0
    for chunk in _decoded(response, max_bytes):
        size += len(chunk)
        if size > max_bytes:
            raise TargetUnreachable(
                f"{what}: the response is over {max_bytes / 2**20:g} MB (max_body_bytes); not read further"
            )
        if time.monotonic() > deadline:
            raise TargetUnreachable(
                f"{what}: the response was still arriving ({size} bytes) when the time for the "
                "whole exchange ran out (http_timeout)"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def get_bounded(http: httpx.Client, url: str, *, timeout: float, max_bytes: int) -> tuple[int, bytes]:
    """A GET whose whole exchange, body included, ends within ``timeout`` seconds, and its status
    and body: httpx's own timeouts are per read, which a slow drip never trips. TargetUnreachable
    when time or size runs out; httpx's TransportError when it cannot connect."""
    started = time.monotonic()
    with http.stream("GET", url) as response:
        body = read_bounded(response, max_bytes=max_bytes, deadline=started + timeout, what=f"GET {url}")
    return response.status_code, body


def _decoded(response: httpx.Response, max_bytes: int) -> Iterator[bytes]:
    """The body as decoded, in pieces of at most about ``max_bytes``: gzip and deflate are inflated
    here, a bounded piece at a time (httpx would inflate a whole network chunk at once, and a
    64 KB chunk of a gzip bomb is 64 MB); other encodings are left to httpx."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate"):
        yield from response.iter_bytes()
        return
    inflater = zlib.decompressobj(47)  # 32 + 15: a gzip or a zlib header, found by itself
    try:
        for raw in response.iter_raw():
            while raw:
                yield inflater.decompress(raw, max_bytes + 1)
                raw = inflater.unconsumed_tail
    except zlib.error as exc:
        raise httpx.DecodingError(f"the {encoding} body does not inflate: {exc}") from None


def parse_json(content: bytes) -> Any:
    """JSON, else the text; a body that is not UTF-8 (which JSON must be) or is nested too deep to
    parse is said so, in place of the body."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"(a body that is not UTF-8: byte {content[exc.start]:#04x} at {exc.start}: {content[:120]!r})"
    try:
        return json.loads(text)
    except ValueError:
        return text
    except RecursionError:
        return f"(a JSON document nested too deeply to parse, {len(content)} bytes)"


class Breaker:
    """Remembers, per HTTP method, that the target once timed out on it: later requests of that
    method fail at once with the same cause (one cause, printed once, not waited out per check)."""

    def __init__(self) -> None:
        self._tripped: dict[str, str] = {}

    def check(self, method: str) -> None:
        if method in self._tripped:
            raise TargetUnreachable(f"not attempted: {self._tripped[method]}")

    def trip(self, method: str, cause: str) -> None:
        self._tripped.setdefault(method, cause)


KEEPALIVE_SECONDS = 4.0


@functools.cache
def _default_context() -> ssl.SSLContext:
    """The certifi bundle's context, made once: httpx builds one per client otherwise (17 ms of CPU
    each, which a load run with a thousand agents cannot afford). A context may be shared."""
    return ssl.create_default_context(cafile=certifi.where())


def tls_options(tls: TlsConfig) -> dict[str, Any]:
    """httpx's ``verify`` for the configured TLS options: the certifi bundle's context, False, or
    an SSLContext with the CA bundle and the client certificate (httpx 0.28 applies a client
    certificate only through a context)."""
    if tls.verify and tls.ca_bundle is None and tls.client_cert is None:
        return {"verify": _default_context()}
    if not tls.verify and tls.client_cert is None:
        return {"verify": False}
    context = ssl.create_default_context(cafile=str(tls.ca_bundle) if tls.ca_bundle else certifi.where())
    if not tls.verify:
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    if tls.client_cert is not None:
        try:
            context.load_cert_chain(str(tls.client_cert), str(tls.client_key) if tls.client_key else None)
        except (ssl.SSLError, OSError) as exc:
            raise ConfigError(f"tls.client_cert: {tls.client_cert} cannot be used: {exc}") from None
    return {"verify": context}


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
    user: str | None = None  # the username the request was made as
    role: str | None = None  # the agent's role in the suite (originator, consultant, ...), when one made it

    @property
    def succeeded(self) -> bool:
        """The GWS way of saying yes: a JSON object with statusCode 0."""
        return isinstance(self.body, Mapping) and self.body.get("statusCode") == 0

    def curl(self) -> str:
        """A shell block that reproduces the request as pasted: credentials from ``$GWS_USER``
        (set to the user who made it, named with its role) and ``$GWS_PASSWORD``; for a write, it
        first opens the cookie session with a GET and takes the CSRF token GWS hands out on it
        (page "Cross-Site Request Forgery protection")."""
        csrf = next((h for h in self.request_headers if h.upper() == "X-CSRF-TOKEN"), None)
        session = "-b gws-cookies.txt -c gws-cookies.txt"
        lines = []
        if self.user is not None:
            who = f"the {self.role} agent" if self.role else "the agent"
            lines += [
                f"# as {who}, user {self.user}: set GWS_PASSWORD to its password first",
                f"GWS_USER={shlex.quote(self.user)}",
            ]
        if csrf is not None:
            me = self.url.split("/api/v2/", 1)[0] + "/api/v2/me"
            lines += [
                f'curl -sS -u "$GWS_USER:$GWS_PASSWORD" {session} -o /dev/null -D gws-headers.txt {shlex.quote(me)}',
                "GWS_CSRF_TOKEN=$(tr -d '\\r' < gws-headers.txt | awk -F': ' "
                "'tolower($1)==\"x-csrf-token\"{print $2}')",
            ]
        parts = ["curl", "-sS", "-X", self.method, '-u "$GWS_USER:$GWS_PASSWORD"', session]
        if csrf is not None:
            parts.append('-H "X-CSRF-TOKEN: $GWS_CSRF_TOKEN"')
        if self.request_body is not None:
            body = self.request_body if isinstance(self.request_body, str) else json.dumps(self.request_body)
            parts += ["-H 'Content-Type: application/json'", "--data", shlex.quote(body)]
        return "\n".join([*lines, " ".join([*parts, shlex.quote(self.url)])])


class GwsRestClient:
    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        tls: TlsConfig | None = None,
        timeout: float = 30.0,
        max_body_bytes: int = MAX_BODY_BYTES,
        breaker: Breaker | None = None,
        role: str | None = None,
    ) -> None:
        self.username, self.role = username, role  # named in each exchange, for its reproduction
        self._basic_authorization = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        for secret in (password, self._basic_authorization.split(" ", 1)[1]):
            register_secret(secret)
        # No redirect is followed: credentials never travel to another origin, and the 3xx is recorded.
        # An idle pooled connection is dropped after KEEPALIVE_SECONDS, before a server's usual 5 s
        # keep-alive closes it under a request (a POST is not retried: "Server disconnected", seen
        # under load against uvicorn's default).
        self.http = httpx.Client(
            base_url=base_url,
            auth=httpx.BasicAuth(username, password),
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
            **tls_options(tls or TlsConfig()),
        )
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes
        self.breaker = breaker or Breaker()
        self._csrf: tuple[str, str] | None = None  # (header name, token)
        self._authenticated = False  # a request of this client was once answered other than "not authenticated"

    @classmethod
    def for_account(cls, config: Config, account: AgentConfig, breaker: Breaker | None = None) -> GwsRestClient:
        """The client of one configured agent, with the configuration's TLS, timeouts and bounds."""
        return cls(
            config.base_url,
            account.username,
            account.password.value,
            tls=config.tls,
            timeout=config.http_timeout,
            max_body_bytes=config.max_body_bytes,
            breaker=breaker,
            role=account.role,
        )

    def close(self) -> None:
        self.http.close()

    def _send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Exchange:
        headers = {}
        if method != "GET":
            if self._csrf is None:
                self.get("/api/v2/me")  # GWS hands out the CSRF token on GETs
            if self._csrf is not None:
                headers[self._csrf[0]] = self._csrf[1]
        if content_type:
            headers["Content-Type"] = content_type
        what = f"{method} {self.http.base_url.join(path)}"
        self.breaker.check(method)
        started = time.monotonic()
        tap.emit(tap.Sending(self.username, self.role, method, what.split(" ", 1)[1], json_body, started))
        try:
            with self.http.stream(
                method, path, json=json_body, content=content, params=params, headers=headers
            ) as response:
                body = read_bounded(response, max_bytes=self.max_body_bytes, deadline=started + self.timeout, what=what)
        except httpx.TimeoutException as exc:
            cause = f"{what}: no answer within {self.timeout:g} s ({type(exc).__name__})"
            self.breaker.trip(method, cause)
            raise TargetUnreachable(cause) from None
        except TargetUnreachable as exc:
            if "time for the whole exchange" in str(exc):
                self.breaker.trip(method, str(exc))
            raise
        except (httpx.LocalProtocolError, UnicodeEncodeError) as exc:  # a CSRF token no header may carry
            raise TargetUnreachable(
                f"{what}: the request cannot be sent as the server asks: {exc} (is the "
                "X-CSRF-TOKEN it handed out a legal header value?)"
            ) from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise TargetUnreachable(f"{what}: {type(exc).__name__}: {exc}") from None
        except RuntimeError as exc:  # the client was closed under it: the run is out of time
            raise TargetUnreachable(f"{what}: not sent: {exc}") from None
        ended = time.monotonic()
        parsed = redact_secrets(parse_json(body))
        refused = response.status_code == 401 or (isinstance(parsed, dict) and parsed.get("statusCode") == 20)
        if refused and self._authenticated:
            # once logged in, "not authenticated" is the target dropping the agent: nothing after it can be judged
            raise TargetUnreachable(
                f"{what}: HTTP {response.status_code} {json.dumps(parsed, ensure_ascii=False)}: the agent logged in "
                "earlier is "
                "not authenticated any more"
            )
        self._authenticated = self._authenticated or not refused
        name, token = response.headers.get("X-CSRF-HEADER"), response.headers.get("X-CSRF-TOKEN")
        if name and token:
            self._csrf = (name, token)
            register_secret(token)
        for value in self.http.cookies.values():
            register_secret(value)
        request_body = json_body if content is None else content.decode("utf-8", "replace")
        exchange = Exchange(
            method,
            str(response.request.url),
            redact_headers(response.request.headers),
            redact_secrets(request_body),
            response.status_code,
            redact_headers(response.headers),
            parsed,
            started,
            ended,
            self.username,
            self.role,
        )
        tap.emit(tap.Sent(exchange))
        return exchange

    def credential_headers(self) -> dict[str, str]:
        """What another HTTP client needs to act as this one: Basic auth, the cookie session, CSRF.
        Secrets: whoever prints them must redact them (schemathesis does for its reproductions)."""
        if self._csrf is None:
            self.get("/api/v2/me")
        headers = {
            "Authorization": self._basic_authorization,
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.http.cookies.items()),
        }
        if self._csrf is not None:
            headers[self._csrf[0]] = self._csrf[1]
        return headers

    def csrf_header(self) -> dict[str, str]:
        """The CSRF header the server handed out (its name from X-CSRF-HEADER), or none yet. Every
        POST carries it, CometD's too: the CSRF page asks it of "all requests that modify data"."""
        return dict([self._csrf]) if self._csrf is not None else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Exchange:
        return self._send("GET", path, params=params)

    def post(self, path: str, json_body: Any) -> Exchange:
        return self._send("POST", path, json_body=json_body)

    def post_raw(self, path: str, content: bytes, content_type: str) -> Exchange:
        return self._send("POST", path, content=content, content_type=content_type)
