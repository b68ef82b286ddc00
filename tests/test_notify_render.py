"""E-mail alerts: filters, every template (text and HTML), headers, addresses, templates_dir."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.config import Email
from sheetsync.errors import UserError
from sheetsync.formatting import (
    format_day,
    format_money,
    format_time,
    format_when,
    one_line,
    plural,
)
from sheetsync.messages import FAILED, KINDS, SKIPPED, template_names
from sheetsync.notify import (
    BUILTIN_TEMPLATES,
    BadAddress,
    Mailer,
    clean_address,
    message_id,
    outbox_name,
)
from tests.mailserver import NOW, SENDER, outgoing, parse

EMAIL = Email(sender=SENDER, reply_to="desk@studio.example")


@pytest.fixture(scope="module")
def mailer() -> Mailer:
    return Mailer(EMAIL, currency="TRY", zone=ZoneInfo("Europe/Istanbul"))


def bodies(mail) -> tuple[str, str]:
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    return text, html


# -- filters ---------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "currency", "shown"), [
    (Decimal("4000"), "TRY", "4,000.00 TRY"),
    (Decimal("1500.5"), "", "1,500.50"),
    (Decimal("0.005"), "EUR", "0.01 EUR"),  # cents half-up, like the workbook
    (Decimal("-500"), "TRY", "-500.00 TRY"),
    (1234567, "USD", "1,234,567.00 USD"),
    (None, "TRY", ""),
])
def test_money_puts_the_currency_after_the_amount(value, currency, shown):
    assert format_money(value, currency) == shown


def test_dates_and_times_read_like_a_person_writes_them():
    session = datetime(2027, 1, 4, 14, 0)
    assert format_when(session) == "Monday 4 January 2027 at 14:00"
    assert format_day(session) == "Monday 4 January 2027"
    assert format_day(date(2026, 12, 31)) == "Thursday 31 December 2026"
    assert format_time(datetime(2027, 1, 4, 9, 5)) == "09:05"
    assert format_when(date(2027, 1, 4)) == "Monday 4 January 2027"
    assert format_when(None) == format_day(None) == format_time(None) == ""


def test_plural():
    assert plural(1, "session") == "1 session"
    assert plural(0, "session") == "0 sessions"
    assert plural(3, "class", "classes") == "3 classes"


# -- every template --------------------------------------------------------------------

@pytest.mark.parametrize(("event", "role"), KINDS)
def test_every_template_renders_text_and_html(mailer, event, role):
    mail = mailer.render(outgoing(event=event, role=role), NOW)
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    text, html = bodies(mail)
    for body in (text, html):
        assert "Ayşe Çelik" in body
        assert "10-Session Physiotherapy Package" in body
        assert "Studio Example" in body
        assert "{{" not in body and "{%" not in body
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert f"<title>{mail['Subject']}</title>" in html
    assert not text.startswith("Subject:")


def test_the_ending_message_says_what_remains_and_what_comes_next(mailer):
    mail = mailer.render(outgoing(event="package_ending", remaining=1, next_period=None))
    text, html = bodies(mail)
    assert mail["Subject"] == "1 session left in your 10-Session Physiotherapy Package"
    assert "Your next session: Monday 4 January 2027 at 14:00 with Elif Demir." in text
    assert "Thursday 7 January 2027 at 14:00" in text  # the last one of the package
    assert "reply to this e-mail" in text
    assert "1,500.00 TRY" in text and "1,500.00 TRY" in html
    assert "C001" not in text + html and "P10" not in text + html


def test_the_ended_message_for_the_client_names_the_next_period_and_the_money(mailer):
    mail = mailer.render(outgoing())
    text, html = bodies(mail)
    assert mail["Subject"] == ("Your 10-Session Physiotherapy Package is complete - "
                               "next session Monday 11 January 2027 at 14:00")
    assert "(period 2)" in text
    assert "Sessions used: 9 (8 attended, 1 cancelled late)" in text
    assert "Your first session: Monday 11 January 2027 at 14:00." in text
    assert ("Amount due: 5,500.00 TRY (1,500.00 TRY for the sessions just finished, "
            "4,000.00 TRY for the next period).") in text
    assert "5,500.00 TRY" in html and "Monday 11 January 2027 at 14:00" in html
    assert "C001" not in text + html and "ST1" not in text + html


def test_the_ended_message_without_a_next_period_or_with_a_credit(mailer):
    text, _ = bodies(mailer.render(outgoing(next_period=None, period_due=Decimal("-200"),
                                            total_due=Decimal("-200"))))
    assert "No further sessions are planned for you" in text
    assert "you have a credit of 200.00 TRY" in text
    text, _ = bodies(mailer.render(outgoing(next_period=None, total_due=Decimal("0"))))
    assert "Nothing is due" in text


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_staff_and_manager_versions_name_the_client_and_the_balance(mailer, role):
    mail = mailer.render(outgoing(role=role, name="Elif Demir", address="elif@studio.example",
                                  group={"id": "G1", "name": "Pilates Mat"}))
    text, html = bodies(mail)
    assert mail["Subject"] == ("Ayşe Çelik (C001) has used up 10-Session Physiotherapy "
                               "Package, period 2")
    assert text.startswith("Hello Elif Demir,")
    for body in (text, html):
        assert "Ayşe Çelik (C001)" in body
        assert "(P10)" in body and "Pilates Mat (G1)" in body
        assert "2,500.00 TRY" in body  # paid
        assert "5,500.00 TRY" in body  # total due
        assert "ayse@client.example" in body
    assert "Period 2: price 4,000.00 TRY, paid 2,500.00 TRY, due 1,500.00 TRY" in text
    assert "period 3 is planned, first session Monday 11 January 2027 at 14:00" in text
    assert ("Elif Demir (ST1)" in text) == (role == "manager")


def test_staff_hear_when_nothing_more_is_planned(mailer):
    text, html = bodies(mailer.render(outgoing(role="staff", next_period=None)))
    assert "not planned" in text and "follow up" in text and "not planned" in html


def test_without_a_currency_amounts_stand_alone():
    text, _ = bodies(Mailer(EMAIL).render(outgoing()))
    assert "Amount due: 5,500.00 (1,500.00 for" in text


# -- escaping, headers, non-ASCII ------------------------------------------------------

@pytest.mark.parametrize("name", ["<script>alert(1)</script>", 'Ayşe & "Co"'])
def test_html_escapes_what_the_studio_typed_and_text_keeps_it(mailer, name):
    client = {"id": "C001", "name": name, "email": "ayse@client.example"}
    for role in ("client", "staff", "manager"):
        mail = mailer.render(outgoing(role=role, client=client, name=name,
                                      group={"id": "G1", "name": "<b>Mat</b>"}))
        text, html = bodies(mail)
        assert name in text
        assert name not in html
        assert "<script>" not in html and "<b>Mat</b>" not in html
        assert "&lt;b&gt;Mat&lt;/b&gt;" in html
        if "&" in name:
            assert "Ayşe &amp; &#34;Co&#34;" in html
        else:
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_headers(mailer):
    message = outgoing()
    mail = parse(mailer.render(message, NOW).as_bytes())
    assert mail["From"] == SENDER
    assert mail["To"] == "Ayşe Çelik <ayse@client.example>"
    assert mail["To"].addresses[0].display_name == "Ayşe Çelik"
    assert mail["Reply-To"] == "desk@studio.example"
    assert mail["Subject"].startswith("Your 10-Session Physiotherapy Package is complete")
    assert mail["Date"] == "Thu, 07 Jan 2027 15:30:00 +0300"  # studio time, its zone
    assert mail["Message-ID"] == message_id(message.key, SENDER)
    assert mail["X-Sheetsync-Key"] == message.key
    assert mail["Auto-Submitted"] == "auto-generated"


def test_non_ascii_names_and_subjects_are_encoded(mailer):
    client = {"id": "C9", "name": "Çağrı Öztürk 山田", "email": "c@client.example"}
    mail = mailer.render(outgoing(client=client, name="Çağrı Öztürk 山田",
                                  package={"id": "P", "name": "Yoga – 8 seans", "sessions": 8}),
                         NOW)
    raw = mail.as_bytes(policy=policy.SMTP)
    raw.decode("ascii")  # every header and body is 7-bit on the wire
    assert b"=?utf-8?" in raw
    back = parse(raw)
    assert back["Subject"].startswith("Your Yoga – 8 seans is complete")
    assert back["To"].addresses[0].display_name == "Çağrı Öztürk 山田"
    assert "Çağrı Öztürk 山田" in bodies(back)[0] and "Çağrı Öztürk 山田" in bodies(back)[1]


def test_names_and_subjects_with_line_breaks_cannot_add_headers(mailer):
    evil = "Eve\r\nBcc: victim@evil.example\r\nX-Evil: 1"
    client = {"id": "C1", "name": evil, "email": "eve@client.example"}
    message = outgoing(key="E1/1/package_ended/client:C1\r\nX-Key: 2", client=client,
                       name=evil, package={"id": "P", "name": "Pkg\nSubject: free",
                                           "sessions": 10})
    raw = mailer.render(message, NOW).as_bytes()
    back = parse(raw)
    assert back["Bcc"] is None and back["X-Evil"] is None and back["X-Key"] is None
    assert back["To"].addresses[0].display_name == "Eve Bcc: victim@evil.example X-Evil: 1"
    assert back["Subject"] == "Your Pkg Subject: free is complete - next session Monday " \
                              "11 January 2027 at 14:00"
    assert len(back.get_all("Subject")) == 1
    assert back["To"].addresses[0].addr_spec == "ayse@client.example"


@given(name=st.text(max_size=40), package=st.text(max_size=40), key=st.text(max_size=30))
def test_no_text_adds_a_header(name, package, key):
    mailer = _shared_mailer()
    message = outgoing(key=key, name=name, client={"id": "C1", "name": name, "email": ""},
                       package={"id": "P", "name": package, "sessions": 10})
    try:
        mail = mailer.render(message, NOW)
    except UnicodeError:  # lone surrogates are not text; never sent (a failed Result)
        return
    back = parse(mail.as_bytes(policy=policy.SMTP))
    assert sorted(back.keys()) == sorted(
        ["From", "To", "Reply-To", "Subject", "Date", "Message-ID", "X-Sheetsync-Key",
         "Auto-Submitted", "Content-Type", "MIME-Version"])
    assert back["To"].addresses[0].addr_spec == "ayse@client.example"


_MAILER: list[Mailer] = []


def _shared_mailer() -> Mailer:
    if not _MAILER:
        _MAILER.append(Mailer(EMAIL, currency="TRY"))
    return _MAILER[0]


def test_control_characters_become_spaces():
    assert one_line("a\r\nb\tc\x00d\u2028e\x85f") == "a b c d e f"
    assert one_line("  Ayşe   Çelik ") == "Ayşe Çelik"


# -- addresses, Message-ID, preview ----------------------------------------------------

@pytest.mark.parametrize("address", [
    "ayse@client.example", "a.b+tag@sub.example.co.uk", "O'Neil@example.ie", " x@y.example ",
])
def test_good_addresses(address):
    assert clean_address(address) == address.strip()


def test_an_international_domain_goes_out_in_its_ascii_form():
    assert clean_address("kemal@bücher.example") == "kemal@xn--bcher-kva.example"


@pytest.mark.parametrize(("address", "reason"), [
    ("", "no e-mail address"),
    ("   ", "no e-mail address"),
    ("ayse", "is not an e-mail address"),
    ("ayse@client", "is not an e-mail address"),
    ("ayse @client.example", "is not an e-mail address"),
    ("ayse@client.example\r\nBcc: x@evil.example", "is not an e-mail address"),
    ("<ayse@client.example>", "is not an e-mail address"),
    ("Ayşe <ayse@client.example>", "is not an e-mail address"),
    ("a@client.example, b@client.example", "is not an e-mail address"),
    ("ayşe@client.example", "is not an e-mail address"),
    ("a..b@client.example", "is not an e-mail address"),
    ("ayse@-client.example", "is not an e-mail address"),
    ("ayse@127.0.0.1", "is not an e-mail address"),
])
def test_bad_addresses_are_refused_with_the_reason(address, reason):
    with pytest.raises(BadAddress, match=reason):
        clean_address(address)


def test_sending_to_a_bad_address_is_skipped_with_the_reason(mailer):
    results = mailer.send([outgoing(address=""), outgoing(address="ayse(at)client")], NOW)
    assert [r.status for r in results] == [SKIPPED, SKIPPED]
    assert results[0].error == "no e-mail address"
    assert "'ayse(at)client' is not an e-mail address" in results[1].error
    assert results[0].subject.startswith("Your 10-Session")
    assert results[0].sent_at is None


def test_the_message_id_comes_from_the_key():
    first = message_id("E1/2/package_ended/client:C1", SENDER)
    assert first == message_id("E1/2/package_ended/client:C1", "other <x@studio.example>")
    assert first != message_id("E1/2/package_ended/staff:ST1", SENDER)
    assert first.startswith("<") and first.endswith("@studio.example>")
    assert len(first.split("@")[0]) == 33  # "<" + 32 hex digits
    assert message_id("k", "Stüdyo <a@stüdyo.example>").endswith("@xn--stdyo-lva.example>")


def test_outbox_names_are_readable_safe_and_unique():
    assert outbox_name("E1/2/package_ended/client:C1").startswith(
        "E1_2_package_ended_client_C1.")
    assert outbox_name("a/b") != outbox_name("a_b")
    assert outbox_name("../../etc/passwd").startswith("etc_passwd.")
    assert "/" not in outbox_name("x/" * 200) and len(outbox_name("x/" * 200)) < 100


def test_preview_is_one_line_with_whom_which_event_and_the_subject(mailer):
    line = mailer.preview(outgoing(role="manager", name="Zeynep\nKaya",
                                   address="zeynep@studio.example"))
    assert line == ("package_ended to manager Zeynep Kaya <zeynep@studio.example>: "
                    "Ayşe Çelik (C001) has used up 10-Session Physiotherapy Package, period 2")
    skipped = mailer.preview(outgoing(address=""))
    assert "\n" not in skipped
    assert skipped.startswith("package_ended to client Ayşe Çelik: skipped, no e-mail address")


def test_a_message_that_does_not_render_fails_without_stopping_the_others(mailer):
    broken = outgoing(key="broken")
    del broken.context["package"]
    unknown = outgoing(key="unknown", event="package_ending", role="manager")
    results = mailer.send([broken, unknown], NOW)
    assert [r.status for r in results] == [FAILED, FAILED]
    assert "package_ended.client.txt, line" in results[0].error
    assert "'package' is undefined" in results[0].error
    assert results[1].error == "there is no template for package_ending to manager"


# -- templates_dir ---------------------------------------------------------------------

@pytest.fixture
def own_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "my-templates"
    shutil.copytree(BUILTIN_TEMPLATES, folder)
    return folder


def test_a_studio_can_use_its_own_templates(own_templates: Path):
    path = own_templates / "package_ended.client.txt"
    path.write_text("Subject: All done, {{ client.name }}!\n\nSee you, {{ client.name }}.\n"
                    "{{ total_due|money }} due.\n", encoding="utf-8")
    mail = Mailer(EMAIL, currency="EUR", templates_dir=own_templates).render(outgoing())
    assert mail["Subject"] == "All done, Ayşe Çelik!"
    assert bodies(mail)[0] == "See you, Ayşe Çelik.\n5,500.00 EUR due.\n"


@pytest.mark.parametrize(("name", "content", "phrases"), [
    ("package_ended.staff.txt", "Subject: x\n\n{% if client %}\nno end\n",
     ["package_ended.staff.txt, line 4", "endif"]),
    ("package_ending.client.html", "{% extends 'layout.html' %}\n{% block body %}\n"
     "<p>{{ client.nmae }}</p>\n{% endblock %}\n",
     ["package_ending.client.html, line 3", "has no attribute 'nmae'"]),
    ("package_ended.manager.txt", "Hello {{ client.name }}\n",
     ["package_ended.manager.txt, line 1", "Subject: ..."]),
    ("package_ended.client.html", "{% include 'footer.html' %}\n",
     ["package_ended.client.html, line 1", "footer.html, which is not in the folder"]),
    ("package_ended.client.txt", "Subject: {{ total_due|euro }}\n",
     ["package_ended.client.txt, line 1", "No filter named 'euro'"]),
    ("package_ended.client.txt", "Subject: x\n{{ client.__class__.__mro__ }}\n",
     ["package_ended.client.txt, line 2", "unsafe"]),  # templates are sandboxed
])
def test_a_broken_template_is_a_configuration_error_naming_file_and_line(
        own_templates: Path, name, content, phrases):
    (own_templates / name).write_text(content, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        Mailer(EMAIL, templates_dir=own_templates)
    message = str(caught.value)
    assert str(own_templates / name) in message
    for phrase in phrases:
        assert phrase in message
    assert "remove templates_dir" in message


def test_a_templates_dir_missing_files_names_every_one(own_templates: Path):
    (own_templates / "package_ended.staff.html").unlink()
    (own_templates / "package_ending.client.txt").unlink()
    with pytest.raises(UserError) as caught:
        Mailer(EMAIL, templates_dir=own_templates)
    message = str(caught.value)
    assert f"{own_templates / 'package_ended.staff.html'} is missing" in message
    assert f"{own_templates / 'package_ending.client.txt'} is missing" in message


def test_a_layout_that_went_missing_is_found_at_once(own_templates: Path):
    (own_templates / "layout.html").unlink()
    with pytest.raises(UserError, match=r"package_ending\.client\.html, line 1: it uses "
                                        r"layout\.html"):
        Mailer(EMAIL, templates_dir=own_templates)


def test_a_template_that_is_not_utf8_or_a_folder_that_does_not_exist(own_templates: Path,
                                                                       tmp_path: Path):
    (own_templates / "package_ended.client.txt").write_bytes(b"Subject: \xff\xfe\n")
    with pytest.raises(UserError, match=r"package_ended\.client\.txt is not UTF-8 text"):
        Mailer(EMAIL, templates_dir=own_templates)
    with pytest.raises(UserError, match="does not exist"):
        Mailer(EMAIL, templates_dir=tmp_path / "nowhere")


def test_the_builtin_folder_holds_every_needed_template():
    for event, role in KINDS:
        for name in template_names(event, role):
            assert (BUILTIN_TEMPLATES / name).is_file()
