"""SMS sessions of the reference server: participants, the message log, capabilities by role.

Pure data and rules; :mod:`conformance.server.domain` drives them through the operations.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from conformance.server.directory import AgentAccount


class Role(StrEnum):
    OWNER = "owner"  # the agent the session is routed to (the originator of a consult)
    CONSULTANT = "consultant"  # joined by Consult: seen and heard by agents only
    CONFERENCE = "conference"  # joined by Invite/Conference (or a consultant conferenced in)
    SUPERVISOR = "supervisor"  # intruded (page Intrude), in one of the visibility modes
    CUSTOMER = "customer"


class Status(StrEnum):
    INVITED = "Invited"
    CHATTING = "Chatting"
    COMPLETED = "Completed"


# The capability sets of the Consult page's samples: the failure sample shows the owner without a
# consult, the first success sample adds the three agent-only operations.
OWNER_CAPABILITIES = (
    "Transfer",
    "Leave",
    "Invite",
    "Consult",
    "SetInFocus",
    "SetDisposition",
    "AttachUserData",
    "DeleteUserData",
    "UpdateUserData",
    "Complete",
    "SendMessage",
    "SendStartTypingNotification",
    "SendStopTypingNotification",
)
AGENT_ONLY_CAPABILITIES = (
    "SendToAgents",
    "SendStartTypingToAgentsNotification",
    "SendStopTypingToAgentsNotification",
)
# Decision: a consultant talks to agents only and can leave; it cannot move the customer
# (Transfer, Invite, Complete) nor write to the customer (SendMessage), which keeps it invisible.
CONSULTANT_CAPABILITIES = ("Leave", "SetInFocus", *AGENT_ONLY_CAPABILITIES)
# A conference member talks to everyone, as the Invite page says the customer sees all conference agents.
CONFERENCE_CAPABILITIES = (
    "Leave",
    "SetInFocus",
    "SendMessage",
    "SendStartTypingNotification",
    "SendStopTypingNotification",
    *AGENT_ONLY_CAPABILITIES,
)
INVITED_CAPABILITIES = ("Accept", "Reject")
# The Leave page: an agent that leaves outside a conference keeps the session to wrap up ("will still
# allow the agent to update user data and set disposition"); its sample lists Transfer, Complete,
# Leave and InFocus (spelled SetInFocus here, as in the Consult page's samples).
WRAP_UP_CAPABILITIES = (
    "Transfer",
    "Complete",
    "Leave",
    "SetInFocus",
    "SetDisposition",
    "AttachUserData",
    "UpdateUserData",
    "DeleteUserData",
)
# Intrude's visibility modes (pages Intrude, Monitor, BargeIn): who sees the supervisor join, and
# what it may send once it accepted.
SUPERVISOR_MODES = ("Monitor", "Coach", "BargeIn")
SUPERVISOR_CAPABILITIES = {
    "Monitor": ("Leave", "SetInFocus"),
    "Coach": ("Leave", "SetInFocus", *AGENT_ONLY_CAPABILITIES),
    "BargeIn": (
        "Leave",
        "SetInFocus",
        "SendMessage",
        "SendStartTypingNotification",
        "SendStopTypingNotification",
        *AGENT_ONLY_CAPABILITIES,
    ),
}

# Operations accepted without being listed, each allowed whenever the listed capability it maps
# to is (decisions: the samples list neither). Some GWS builds list Conference: accepted as an
# alias of Invite. SendUrl and SendCustomNotice have their own pages but appear in no capability
# sample: whoever may write to the customer (SendMessage) may push a URL or a notice.
UNLISTED_OPERATIONS = {"Conference": "Invite", "SendUrl": "SendMessage", "SendCustomNotice": "SendMessage"}


@dataclass
class Participant:
    participant_id: str
    nickname: str
    role: Role
    account: AgentAccount | None = None  # None for the customer
    phone_number: str | None = field(default=None, repr=False)  # customer data
    active: bool = True
    left_state: str = "LeftChat"  # the state the session has for this agent once it left (page Leave)
    wrap_up: bool = False  # left outside a conference: still holds the session to wrap up (page Leave)
    invited: bool = False  # offered the session, not yet accepted (a supervisor after Intrude)
    mode: str = ""  # a supervisor's visibility mode

    @property
    def type(self) -> str:
        return "Customer" if self.role is Role.CUSTOMER else "Agent"

    @property
    def username(self) -> str:
        """The agent's username; the customer has none (asking for it is a bug of the server)."""
        if self.account is None:
            raise ValueError(f"participant {self.participant_id} is the customer: it has no username")
        return self.account.username

    def view(self) -> dict[str, Any]:
        return {"nickname": self.nickname, "type": self.type, "participantId": self.participant_id}


@dataclass
class Message:
    index: int
    type: str
    sender: Participant | None
    visibility: str  # "All" or "Agents"
    timestamp_ms: int
    extra: dict[str, Any] = field(default_factory=dict)  # text, url, ...
    to_customer: bool = True  # delivered to the phone when visible to All (False only under a fault)
    leaked: bool = False  # delivered to the phone whatever its visibility (only under a fault)

    def view(self, *, seconds_field_in_seconds: bool = False) -> dict[str, Any]:
        local = datetime.fromtimestamp(self.timestamp_ms / 1000).astimezone()
        timestamp = local.strftime("%Y-%m-%d %H:%M:%S.") + f"{self.timestamp_ms % 1000:03d}" + local.strftime("%z")
        view: dict[str, Any] = {
            "index": self.index,
            "type": self.type,
            "timestamp": timestamp,
            "timestampSeconds": self.timestamp_ms // 1000 if seconds_field_in_seconds else self.timestamp_ms,
            "visibility": self.visibility,
            **self.extra,
        }
        if self.sender is not None:
            view["from"] = self.sender.view()
        return view


_TYPING = {"TypingStarted", "TypingStopped"}


@dataclass
class SmsSession:
    id: str
    uri: str
    status: Status
    participants: list[Participant] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    user_data: dict[str, Any] = field(default_factory=dict)
    _indexes: itertools.count = field(default_factory=lambda: itertools.count(1))

    def agents(self, *, active_only: bool = True) -> list[Participant]:
        """The agents in the session (a supervisor included once it accepted)."""
        return [
            p
            for p in self.participants
            if p.role is not Role.CUSTOMER and not p.invited and (p.active or not active_only)
        ]

    def holds(self, username: str) -> bool:
        """Whether the session is among the agent's own: in it, offered it, or wrapping it up."""
        me = self.participant_of(username)
        return me is not None and (me.active or me.wrap_up)

    def participant_of(self, username: str) -> Participant | None:
        """The agent's most recent participation (an agent may leave and be consulted again)."""
        return next(
            (p for p in reversed(self.participants) if p.account is not None and p.account.username == username), None
        )

    def customer(self) -> Participant:
        return next(p for p in self.participants if p.role is Role.CUSTOMER)

    def next_index(self) -> int:
        return next(self._indexes)

    def state_for(self, username: str) -> str:
        me = self.participant_of(username)
        if me is not None and me.invited:
            return Status.INVITED.value
        if self.status is not Status.COMPLETED and me is not None and not me.active:
            return me.left_state
        return self.status.value

    def capabilities_for(self, username: str) -> list[str]:
        me = self.participant_of(username)
        if me is None or self.status is Status.COMPLETED:
            return []
        if not me.active:
            return list(WRAP_UP_CAPABILITIES) if me.wrap_up else []
        if self.status is Status.INVITED or me.invited:
            return list(INVITED_CAPABILITIES)
        if me.role is Role.SUPERVISOR:
            return list(SUPERVISOR_CAPABILITIES[me.mode])
        if me.role is Role.CONSULTANT:
            return list(CONSULTANT_CAPABILITIES)
        if me.role is Role.CONFERENCE:
            return list(CONFERENCE_CAPABILITIES)
        others = len(self.agents()) > 1  # agent-only talk needs another agent in the session
        return list(OWNER_CAPABILITIES) + (list(AGENT_ONLY_CAPABILITIES) if others else [])

    def view_for(self, username: str) -> dict[str, Any]:
        """The session as this agent sees it; participants who left are no longer listed."""
        return {
            "participants": [p.view() for p in self.participants if p.active and not p.invited],
            "state": self.state_for(username),
            "id": self.id,
            "capabilities": self.capabilities_for(username),
            "uri": self.uri,
            "userData": dict(self.user_data),
        }

    def customer_received(self) -> list[Message]:
        """The conversation as the customer's phone holds it: the customer's own texts and what
        others sent visible to All (typing indicators are not delivered to a phone)."""
        return [
            m for m in self.messages if (m.visibility == "All" and m.type not in _TYPING and m.to_customer) or m.leaked
        ]
