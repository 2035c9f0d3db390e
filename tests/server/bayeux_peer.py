"""A raw HTTP peer of the reference server (no suite code): login, CSRF, Bayeux by hand."""

import httpx

HANDSHAKE = {"channel": "/meta/handshake", "version": "1.0", "supportedConnectionTypes": ["long-polling"]}
TOPIC = "/v2/me/smssessions"


class Client:
    """A logged-in HTTP client of one agent, with the CSRF token read from a GET."""

    def __init__(self, server, username):
        self.http = httpx.Client(base_url=server.base_url, auth=(username, f"{username}-pass"), timeout=10)
        self.token = self.http.get("/api/v2/me").headers["X-CSRF-TOKEN"]

    def post(self, path, body):
        return self.http.post(path, json=body, headers={"X-CSRF-TOKEN": self.token})

    def bayeux(self, *messages):
        return self.http.post("/api/v2/notifications", json=list(messages)).json()

    def subscribe(self):
        """Handshake, subscribe, and the first connect, which establishes the connection (not held)."""
        client_id = self.bayeux(HANDSHAKE)[0]["clientId"]
        assert self.bayeux({"channel": "/meta/subscribe", "clientId": client_id, "subscription": TOPIC})[0][
            "successful"
        ]
        [established] = self.connect(client_id)
        assert established["successful"] and established["advice"]["reconnect"] == "retry"
        return client_id

    def connect(self, client_id):
        return self.bayeux({"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling"})


def provision(server, agent="alice"):
    return httpx.post(
        f"{server.base_url}/conformance/v1/smssessions",
        json={
            "agent": agent,
            "customer": {"nickname": "FirstL", "phoneNumber": "+15550100"},
            "text": "Hi",
            "state": "Chatting",
        },
    ).json()["id"]


def notifications(client, client_id, count):
    """Connect until ``count`` notifications came (each connect returns at once when any is queued)."""
    received = []
    while len(received) < count:
        replies = client.connect(client_id)
        assert replies[-1]["channel"] == "/meta/connect" and replies[-1]["successful"]
        received += [r["data"] for r in replies if r["channel"] == TOPIC]
    return received
