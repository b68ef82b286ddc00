"""E-mail alerts over SMTP, against real servers on 127.0.0.1 (aiosmtpd) that each test
starts and stops: AUTH, STARTTLS, implicit TLS, refusals, a server that is down or slow.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from sheetsync.config import Email
from sheetsync.messages import FAILED, SENT, SKIPPED, Result
from sheetsync.notify import Mailer, message_id
from tests.mailserver import (
    NOW,
    SENDER,
    Certificate,
    Login,
    Recorder,
    ended_for_everyone,
    free_port,
    outgoing,
    running,
    self_signed,
    silent_server,
    smtp_email,
)

PASSWORD = "s3cret-Pässword!"
PASSWORD_ENV = "SHEETSYNC_TEST_SMTP_PASSWORD"

Serve = Callable[..., Any]
auth_without_tls = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start servers with `serve(handler, **options)`; all of them stop after the test."""
    with ExitStack() as stack:
        def start(handler: Recorder | None = None, **options: Any) -> Any:
            return stack.enter_context(running(handler or Recorder(), **options))
        yield start


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def trusted(certificate: Certificate, monkeypatch: pytest.MonkeyPatch) -> Certificate:
    """The mailer trusts the test certificate, as with a studio's own CA (SSL_CERT_FILE)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    return certificate


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return PASSWORD


def send(email: Email, messages: list | None = None) -> list[Result]:
    return Mailer(email, currency="TRY").send(ended_for_everyone() if messages is None
                                              else messages, NOW)


def statuses(results: list[Result]) -> list[str]:
    return [r.status for r in results]


def assert_secret_free(results: list[Result]) -> None:
    import base64
    forms = [PASSWORD, base64.b64encode(PASSWORD.encode()).decode()]
    for result in results:
        for form in forms:
            assert form not in repr(result)


# -- delivery --------------------------------------------------------------------------

def test_every_message_is_delivered_with_its_headers(serve: Serve):
    recorder = Recorder()
    server = serve(recorder)
    messages = ended_for_everyone()
    results = send(smtp_email(server.port), messages)
    assert statuses(results) == [SENT] * 4
    assert all(r.sent_at == NOW and r.error == "" for r in results)
    assert recorder.recipients == [m.to_address for m in messages]
    for message, received, result in zip(messages, recorder.received, results, strict=True):
        assert received.mail_from == "studio@studio.example"
        mail = received.message
        assert mail["From"] == SENDER
        assert mail["To"].addresses[0].addr_spec == message.to_address
        assert mail["Subject"] == result.subject
        assert mail["Date"] == "Thu, 07 Jan 2027 15:30:00 " + mail["Date"].split()[-1]
        assert mail["Message-ID"] == message_id(message.key, SENDER)
        assert mail.get_content_type() == "multipart/alternative"
        received.raw.decode("ascii")  # 7-bit on the wire, whatever the names


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_login_after_starttls_with_a_self_signed_certificate(serve: Serve, trusted: Certificate,
                                                             password: str, mechanism: str):
    recorder, login = Recorder(), Login("studio@studio.example", PASSWORD)
    other = {"PLAIN": "LOGIN", "LOGIN": "PLAIN"}[mechanism]
    server = serve(recorder, tls_context=trusted.server_context(), require_starttls=True,
                   authenticator=login, auth_required=True,  # AUTH only after STARTTLS
                   auth_exclude_mechanism=[other])
    email = smtp_email(server.port, starttls=True, username="studio@studio.example",
                       password_env=PASSWORD_ENV)
    results = send(email)
    assert statuses(results) == [SENT] * 4, results
    assert len(recorder.received) == 4
    assert login.attempts == [(mechanism, "studio@studio.example")]  # one login per sync


@auth_without_tls  # the server's side: TLS is implicit, aiosmtpd does not see it
def test_implicit_tls(serve: Serve, trusted: Certificate, password: str):
    recorder, login = Recorder(), Login("studio", PASSWORD)
    server = serve(recorder, ssl_context=trusted.server_context(), authenticator=login,
                   auth_required=True, auth_require_tls=False)
    email = smtp_email(server.port, ssl=True, username="studio", password_env=PASSWORD_ENV)
    assert statuses(send(email)) == [SENT] * 4
    assert len(recorder.received) == 4 and len(login.attempts) == 1


def test_a_certificate_nobody_vouches_for_is_refused(serve: Serve, certificate: Certificate,
                                                     password: str,
                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    recorder = Recorder()
    server = serve(recorder, tls_context=certificate.server_context())
    email = smtp_email(server.port, starttls=True, username="studio", password_env=PASSWORD_ENV)
    results = send(email)
    assert statuses(results) == [FAILED] * 4
    assert "has a certificate that cannot be trusted" in results[0].error
    assert recorder.received == []


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(serve: Serve):
    recorder = Recorder()
    server = serve(recorder)  # no TLS at all
    results = send(smtp_email(server.port, starttls=True))
    assert statuses(results) == [FAILED] * 4
    assert "does not offer STARTTLS" in results[0].error
    assert recorder.received == []


# -- a server that is down, slow or says no --------------------------------------------

def test_a_server_that_is_down_fails_every_message_and_the_retry_sends_each_once(serve: Serve):
    port = free_port()
    messages = ended_for_everyone()
    first = send(smtp_email(port), messages)
    assert statuses(first) == [FAILED] * 4
    assert all(r.sent_at is None for r in first)
    assert f"the mail server 127.0.0.1:{port} refused the connection" in first[0].error
    assert not any(r.needs_action for r in first)  # a server that is down may come back
    assert all(r.subject for r in first)  # the Notifications tab can still say what it was
    recorder = Recorder()
    serve(recorder, port=port)  # the server comes back; the next sync retries the failed ones
    retry = [m for m, r in zip(messages, first, strict=True) if r.status == FAILED]
    assert statuses(send(smtp_email(port), retry)) == [SENT] * 4
    assert sorted(recorder.recipients) == sorted(m.to_address for m in messages)
    assert len(recorder.received) == 4


def test_one_refused_recipient_does_not_stop_the_others(serve: Serve):
    recorder = Recorder(refuse_rcpt={"elif@studio.example": "550 5.1.1 No such user here",
                                     "zeynep@studio.example": "451 4.7.1 Try again later"})
    server = serve(recorder)
    results = send(smtp_email(server.port))
    assert statuses(results) == [SENT, FAILED, FAILED, SENT]
    assert results[1].error == (f"the mail server 127.0.0.1:{server.port} refused the address "
                                "elif@studio.example: 550 5.1.1 No such user here"
                                )
    assert "451 4.7.1 Try again later" in results[2].error
    assert recorder.recipients == ["ayse@client.example", "can@studio.example"]


def test_a_refused_message_does_not_stop_the_others(serve: Serve):
    recorder = Recorder(refuse_data={"ayse@client.example": "554 5.6.0 Message rejected"})
    server = serve(recorder)
    results = send(smtp_email(server.port))
    assert statuses(results) == [FAILED, SENT, SENT, SENT]
    assert "refused the message to ayse@client.example: 554 5.6.0" in results[0].error


def test_a_server_closing_mid_sync_fails_the_rest(serve: Serve):
    recorder = Recorder(refuse_data={"elif@studio.example": "421 4.3.2 Shutting down"})
    server = serve(recorder)
    results = send(smtp_email(server.port))
    assert statuses(results) == [SENT, FAILED, FAILED, FAILED]
    assert "421 4.3.2 Shutting down" in results[1].error
    assert results[2].error.startswith("not sent: ") and "421" in results[2].error
    assert len(recorder.received) == 1


def test_a_server_that_never_answers_hits_the_timeout():
    with silent_server() as port:
        began = time.monotonic()
        results = send(smtp_email(port, timeout=0.3))
        elapsed = time.monotonic() - began
    assert statuses(results) == [FAILED] * 4
    assert results[0].error == f"the mail server 127.0.0.1:{port} did not answer within 0.3 seconds"
    assert elapsed < 3


def test_a_server_that_stalls_on_a_message_hits_the_timeout(serve: Serve):
    recorder = Recorder(data_delay=5)
    server = serve(recorder)
    began = time.monotonic()
    results = send(smtp_email(server.port, timeout=0.5))
    assert time.monotonic() - began < 4
    assert statuses(results) == [FAILED] * 4
    assert "did not answer within 0.5 seconds" in results[0].error
    assert results[1].error.startswith("not sent: ")


def test_recipients_without_an_address_are_skipped_and_need_no_server():
    port = free_port()  # nothing listens: connecting would fail
    results = send(smtp_email(port), [outgoing(address=""), outgoing(address="not-an-address")])
    assert statuses(results) == [SKIPPED, SKIPPED]


def test_skipped_and_sent_keep_their_order(serve: Serve):
    recorder = Recorder()
    server = serve(recorder)
    messages = ended_for_everyone()
    messages[1] = outgoing("E001/2/package_ended/staff:ST1", role="staff", address="")
    results = send(smtp_email(server.port), messages)
    assert statuses(results) == [SENT, SKIPPED, SENT, SENT]
    assert [r.key for r in results] == [m.key for m in messages]


# -- the password ----------------------------------------------------------------------

def test_a_missing_password_variable_fails_clearly_without_connecting(
        serve: Serve, trusted: Certificate, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    recorder, login = Recorder(), Login("studio", PASSWORD)
    server = serve(recorder, tls_context=trusted.server_context(), authenticator=login)
    email = smtp_email(server.port, starttls=True, username="studio", password_env=PASSWORD_ENV)
    results = send(email)
    assert statuses(results) == [FAILED] * 4
    assert results[0].error == (f"the environment variable {PASSWORD_ENV} is not set, so "
                                "sheetsync cannot log in to 127.0.0.1; set it where cron runs "
                                "sheetsync")
    assert all(r.needs_action for r in results)  # no retry mends it by itself
    assert login.attempts == [] and recorder.received == []


def test_a_refused_login_fails_and_never_shows_the_password(
        serve: Serve, trusted: Certificate, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    recorder = Recorder()
    login = Login("studio", "the-right-one", echo=True)  # the server repeats what it got
    server = serve(recorder, tls_context=trusted.server_context(), authenticator=login,
                   auth_required=True)
    email = smtp_email(server.port, starttls=True, username="studio", password_env=PASSWORD_ENV)
    results = send(email)
    assert statuses(results) == [FAILED] * 4
    assert "refused the login of studio (535 5.7.8 Wrong password" in results[0].error
    assert f"check the password in {PASSWORD_ENV}" in results[0].error
    assert "*****" in results[0].error  # the echoed password, scrubbed
    assert all(r.needs_action for r in results)
    assert_secret_free(results)
    assert recorder.received == []


def test_no_password_goes_over_a_connection_that_is_not_encrypted(serve: Serve, password: str):
    recorder, login = Recorder(), Login("studio", PASSWORD)
    server = serve(recorder, authenticator=login, auth_require_tls=False)  # it would accept
    email = smtp_email(server.port, username="studio", password_env=PASSWORD_ENV)
    results = send(email)
    assert statuses(results) == [FAILED] * 4
    assert "will not send the SMTP password over a connection that is not encrypted" \
        in results[0].error
    assert login.attempts == [] and recorder.received == []
    assert_secret_free(results)


@auth_without_tls
def test_insecure_auth_allows_it_on_a_trusted_network(serve: Serve, password: str):
    recorder, login = Recorder(), Login("studio", PASSWORD)
    server = serve(recorder, authenticator=login, auth_require_tls=False, auth_required=True)
    email = smtp_email(server.port, username="studio", password_env=PASSWORD_ENV,
                       insecure_auth=True)
    assert statuses(send(email)) == [SENT] * 4
    assert len(login.attempts) == 1


def test_the_outbox_is_not_used_when_smtp_is_set(serve: Serve, tmp_path: Path):
    server = serve()
    email = smtp_email(server.port)
    email = Email(sender=email.sender, smtp=email.smtp, outbox_dir=tmp_path / "outbox")
    assert statuses(send(email)) == [SENT] * 4
    assert not (tmp_path / "outbox").exists()


def test_a_fault_mid_sync_still_reports_what_was_sent(serve: Serve,
                                                      monkeypatch: pytest.MonkeyPatch):
    import smtplib
    recorder = Recorder()
    server = serve(recorder)
    real = smtplib.SMTP.send_message
    calls: list[int] = []

    def flaky(self: smtplib.SMTP, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("a bug")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", flaky)
    results = send(smtp_email(server.port))
    assert statuses(results) == [SENT, FAILED, FAILED, FAILED]
    assert results[1].error == "sheetsync failed while sending: RuntimeError: a bug"
    assert len(recorder.received) == 1
