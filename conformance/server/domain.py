"""The SMS session domain of the reference server: pure Python, no I/O.

CONTRACT (being implemented; the transport layer in app.py codes against exactly this):

Directory of users and queues
-----------------------------
    @dataclass(frozen=True) class AgentAccount:
        username: str; password: str; nickname: str
        user_id: str                  # 32 lowercase hex chars, as GWS ids look
        features: frozenset[str]      # "api-multimedia" needed for the SMS Session API
        # derived (methods/properties): user_path -> "/users/{user_id}"
    @dataclass(frozen=True) class Queue:
        queue_id: str; name: str; members: tuple[str, ...]   # usernames
        # derived: queue_path -> "/queues/{queue_id}"
    @dataclass(frozen=True) class Directory:
        agents: Mapping[str, AgentAccount]; queues: Mapping[str, Queue]
    def default_directory() -> Directory
        alice/alice-pass "Alice" (originator), bob/bob-pass "Bob" (consultant, in queue),
        carol/carol-pass "Carol" (third agent, in queue), dave/dave-pass "Dave" (no
        api-multimedia); queue "SMS Consult" with members bob, carol. ids: uuid5 of the name.

Uris: f"{base_url}/api/v2/users/{user_id}", f"{base_url}/api/v2/queues/{queue_id}",
f"{base_url}/api/v2/smssessions/{session_id}". A target is accepted as uri (any host, matched
on its path) or as path ("/users/{id}", "/queues/{id}"; "/api/v2/..." prefix tolerated;
"/contacts/{id}" also names a user, as the page's sample does).

The domain
----------
    class ApiError(Exception): status_code: int; status_message: str; http_status: int
    @dataclass class Outcome:
        http_status: int
        body: dict                              # {"statusCode": 0, "referenceId": 7} ...
        notifications: list[tuple[str, dict]]   # (username, notification data) in send order
    class SmsDomain:
        def __init__(self, directory: Directory, faults: FaultSet, clock=time.time) -> None
        base_url: str                           # set by the runner once the port is bound
        def set_online(self, username: str, online: bool) -> None   # logged in & reachable
        def provision(self, agent: str, customer_nickname: str, phone_number: str, text: str,
                      state: str) -> tuple[dict, list[tuple[str, dict]]]
            # -> ({"statusCode":0,"id":..,"uri":..}, notifications); raises ApiError
        def list_sessions(self, username: str) -> list[dict]
        def get_session(self, username: str, session_id: str) -> dict          # ApiError 6
        def get_messages(self, username: str, session_id: str,
                         start_index: int | None, count: int | None) -> list[dict]
        def operate(self, username: str, session_id: str, body: object,
                    allocate_reference_id: Callable[[], int]) -> Outcome
            # never raises for bad input: refusals are Outcomes with statusCode != 0
        def customer_inbox(self, session_id: str) -> list[dict]                # ApiError 6
        def reset(self) -> None
"""
