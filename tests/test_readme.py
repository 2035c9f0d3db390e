"""README.md promises commands; CI must run the very same test command."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _test_command_of_ci() -> str:
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    return next(line for line in lines if "pytest" in line and not line.startswith("#"))


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    command = _test_command_of_ci()
    assert command in (ROOT / "README.md").read_text(), command
