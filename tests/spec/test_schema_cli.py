"""gws-conformance schema list | validate: output and exit codes, usage errors without tracebacks."""

import json
import subprocess
import sys

import pytest

from conformance.cli import main
from conformance.spec.schemas import SCHEMA_ROOT, shape_names

SAMPLE = SCHEMA_ROOT / "samples" / "consult" / "notification-participants-updated.json"


def test_list_prints_every_shape_with_its_title(capsys):
    assert main(["schema", "list"]) == 0
    out = capsys.readouterr().out
    for name in shape_names():
        assert name in out
    assert "ParticipantsUpdated notification" in out


def test_a_valid_document_exits_0(capsys):
    assert main(["schema", "validate", "notifications/participants-updated", str(SAMPLE)]) == 0
    assert "valid notifications/participants-updated" in capsys.readouterr().out


def test_an_invalid_document_exits_1_with_each_violation_path_and_keyword(tmp_path, capsys):
    document = json.loads(SAMPLE.read_text())
    document["smssession"]["state"] = "Consulting"
    del document["messageType"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    assert main(["schema", "validate", "notifications/participants-updated", str(broken)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "$: [required] 'messageType' is a required property" in out
    assert any(line.startswith("$.smssession.state: [enum]") for line in out)


def test_stdin_is_read_for_dash(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO('{"statusCode": 0, "referenceId": "35"}'))
    assert main(["schema", "validate", "responses/accepted", "-"]) == 1
    assert "$.referenceId: [type]" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["schema", "validate", "notifications/nope", "FILE"], "unknown shape 'notifications/nope'"),
        (["schema", "validate", "responses/accepted", "/does/not/exist.json"], "cannot read /does/not/exist.json"),
        (["schema", "validate", "responses/accepted", "NOTJSON"], "is not JSON"),
        (["schema", "validate", "responses/accepted", "BINARY"], "is not UTF-8 text"),
    ],
)
def test_usage_errors_exit_2_with_one_line(arguments, message, tmp_path, capsys):
    (tmp_path / "NOTJSON").write_text("{not json")
    (tmp_path / "BINARY").write_bytes(b"\xff\xfe\x00")
    arguments = [str(tmp_path / a) if a in ("NOTJSON", "BINARY", "FILE") else a for a in arguments]
    assert main(arguments) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_arguments_are_usage_errors(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["schema", "validate", "responses/accepted"])
    assert exit_info.value.code == 2


def test_the_console_script_exits_like_main():
    run = subprocess.run(
        [sys.executable, "-m", "conformance", "schema", "validate", "bogus", "x"], capture_output=True, text=True
    )
    assert run.returncode == 2 and "unknown shape 'bogus'" in run.stderr and "Traceback" not in run.stderr
