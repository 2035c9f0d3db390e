"""Runs against a configured target, the way a real GWS is checked: agents from the configuration
and sessions from the 'existing' or 'command' source (no test-only API used by the suite)."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import httpx
import pytest

from conformance.commands.run import ISOLATED_PYTEST, SUITES, collected
from conformance.engine.opening import CALIBRATION_SESSIONS
from conformance.engine.scheduling import scenarios_of, sessions_needed
from conformance.engine.sessions import CHATTING, INVITED
from conformance.server.runner import ReferenceServer


@pytest.fixture(scope="module")
def server():
    with ReferenceServer() as running:
        yield running


def provision(base_url: str, state: str = "Chatting") -> str:
    return httpx.post(
        f"{base_url}/conformance/v1/smssessions",
        json={
            "agent": "alice",
            "customer": {"nickname": "C", "phoneNumber": "+15550100"},
            "text": "Hi",
            "state": state,
        },
    ).json()["id"]


ROLES = {"originator": "alice", "consultant": "bob", "third": "carol", "no_feature": "dave", "supervisor": "erin"}


def agents_toml(server) -> str:
    listing = {a["username"]: a for a in server.app.agents_listing()["agents"]}
    queue = server.app.agents_listing()["queues"][0]
    text = f'target = "{server.base_url}"\n'
    for role, name in ROLES.items():
        text += (
            f'[agents.{role}]\nusername = "{name}"\npassword_env = "PW_{name.upper()}"\n'
            f'uri = "{listing[name]["userUri"]}"\npath = "{listing[name]["userPath"]}"\n'
        )
    return text + (
        f'[queue]\nuri = "{queue["queueUri"]}"\npath = "{queue["queuePath"]}"\nname = "{queue["name"]}"\n'
        'members = ["consultant", "third"]\n'
    )


def run(tmp_path, config: str, *extra: str) -> tuple[int, dict[str, str]]:
    (tmp_path / "gws-conformance.toml").write_text(config)
    env = {**os.environ, **{f"PW_{n.upper()}": f"{n}-pass" for n in ("alice", "bob", "carol", "dave", "erin")}}
    result = subprocess.run(
        [sys.executable, "-m", "conformance", "run", *extra],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outcome = {}
    for case in ElementTree.parse(tmp_path / "reports" / "junit.xml").iter("testcase"):
        kinds = [child for child in case if child.tag in ("failure", "error", "skipped")]
        outcome[case.get("name")] = (kinds[0].tag + ": " + kinds[0].get("message", "")) if kinds else "passed"
    return result.returncode, outcome


def test_the_whole_suite_runs_on_existing_sessions_with_configured_agents(server, tmp_path):
    needed = sessions_needed(scenarios_of(collected(["--pyargs", SUITES, *ISOLATED_PYTEST])))
    ids = [provision(server.base_url) for _ in range(needed[CHATTING] + CALIBRATION_SESSIONS)]
    invited = [provision(server.base_url, "Invited") for _ in range(needed[INVITED])]

    code, outcome = run(
        tmp_path,
        agents_toml(server) + f'[source]\nkind = "existing"\nsession_ids = {json.dumps(ids)}\n'
        f"invited_session_ids = {json.dumps(invited)}\n",
    )
    # Never green on nothing: without a probe the clauses only the customer's phone can judge are
    # judged by no check, so the run is incomplete (4), and says which.
    assert code == 4, outcome
    must = json.loads((tmp_path / "reports" / "results.json").read_text())["coverage"]["MUST"]
    assert set(must["unjudged"]) == {
        "sms.accept.param.nickname",
        "sms.consult.visibility",
        "sms.invite.visibility",
        "sms.send-custom-notice.customer",
        "sms.send-message.customer",
        "sms.send-start-typing-to-agents.visibility",
        "sms.send-stop-typing-to-agents.visibility",
        "sms.send-to-agents.visibility",
        "sms.send-url.customer",
        "sms.transfer.param.text",
    }, must
    # only what needs the customer's phone is skipped, with that reason: the existing source has no probe
    skipped = {name: why for name, why in outcome.items() if why != "passed"}
    assert set(skipped) == {
        "test_the_customer_sees_no_trace_of_the_consult",
        "test_what_the_consultant_writes_stays_among_agents",
        "test_the_customer_sees_the_agent_under_the_nickname_given",
        "test_the_customer_sees_the_invited_agent",
        "test_the_transfer_text_reaches_the_customer",
        "test_the_customer_receives_the_text_of_send_message",
        "test_the_customer_receives_the_url_of_send_url",
        "test_the_customer_receives_the_notice_of_send_custom_notice",
        "test_the_text_of_send_to_agents_never_reaches_the_customer",
        "test_the_typingstarted_of_send_start_typing_to_agents_never_reaches_the_customer",
        "test_the_typingstopped_of_send_stop_typing_to_agents_never_reaches_the_customer",
    }
    assert all(why.startswith("skipped: the session source offers no customer probe") for why in skipped.values())


def test_the_existing_source_skips_when_its_sessions_run_out(server, tmp_path):
    ids = json.dumps([provision(server.base_url) for _ in range(2)])  # the calibration's and one more
    code, outcome = run(
        tmp_path,
        agents_toml(server) + f'[source]\nkind = "existing"\nsession_ids = {ids}\n',
        "-k",
        "user_uri or user_path",
    )
    assert code == 4  # the clause of the check that found no session left was judged by none: incomplete
    assert sorted(outcome.values())[0] == "passed"
    assert any(
        v.startswith("skipped: the existing session source has no unused Chatting session id") for v in outcome.values()
    )


def test_the_command_source_waits_for_the_injected_session(server, tmp_path):
    inject = (
        f"{sys.executable} -c \"import httpx; httpx.post('{server.base_url}/conformance/v1/smssessions', "
        "json={'agent': 'alice', 'customer': {'nickname': 'C', 'phoneNumber': '+1'}, 'text': 'Hi'})\""
    )
    code, outcome = run(
        tmp_path,
        agents_toml(server) + f'[source]\nkind = "command"\ncommand = {json.dumps(inject)}\n',
        "-k",
        "comes_before_the_join or user_uri",
    )
    assert code == 0 and set(outcome.values()) == {"passed"} and len(outcome) == 4, outcome


def test_the_command_source_probes_the_customer_phone_with_its_probe_command(server, tmp_path):
    """With source.probe_command, the visibility checks judge what the customer's phone holds."""
    inject = (
        f"{sys.executable} -c \"import httpx; httpx.post('{server.base_url}/conformance/v1/smssessions', "
        "json={'agent': 'alice', 'customer': {'nickname': 'C', 'phoneNumber': '+1'}, 'text': 'Hi'})\""
    )
    probe = (
        f'{sys.executable} -c "import httpx, json, sys; print(json.dumps(httpx.get('
        f"'{server.base_url}/conformance/v1/smssessions/' + sys.argv[1] + '/customer').json()['messages']))\" "
        "{session_id}"
    )
    code, outcome = run(
        tmp_path,
        agents_toml(server) + f'[source]\nkind = "command"\ncommand = {json.dumps(inject)}\n'
        f"probe_command = {json.dumps(probe)}\n",
        "-k",
        "sees_no_trace or stays_among_agents",
    )
    assert code == 0 and set(outcome.values()) == {"passed"} and len(outcome) == 2, outcome


def test_a_probe_printing_what_the_phone_schema_does_not_allow_is_named_with_the_schema():
    """The probe's format is schemas/probe/customer-phone.json: output outside it is a clear error."""
    from types import SimpleNamespace

    from conformance.engine.sessions import CommandSource

    printing = 'echo \'[{"type": "Text", "direction": "sideways"}]\''
    config = SimpleNamespace(source=SimpleNamespace(command="true", probe_command=printing), deadline=5.0)
    probe = CommandSource(config)._probe("S1")
    with pytest.raises(RuntimeError, match=r"customer-phone\.json") as raised:
        probe()
    assert "direction" in str(raised.value)
    phone = 'echo \'[{"type": "Text", "direction": "sent", "text": "hi"}, {"type": "Text", "nickname": "Ann"}]\''
    config.source.probe_command = phone
    assert len(CommandSource(config)._probe("S1")()) == 2  # what a phone shows, no participantId: taken


GATEWAY_KEY = "sms-gateway-key"
# The out-of-band tools of a GWS without the test-only API, which hold its key: an SMS gateway that
# makes an inbound SMS arrive for an agent (offered to it: Invited, as a routed SMS is), counting
# each injection in a file beside it, and the customer's phone. The standard library only: each
# is a process of its own, run once per session and once per look at the phone.
INJECT_SCRIPT = """
import json, pathlib, sys, urllib.request
url, key, agent = sys.argv[1:4]
body = {"agent": agent, "customer": {"nickname": "C", "phoneNumber": "+15550100"}, "text": "Hi", "state": "Invited"}
request = urllib.request.Request(url + "/conformance/v1/smssessions", data=json.dumps(body).encode(), headers={
    "X-Conformance-Test-Api-Key": key, "Content-Type": "application/json"})
urllib.request.urlopen(request).close()
with (pathlib.Path(__file__).parent / "injected.txt").open("a") as count:
    count.write(agent + "\\n")
"""
PROBE_SCRIPT = """
import json, sys, urllib.request
url, key, session = sys.argv[1:4]
phone = url + "/conformance/v1/smssessions/" + session + "/customer"
with urllib.request.urlopen(urllib.request.Request(phone, headers={"X-Conformance-Test-Api-Key": key})) as answer:
    print(json.dumps(json.load(answer)["messages"]))
"""


@pytest.mark.slow
def test_a_gws_without_the_test_api_is_judged_whole_from_usernames_and_a_command_source(tmp_path):
    """The reference server behind a front that answers 404 under /conformance/v1 (as a GWS does),
    configured as a team would: each agent by username and password variable only (uri and path
    are discovered), the queue (which no page lets a client discover), and a command source with
    its probe. Every check is judged and passes, the run exits 0, and the gateway was asked for at
    most 40 sessions: exactly what the suite says a full run takes."""
    from conformance.commands.run import sessions_a_full_run_takes
    from conformance.commands.serve import start_serve_process

    process, url = start_serve_process(hide_test_api=GATEWAY_KEY)
    try:
        assert httpx.get(f"{url}/conformance/v1/agents").status_code == 404
        queue = httpx.get(f"{url}/conformance/v1/agents", headers={"X-Conformance-Test-Api-Key": GATEWAY_KEY}).json()[
            "queues"
        ][0]
        (tmp_path / "inject.py").write_text(INJECT_SCRIPT)
        (tmp_path / "probe.py").write_text(PROBE_SCRIPT)
        config = f'target = "{url}"\n'
        for role, name in ROLES.items():
            config += f'[agents.{role}]\nusername = "{name}"\npassword_env = "PW_{name.upper()}"\n'
        config += (
            f'[queue]\nuri = "{queue["queueUri"]}"\npath = "{queue["queuePath"]}"\nname = "{queue["name"]}"\n'
            'members = ["consultant", "third"]\n'
            '[source]\nkind = "command"\n'
            f"command = {json.dumps(f'{sys.executable} inject.py {url} {GATEWAY_KEY} {{agent}}')}\n"
            f"probe_command = {json.dumps(f'{sys.executable} probe.py {url} {GATEWAY_KEY} {{session_id}}')}\n"
        )
        code, outcome = run(tmp_path, config)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert code == 0 and set(outcome.values()) == {"passed"} and len(outcome) >= 200, [
        (name, why) for name, why in outcome.items() if why != "passed"
    ]
    injected = len((tmp_path / "injected.txt").read_text().splitlines())
    assert injected == sum(sessions_a_full_run_takes().values()) <= 40
