"""gws-conformance run / list end to end: exit codes, reports, repeatability (also under xdist)."""

import http.server
import json
import os
import re
import subprocess
import sys
import threading

import pytest

from conformance.report.results import load_results
from conftest import junit_verdicts as verdicts


def test_run_with_no_arguments_passes_every_check_against_the_reference_server(default_run):
    result, workdir = default_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    outcome = verdicts(workdir / "reports" / "junit.xml")
    assert len(outcome) >= 30 and set(outcome.values()) == {"passed"}, outcome
    assert (workdir / "reports" / "report.html").stat().st_size > 10_000


def test_the_same_run_under_xdist_gives_the_same_verdicts(default_run, tmp_path, run_cli):
    """(The same run twice in one process: test_the_reports_are_the_same_whatever_the_concurrency.)"""
    first = verdicts(default_run[1] / "reports" / "junit.xml")
    parallel = run_cli("run", "--report-dir", str(tmp_path / "xdist"), "--", "-n", "2", cwd=tmp_path)
    assert parallel.returncode == 0, parallel.stdout[-3000:]
    assert verdicts(tmp_path / "xdist" / "junit.xml") == first


def test_an_unreachable_target_exits_3_with_one_line(tmp_path, run_cli):
    result = run_cli("run", "--target", "http://127.0.0.1:9", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.strip().count("\n") == 0 and "cannot reach http://127.0.0.1:9" in result.stderr


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('target = "ftp://gws"\n', "target: expected an http:// or https:// URL"),
        ('deadline = "soon"\n', "deadline: expected a number of seconds"),
        (
            '[agents.originator]\nusername = "a"\npassword_env = "GWS_TEST_UNSET_PW"\nuri = "u"\n',
            "agents.originator.password_env: environment variable GWS_TEST_UNSET_PW is not set",
        ),
        ('colour = "blue"\n', "(top level).colour: unknown key"),
        ('target = "https://gws"\n[source]\nkind = "existing"\nsession_ids = ["1"]\n', "agents.originator: required"),
        ("target = \n", "not valid TOML"),
    ],
)
def test_bad_configuration_exits_2_naming_the_key(tmp_path, config, message, run_cli):
    (tmp_path / "gws-conformance.toml").write_text(config)
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2, result.stdout[-2000:]
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_list_groups_the_checks_by_page_with_their_clause_and_level(tmp_path, run_cli):
    result = run_cli("list", cwd=tmp_path)
    assert result.returncode == 0
    *lines, closing = result.stdout.splitlines()
    headings = [line for line in lines if not line.startswith("  ")]
    rows = [line.split() for line in lines if line.startswith("  ")]
    assert len(headings) >= 17 and len(rows) >= 150
    assert (
        "SMS Session API: Consult (Consult, SMSConsult, consult): 39 checks  https://docs.genesys.com/" in headings[3]
    )
    assert all(len(row) == 3 and row[1].startswith("sms.") and row[2] in ("[MUST]", "[SHOULD]") for row in rows)
    assert re.fullmatch(
        rf"{len(rows)} checks on {len(headings)} pages; sessions a run of them takes from the source: "
        r"\d+ Chatting \(1 for the calibration\), \d+ Invited",
        closing,
    )
    assert not (tmp_path / "reports").exists(), "list must not run anything"


def test_list_filters_by_page_as_users_name_it_by_clause_and_by_level(tmp_path, run_cli):
    for name in ("SendMessage", "smssendmessage", "send-message", "SMS Session API: SendMessage"):
        listed = run_cli("list", "--page", name, cwd=tmp_path)
        assert listed.returncode == 0 and listed.stdout.startswith("SMS Session API: SendMessage ("), listed.stderr
    should = run_cli("list", "--page", "SendMessage", "--level", "should", cwd=tmp_path).stdout.splitlines()
    assert all(line.endswith("[SHOULD]") for line in should[1:-1]) and should[-1].startswith("2 checks on 1 page")
    clause = run_cli("list", "--clause", "sms.consult.notify.*", cwd=tmp_path).stdout.splitlines()
    assert all("sms.consult.notify." in line for line in clause[1:-1]) and len(clause) > 3
    unknown = run_cli("list", "--page", "Consul", cwd=tmp_path)
    assert unknown.returncode == 2 and unknown.stderr.startswith(
        "gws-conformance: error: --page 'Consul': no such page"
    )
    assert "consult (Consult)" in unknown.stderr  # the valid names


@pytest.mark.parametrize(
    ("target", "code", "message"),
    [
        ("ftp://gws", 2, "gws-conformance: error: target: expected an http:// or https:// URL"),
        ("http://127.0.0.1:9", 3, "gws-conformance: cannot reach the target"),
    ],
)
def test_as_a_plain_pytest_plugin_the_same_mistakes_stop_the_run_with_one_line(tmp_path, target, code, message):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "conformance.suites",
            "-p",
            "no:cacheprovider",
            "--gws-target",
            target,
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == code and message in result.stdout
    assert "Traceback" not in result.stdout


# --- first contact: every user mistake ends in one line and a documented exit code --------------------------

PASSWORDS = {f"PW_{name.upper()}": f"{name}-pass" for name in ("alice", "bob", "carol", "dave")}


@pytest.fixture(scope="module")
def reference():
    from conformance.server.runner import ReferenceServer

    with ReferenceServer() as running:
        yield running


def agents_config(server, consultant: str = "bob") -> str:
    listing = {a["username"]: a for a in server.app.agents_listing()["agents"]}
    text = f'target = "{server.base_url}"\n[source]\nkind = "existing"\nsession_ids = ["x"]\n'
    for role, name in (("originator", "alice"), ("consultant", consultant)):
        text += (
            f'[agents.{role}]\nusername = "{name}"\npassword_env = "PW_{name.upper()}"\n'
            f'uri = "{listing[name]["userUri"]}"\n'
        )
    return text


@pytest.mark.parametrize(
    ("case", "code", "first_line"),
    [
        (
            "wrong-password",
            2,
            "gws-conformance: agent consultant (bob) refused: HTTP 401 statusCode 20 'Access denied' "
            "(fix: check agents.consultant.password or password_env, and that the user may use the API)",
        ),
        (
            "no-feature",
            2,
            "gws-conformance: agent consultant (dave) cannot use the SMS session API: GET "
            "/api/v2/me/smssessions answered HTTP 403 statusCode 5 'The user does not have the api-multimedia "
            "feature' (fix: give the user the api-multimedia feature (and api-multimedia-chat for the "
            "session resource))",
        ),
        (
            "nothing-selected",
            2,
            "gws-conformance: error: no check matches -k 'referenceId' (see 'gws-conformance list')",
        ),
        (
            "unknown-waiver",
            2,
            "gws-conformance: error: --waivers w.toml: no check is named 'test_consult.py::test_nope' "
            "(see 'gws-conformance list')",
        ),
    ],
)
def test_a_first_contact_mistake_is_one_line_and_a_documented_exit_code(
    tmp_path, run_cli, reference, case, code, first_line
):
    arguments = []
    if case in ("wrong-password", "no-feature"):
        (tmp_path / "gws-conformance.toml").write_text(
            agents_config(reference, "dave" if case == "no-feature" else "bob")
        )
    env = {**PASSWORDS, **({"PW_BOB": "wrong"} if case == "wrong-password" else {})}
    if case == "nothing-selected":
        arguments = ["-k", "referenceId"]
        (tmp_path / "reports").mkdir()
        (tmp_path / "reports" / "results.json").write_text("{}")
    if case == "unknown-waiver":
        (tmp_path / "w.toml").write_text(
            '[[waiver]]\ncheck = "test_consult.py::test_nope"\nreason = "r"\nowner = "o"\nexpires = 2030-01-01\n'
        )
        arguments = ["--waivers", "w.toml"]
    result = run_cli("run", *arguments, cwd=tmp_path, env=env)
    assert (result.returncode, result.stderr.splitlines()) == (code, [first_line]), result.stdout[-2000:]
    assert not (tmp_path / "reports" / "report.html").exists()  # nothing half-fresh


def test_a_target_that_is_no_reference_server_and_has_no_agents_is_a_configuration_error(tmp_path, run_cli):
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    try:
        result = run_cli("run", "--target", f"http://127.0.0.1:{web.server_port}", cwd=tmp_path)
    finally:
        web.shutdown()
    assert result.returncode == 2 and result.stderr.splitlines() == [
        f"gws-conformance: error: http://127.0.0.1:{web.server_port} is not a gws-conformance reference server and "
        "no agents are configured: configure [agents.originator], [agents.consultant] and a [source] "
        "(gws-conformance init writes a starter file)"
    ]


def test_selection_by_clause_glob_and_page(tmp_path, run_cli):
    result = run_cli("run", "--clause", "sms.common.reference-id.*", "--page", "consult", cwd=tmp_path)
    checks = [c["clause"] for c in load_results(tmp_path / "reports" / "results.json")["checks"]]
    assert result.returncode == 0 and sorted(checks) == [
        "sms.common.reference-id.echo",
        "sms.common.reference-id.unique",
    ]


def test_a_run_started_in_a_checkout_takes_no_conftest_from_it(tmp_path, run_cli):
    """pytest loads the conftest.py of the folder it starts in and of its test* folders: started in
    a checkout of this project, its tests/conftest.py (which needs the test extras) would join the run."""
    (tmp_path / "tests").mkdir()
    for folder in (tmp_path, tmp_path / "tests"):
        (folder / "conftest.py").write_text('raise ImportError("a conftest of the folder the run started in")\n')
    listed = run_cli("list", "--page", "resource", cwd=tmp_path)
    result = run_cli("run", "--page", "resource", cwd=tmp_path)
    assert listed.returncode == 0 and "test_resource.py::" in listed.stdout, listed.stderr[-2000:]
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_jobs_runs_the_checks_in_parallel_processes_on_a_plain_install(tmp_path, run_cli):
    result = run_cli("run", "--jobs", "2", "--page", "consult", "--page", "send-message", cwd=tmp_path)
    results = load_results(tmp_path / "reports" / "results.json")
    assert result.returncode == 0 and results["manifest"]["options"]["workers"] == 2


def test_max_time_stops_the_run_with_partial_reports_and_one_line(tmp_path, run_cli):
    result = run_cli("run", "--max-time", "0.5", "--", "--gws-fault", "no-typing-echo", cwd=tmp_path)
    results = load_results(tmp_path / "reports" / "results.json")
    stopped = "the run reached max_time (0.5 s) and stopped; the reports hold the checks that ran"
    assert result.returncode in (1, 3) and f"gws-conformance: {stopped}" in result.stdout.splitlines()
    assert results["manifest"]["options"]["stopped"] == stopped and results["checks"]  # partial, and written


def test_the_reports_are_the_same_whatever_the_concurrency(default_run, tmp_path, run_cli):
    """Scenarios run at the same time record under their own keys: the checks, their order, their
    verdicts and the recording keys do not depend on how many ran at once (one, or the default eight)."""
    result = run_cli("run", "--report-dir", "one", cwd=tmp_path, env={"GWS_CONFORMANCE_CONCURRENCY": "1"})
    assert result.returncode == 0, result.stdout[-2000:]
    one = load_results(tmp_path / "one" / "results.json")
    eight = load_results(default_run[1] / "reports" / "results.json")
    assert [(c["id"], c["verdict"], c["transcript"]) for c in one["checks"]] == [
        (c["id"], c["verdict"], c["transcript"]) for c in eight["checks"]
    ]
    assert set(one["recordings"]) == set(eight["recordings"])


def test_a_run_stopped_by_an_internal_error_is_never_green(tmp_path, run_cli):
    """Checks judged before the crash passed, the others never ran: exit 1, not 0."""
    (tmp_path / "crash_midway.py").write_text(
        "def pytest_runtest_logreport(report):\n"
        "    if report.when == 'teardown' and 'test_send_url' in report.nodeid:\n"
        "        raise RuntimeError('a plugin crashed mid-run')\n"
    )
    result = run_cli("run", "--", "-p", "crash_midway", cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)})
    assert "INTERNALERROR" in result.stdout + result.stderr, result.stdout[-2000:]
    assert result.returncode == 1, result.stdout[-2000:]


def test_a_must_clause_judged_by_no_check_is_not_green_unless_a_gap_accepts_it(tmp_path, run_cli):
    """Under a probe that shows what a phone shows, the typing-to-agents leak check skips: its MUST
    clause is judged by no check. Exit 4 (incomplete), 0 once a [[gap]] accepts it with a reason,
    and 1 when the gap is stale (the clause judged after all, against the plain probe)."""
    page = ("run", "--page", "send-start-typing-to-agents")
    unjudged = run_cli(*page, "--", "--gws-fault", "probe-as-a-phone", cwd=tmp_path)
    assert unjudged.returncode == 4, unjudged.stdout[-2000:]
    assert "UNJUDGED  1 MUST clause(s) judged by no check" in unjudged.stdout
    judged = re.search(r"MUST clauses judged (\d+)/(\d+)", unjudged.stdout.splitlines()[-1])
    assert judged and int(judged[1]) == int(judged[2]) - 1, unjudged.stdout[-500:]
    coverage = json.loads((tmp_path / "reports" / "results.json").read_text())["coverage"]["MUST"]
    assert coverage["unjudged"] == ["sms.send-start-typing-to-agents.visibility"] and coverage["accepted"] == []
    (tmp_path / "gaps.toml").write_text(
        '[[gap]]\nclause = "sms.send-*-typing-to-agents.visibility"\nreason = "the probe shows no indexes"\n'
    )
    accepted = run_cli(*page, "--waivers", "gaps.toml", "--", "--gws-fault", "probe-as-a-phone", cwd=tmp_path)
    assert accepted.returncode == 0 and "UNJUDGED" not in accepted.stdout, accepted.stdout[-2000:]
    stale = run_cli(*page, "--waivers", "gaps.toml", cwd=tmp_path)
    assert stale.returncode == 1 and "stale gap: sms.send-*-typing-to-agents.visibility" in stale.stdout


AGENT_LISTS = {
    "an-html-page": ("text/html", b"<html><body>Welcome</body></html>"),
    "agents-without-password": ("application/json", json.dumps({"agents": [{"username": "alice"}]}).encode()),
}


@pytest.mark.parametrize("answer", list(AGENT_LISTS))
def test_a_test_only_agent_list_that_is_no_such_list_is_one_line(tmp_path, run_cli, answer):
    """A target with no agents configured whose /conformance/v1/agents answers 200 with something
    else than a reference server's agent list: one line, exit 2, never a traceback."""
    content_type, body = AGENT_LISTS[answer]

    class Front(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Front)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    try:
        result = run_cli("run", "--target", f"http://127.0.0.1:{web.server_port}", cwd=tmp_path)
    finally:
        web.shutdown()
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("gws-conformance: error: http://127.0.0.1:")
    assert "is not a gws-conformance reference server and no agents are configured: configure" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_usernames_and_password_variables_alone_judge_every_check_that_needs_nothing_optional(tmp_path, run_cli):
    """No uri, no path (taken from GET /api/v2/me), no queue, no third, supervisor or featureless
    agent: every check that needs none of them is judged; the others skip naming the key that
    would make them apply, never error; the MUST clauses only they judge make the run incomplete
    (exit 4) until the waiver file accepts them as gaps, and then it is green."""
    from conformance.server.runner import ReferenceServer

    with ReferenceServer() as server:
        (tmp_path / "gws-conformance.toml").write_text(
            f'target = "{server.base_url}"\n'
            '[agents.originator]\nusername = "alice"\npassword_env = "PW_A"\n'
            '[agents.consultant]\nusername = "bob"\npassword_env = "PW_B"\n'
            '[source]\nkind = "reference"\n'
        )
        env = {"PW_A": "alice-pass", "PW_B": "bob-pass"}
        incomplete = run_cli("run", cwd=tmp_path, env=env)
        checks = load_results(tmp_path / "reports" / "results.json")["checks"]
        unjudged = load_results(tmp_path / "reports" / "results.json")["coverage"]["MUST"]["unjudged"]
        gaps = "".join(f'[[gap]]\nclause = "{c}"\nreason = "not configured on staging"\n' for c in unjudged)
        (tmp_path / "gaps.toml").write_text(gaps)
        green = run_cli("run", "--waivers", "gaps.toml", cwd=tmp_path, env=env)
    assert incomplete.returncode == 4, incomplete.stdout[-3000:]
    assert not [c["id"] for c in checks if c["verdict"] in ("error", "fail")], incomplete.stdout[-3000:]
    skipped = {c["skip_key"] for c in checks if c["verdict"] == "skip"}
    assert skipped and all(key.startswith(("agents.", "queue.", "source.")) for key in skipped), skipped
    assert "agents.originator.uri" not in skipped and "agents.consultant.uri" not in skipped  # discovered
    assert green.returncode == 0, green.stdout[-3000:]


def test_the_plugin_takes_page_names_as_users_give_them_and_exits_2_on_an_unknown_one(tmp_path):
    def plugin(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "--pyargs",
                "conformance.suites",
                "-q",
                "-p",
                "no:cacheprovider",
                *arguments,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )

    chosen = plugin("--gws-page", "Consult", "-k", "refusal_comes_with")
    assert chosen.returncode == 0 and "1 passed" in chosen.stdout, chosen.stdout[-2000:]
    unknown = plugin("--gws-page", "Consul")
    assert (
        unknown.returncode == 2
        and "gws-conformance: error: --page 'Consul': no such page" in unknown.stdout + unknown.stderr
    )
