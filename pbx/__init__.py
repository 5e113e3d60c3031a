"""The telephony layer: calls, lines, routing, media, storage and the service API."""


class PbxError(Exception):
    """Root of every error the pbx layer raises on purpose."""
