"""Real mail servers on 127.0.0.1 for the notify tests, and the messages they build on.

`running(...)` starts an aiosmtpd server in a thread on a free port and always stops
it; `Recorder` keeps what the server accepted and can refuse recipients or messages;
`Login` checks AUTH and remembers every attempt; `self_signed(folder)` makes a
certificate for 127.0.0.1 and localhost with `cryptography`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sheetsync.config import Email, Smtp
from sheetsync.messages import Outgoing
from sheetsync.notify import sample_context

SENDER = "Studio Example <studio@studio.example>"
NOW = datetime(2027, 1, 7, 15, 30)


def parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return parse(self.raw)


@dataclass
class Recorder:
    """An aiosmtpd handler: accepts everything except what it is told to refuse."""

    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply
    refuse_data: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply
    data_delay: float = 0.0
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        for address in envelope.rcpt_tos:
            if address in self.refuse_data:
                return self.refuse_data[address]
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content))
        return "250 Message accepted for delivery"

    @property
    def recipients(self) -> list[str]:
        return [address for r in self.received for address in r.rcpt_tos]


@dataclass
class Login:
    """An aiosmtpd authenticator for one user; `echo` puts the tried password in its reply."""

    username: str
    password: str
    echo: bool = False
    attempts: list[tuple[str, str]] = field(default_factory=list)  # (mechanism, login)

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.attempts.append((mechanism, login))
        if (login, password) == (self.username, self.password):
            return AuthResult(success=True)
        reply = f"535 5.7.8 Wrong password {password!r} for {login}" if self.echo else None
        return AuthResult(success=False, handled=False, message=reply)


class _Server(Controller):
    """aiosmtpd's Controller, also on port 0 (the port the system picks)."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def running(handler: Recorder, port: int = 0, **options: Any) -> Iterator[_Server]:
    """An SMTP server on 127.0.0.1 for the duration of the block."""
    server = _Server(handler, hostname="127.0.0.1", port=port, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def free_port() -> int:
    """A port nothing listens on (a server may be started on it later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def self_signed(folder: Path) -> Certificate:
    """A certificate for localhost and 127.0.0.1, signed by its own key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sheetsync test server")])
    now = datetime.now(UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False),
                       critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    return paths


def smtp_email(port: int, **smtp: Any) -> Email:
    settings: dict[str, Any] = {"host": "127.0.0.1", "port": port, "starttls": False,
                                "timeout": 5.0, **smtp}
    return Email(sender=SENDER, smtp=Smtp(**settings))


def outgoing(key: str = "E001/2/package_ended/client:C001", event: str = "package_ended",
             role: str = "client", name: str = "Ayşe Çelik",
             address: str = "ayse@client.example", **context: Any) -> Outgoing:
    """One alert with the sample context; keyword arguments change template variables."""
    variables = sample_context(**context)
    variables["recipient"] = {"name": name, "role": role}
    return Outgoing(key=key, event=event, role=role, to_name=name, to_address=address,
                    context=variables)


def ended_for_everyone() -> list[Outgoing]:
    """The four messages of one ended period: client, staff and two managers."""
    return [
        outgoing(),
        outgoing("E001/2/package_ended/staff:ST1", role="staff", name="Elif Demir",
                 address="elif@studio.example"),
        outgoing("E001/2/package_ended/manager:MGR", role="manager", name="Zeynep Kaya",
                 address="zeynep@studio.example"),
        outgoing("E001/2/package_ended/manager:MGR2", role="manager", name="Can Yıldız",
                 address="can@studio.example"),
    ]

