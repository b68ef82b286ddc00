"""E-mail alerts without SMTP: one .eml file per message in outbox_dir, never twice, each
`queued` (nothing left the machine), never `sent`."""

from __future__ import annotations

from pathlib import Path

from sheetsync.config import Email
from sheetsync.messages import FAILED, QUEUED, SKIPPED
from sheetsync.notify import Mailer, message_id, outbox_name
from tests.mailserver import NOW, SENDER, ended_for_everyone, outgoing, parse


def outbox_mailer(folder: Path) -> Mailer:
    return Mailer(Email(sender=SENDER, outbox_dir=folder), currency="TRY")


def test_each_message_becomes_one_parseable_eml_file(tmp_path: Path):
    folder = tmp_path / "outbox"  # created when needed
    messages = ended_for_everyone()
    results = outbox_mailer(folder).send(messages, NOW)
    assert [r.status for r in results] == [QUEUED] * 4
    assert all(r.sent_at is None for r in results)  # nothing left the machine
    assert [r.error for r in results] == [
        f"in the outbox as {folder / outbox_name(m.key)}; nothing left the machine"
        for m in messages]
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == sorted(outbox_name(m.key) for m in messages)
    for message, result in zip(messages, results, strict=True):
        raw = (folder / outbox_name(message.key)).read_bytes()
        assert b"\r\n" in raw  # canonical line ends, as on the wire
        mail = parse(raw)
        assert mail["To"].addresses[0].addr_spec == message.to_address
        assert mail["Subject"] == result.subject
        assert mail["Message-ID"] == message_id(message.key, SENDER)
        assert mail["X-Sheetsync-Key"] == message.key
        assert mail.get_content_type() == "multipart/alternative"
        assert message.to_name in mail.get_body(("plain",)).get_content()


def test_a_file_already_there_for_a_key_is_not_written_again(tmp_path: Path):
    mailer = outbox_mailer(tmp_path)
    first = mailer.send([outgoing()], NOW)
    path = tmp_path / outbox_name(outgoing().key)
    before = path.read_bytes()
    again = mailer.send([outgoing(total_due=1), outgoing("E001/3/package_ended/client:C001")],
                        NOW)
    assert first[0].status == again[0].status == again[1].status == QUEUED
    assert again[0].error == f"in the outbox as {path}; nothing left the machine"
    assert path.read_bytes() == before
    assert len(list(tmp_path.iterdir())) == 2
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_a_recipient_without_an_address_gets_no_file(tmp_path: Path):
    results = outbox_mailer(tmp_path).send([outgoing(address=""), outgoing(key="k2")], NOW)
    assert [r.status for r in results] == [SKIPPED, QUEUED]
    assert results[0].error == "no e-mail address"
    assert [f.name for f in tmp_path.iterdir()] == [outbox_name("k2")]


def test_an_outbox_that_cannot_be_written_fails_each_message_with_the_reason(tmp_path: Path):
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")
    results = outbox_mailer(blocker).send(ended_for_everyone()[:2], NOW)
    assert [r.status for r in results] == [FAILED, FAILED]
    assert all(f"cannot write {blocker}" in r.error and r.sent_at is None for r in results)
    assert all(r.subject for r in results)


def test_nothing_to_send_writes_nothing(tmp_path: Path):
    assert outbox_mailer(tmp_path / "outbox").send([], NOW) == []
    assert not (tmp_path / "outbox").exists()
