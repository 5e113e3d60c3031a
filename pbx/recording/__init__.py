"""Call recording: policies, the recorder, crash repair, storage, retention and quotas."""

from pbx.recording.disk_watch import DiskWatch
from pbx.recording.feature_code import FeatureCode
from pbx.recording.policy import (
    RecordingMode,
    RecordingPolicies,
    RecordingPolicy,
    Retention,
    Scope,
    extension_policies,
)
from pbx.recording.recorder import CallRecorder
from pbx.recording.service import RecordingError, RecordingService
from pbx.recording.storage import RecordingStorage

__all__ = [
    "CallRecorder",
    "DiskWatch",
    "FeatureCode",
    "RecordingError",
    "RecordingMode",
    "RecordingPolicies",
    "RecordingPolicy",
    "RecordingService",
    "RecordingStorage",
    "Retention",
    "Scope",
    "extension_policies",
]
