"""An agent as the suite drives it: the REST client and its notification stream, logged in."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from conformance.client.bayeux import BayeuxClient, NotificationLog
from conformance.client.rest import Breaker, Exchange, GwsRestClient, TargetUnreachable
from conformance.config import AgentConfig, Config


class Agent:
    """One configured agent. ``with Agent(config, "originator") as agent:`` logs it in the way real
    GWS clients start (GET /api/v2/me, CometD handshake and confirmed subscription,
    StartContactCenterSession, Ready on the SMS channel) and logs it out at the end."""

    def __init__(self, config: Config, role: str, breaker: Breaker | None = None) -> None:
        account = config.agent(role)
        if account is None:
            raise LookupError(f"no '{role}' agent configured")
        self.config = config
        self.role = role
        self.account: AgentConfig = account
        self.rest = GwsRestClient.for_account(config, account, breaker)
        self.log = NotificationLog(f"{role} ({account.username})")
        self.bayeux = BayeuxClient(
            self.rest.http,
            config.notification_path,
            self.log,
            max_body_bytes=config.max_body_bytes,
            headers=self.rest.csrf_header,
        )

    def login(self) -> Agent:
        self.rest.get("/api/v2/me")
        self.bayeux.handshake()
        self.bayeux.subscribe(self.config.sms_topic)
        self.bayeux.start()
        self.rest.post("/api/v2/me", {"operationName": "StartContactCenterSession", "channels": [self.config.media]})
        self.rest.post(f"/api/v2/me/channels/{self.config.media}", {"operationName": "Ready"})
        return self

    def logout(self) -> None:
        # The stream first: its disconnect releases the held connect, and it may need the CSRF
        # token that ending the contact center session can invalidate.
        try:
            self.bayeux.stop()
            self.rest.post("/api/v2/me", {"operationName": "EndContactCenterSession"})
        finally:
            self.rest.close()

    def __enter__(self) -> Agent:
        try:
            return self.login()
        except BaseException:
            self.bayeux.stop()
            self.rest.close()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.logout()

    def operate(self, session_id: str, body: Any) -> Exchange:
        return self.rest.post(f"/api/v2/me/smssessions/{session_id}", body)

    def operate_raw(self, session_id: str, content: bytes, content_type: str) -> Exchange:
        """A body that is not (valid) JSON, for the checks of bad input."""
        return self.rest.post_raw(f"/api/v2/me/smssessions/{session_id}", content, content_type)

    def listed(self, session_id: str) -> Mapping[str, Any] | None:
        """The session as this agent's session list (GET /api/v2/me/smssessions) shows it; None: absent."""
        body = self.rest.get("/api/v2/me/smssessions").body
        sessions = body.get("smssessions", []) if isinstance(body, Mapping) else []
        return next((s for s in sessions if isinstance(s, Mapping) and s.get("id") == session_id), None)

    def session(self, session_id: str) -> Exchange:
        return self.rest.get(f"/api/v2/me/smssessions/{session_id}")

    def messages(
        self, session_id: str, start_index: int | str | None = None, count: int | str | None = None
    ) -> Exchange:
        params = {k: v for k, v in (("startIndex", start_index), ("count", count)) if v is not None}
        return self.rest.get(f"/api/v2/me/smssessions/{session_id}/messages", params or None)


def with_discovered_addresses(config: Config) -> Config:
    """The configuration with each agent's ``uri`` and ``path`` as the server gives them, where the
    configuration names neither: ``GET /api/v2/me`` answers the user resource, which carries them
    (fields ``uri`` and ``path``). Only that GET is made, so an agent stays logged out of the contact
    center (the "unavailable target" agent must). Where the server does not say, the agent stays as
    configured and what needs the address skips naming its key."""
    missing = [a for a in config.agents.values() if not a.uri and not a.path]
    if not missing:
        return config
    with ThreadPoolExecutor(max_workers=len(missing)) as pool:
        found = list(pool.map(lambda account: _addressed(config, account), missing))
    return dataclasses.replace(config, agents={**config.agents, **{a.role: a for a in found}})


def _addressed(config: Config, account: AgentConfig) -> AgentConfig:
    client = GwsRestClient.for_account(config, account)
    try:
        body = client.get("/api/v2/me").body
    except TargetUnreachable:
        return account  # said, with its cause, by the login or the preflight that follows
    finally:
        client.close()
    user = body.get("user") if isinstance(body, Mapping) else None
    if not isinstance(user, Mapping):
        return account
    uri, path = user.get("uri"), user.get("path")
    return dataclasses.replace(
        account, uri=uri if isinstance(uri, str) else "", path=path if isinstance(path, str) else ""
    )
