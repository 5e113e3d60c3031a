"""A long-lived daemon for call-center tests, with its CLI, phones and provider calls."""

import contextlib
import subprocess
import threading
from collections.abc import Iterator

from firmware import control
from tests.harness import CALLBOX, Daemon, free_port, short_tempdir
from tests.phone_client import Phone


@contextlib.contextmanager
def running_box(extensions: dict[str, str]) -> Iterator[Daemon]:
    """A daemon with these extensions (number -> name), for a whole test module;
    `box.secrets` holds their secrets."""
    with short_tempdir() as workdir:
        (workdir / "box").mkdir()
        daemon = Daemon(workdir / "box")
        try:
            daemon.start()
            read_notifications(daemon)
            daemon.secrets = {n: daemon.add_extension(n, name) for n, name in extensions.items()}
            yield daemon
        finally:
            daemon.close()


def read_notifications(daemon: Daemon) -> threading.Thread:
    """Keep reading the daemon's systemd notifications, as systemd does: unread, they
    fill the socket within a minute, and the daemon's next one blocks its loop."""

    def read() -> None:
        while daemon.process.poll() is None:
            with contextlib.suppress(AssertionError, OSError):
                daemon.wait_notification("(read them all)", timeout_s=1)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def cli(box: Daemon, *args) -> subprocess.CompletedProcess:
    """`callbox ARGS...` against the box, as a user types it."""
    return subprocess.run(
        [str(CALLBOX), "--config", str(box.config_path), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def ask(box: Daemon, command: str, **args):
    """One control-socket command."""
    return control.request(box.data_dir / "callbox.sock", command, **args)


def extension(box: Daemon, number: str, host: str) -> Phone:
    """A pjsua2 phone registered as extension `number` from `host`."""
    phone = Phone.start(
        port=free_port(),
        name=f"p{number}",
        user=number,
        secret=box.secrets[number],
        bind=host,
        registrar=box.registrar,
    )
    try:
        phone.wait_for("registration", active=True, timeout=10)
    except BaseException:
        phone.close()
        raise
    return phone


def provider_caller(box: Daemon, trunk: str, caller: str = "447700900555") -> Phone:
    """A phone the box takes for trunk `trunk`'s provider (the trunk is added for
    its address and port), calling as `caller`."""
    port = free_port()
    ask(box, "trunk.add", name=trunk, host=f"127.0.0.1:{port}")
    return Phone.start(port=port, name=caller)
