"""/api/certificate: the Certificate page's operations as JSON, for API tokens and scripts."""

import dataclasses
from typing import ClassVar

from pbx.api import CertificateError, CertificateInfo
from webui.certificate_page import install_certificate
from webui.handler import ApiHandler, Refused

_PEM = {"type": "string", "contentMediaType": "application/x-pem-file"}
# The OpenAPI document's schemas for the certificate API (see ApiHandler).
SCHEMAS: dict[str, dict] = {
    "Certificate": {
        "type": "object",
        "properties": {
            "subject": {"type": "string", "description": "RFC 4514"},
            "issuer": {"type": "string", "description": "RFC 4514"},
            "not_before": {"type": "string", "format": "date-time"},
            "not_after": {"type": "string", "format": "date-time"},
            "sha256": {"type": "string", "description": "fingerprint, AB:CD:..."},
            "self_signed": {"type": "boolean", "description": "true: made by the box itself"},
        },
        "required": ["subject", "issuer", "not_before", "not_after", "sha256", "self_signed"],
    },
    "CertificateInstall": {
        "type": "object",
        "properties": {
            "certificate": {**_PEM, "description": "PEM; the chain may follow it"},
            "key": {**_PEM, "description": "its private key, PEM, unencrypted"},
        },
        "required": ["certificate", "key"],
        "additionalProperties": False,
    },
}


def certificate_dict(info: CertificateInfo) -> dict:
    """The certificate in use as JSON."""
    return dataclasses.asdict(info)


class CertificateApi(ApiHandler):
    """GET: the panel's HTTPS certificate in use. PUT: install your own (PEM) and its key."""

    api_schemas: ClassVar[dict[str, dict]] = SCHEMAS
    request_schema: ClassVar[dict[str, dict]] = {
        "PUT": {"$ref": "#/components/schemas/CertificateInstall"}
    }
    response_schema: ClassVar[dict[str, dict]] = {
        "GET": {"$ref": "#/components/schemas/Certificate"},
        "PUT": {"$ref": "#/components/schemas/Certificate"},
    }

    def get(self) -> None:
        """The certificate in use: subject, issuer, validity, SHA-256 fingerprint."""
        self.finish(certificate_dict(self.web.identity.info()))

    async def put(self) -> None:
        """Install a PEM certificate (its chain may follow it) and its unencrypted key.

        Checked before anything is written: the key must be the certificate's, the
        certificate valid today, and the TLS library must load the pair. New connections
        get it at once.
        """
        body = self.json_body()
        cert, key = body.get("certificate"), body.get("key")
        texts = isinstance(cert, str) and isinstance(key, str) and (cert + key).isascii()
        if set(body) != {"certificate", "key"} or not texts:
            raise Refused(400, 'send {"certificate": PEM text, "key": PEM text}')
        try:
            info = await install_certificate(self, cert.encode(), key.encode())
        except CertificateError as err:
            raise Refused(400, str(err)) from None
        self.finish(certificate_dict(info))
