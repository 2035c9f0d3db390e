"""Every check can fail: each fault of the reference server makes the checks of the clause it
breaks fail (MUST) or warn (SHOULD), with a message that names the clause and what was seen."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict

import pytest

import conformance.server.runner  # noqa: F401  (defines every fault of the server)
from conformance.commands import ISOLATED_PYTEST, SUITES
from conformance.server.faults import CATALOGUE
from conformance.spec.clauses import BY_ID, Level

# A fault whose notifications never reach the configured topic leaves the stream unobservable:
# the checks cannot run (error), which is the honest verdict (the configuration may be wrong).
UNOBSERVABLE = {"notifications-on-wrong-topic"}


@pytest.fixture(scope="module")
def checks_by_clause() -> dict[str, set[str]]:
    listing = subprocess.run([sys.executable, "-m", "conformance", "list"], capture_output=True, text=True,
                             check=True).stdout
    by_clause = defaultdict(set)
    for line in listing.splitlines():
        node, clause_id, _, _ = line.split("\t")
        by_clause[clause_id].add(node.split("::")[1].split("[")[0])
    return by_clause


def _run_suite_against(fault: str, checks: set[str], junit) -> tuple[int, list]:
    env = {**os.environ, "GWS_CONFORMANCE_BARRIER_TIMEOUT": "5"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", SUITES, *ISOLATED_PYTEST, "-q",
         "--gws-fault", fault, "--gws-deadline", "1", "-k", " or ".join(sorted(checks)),
         f"--junitxml={junit}", "-o", "junit_family=xunit1"],
        capture_output=True, text=True, env=env, timeout=300)
    return result.returncode, list(ElementTree.parse(junit).iter("testcase"))


@pytest.mark.parametrize("fault", sorted(CATALOGUE))
def test_the_fault_is_caught_by_the_checks_of_its_clause(fault, checks_by_clause, tmp_path):
    clause = BY_ID[CATALOGUE[fault].clause]
    checks = checks_by_clause[clause.id]
    assert checks, f"no check covers {clause.id}, so nothing can catch {fault}"
    code, cases = _run_suite_against(fault, checks, tmp_path / "junit.xml")
    outcomes = [child for case in cases for child in case if child.tag in ("failure", "error", "skipped")]
    messages = [child.get("message", "") + (child.text or "") for child in outcomes]
    if fault in UNOBSERVABLE:
        assert code == 3 and outcomes and all(o.tag == "error" for o in outcomes)
        assert any("cannot be observed" in m for m in messages)
    elif clause.level is Level.SHOULD:
        assert code == 0
        assert any(o.tag == "skipped" and f"WARN {clause.id} [SHOULD]" in m for o, m in zip(outcomes, messages))
    else:
        assert code == 1, messages
        assert any(o.tag == "failure" and f"{clause.id} [MUST]" in m for o, m in zip(outcomes, messages)), messages


def test_a_late_notification_is_named_late(tmp_path):
    code, cases = _run_suite_against("notifications-delayed", {"test_the_consult_notifies_exactly_the_documented_sequence"},
                                     tmp_path / "junit.xml")
    failures = [child.get("message", "") for case in cases for child in case if child.tag == "failure"]
    assert code == 1 and failures and all("late: ParticipantsUpdated arrived at +" in m for m in failures), failures
