"""Analog lines: FXS and FXO channels on the board's ports, as call legs the PBX can use."""

from pbx import PbxError


class PortBusy(PbxError):
    """A port cannot do that now: it is in a call, ringing, or its phone is off-hook."""
