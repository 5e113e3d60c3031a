"""The database tables, as peewee models bound to the open database."""

import peewee


class CallRecord(peewee.Model):
    """One call leg's detail record, written as the leg starts and completed as it ends."""

    uid = peewee.CharField(unique=True, max_length=32)
    call_uid = peewee.CharField(max_length=32, index=True, default="")  # legs of one call
    direction = peewee.CharField(max_length=8)
    caller_number = peewee.CharField(max_length=64)
    caller_name = peewee.CharField(max_length=128)
    dialled = peewee.CharField(max_length=64, index=True)
    remote_uri = peewee.CharField(max_length=256)
    started_at = peewee.DateTimeField(index=True)
    answered_at = peewee.DateTimeField(null=True)
    ended_at = peewee.DateTimeField(null=True)
    disposition = peewee.CharField(max_length=16, default="in-progress")
    status_code = peewee.IntegerField(default=0)
    reason = peewee.CharField(max_length=128, default="")
    rtp_rx_packets = peewee.IntegerField(default=0)
    rtp_tx_packets = peewee.IntegerField(default=0)
    rtp_rx_lost = peewee.IntegerField(default=0)
    codec = peewee.CharField(max_length=32, default="")
    trunk = peewee.CharField(max_length=32, default="")  # the trunk the leg used, if any
    line = peewee.CharField(max_length=16, default="")  # the analog line (fxs1, fxo2), if any
    # Recording: the leg's latest recording, and how recording went (see RecordingRecord).
    recording_uid = peewee.CharField(max_length=32, default="", index=True)
    recording_status = peewee.CharField(max_length=24, default="")

    class Meta:
        table_name = "call_record"


class ExtensionRecord(peewee.Model):
    """An extension; its secret is kept only as the digest hashes the edge checks."""

    number = peewee.CharField(unique=True, max_length=8)
    name = peewee.CharField(max_length=64)
    caller_id_name = peewee.CharField(max_length=64)
    caller_id_number = peewee.CharField(max_length=32)
    permission = peewee.IntegerField()
    max_calls = peewee.IntegerField()
    ha1 = peewee.CharField(max_length=32)
    ha1b = peewee.CharField(max_length=32)
    updated_at = peewee.DateTimeField()
    recording = peewee.CharField(max_length=16, default="")  # policy; "": the box's default

    class Meta:
        table_name = "extension"


class TrunkRecord(peewee.Model):
    """A provider trunk: its settings as JSON, and the secret it answers challenges with.

    The secret has to be readable: the box computes digest responses from it.
    """

    name = peewee.CharField(unique=True, max_length=32)
    settings = peewee.TextField()
    secret = peewee.CharField(max_length=128, default="")
    updated_at = peewee.DateTimeField()

    class Meta:
        table_name = "trunk"


class RouteRecord(peewee.Model):
    """An outbound route, its settings as JSON."""

    name = peewee.CharField(unique=True, max_length=32)
    settings = peewee.TextField()
    updated_at = peewee.DateTimeField()

    class Meta:
        table_name = "outbound_route"


class RecordingRecord(peewee.Model):
    """One call recording: its files (relative to the recordings directory) and how it went.

    Written before the recorder opens its file, so every file on disk has a row,
    and a row still 'recording' at start-up names a file a cut left open.
    """

    uid = peewee.CharField(unique=True, max_length=32)
    call_uid = peewee.CharField(max_length=32, index=True)
    cdr_uid = peewee.CharField(max_length=32, default="")  # the caller leg's call_record
    caller = peewee.CharField(max_length=64, default="")
    callee = peewee.CharField(max_length=64, default="")
    policy = peewee.CharField(max_length=64, default="default")  # retention and quota class
    path = peewee.CharField(max_length=128)
    two_channel_path = peewee.CharField(max_length=128, default="")
    status = peewee.CharField(max_length=24, default="recording")
    started_at = peewee.DateTimeField(index=True)
    ended_at = peewee.DateTimeField(null=True)
    duration_ms = peewee.IntegerField(default=0)
    size_bytes = peewee.IntegerField(default=0)
    queue = peewee.CharField(max_length=32, default="", index=True)  # the queue it came through
    agent = peewee.CharField(max_length=8, default="", index=True)  # the extension that answered

    class Meta:
        table_name = "recording"


class ConfigObjectRecord(peewee.Model):
    """A named call-center object (inbound route, time condition, IVR, prompt, music
    class ...): its kind, its name, its settings as JSON."""

    kind = peewee.CharField(max_length=32)
    name = peewee.CharField(max_length=64)
    settings = peewee.TextField()
    updated_at = peewee.DateTimeField()

    class Meta:
        table_name = "config_object"
        indexes = ((("kind", "name"), True),)


# --- queues, agents and ring groups (pbx/queues) -------------------------------------


class QueueRecord(peewee.Model):
    """A queue or a ring group (`kind`), its settings as JSON."""

    kind = peewee.CharField(max_length=8)  # "queue" or "group"
    name = peewee.CharField(max_length=32)
    settings = peewee.TextField()
    updated_at = peewee.DateTimeField()

    class Meta:
        table_name = "queue"
        indexes = ((("kind", "name"), True),)


class AgentRecord(peewee.Model):
    """An agent's log-in and pause, kept across restarts."""

    extension = peewee.CharField(unique=True, max_length=8)
    logged_in = peewee.BooleanField(default=False)
    paused = peewee.BooleanField(default=False)
    pause_reason = peewee.CharField(max_length=64, default="")
    updated_at = peewee.DateTimeField()

    class Meta:
        table_name = "queue_agent"


class QueueEventRecord(peewee.Model):
    """One queue event (pbx.queues.queue_event.QueueEvent), written as it happens."""

    at = peewee.DateTimeField(index=True)
    kind = peewee.CharField(max_length=20)
    queue = peewee.CharField(max_length=32, index=True, default="")
    agent = peewee.CharField(max_length=8, index=True, default="")
    caller_number = peewee.CharField(max_length=64, default="")
    entry = peewee.CharField(max_length=32, default="")
    wait_s = peewee.FloatField(default=0.0)
    talk_s = peewee.FloatField(default=0.0)
    hold_s = peewee.FloatField(default=0.0)
    wrapup_s = peewee.FloatField(default=0.0)
    position = peewee.IntegerField(default=0)
    reason = peewee.CharField(max_length=64, default="")

    class Meta:
        table_name = "queue_event"


QUEUE_MODELS = [QueueRecord, AgentRecord, QueueEventRecord]


# --- the web panel's access control (pbx/access) -------------------------------------


class UserRecord(peewee.Model):
    """A panel user; the password only as its argon2id hash."""

    username = peewee.CharField(unique=True, max_length=32)
    role = peewee.CharField(max_length=16)
    password_hash = peewee.CharField(max_length=256)
    created_at = peewee.DateTimeField()
    password_changed_at = peewee.DateTimeField()
    language = peewee.CharField(max_length=8, default="")  # "" for the box's language
    extension = peewee.CharField(max_length=8, default="")  # the agent this user is

    class Meta:
        table_name = "panel_user"


class SessionRecord(peewee.Model):
    """A signed-in browser, by the SHA-256 of its session id (the id is only in the cookie)."""

    key = peewee.CharField(unique=True, max_length=64)
    username = peewee.CharField(max_length=32, index=True)
    csrf_token = peewee.CharField(max_length=64)
    created_s = peewee.FloatField()
    last_seen_s = peewee.FloatField()
    source = peewee.CharField(max_length=64, default="")

    class Meta:
        table_name = "panel_session"


class ApiTokenRecord(peewee.Model):
    """An API token, by the SHA-256 of its secret."""

    token_id = peewee.CharField(unique=True, max_length=16)
    secret_hash = peewee.CharField(unique=True, max_length=64)
    username = peewee.CharField(max_length=32, index=True)
    label = peewee.CharField(max_length=64, default="")
    created_at = peewee.DateTimeField()
    last_used_s = peewee.FloatField(default=0.0)

    class Meta:
        table_name = "api_token"


class AuditRecord(peewee.Model):
    """One audit event: appended, never changed; the oldest trimmed past a bound."""

    at = peewee.DateTimeField(index=True)
    actor = peewee.CharField(max_length=32)
    source = peewee.CharField(max_length=64)
    action = peewee.CharField(max_length=32, index=True)
    target = peewee.CharField(max_length=64, default="")
    outcome = peewee.CharField(max_length=16)
    detail = peewee.CharField(max_length=256, default="")

    class Meta:
        table_name = "audit_event"


ACCESS_MODELS = [UserRecord, SessionRecord, ApiTokenRecord, AuditRecord]


MAIN = [
    CallRecord,
    ExtensionRecord,
    TrunkRecord,
    RouteRecord,
    ConfigObjectRecord,
    RecordingRecord,
    *QUEUE_MODELS,
    *ACCESS_MODELS,
]
