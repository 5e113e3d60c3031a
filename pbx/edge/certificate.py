"""The edge's TLS identity: a key and self-signed certificate made on each device."""

import datetime
import ipaddress
import logging
import os
import socket
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

logger = logging.getLogger(__name__)
VALID_DAYS = 3650


def ensure_certificate(key_path: Path, cert_path: Path, addresses: list[str]) -> bool:
    """Make the key and certificate unless both exist; True if they were made now.

    Each box makes its own at first start, so no two boxes share a key and none
    ships one. The key is written with mode 0600 before any byte goes in.
    """
    if key_path.exists() and cert_path.exists():
        return False
    key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    cert_path.write_bytes(_certificate(key, addresses).public_bytes(serialization.Encoding.PEM))
    logger.info("made the edge's TLS key and certificate (%s)", fingerprint(cert_path))
    return True


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
