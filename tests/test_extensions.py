"""Extensions: the secret policy, the hashes the edge checks, and `callbox ext`."""

import hashlib
import subprocess

import pytest

from pbx.extensions import (
    REALM,
    ExtensionError,
    Permission,
    check_number,
    check_secret,
    credentials,
    new_secret,
)
from tests.harness import CALLBOX
from tests.sip_probe import SipProbe


def test_made_up_secrets_are_long_random_and_accepted_by_the_policy():
    made = {new_secret() for _ in range(50)}
    assert len(made) == 50
    assert all(len(s) == 20 for s in made)
    for secret in made:
        assert check_secret(secret, "1001") == secret


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("Sh0rt!", "shorter than 12"),
        ("Abcdefg1001xyz!", "contains the extension number"),
        ("Password123456!", "common password"),
        ("Changeme-2024-x", "common password"),
        ("aaaaaaaaaaaaaaaaaaaa", "too few different characters"),
        ("abcdefghijklmn", "needs 3 of"),
        ("abc defg HIJ 123", "spaces"),
    ],
)
def test_weak_secrets_are_refused_with_the_reason(secret, why):
    with pytest.raises(ExtensionError, match=why):
        check_secret(secret, "1001")


def test_hashes_are_what_a_digest_client_computes():
    creds = credentials("1001", "Correct-Horse-42")
    assert creds.ha1 == hashlib.md5(f"1001:{REALM}:Correct-Horse-42".encode()).hexdigest()
    assert creds.ha1b == hashlib.md5(f"1001@{REALM}:{REALM}:Correct-Horse-42".encode()).hexdigest()


@pytest.mark.parametrize("number", ["0123", "1", "123456789", "12a4", ""])
def test_extension_numbers_are_checked(number):
    with pytest.raises(ExtensionError):
        check_number(number)


def test_permission_classes_are_ordered_and_named():
    assert Permission.INTERNAL < Permission.EMERGENCY < Permission.LOCAL < Permission.NATIONAL
    assert Permission.parse("International") is Permission.INTERNATIONAL
    with pytest.raises(ExtensionError, match="one of internal, emergency"):
        Permission.parse("world")


def ext(box, *args, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CALLBOX), "--config", str(box.config_path), "ext", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


def final_answer(box, number: str, secret: str) -> int | None:
    probe = SipProbe("127.0.0.3", box.edge)
    try:
        reply = probe.register(number, secret)[1]
    finally:
        probe.close()
    return reply.status if reply else None


@pytest.fixture
def box(make_daemon):
    return make_daemon().start()


def test_cli_adds_lists_changes_and_removes_extensions(box):
    added = ext(box, "add", "2001", "--name", "Front Desk", "--permission", "local")
    assert added.returncode == 0, added.stderr
    secret = added.stdout.split("secret: ")[1].split()[0]
    assert final_answer(box, "2001", secret) == 200, "a new extension registers at once"

    listed = ext(box, "list")
    assert "2001" in listed.stdout
    assert "Front Desk" in listed.stdout
    assert "local" in listed.stdout

    changed = ext(box, "set", "2001", "--new-secret", "--max-calls", "4")
    new = changed.stdout.split("secret: ")[1].split()[0]
    assert new != secret
    assert final_answer(box, "2001", secret) == 401, "the old secret stops working"
    assert final_answer(box, "2001", new) == 200

    assert ext(box, "del", "2001").returncode == 0
    assert final_answer(box, "2001", new) == 401
    assert "2001" not in ext(box, "list").stdout


def test_cli_takes_an_admin_secret_from_stdin_and_refuses_weak_ones(box):
    weak = ext(box, "add", "2002", "--name", "Lab", "--secret-stdin", stdin="password123\n")
    assert weak.returncode == 2
    assert "secret refused" in weak.stderr
    strong = ext(
        box, "add", "2002", "--name", "Lab", "--secret-stdin", stdin="Lab-Phone-Secret-77\n"
    )
    assert strong.returncode == 0, strong.stderr
    assert "secret:" not in strong.stdout, "an admin's own secret is not echoed"
    assert final_answer(box, "2002", "Lab-Phone-Secret-77") == 200


def test_cli_refuses_duplicates_and_unknown_extensions_clearly(box):
    assert ext(box, "add", "2003", "--name", "A").returncode == 0
    again = ext(box, "add", "2003", "--name", "B")
    assert (again.returncode, again.stderr.strip()) == (2, "callbox: extension 2003 already exists")
    missing = ext(box, "del", "2999")
    assert (missing.returncode, missing.stderr.strip()) == (2, "callbox: no extension 2999")
