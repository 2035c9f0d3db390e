"""The schemas ship inside the wheel and resolve there, offline."""

import subprocess
import sys
import zipfile

import pytest

from conformance.spec.schemas import SCHEMA_ROOT, shape_names

ROOT = SCHEMA_ROOT.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return next(out.glob("gws_conformance-*.whl"))


def test_the_wheel_contains_every_schema_and_sample(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for shape in shape_names():
        assert f"conformance/schemas/{shape}.json" in names
    assert "conformance/schemas/samples/consult/page.txt" in names
    assert "conformance/schemas/ERRATA.md" in names


def test_an_installed_wheel_validates_from_its_own_schemas(wheel, tmp_path):
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "from conformance.spec.schemas import SCHEMA_ROOT, validate, load_sample;"
        "print(SCHEMA_ROOT);"
        "print(validate('notifications/error', load_sample('consult/notification-error')))"
    )
    run = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {code}"],
        capture_output=True,
        text=True,
        check=True,
    )
    root, violations = run.stdout.splitlines()
    assert root == str(target / "conformance" / "schemas")
    assert violations == "[]"
