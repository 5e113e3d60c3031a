"""The panel's HTTPS certificate: what is in use, and the admin's own to install."""

from pbx.api import CertificateError, CertificateInfo, TlsIdentity
from webui.handler import PanelHandler


class CertificatePage(PanelHandler):
    """GET: the certificate in use. POST: install a PEM certificate (chain) and its key."""

    def get(self) -> None:
        self.render("certificate.html", info=self.web.identity.info(), error="", installed=False)

    async def post(self) -> None:
        files = self.request.files
        cert = files.get("certificate", [{}])[0].get("body", b"")
        key = files.get("key", [{}])[0].get("body", b"")
        try:
            await install_certificate(self, cert, key)
        except CertificateError as err:
            self.set_status(400)
            self.render(
                "certificate.html", info=self.web.identity.info(), error=str(err), installed=False
            )
            return
        self.render("certificate.html", info=self.web.identity.info(), error="", installed=True)


async def install_certificate(handler: PanelHandler, cert: bytes, key: bytes) -> CertificateInfo:
    """Install the PEM certificate (chain) and key, audited as certificate.install;
    CertificateError, with nothing written, if they cannot be used."""
    return await handler.audited(
        "certificate.install", "https", _install(handler.web.identity, cert, key)
    )


async def _install(identity: TlsIdentity, cert: bytes, key: bytes) -> CertificateInfo:
    # On the loop, not a thread: the TLS context it reloads is the one the
    # listener is handshaking with, and OpenSSL contexts are not for sharing.
    return identity.install(cert, key)
