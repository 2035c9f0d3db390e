"""TLS for real: the suite against the reference server over HTTPS, with certificates from a
throwaway CA (trustme). Verified with a CA bundle, not verified, with a client certificate the
server requires; and refused, in one line naming the certificate problem, for a wrong CA, an
expired certificate, a hostname mismatch and a missing client certificate."""

import datetime

import pytest
import trustme

from conformance.commands.doctor import TLS_FIX
from conformance.server.runner import ReferenceServer, ServerTls


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


def serving(
    ca: trustme.CA, tmp_path, *identities: str, expired: bool = False, client_ca: trustme.CA | None = None
) -> ReferenceServer:
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    cert = ca.issue_cert(
        *identities, **({"not_before": past, "not_after": past + datetime.timedelta(days=1)} if expired else {})
    )
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "server.pem"))
    client = None
    if client_ca is not None:
        client_ca.cert_pem.write_to_path(str(tmp_path / "client-ca.pem"))
        client = tmp_path / "client-ca.pem"
    return ReferenceServer(tls=ServerTls(tmp_path / "server.pem", tmp_path / "server.pem", client))


def run(run_cli, tmp_path, server: ReferenceServer, tls: str):
    (tmp_path / "gws-conformance.toml").write_text(f'target = "{server.base_url}"\n[tls]\n{tls}')
    return run_cli("run", "-k", "user_uri or malformed", cwd=tmp_path)


def test_verified_with_the_ca_bundle(ca, tmp_path, run_cli):
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    with serving(ca, tmp_path, "127.0.0.1", "localhost") as server:
        result = run(run_cli, tmp_path, server, 'ca_bundle = "ca.pem"\n')
    assert server.base_url.startswith("https://") and result.returncode == 0, result.stdout[-2000:] + result.stderr


def test_not_verified_when_verify_is_false(ca, tmp_path, run_cli):
    with serving(ca, tmp_path, "127.0.0.1") as server:
        result = run(run_cli, tmp_path, server, "verify = false\n")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr


def test_a_client_certificate_the_server_requires(ca, tmp_path, run_cli):
    clients = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    clients.issue_cert("gws-conformance@example.com").private_key_and_cert_chain_pem.write_to_path(
        str(tmp_path / "client.pem")
    )
    with serving(ca, tmp_path, "127.0.0.1", client_ca=clients) as server:
        with_cert = run(
            run_cli, tmp_path, server, 'ca_bundle = "ca.pem"\nclient_cert = "client.pem"\nclient_key = "client.pem"\n'
        )
        without = run(run_cli, tmp_path, server, 'ca_bundle = "ca.pem"\n')
    assert with_cert.returncode == 0, with_cert.stdout[-2000:] + with_cert.stderr
    assert without.returncode == 3 and len(without.stderr.splitlines()) == 1, without.stderr
    assert without.stderr.startswith(f"gws-conformance: cannot reach {server.base_url}: ")


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ("wrong-ca", "CERTIFICATE_VERIFY_FAILED"),
        ("expired", "certificate has expired"),
        ("hostname-mismatch", "mismatch"),
    ],
)
def test_a_certificate_problem_is_one_line_naming_it(ca, tmp_path, run_cli, case, problem):
    other = trustme.CA()
    (other if case == "wrong-ca" else ca).cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    identities = ("example.org",) if case == "hostname-mismatch" else ("127.0.0.1",)
    with serving(ca, tmp_path, *identities, expired=case == "expired") as server:
        result = run(run_cli, tmp_path, server, 'ca_bundle = "ca.pem"\n')
    assert result.returncode == 3 and result.stderr.splitlines() == [result.stderr.strip()], result.stderr
    assert result.stderr.startswith(f"gws-conformance: cannot reach {server.base_url}: ConnectError: ")
    assert problem in result.stderr, result.stderr
    assert result.stderr.strip().endswith(f"(fix: {TLS_FIX})")  # the fix names [tls], not the address
