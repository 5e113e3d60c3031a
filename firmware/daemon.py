"""`callbox run`: the daemon's life from start to a clean stop."""

import asyncio
import contextlib
import logging
import os
import resource
import signal
import threading

from firmware.box import Box
from firmware.config import Config
from firmware.notify import SystemdNotifier
from pbx.api import BoxStatus, ServiceApi

logger = logging.getLogger(__name__)

_STATUS_INTERVAL_S = 5.0


def raise_file_limit() -> None:
    """Every call leg holds two sockets: lift the soft descriptor limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (OSError, ValueError) as err:
            logger.warning("open-file limit stays at %d: %s", soft, err)


EXIT_STOP_TIMEOUT = 70  # sysexits EX_SOFTWARE: the clean stop overran its bound


def _arm_stop_deadline(timeout_s: float) -> threading.Timer:
    """End the process if the clean stop overruns `timeout_s`.

    The stop waits on threads (SIP, database) that no coroutine can cancel; a
    wedged one must not keep a half-stopped box from being restarted.
    """

    def overrun() -> None:
        logger.critical("clean stop overran %.1f s: exiting now", timeout_s)
        logging.shutdown()
        os._exit(EXIT_STOP_TIMEOUT)

    timer = threading.Timer(timeout_s, overrun)
    timer.daemon = True
    timer.start()
    return timer


def _status_line(status: BoxStatus) -> str:
    return f"{status.calls_active} calls up, engine {status.engine}"


async def _keep_alive(box: Box, notifier: SystemdNotifier) -> None:
    # A stalled SIP thread stops the watchdog pings, and systemd restarts the box.
    interval_s = min(notifier.watchdog_interval_s or _STATUS_INTERVAL_S, _STATUS_INTERVAL_S)
    while True:
        await asyncio.sleep(interval_s)
        status = box.api.status()
        if status.engine == "running":
            notifier.watchdog()
        else:
            logger.error("SIP engine %s: withholding the watchdog ping", status.engine)
        notifier.status(_status_line(status))


async def serve(config: Config) -> int:
    """Run the box until SIGTERM or SIGINT (or it asks to restart), stop it cleanly; the status."""
    loop = asyncio.get_running_loop()
    loop.set_debug(config.daemon.debug)
    stop_requested = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop_requested.set)
    notifier = SystemdNotifier()
    raise_file_limit()
    exit_status = 0

    def stop(status: int) -> None:  # the box asks to be started again (EXIT_RESTART)
        nonlocal exit_status
        exit_status = status
        stop_requested.set()

    box = Box(config, stop)
    deadline = None
    async with contextlib.AsyncExitStack() as stack:
        await box.start(stack)
        notifier.ready(_status_line(box.api.status()))
        _announce(config, box.api)
        keep_alive = asyncio.create_task(_keep_alive(box, notifier))
        await stop_requested.wait()
        logger.info("stopping")
        notifier.stopping()
        deadline = _arm_stop_deadline(config.daemon.shutdown_timeout_s)
        keep_alive.cancel()
    deadline.cancel()
    logger.info("stopped cleanly%s", f" (exit status {exit_status})" if exit_status else "")
    return exit_status


def _announce(config: Config, api: ServiceApi) -> None:
    engine, numbers = config.engine, config.diagnostics
    logger.info(
        "callbox is up: SIP engine on %s:%d, data in %s",
        engine.address,
        engine.sip_port,
        config.daemon.data_dir,
    )
    logger.info("test numbers: %s echo, %s 1004 Hz tone", numbers.echo_number, numbers.tone_number)
    web = api.web.status()
    logger.info("web panel: %s (certificate SHA-256 %s)", web["url"], web["certificate_sha256"])
    if "setup_token" in web:
        logger.warning(
            "first start: open %ssetup and enter the setup token %s",
            web["url"],
            web["setup_token"],
        )
