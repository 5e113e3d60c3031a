"""Call-center routing: queues with agents (ACD), ring groups, supervisors, queue KPIs."""

from pbx import PbxError


class QueueError(PbxError):
    """A request about queues, agents or ring groups cannot be carried out; the text says why."""
