"""``gws-conformance doctor`` run as a user would, against the reference server made wrong in the
ways a first contact goes wrong: each ends in one FAIL line naming the cause, its fix, and the
documented exit code (or, for a server that keeps typing to itself, a note and exit 0)."""

import http.server
import json
import os
import re
import subprocess
import sys
import threading

import httpx
import pytest

from conformance.server.runner import ReferenceServer

PASSWORDS = {f"PW_{name.upper()}": f"{name}-pass" for name in ("alice", "bob", "carol", "dave")}


def config_for(base_url: str, listing: dict, roles: dict[str, str], extra: str = "") -> str:
    agents = {a["username"]: a for a in listing["agents"]}
    text = f'target = "{base_url}"\ndeadline = 1\n{extra}\n'
    for role, name in roles.items():
        text += (
            f'[agents.{role}]\nusername = "{name}"\npassword_env = "PW_{name.upper()}"\n'
            f'uri = "{agents[name]["userUri"]}"\npath = "{agents[name]["userPath"]}"\n'
        )
    return text


def doctor(tmp_path, config: str, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    (tmp_path / "gws-conformance.toml").write_text(config)
    result = subprocess.run(
        [sys.executable, "-m", "conformance", "doctor"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **PASSWORDS, **(env or {})},
    )
    assert not result.stderr.strip(), result.stderr  # never a traceback
    return result.returncode, "\n".join(result.stdout.splitlines()).splitlines()


def failure(lines: list[str]) -> tuple[str, str]:
    """The FAIL line and the fix below it."""
    at = next(n for n, line in enumerate(lines) if line.startswith("FAIL"))
    return lines[at], lines[at + 1]


@pytest.fixture(scope="module")
def server():
    with ReferenceServer() as running:
        yield running


PAIR = {"originator": "alice", "consultant": "bob"}


def test_a_wrong_password_names_the_agent_and_the_servers_answer(server, tmp_path):
    code, lines = doctor(
        tmp_path, config_for(server.base_url, server.app.agents_listing(), PAIR), env={"PW_BOB": "not-bobs"}
    )
    line, fix = failure(lines)
    assert code == 2 and line == "FAIL  agent consultant (bob) refused: HTTP 401 statusCode 20 'Access denied'"
    assert fix == "      fix: check agents.consultant.password or password_env, and that the user may use the API"


def test_an_agent_without_api_multimedia_is_told_to_get_the_feature(server, tmp_path):
    code, lines = doctor(
        tmp_path,
        config_for(server.base_url, server.app.agents_listing(), {"originator": "alice", "consultant": "dave"}),
    )
    line, fix = failure(lines)
    assert code == 2 and line.startswith(
        "FAIL  agent consultant (dave) cannot use the SMS session API: "
        "GET /api/v2/me/smssessions answered HTTP 403 statusCode 5"
    )
    assert "api-multimedia" in fix


def test_a_wrong_sms_topic_is_found_on_the_wildcard_and_named(server, tmp_path):
    code, lines = doctor(
        tmp_path, config_for(server.base_url, server.app.agents_listing(), PAIR, 'sms_topic = "/v2/me/chats"')
    )
    line, fix = failure(lines)
    assert code == 2 and line == (
        "FAIL  nothing about the session reached the originator on /v2/me/chats; "
        "on /v2/me/** it arrives on channel /v2/me/smssessions"
    )
    assert fix == '      fix: set sms_topic = "/v2/me/smssessions"'


def test_a_server_that_does_not_echo_typing_gets_quiet_windows_and_is_ready(tmp_path):
    with ReferenceServer(faults=["no-echo-to-sender"]) as quiet:
        code, lines = doctor(tmp_path, config_for(quiet.base_url, quiet.app.agents_listing(), PAIR))
    assert code == 0, lines
    assert (
        "ok    the originator does not receive its own typing; the consultant receives the originator's typing"
    ) in lines
    assert any(
        line.startswith("note  observation: originator: nothing else within 1.0 s; consultant: proven by marker")
        for line in lines
    )
    assert lines[-1] == "ready: 'gws-conformance run' can start"


class NotGws(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><body>Not Found</body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_target_that_is_not_a_gws_is_called_so(server, tmp_path):
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotGws)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{web.server_port}"
        code, lines = doctor(tmp_path, config_for(url, server.app.agents_listing(), PAIR))
        bare_code, bare = doctor(tmp_path, f'target = "{url}"\n')
    finally:
        web.shutdown()
    line, fix = failure(lines)
    assert code == 2 and line == (
        "FAIL  agent originator (alice): GET /api/v2/me answered HTTP 404 with a "
        "text/html body, not GWS JSON: the target is not a GWS API v2"
    )
    assert fix == "      fix: check target: the GWS base URL, without /api/v2"
    assert bare_code == 2 and failure(bare)[0] == (
        f"FAIL  {url} is not a gws-conformance reference server and no agents are configured"
    )


def test_an_unreachable_target_exits_3(tmp_path):
    code, lines = doctor(
        tmp_path,
        config_for(
            "http://127.0.0.1:9",
            {
                "agents": [
                    {"username": "alice", "userUri": "u", "userPath": "/p"},
                    {"username": "bob", "userUri": "u", "userPath": "/p"},
                ]
            },
            PAIR,
        ),
    )
    assert code == 3 and failure(lines)[0].startswith("FAIL  cannot reach http://127.0.0.1:9: ConnectError")


INJECT = (
    f"{sys.executable} -c \"import httpx, sys; httpx.post(sys.argv[1] + '/conformance/v1/smssessions', "
    "headers={'X-Conformance-Test-Api-Key': 'k'}, json={'agent': sys.argv[2], "
    "'customer': {'nickname': 'C', 'phoneNumber': '+1'}, 'text': 'Hi'}).raise_for_status()\" "
)


def test_the_suggestion_is_the_users_file_plus_what_was_found_and_a_fixpoint(tmp_path):
    """Against a GWS without the test-only API, a file of usernames, password variables, a queue
    name and a command source (no uri): the suggestion keeps every key and comment of the file and
    adds what the doctor found (each agent's uri and path); run on its own suggestion, the doctor
    suggests the same again."""
    with ReferenceServer(test_api_key="k") as gws:
        mine = (
            f'# our lab\ntarget = "{gws.base_url}"\ndeadline = 5  # slow lab\n'
            '[agents.originator]\nusername = "alice"\npassword_env = "PW_ALICE"\n'
            '[agents.consultant]\nusername = "bob"\npassword_env = "PW_BOB"\n'
            '[queue]\nname = "SMS Consult"\n'
            f'[source]\nkind = "command"\ncommand = {json.dumps(INJECT + gws.base_url + " {agent}")}\n'
        )
        code, lines = doctor(tmp_path, mine)
        assert code == 0 and lines[-1] == "ready: 'gws-conformance run' can start", lines
        # what the run will judge, rehearsed: no supervisor, so Intrude's MUST clauses go unjudged
        predicted = next(line for line in lines if line.startswith("ok    a run judges "))
        assert re.search(r"judges \d+ of \d+ checks and \d+/\d+ MUST clauses", predicted), predicted
        assert re.search(r"it takes \d+ Chatting and \d+ Invited sessions from the source$", predicted)
        assert any(re.fullmatch(r"note  \d+ check\(s\) skip without agents.supervisor", line) for line in lines)
        unjudged = next(line for line in lines if line.startswith("note  MUST clauses no check would judge: "))
        assert "sms.intrude.endpoint" in unjudged and "the run exits 4 (incomplete)" in unjudged
        suggested = [line.removeprefix("    ") for line in lines[lines.index("suggested configuration:") + 1 : -1]]
        for kept in ("# our lab", "deadline = 5  # slow lab", 'password_env = "PW_ALICE"', 'name = "SMS Consult"'):
            assert kept in suggested, suggested
        bob = next(a for a in gws.app.agents_listing()["agents"] if a["username"] == "bob")
        assert f'uri = "{bob["userUri"]}"' in suggested and f'path = "{bob["userPath"]}"' in suggested
        again_code, again = doctor(tmp_path, "\n".join(suggested) + "\n")
    assert again_code == 0
    assert (
        again[again.index("suggested configuration:") + 1 : -1]
        == lines[lines.index("suggested configuration:") + 1 : -1]
    )


def test_an_existing_source_is_checked_id_by_id_and_against_what_a_run_takes(server, tmp_path):
    """An id the server does not know is one FAIL naming it; known ids too few for a full run are
    one FAIL naming both numbers (as 'gws-conformance list' counts them)."""
    listing = server.app.agents_listing()
    known = httpx.post(
        f"{server.base_url}/conformance/v1/smssessions",
        json={"agent": "alice", "customer": {"nickname": "C", "phoneNumber": "+1"}, "text": "Hi"},
    ).json()["id"]
    for ids, expected in (
        ([known, "0000NOSUCHSESSION"], "FAIL  session 0000NOSUCHSESSION of the existing source: GET "),
        ([known], "FAIL  the existing source holds 1 Chatting session id(s); a full run takes "),
    ):
        source = f'[source]\nkind = "existing"\nsession_ids = {json.dumps(ids)}\n'
        code, lines = doctor(tmp_path, config_for(server.base_url, listing, PAIR) + source)
        line, fix = failure(lines)
        assert code == 2 and line.startswith(expected), lines
        assert fix.startswith("      fix: ")


def test_a_command_sources_session_on_another_topic_is_found_whatever_the_source(server, tmp_path):
    """A command source and a wrong sms_topic: the session the command makes arrive is looked for
    on /v2/me/**, and the channel it came on named; the source is not blamed."""
    source = f'[source]\nkind = "command"\ncommand = {json.dumps(INJECT + server.base_url + " {agent}")}\n'
    config = config_for(server.base_url, server.app.agents_listing(), PAIR, 'sms_topic = "/v2/me/chats"')
    # The command is a Python process that must start and post within the deadline: on a busy
    # machine 1 s is too short for it (seen in a full run), 5 s is a guard, not a measure.
    code, lines = doctor(tmp_path, config + source, env={"GWS_CONFORMANCE_DEADLINE": "5"})
    line, fix = failure(lines)
    assert code == 2 and line == (
        "FAIL  the command source's session never reached the originator on /v2/me/chats; "
        "on /v2/me/** it arrives on channel /v2/me/smssessions"
    ), lines
    assert fix == '      fix: set sms_topic = "/v2/me/smssessions"'


def test_the_prediction_knows_an_existing_source_has_no_customer_probe(server, tmp_path):
    """Enough existing sessions of both states, and no probe (an existing source has none): the
    doctor foresees the checks that skip for want of one and the MUST clauses only they judge."""
    from conformance.commands.run import sessions_a_full_run_takes

    def made(state: str) -> str:
        body = {"agent": "alice", "customer": {"nickname": "C", "phoneNumber": "+1"}, "text": "Hi", "state": state}
        return httpx.post(f"{server.base_url}/conformance/v1/smssessions", json=body).json()["id"]

    needed = sessions_a_full_run_takes()
    chatting, invited = ([made(state) for _ in range(needed[state])] for state in ("Chatting", "Invited"))
    source = (
        f'[source]\nkind = "existing"\nsession_ids = {json.dumps(chatting)}\n'
        f"invited_session_ids = {json.dumps(invited)}\n"
    )
    code, lines = doctor(tmp_path, config_for(server.base_url, server.app.agents_listing(), PAIR) + source)
    assert code == 0, lines
    assert any(re.fullmatch(r"note  \d+ check\(s\) skip without source.probe_command", line) for line in lines), lines
    unjudged = next(line for line in lines if line.startswith("note  MUST clauses no check would judge: "))
    assert "sms.send-message.customer" in unjudged
    assert not any("skip without source.invited_session_ids" in line for line in lines), lines
