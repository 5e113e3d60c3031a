"""The SIP engine: the only package that imports pjsua2."""

from pbx.sip.engine import SipEngine
from pbx.sip.frame_queues import FrameQueues
from pbx.sip.settings import EngineError, EngineSettings, LegGone, ListenError, RecorderFile

__all__ = [
    "EngineError",
    "EngineSettings",
    "FrameQueues",
    "LegGone",
    "ListenError",
    "RecorderFile",
    "SipEngine",
]
