"""A device's TLS identity: its own key and self-signed certificate, or one the admin installs.

The edge (SIP over TLS) and the web panel (HTTPS) each have one, made the same way.
"""

import datetime
import hmac
import ipaddress
import logging
import os
import socket
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pbx import PbxError

logger = logging.getLogger(__name__)
VALID_DAYS = 3650
MAX_UPLOAD_BYTES = 64 * 1024  # a key and a chain of a few certificates


class CertificateError(PbxError):
    """An uploaded certificate or key cannot be used; the text says why."""


def ensure_certificate(
    key_path: Path, cert_path: Path, addresses: list[str], label: str = "the edge's"
) -> bool:
    """Make the key and certificate unless both exist; True if they were made now.

    Each box makes its own at first start, so no two boxes share a key and none
    ships one. The key is written with mode 0600 before any byte goes in.
    """
    if key_path.exists() and cert_path.exists():
        return False
    key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write(key_path, key_pem, 0o600)
    _write(cert_path, _certificate(key, addresses).public_bytes(serialization.Encoding.PEM), 0o644)
    logger.info("made %s TLS key and certificate (%s)", label, fingerprint(cert_path))
    return True


def _write(path: Path, data: bytes, mode: int) -> None:
    """Replace `path` whole: a cut mid-write leaves the old file, never half a new one."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _certificate(key: ec.EllipticCurvePrivateKey, addresses: list[str]) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, socket.gethostname() or "pbx")])
    now = datetime.datetime.now(datetime.UTC)
    alt_names: list[x509.GeneralName] = [x509.DNSName(socket.gethostname() or "pbx")]
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if not ip.is_unspecified:
            alt_names.append(x509.IPAddress(ip))
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .sign(key, hashes.SHA256())
    )


def fingerprint(cert_path: Path) -> str:
    """SHA-256 fingerprint, as a technician compares it with what a phone shows."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


@dataclass(frozen=True)
class CertificateInfo:
    """What the panel shows of the certificate in use."""

    subject: str
    issuer: str
    not_before: str  # ISO 8601, UTC
    not_after: str  # ISO 8601, UTC
    sha256: str
    self_signed: bool


class TlsIdentity:
    """A server's key and certificate on disk, and the TLS context serving them.

    The context is made once; installing a new certificate reloads it in place,
    so the next connection gets the new one without a restart.
    """

    def __init__(self, key_path: Path, cert_path: Path, addresses: list[str], label: str) -> None:
        self.key_path = key_path
        self.cert_path = cert_path
        self._addresses = addresses
        self._label = label
        self._context: ssl.SSLContext | None = None
        self._info: CertificateInfo | None = None  # read again after an install

    def ensure(self) -> bool:
        """Make the device's own key and certificate at first start; True if made now."""
        return ensure_certificate(self.key_path, self.cert_path, self._addresses, self._label)

    def server_context(self) -> ssl.SSLContext:
        """The TLS context for the listener: TLS 1.2 and later, this identity's chain."""
        if self._context is None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(self.cert_path, self.key_path)
            self._context = context
        return self._context

    def info(self) -> CertificateInfo:
        """Subject, issuer, expiry and fingerprint of the certificate in use."""
        if self._info is not None:
            return self._info
        cert = x509.load_pem_x509_certificate(self.cert_path.read_bytes())
        self._info = CertificateInfo(
            cert.subject.rfc4514_string(),
            cert.issuer.rfc4514_string(),
            cert.not_valid_before_utc.isoformat(),
            cert.not_valid_after_utc.isoformat(),
            fingerprint(self.cert_path),
            cert.subject == cert.issuer,
        )
        return self._info

    def install(self, cert_pem: bytes, key_pem: bytes) -> CertificateInfo:
        """Replace the certificate with the admin's own (PEM chain, leaf first, and its key).

        Checked before anything is written: the chain parses, the key is the
        leaf's, the leaf is valid now, and the TLS library loads the pair.
        """
        _check_pair(cert_pem, key_pem)
        _write(self.key_path, key_pem, 0o600)
        _write(self.cert_path, cert_pem, 0o644)
        self._info = None
        if self._context is not None:
            self._context.load_cert_chain(self.cert_path, self.key_path)
        logger.info("installed a new %s certificate (%s)", self._label, fingerprint(self.cert_path))
        return self.info()


def _check_pair(cert_pem: bytes, key_pem: bytes) -> None:
    if len(cert_pem) > MAX_UPLOAD_BYTES or len(key_pem) > MAX_UPLOAD_BYTES:
        raise CertificateError(f"a certificate or key file is over {MAX_UPLOAD_BYTES} bytes")
    try:
        chain = x509.load_pem_x509_certificates(cert_pem)
    except ValueError:
        raise CertificateError("the certificate is not a PEM certificate") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise CertificateError("the key is not an unencrypted PEM private key") from None
    leaf = chain[0]
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if not hmac.compare_digest(
        leaf.public_key().public_bytes(*spki), key.public_key().public_bytes(*spki)
    ):
        raise CertificateError("the key does not belong to the (first) certificate")
    now = datetime.datetime.now(datetime.UTC)
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise CertificateError(
            f"the certificate is valid only from {leaf.not_valid_before_utc:%Y-%m-%d}"
            f" to {leaf.not_valid_after_utc:%Y-%m-%d}"
        )
    _check_loads(cert_pem, key_pem)


def _check_loads(cert_pem: bytes, key_pem: bytes) -> None:
    """The TLS library itself must accept the pair (key size, algorithms)."""
    with tempfile.TemporaryDirectory() as scratch:
        cert_file, key_file = Path(scratch, "cert.pem"), Path(scratch, "key.pem")
        _write(cert_file, cert_pem, 0o600)
        _write(key_file, key_pem, 0o600)
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert_file, key_file)
        except ssl.SSLError as err:
            raise CertificateError(f"the TLS library refuses the pair: {err.reason}") from None
