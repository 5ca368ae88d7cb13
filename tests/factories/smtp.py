"""A real SMTP server in the test (aiosmtpd on 127.0.0.1 and a free port) that keeps
every mail it accepted, can be told to answer 451 or 550, and can speak TLS (from the
start, or after STARTTLS, with a login) with a self-signed certificate made here."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["Accepted", "Certificate", "MailServer", "Recorder", "mail_server", "self_signed"]


@dataclass(frozen=True)
class Accepted:
    """One mail the server accepted: the envelope and the message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def text(self) -> str:
        """The plain text, with the wire's CRLF line ends read as newlines."""
        content = self.message.get_content()
        assert isinstance(content, str)
        return content.replace("\r\n", "\n").rstrip("\n")


@dataclass
class Recorder:
    """The aiosmtpd handler: keeps what it accepted; `data_answer` (e.g. "451 ...")
    refuses every mail at its data, `refuse` refuses these recipients at RCPT."""

    accepted: list[Accepted] = field(default_factory=list)
    data_answer: str | None = None
    refuse: dict[str, str] = field(default_factory=dict)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SmtpServer, session: Session, envelope: Envelope, address: str, _: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SmtpServer, session: Session, envelope: Envelope) -> str:
        if self.data_answer is not None:
            return self.data_answer
        content = envelope.original_content or b""
        self.accepted.append(
            Accepted(str(envelope.mail_from), tuple(envelope.rcpt_tos), bytes(content))
        )
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SmtpServer, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == b"right-password"
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=ok)  # a failure: the server answers 535


@dataclass
class MailServer:
    port: int
    recorder: Recorder

    @property
    def accepted(self) -> list[Accepted]:
        return self.recorder.accepted


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost, as files and for clients."""

    cert_file: Path
    key_file: Path
    pem: str

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        """What a client trusts: this certificate only."""
        return ssl.create_default_context(cadata=self.pem)


def self_signed(folder: Path) -> Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Certificate(cert_file, key_file, pem.decode())


@contextmanager
def mail_server(
    port: int,
    recorder: Recorder | None = None,
    *,
    tls: Certificate | None = None,
    starttls: Certificate | None = None,
) -> Iterator[MailServer]:
    """An SMTP server on 127.0.0.1:`port` while the block runs. `tls`: TLS from the
    start; `starttls`: STARTTLS required, and a login (password "right-password")."""
    recorder = recorder or Recorder()
    options: dict[str, Any] = {}
    if tls is not None:
        options["ssl_context"] = tls.server_context()
    if starttls is not None:
        options.update(
            tls_context=starttls.server_context(),
            require_starttls=True,
            authenticator=recorder.authenticate,
            auth_required=True,
            auth_require_tls=True,
        )
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield MailServer(port, recorder)
    finally:
        controller.stop()
