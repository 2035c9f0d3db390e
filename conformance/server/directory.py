"""Users and queues the reference server knows, and how targets (uris and paths) name them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

MULTIMEDIA = "api-multimedia"
_ID_NAMESPACE = uuid.UUID("6f1c3a52-4c1e-4f0b-9a8e-2b1d7c0e5a10")


def stable_id(kind: str, name: str) -> str:
    """A GWS-looking id (32 lowercase hex) that stays the same for the same name across runs."""
    return uuid.uuid5(_ID_NAMESPACE, f"{kind}:{name}").hex


@dataclass(frozen=True)
class AgentAccount:
    username: str
    password: str = field(repr=False)
    nickname: str
    user_id: str
    features: frozenset[str] = frozenset({MULTIMEDIA})
    supervises: tuple[str, ...] = ()  # usernames of the agents this supervisor monitors (page Intrude)

    @property
    def user_path(self) -> str:
        return f"/users/{self.user_id}"

    @property
    def has_multimedia(self) -> bool:
        return MULTIMEDIA in self.features


@dataclass(frozen=True)
class Queue:
    queue_id: str
    name: str
    members: tuple[str, ...]  # usernames, in the order the queue offers them

    @property
    def queue_path(self) -> str:
        return f"/queues/{self.queue_id}"


@dataclass(frozen=True)
class Directory:
    agents: dict[str, AgentAccount]  # the test-only API adds agents (load)
    queues: Mapping[str, Queue]

    def by_user_id(self, user_id: str) -> AgentAccount | None:
        return next((a for a in self.agents.values() if a.user_id == user_id), None)

    def queues_of(self, username: str) -> list[Queue]:
        return [q for q in self.queues.values() if username in q.members]


def agent(
    username: str,
    nickname: str,
    *,
    features: frozenset[str] = frozenset({MULTIMEDIA}),
    password: str | None = None,
    supervises: tuple[str, ...] = (),
) -> AgentAccount:
    return AgentAccount(
        username, password or f"{username}-pass", nickname, stable_id("user", username), features, supervises
    )


def queue(name: str, members: tuple[str, ...]) -> Queue:
    return Queue(stable_id("queue", name), name, members)


def default_directory() -> Directory:
    """alice originates, bob is consulted, carol is a third agent, dave lacks api-multimedia, erin
    supervises alice and bob; bob and carol answer the queue "SMS Consult"."""
    agents = [
        agent("alice", "Alice"),
        agent("bob", "Bob"),
        agent("carol", "Carol"),
        agent("dave", "Dave", features=frozenset()),
        agent("erin", "Erin", supervises=("alice", "bob")),
    ]
    queues = [queue("SMS Consult", ("bob", "carol"))]
    return Directory({a.username: a for a in agents}, {q.queue_id: q for q in queues})


@dataclass(frozen=True)
class Target:
    """What a targetUri/targetPath names: one agent, or a queue to pick an agent from."""

    agent: AgentAccount | None = None
    queue: Queue | None = None


# A target is matched on its path: any host (uris are built from a deployment setting), an optional
# /api/v2 prefix; /contacts/{id} names a user as the page's own sample does.
_TARGET = re.compile(r"^(?:[a-z][a-z0-9+.-]*://[^/]+)?(?:/api/v2)?/(users|contacts|queues)/([^/?#]+)/?$")


def resolve_target(directory: Directory, reference: str) -> Target | None:
    match = _TARGET.match(reference.strip())
    if match is None:
        return None
    kind, identifier = match.groups()
    if kind == "queues":
        found = directory.queues.get(identifier)
        return Target(queue=found) if found else None
    account = directory.by_user_id(identifier)
    return Target(agent=account) if account else None
