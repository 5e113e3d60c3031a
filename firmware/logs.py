"""Logging: to journald under systemd, to stderr otherwise, never blocking the loop."""

import logging
import logging.handlers
import os
import queue
import sys

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def _sink() -> logging.Handler:
    # systemd sets INVOCATION_ID for every unit it runs.
    if os.environ.get("INVOCATION_ID"):
        from systemd.journal import JournalHandler  # noqa: PLC0415 - only under systemd

        return JournalHandler(SYSLOG_IDENTIFIER="callbox")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    return handler


def start_logging(level: str) -> logging.handlers.QueueListener:
    """Route all logging through a queue to the sink; stop the returned listener at exit.

    The journal and a slow SD card can block for milliseconds: the queue keeps
    that off the event loop, the SIP thread and the media clock.
    """
    records: queue.SimpleQueue = queue.SimpleQueue()
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(records)]
    root.setLevel(level.upper())
    listener = logging.handlers.QueueListener(records, _sink(), respect_handler_level=False)
    listener.start()
    return listener
