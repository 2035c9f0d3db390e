"""``gws-conformance repro CHECK_ID``: one check again, live."""

import re

CHECK = "test_consult.py::test_participants_updated_comes_before_the_join[originator]"
NOTIFIED = re.compile(r"^\+ *[\d.]+s  originator \(\w+\) notified: (\S+)")


def originator_notifications_after_the_consult(output: str) -> list[str]:
    """What the originator was notified of from the Consult request on, in the printed order."""
    lines = output.splitlines()
    consult = next(i for i, line in enumerate(lines) if "-> POST" in line and '"operationName": "Consult"' in line)
    return [m[1] for line in lines[consult:] if (m := NOTIFIED.match(line))]


def test_repro_of_a_reordered_consult_shows_the_order_that_arrived_and_exits_1(run_cli, tmp_path):
    result = run_cli("repro", CHECK, "--fault", "consult-notifications-swapped", cwd=tmp_path)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    seen = originator_notifications_after_the_consult(result.stdout)
    assert seen[:2] == ["NewMessages(ParticipantJoined)", "ParticipantsUpdated[Chatting]"], seen
    lines = result.stdout.splitlines()
    assert lines[0] == "gws-conformance: 1 checks" and f"--- the check: {CHECK}" in lines
    assert any(line.startswith(f"FAIL   {CHECK}  sms.consult.notify.order [MUST] reordered:") for line in lines)
    assert lines[-1].startswith("gws-conformance: 1 checks: 1 fail;") and lines[-1].endswith("; exit 1")
    assert "«redacted»" in result.stdout  # customer content stays redacted, as in the reports


def test_repro_against_a_correct_server_shows_the_documented_order_and_exits_0(run_cli, tmp_path):
    result = run_cli("repro", CHECK, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    seen = originator_notifications_after_the_consult(result.stdout)
    assert seen[:2] == ["ParticipantsUpdated[Chatting]", "NewMessages(ParticipantJoined)"], seen
    closing = result.stdout.splitlines()[-1]
    assert closing.startswith("gws-conformance: 1 checks: 1 pass; MUST clauses judged 1/1") and closing.endswith(
        "exit 0"
    )


def test_repro_of_an_unknown_check_names_the_close_ones(run_cli, tmp_path):
    result = run_cli("repro", CHECK.split("[")[0], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("gws-conformance: error: no check is named ") and CHECK in result.stderr
