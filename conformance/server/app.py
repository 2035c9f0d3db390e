"""The reference server's HTTP face: GWS REST under ``/api/v2``, CometD at ``/api/v2/notifications``,
and the test-only API under ``/conformance/v1``.

Authentication as GWS does it (page "Cross-Site Request Forgery protection" and conventions):
HTTP Basic on every ``/api/v2`` request; a ``JSESSIONID`` cookie session created on the first
authenticated request; every GET answers ``X-CSRF-HEADER: X-CSRF-TOKEN`` and the session's
``X-CSRF-TOKEN``, which every POST/PUT/DELETE must send back (403 "Missing or invalid Csrf
token" otherwise). Decision: the CometD endpoint is exempt from CSRF, as many CometD clients send
no custom headers; it authenticates with Basic and the cookie like every other request. The
variation ``csrf-on-every-post`` asks the CSRF header of CometD's POSTs too, as the CSRF page's
"all requests that modify data: PUT, POST, DELETE" allows a server to.
referenceIds are counted per HTTP session (the samples number requests 35, 36).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import secrets
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance import __version__
from conformance.server import faults as fault_catalogue
from conformance.server.bayeux import BayeuxServer
from conformance.server.directory import agent
from conformance.server.domain import ApiError, Outcome, SmsDomain
from conformance.server.variations import (
    CSRF_ON_COMETD,
    JITTER,
    OrderedDelays,
    vary_body,
    vary_notification,
)

SMS_TOPIC = "/v2/me/smssessions"
MAX_BODY_BYTES = 64 * 1024
CSRF_HEADER = "X-CSRF-TOKEN"
TEST_API_HEADER = {"X-GWS-Conformance": "reference-server (not GWS)"}

BAD_INPUT_500 = fault_catalogue.define(
    "bad-input-500", "sms.common.refusal", "a refused request (bad JSON, missing or wrong parameters) answers HTTP 500"
)
REFUSAL_WITH_200 = fault_catalogue.define(
    "refusal-with-http-200", "sms.common.refusal.http-status", "refusals carry their non-zero statusCode with HTTP 200"
)
WRONG_TOPIC = fault_catalogue.define(
    "notifications-on-wrong-topic",
    "sms.consult.notify.participants",
    "SMS notifications are published on /v2/me/chats",
    unobservable=True,
)
DELAYED = fault_catalogue.define(
    "notifications-delayed",
    "sms.consult.notify.order",
    "the notifications of every operation but typing are held back "
    "(ServerSettings.delay_seconds, default 3 s; a run sets its deadline + 0.5 s), "
    "later ones queue behind them",
)


NOTIFICATIONS = "/api/v2/notifications"


@dataclass
class ServerSettings:
    csrf: bool = True
    connect_timeout_ms: int = 30_000
    max_interval_ms: int = 10_000
    delay_seconds: float = 3.0  # for the notifications-delayed fault


@dataclass
class HttpSession:
    """What GWS keeps per JSESSIONID."""

    username: str
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    reference_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    contact_center: bool = False  # StartContactCenterSession done


def gws_error(status_code: int, message: str, http_status: int, **headers: str) -> JSONResponse:
    return JSONResponse({"statusCode": status_code, "statusMessage": message}, http_status, headers=headers)


class ReferenceApp:
    """Builds the Starlette app around one domain and one Bayeux server."""

    def __init__(self, domain: SmsDomain, settings: ServerSettings) -> None:
        self.domain = domain
        self.settings = settings
        self.faults = domain.faults
        self.bayeux = BayeuxServer(
            connect_timeout_ms=settings.connect_timeout_ms,
            max_interval_ms=settings.max_interval_ms,
            faults=domain.faults,
            on_presence=self._presence_changed,
        )
        self._sessions: dict[str, HttpSession] = {}
        self._delays = OrderedDelays()
        self.asgi = Starlette(
            routes=[
                Route("/api/v2/diagnostics/version", self.version, methods=["GET"]),
                Route(NOTIFICATIONS, self.notifications, methods=["POST"]),
                # CometD clients append the message type (.../handshake, .../connect), as servers
                # mapped at /notifications/* accept
                Route(NOTIFICATIONS + "/{message_type:path}", self.notifications, methods=["POST"]),
                Route("/api/v2/me", self.me, methods=["GET", "POST"]),
                Route("/api/v2/me/channels/{media}", self.channel, methods=["POST"]),
                Route("/api/v2/me/smssessions", self.sms_sessions, methods=["GET"]),
                Route("/api/v2/me/smssessions/{id}", self.sms_session, methods=["GET", "POST"]),
                Route("/api/v2/me/smssessions/{id}/messages", self.sms_messages, methods=["GET"]),
                Route("/api/v2/users/{user_id}/smssessions/{id}", self.supervised_session, methods=["POST"]),
                Route("/conformance/v1/agents", self.test_agents, methods=["GET"]),
                Route("/conformance/v1/agents", self.test_new_agent, methods=["POST"]),
                Route("/conformance/v1/smssessions", self.test_provision, methods=["POST"]),
                Route("/conformance/v1/smssessions/{id}/customer", self.test_customer, methods=["GET"]),
                Route("/conformance/v1/reset", self.test_reset, methods=["POST"]),
            ],
            exception_handlers={HTTPException: self._http_error, Exception: self._internal_error},
        )

    # --- plumbing ------------------------------------------------------------------------------------

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if status == 405:
            return gws_error(2, f"Method {request.method} is not allowed here", 405)
        return gws_error(6, f"No resource at {request.url.path}", status)

    async def _internal_error(self, request: Request, exc: Exception) -> Response:
        return gws_error(4, "Internal error", 500)

    def _presence_changed(self, username: str, present: bool) -> None:
        contact_center = any(s.contact_center for s in self._sessions.values() if s.username == username)
        self.domain.set_online(username, present or contact_center)

    def _refuse(self, error: ApiError) -> JSONResponse:
        http_status = error.http_status
        if REFUSAL_WITH_200 in self.faults:
            http_status = 200
        elif BAD_INPUT_500 in self.faults and http_status == 400:
            http_status = 500
        return JSONResponse(error.body(), http_status)

    def _authenticate(self, request: Request) -> tuple[HttpSession, bool] | Response:
        """The HTTP session of this request (and whether it is new), or the 401 to answer."""
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            username = password = ""
        account = self.domain.directory.agents.get(username)
        if scheme.lower() != "basic" or account is None or not secrets.compare_digest(password, account.password):
            return gws_error(20, "Access denied", 401, **{"WWW-Authenticate": 'Basic realm="GWS"'})
        session = self._sessions.get(request.cookies.get("JSESSIONID", ""))
        if session is not None and session.username == username:
            return session, False
        session = HttpSession(username)
        self._sessions[secrets.token_hex(16)] = session
        return session, True

    def _cookie_of(self, session: HttpSession) -> str:
        return next(key for key, value in self._sessions.items() if value is session)

    def _finish(self, response: Response, session: HttpSession, is_new: bool, request: Request) -> Response:
        # Bayeux answers are protocol, not GWS bodies: their notifications were varied when published.
        if isinstance(response, JSONResponse) and self.faults and not request.url.path.startswith(NOTIFICATIONS):
            varied = vary_body(json.loads(bytes(response.body)), self.faults)
            response = JSONResponse(
                varied,
                response.status_code,
                headers={
                    k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")
                },
            )
        if is_new:
            response.set_cookie("JSESSIONID", self._cookie_of(session), httponly=True, path="/")
        if request.method == "GET" and self.settings.csrf:
            response.headers["X-CSRF-HEADER"] = CSRF_HEADER
            response.headers[CSRF_HEADER] = session.csrf_token
        return response

    async def _guarded(self, request: Request, handler, *, csrf: bool = True) -> Response:
        """Authenticate, check CSRF on writes, run ``handler(session, request)``, set cookie/CSRF headers."""
        authenticated = self._authenticate(request)
        if isinstance(authenticated, Response):
            return authenticated
        session, is_new = authenticated
        if (
            csrf
            and self.settings.csrf
            and request.method != "GET"
            and (is_new or request.headers.get(CSRF_HEADER) != session.csrf_token)
        ):
            return self._finish(
                JSONResponse({"statusCode": 3, "statusMessage": "Missing or invalid Csrf token"}, 403),
                session,
                is_new,
                request,
            )
        try:
            response = await handler(session, request)
        except ApiError as error:
            response = self._refuse(error)
        return self._finish(response, session, is_new, request)

    async def _json_body(self, request: Request) -> Any:
        """The parsed JSON body; ApiError for a wrong content type, an oversized or malformed body."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise ApiError(2, "Content-Type must be application/json", 415)
        size, chunks = 0, []
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise ApiError(2, f"Request body larger than {MAX_BODY_BYTES} bytes", 413)
            chunks.append(chunk)
        try:
            return json.loads(b"".join(chunks))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApiError(2, "Invalid JSON", 400) from None

    def publish(self, notifications: list[tuple[str, dict[str, Any]]]) -> None:
        topic = "/v2/me/chats" if WRONG_TOPIC in self.faults else SMS_TOPIC
        for username, data in notifications:
            for varied in vary_notification(data, self.faults):
                delay = self._delay_of(varied)
                if delay is None:
                    self.bayeux.publish(username, topic, varied)
                else:
                    self._delays.schedule(username, partial(self.bayeux.publish, username, topic, varied), delay)

    def _delay_of(self, data: dict[str, Any]) -> float | None:
        """How much later than now ``data`` goes out (None: at once, unless earlier ones still wait)."""
        if DELAYED in self.faults:
            typing = {m.get("type") for m in data.get("messages", [])} <= {"TypingStarted", "TypingStopped"}
            return 0.0 if typing and "messages" in data else self.settings.delay_seconds
        return self._delays.jitter() if JITTER in self.faults else None

    # --- GWS routes -----------------------------------------------------------------------------------

    async def version(self, request: Request) -> Response:
        return JSONResponse({"statusCode": 0, "version": f"gws-conformance reference server {__version__}"})

    async def notifications(self, request: Request) -> Response:
        async def handle(session: HttpSession, request: Request) -> Response:
            messages = await self._json_body(request)
            batch = messages if isinstance(messages, list) else [messages]
            return JSONResponse(await self.bayeux.handle(session.username, batch))

        return await self._guarded(request, handle, csrf=CSRF_ON_COMETD in self.faults)

    async def me(self, request: Request) -> Response:
        async def handle(session: HttpSession, request: Request) -> Response:
            account = self.domain.directory.agents[session.username]
            if request.method == "GET":
                return JSONResponse(
                    {
                        "statusCode": 0,
                        "user": {
                            "id": account.user_id,
                            "userName": account.username,
                            "nickname": account.nickname,
                            "uri": f"{self.domain.base_url}/api/v2/users/{account.user_id}",
                            "path": account.user_path,
                            "features": sorted(account.features),
                        },
                    }
                )
            body = await self._json_body(request)
            operation = body.get("operationName") if isinstance(body, dict) else None
            if operation == "StartContactCenterSession":
                session.contact_center = True
            elif operation == "EndContactCenterSession":
                session.contact_center = False
                self._sessions.pop(self._cookie_of(session), None)
            elif operation is None:
                raise ApiError(1, "operationName is mandatory", 400)
            else:
                raise ApiError(2, f"Invalid operation '{operation}'", 400)
            self._presence_changed(session.username, self.bayeux.has_client(session.username))
            return JSONResponse({"statusCode": 0})

        return await self._guarded(request, handle)

    async def channel(self, request: Request) -> Response:
        async def handle(session: HttpSession, request: Request) -> Response:
            body = await self._json_body(request)
            operation = body.get("operationName") if isinstance(body, dict) else None
            if operation not in ("Ready", "NotReady"):
                raise ApiError(2, f"Invalid operation '{operation}'", 400)
            return JSONResponse({"statusCode": 0})

        return await self._guarded(request, handle)

    async def sms_sessions(self, request: Request) -> Response:
        async def handle(session: HttpSession, request: Request) -> Response:
            return JSONResponse({"statusCode": 0, "smssessions": self.domain.list_sessions(session.username)})

        return await self._guarded(request, handle)

    async def sms_session(self, request: Request) -> Response:
        session_id = request.path_params["id"]

        async def handle(session: HttpSession, request: Request) -> Response:
            if request.method == "GET":
                return JSONResponse(
                    {"statusCode": 0, "smssession": self.domain.get_session(session.username, session_id)}
                )
            return self._answer(
                self.domain.operate(
                    session.username, session_id, await self._json_body(request), lambda: next(session.reference_ids)
                )
            )

        return await self._guarded(request, handle)

    async def supervised_session(self, request: Request) -> Response:
        """A supervisor's operation on a session of an agent it supervises (page Intrude)."""

        async def handle(session: HttpSession, request: Request) -> Response:
            return self._answer(
                self.domain.intrude(
                    session.username,
                    request.path_params["user_id"],
                    request.path_params["id"],
                    await self._json_body(request),
                    lambda: next(session.reference_ids),
                )
            )

        return await self._guarded(request, handle)

    def _answer(self, outcome: Outcome) -> Response:
        """A refusal as GWS words it, or the acceptance, its notifications published."""
        if outcome.http_status >= 400:
            return self._refuse(
                ApiError(outcome.body["statusCode"], outcome.body["statusMessage"], outcome.http_status)
            )
        self.publish(outcome.notifications)
        return JSONResponse(outcome.body, outcome.http_status)

    async def sms_messages(self, request: Request) -> Response:
        async def handle(session: HttpSession, request: Request) -> Response:
            messages = self.domain.get_messages(
                session.username,
                request.path_params["id"],
                request.query_params.get("startIndex"),
                request.query_params.get("count"),
            )
            return JSONResponse({"statusCode": 0, "messages": messages})

        return await self._guarded(request, handle)

    # --- the test-only API (not GWS) ------------------------------------------------------------------

    async def _test_api(self, handler) -> Response:
        try:
            response = await handler()
        except ApiError as error:
            response = JSONResponse(error.body(), error.http_status)
        response.headers.update(TEST_API_HEADER)
        return response

    def agents_listing(self) -> dict[str, Any]:
        base = self.domain.base_url
        directory = self.domain.directory

        def queue_view(queue) -> dict[str, Any]:
            return {
                "name": queue.name,
                "queueUri": f"{base}/api/v2/queues/{queue.queue_id}",
                "queuePath": queue.queue_path,
                "members": list(queue.members),
            }

        return {
            "statusCode": 0,
            "agents": [
                {
                    "username": a.username,
                    "password": a.password,
                    "nickname": a.nickname,
                    "userUri": f"{base}/api/v2/users/{a.user_id}",
                    "userPath": a.user_path,
                    "features": sorted(a.features),
                    "queues": [q.name for q in directory.queues_of(a.username)],
                }
                for a in directory.agents.values()
            ],
            "queues": [queue_view(q) for q in directory.queues.values()],
        }

    async def test_agents(self, request: Request) -> Response:
        async def handle() -> Response:
            return JSONResponse(self.agents_listing())

        return await self._test_api(handle)

    async def test_new_agent(self, request: Request) -> Response:
        """A new agent with api-multimedia, for a load run's simulated users (one per user)."""

        async def handle() -> Response:
            directory = self.domain.directory
            number = len(directory.agents) + 1
            while f"load-{number:05d}" in directory.agents:
                number += 1
            account = agent(f"load-{number:05d}", f"Load {number}")
            directory.agents[account.username] = account
            base = self.domain.base_url
            return JSONResponse(
                {
                    "statusCode": 0,
                    "username": account.username,
                    "password": account.password,
                    "nickname": account.nickname,
                    "userUri": f"{base}/api/v2/users/{account.user_id}",
                    "userPath": account.user_path,
                }
            )

        return await self._test_api(handle)

    async def test_provision(self, request: Request) -> Response:
        async def handle() -> Response:
            body = await self._json_body(request)
            if not isinstance(body, dict):
                raise ApiError(2, "the body must be a JSON object", 400)
            customer = body.get("customer") or {}
            fields = {
                "agent": body.get("agent"),
                "customer.nickname": customer.get("nickname", "Customer"),
                "customer.phoneNumber": customer.get("phoneNumber", "+10000000000"),
                "text": body.get("text", "Hello"),
                "state": body.get("state", "Chatting"),
            }
            for name, value in fields.items():
                if not isinstance(value, str):
                    raise ApiError(1 if value is None else 2, f"{name} must be a string", 400)
            result, notifications = self.domain.provision(*fields.values())
            self.publish(notifications)
            return JSONResponse(result)

        return await self._test_api(handle)

    async def test_customer(self, request: Request) -> Response:
        async def handle() -> Response:
            return JSONResponse({"statusCode": 0, "messages": self.domain.customer_inbox(request.path_params["id"])})

        return await self._test_api(handle)

    async def test_reset(self, request: Request) -> Response:
        async def handle() -> Response:
            self.domain.reset()
            return JSONResponse({"statusCode": 0})

        return await self._test_api(handle)
