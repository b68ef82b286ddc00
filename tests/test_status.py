"""`sheetsync status`: the workbook's own record of its syncs, read back for people and monitors.

Unit tests of status.py on tables built here, then the command end to end on real .xlsx
workbooks made with `sheetsync init` and `sheetsync sync`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from sheetsync import status as health
from sheetsync.cells import error_value, to_serial
from sheetsync.errors import UserError
from sheetsync.schema import NOTIFICATIONS, PROBLEMS, RUNS, Tab
from sheetsync.stores.base import Table

NOW = datetime(2026, 12, 4, 12, 0)
HOUR = timedelta(hours=1)
Record = dict[str, object]


def table(tab: Tab, records: list[dict[str, object]],
          header: list[str] | None = None) -> Table:
    """A tab as a store reads it: `header` (default: the schema's order), rows by name."""
    names = header or list(tab.column_names)
    keys = [n.lower().replace(" ", "_") for n in names]
    return Table(tab.name, list(names), [[r.get(k) for k in keys] for r in records])


def run_row(now: datetime, result: str = "ok", **counts: object) -> dict[str, object]:
    return {"started_at": now, "now": now, "mode": "sync", "created": 0, "completed": 0,
            "deleted": 0, "renewed": 0, "notified": 0, "problems": 0, "result": result,
            **counts}


def alert_row(key: str, status: str, created_at: datetime | None = None,
              error: str = "") -> dict[str, object]:
    return {"key": key, "created_at": created_at or NOW - HOUR, "event": "package_ended",
            "role": "client", "to": "ayse@example.com", "status": status, "error": error}


def workbook(runs: Sequence[Record] = (), alerts: Sequence[Record] = (),
             problems: Sequence[Record] = ()) -> dict[str, Table]:
    return {"Runs": table(RUNS, list(runs)),
            "Notifications": table(NOTIFICATIONS, list(alerts)),
            "Problems": table(PROBLEMS, list(problems))}


def tell(tables: dict[str, Table], *, max_age: timedelta | None = HOUR,
         smtp: bool = False) -> health.Status:
    return health.status(tables, NOW, max_age=max_age, smtp=smtp)


# -- status.py on tables ----------------------------------------------------------------------
def test_a_recent_ok_run_with_nothing_waiting_is_healthy():
    found = tell(workbook(runs=[run_row(NOW - 3 * HOUR), run_row(NOW - timedelta(minutes=10),
                                                                  created=12, completed=3)]))
    assert found.exit_code == health.HEALTHY and found.healthy
    assert found.reasons == ()
    assert found.runs == 2
    assert found.last_run is not None and found.last_run.row == 3
    assert found.last_run.counts == {"created": 12, "completed": 3, "deleted": 0,
                                     "renewed": 0, "notified": 0, "problems": 0}
    assert found.last_success == found.last_run
    assert found.age == timedelta(minutes=10)
    assert (found.failed_alerts, found.queued_alerts, found.open_problems) == (0, 0, 0)


def test_problems_found_by_the_last_run_exit_1_and_the_first_few_are_named():
    problems = [{"tab": "Packages", "row": n, "column": "sessions", "value": "abc",
                 "problem": f"'abc' is not a whole number ({n})."} for n in range(2, 9)]
    found = tell(workbook(runs=[run_row(NOW - HOUR / 4, "problems", problems=7)],
                          problems=problems))
    assert found.exit_code == health.PROBLEMS_FOUND == 1
    assert found.open_problems == 7
    assert [p.row for p in found.first_problems] == [2, 3, 4, 5, 6]
    assert found.first_problems[0].problem == "'abc' is not a whole number (2)."
    assert found.reasons == ("The last run found problems in the workbook: see the Problems "
                             "tab or run 'sheetsync check'.",)


def test_problems_a_check_wrote_after_an_ok_run_count_too():
    found = tell(workbook(runs=[run_row(NOW - HOUR / 4)],
                          problems=[{"tab": "Clients", "row": 3, "problem": "x"}]))
    assert found.exit_code == 1


def test_failed_alerts_exit_4_and_the_oldest_are_listed_first():
    alerts = [alert_row("E1/1/package_ended/client:C1", "sent"),
              alert_row("E2/1/package_ended/client:C2", "failed", NOW - HOUR,
                        "the mail server smtp.example.com:587 did not answer"),
              alert_row("E3/1/package_ended/client:C3", "failed", NOW - 5 * HOUR, "refused"),
              alert_row("E4/1/package_ending/client:C4", "skipped")]
    found = tell(workbook(runs=[run_row(NOW - HOUR / 2), run_row(NOW - HOUR / 4,
                                                                 "alerts failed")],
                          alerts=alerts))
    assert found.exit_code == health.ALERTS_FAILING == 4
    assert found.failed_alerts == 2 and found.queued_alerts == 0
    assert [a.key for a in found.waiting] == ["E3/1/package_ended/client:C3",
                                              "E2/1/package_ended/client:C2"]
    with_queued = tell(workbook(alerts=[alert_row("E9/1/package_ended/client:C9", "queued",
                                                  NOW - 9 * HOUR), *alerts]))
    assert [a.status for a in with_queued.waiting] == ["failed", "failed", "queued"]
    assert found.waiting[1].error == "the mail server smtp.example.com:587 did not answer"
    assert found.waiting[1].to == "ayse@example.com" and found.waiting[1].row == 3
    assert found.reasons[0].startswith("2 alert(s) could not be sent")


def test_a_last_run_whose_alerts_failed_exits_4_even_when_no_row_says_failed():
    found = tell(workbook(runs=[run_row(NOW - HOUR / 2), run_row(NOW - HOUR / 4,
                                                                 "alerts failed")]))
    assert found.exit_code == 4
    assert found.last_success is not None and found.last_success.row == 3  # it did sync
    assert found.reasons == ("The last run could not send all its alerts.",)


def test_queued_alerts_are_normal_in_outbox_mode_and_a_failure_once_smtp_is_configured():
    tables = workbook(runs=[run_row(NOW - HOUR / 4)],
                      alerts=[alert_row("E1/1/package_ended/client:C1", "queued"),
                              alert_row("E1/1/package_ended/staff:ST1", "Queued")])
    outbox = tell(tables, smtp=False)
    assert outbox.exit_code == 0 and outbox.queued_alerts == 2
    assert [a.status for a in outbox.waiting] == ["queued", "queued"]
    with_smtp = tell(tables, smtp=True)
    assert with_smtp.exit_code == 4
    assert with_smtp.reasons == ("2 alert(s) wait in the outbox folder, never sent, although "
                                 "email.smtp is configured.",)


def test_no_successful_sync_within_max_age_exits_6_and_max_age_none_turns_it_off():
    tables = workbook(runs=[run_row(NOW - 2 * HOUR)])
    stale = tell(tables)
    assert stale.exit_code == health.STALE == 6 and stale.stale
    assert stale.reasons == ("The last successful sync was 2 h ago, longer than the 1 h "
                             "allowed (--max-age).",)
    assert tell(tables, max_age=None).exit_code == 0
    assert tell(tables, max_age=2 * HOUR).exit_code == 0  # exactly at the limit is in time


def test_no_run_ever_exits_6():
    found = tell(workbook())
    assert found.exit_code == 6
    assert found.last_run is None and found.last_success is None and found.age is None
    assert found.reasons == ("No successful sync is recorded in the Runs tab.",)
    assert tell(workbook(), max_age=None).exit_code == 6  # --max-age 0 still needs one sync


def test_runs_whose_alerts_failed_still_synced_the_workbook_and_say_so_with_4():
    found = tell(workbook(runs=[run_row(NOW - HOUR / 4, "problems, alerts failed")]))
    assert found.exit_code == 4 and not found.stale
    assert found.reasons[0] == "The last run could not send all its alerts."


def test_worst_first_and_every_reason_named():
    tables = workbook(runs=[run_row(NOW - 4 * HOUR), run_row(NOW - 3 * HOUR,
                                                             "problems, alerts failed")],
                      alerts=[alert_row("E1/1/package_ended/client:C1", "failed")])
    found = tell(tables)
    assert found.exit_code == 6
    assert len(found.reasons) == 3
    assert found.reasons[0] == ("The last successful sync was 3 h ago, longer than the 1 h "
                                "allowed (--max-age).")
    assert "1 alert(s) could not be sent" in found.reasons[1]
    assert "found problems" in found.reasons[2]
    assert tell(tables, max_age=None).exit_code == 4  # both problems and failed alerts: 4


def test_a_runs_tab_with_junk_cells_is_read_by_name_and_junk_is_never_guessed():
    header = ["Result", "Now", "Note of ours", "Started At", "created", "Completed", "mode"]
    runs = Table("runs", header, [
        ["ok", to_serial(NOW - 3 * HOUR), "x", None, 4, 1, "sync"],  # Google's serial number
        ["ok", "yesterday", None, "last week", 1, 1, "sync"],  # no readable time: skipped
        [None, None, "our own note", None, None, None, None],  # only our column: no record
        ["ok", error_value("#REF!"), None, None, 1, 1, "sync"],  # no readable time: skipped
        ["problems", "2026-12-04 11:30", None, NOW - HOUR / 2, "many", error_value("#N/A"),
         "sync"],
        ["  ", NOW - HOUR / 6, None, NOW - HOUR / 6, 0, 0, "sync"],  # no result: no success
    ])
    found = health.status({"runs": runs, "Problems": table(PROBLEMS, []),
                           "Notifications": table(NOTIFICATIONS, [])},
                          NOW, max_age=HOUR, smtp=False)
    assert found.runs == 3
    assert found.last_run is not None and found.last_run.row == 7 and found.last_run.result == ""
    success = found.last_success
    assert success is not None and success.row == 6
    assert success.now == datetime(2026, 12, 4, 11, 30)
    assert success.counts["created"] is None and success.counts["completed"] is None
    assert success.counts["deleted"] is None  # a column the tab lacks
    assert found.notes == ("2 Runs row(s) have no readable started_at or now and were "
                           "skipped.",)
    assert found.exit_code == 0  # the last result is blank: not a failure the tab can name


def test_a_serial_number_reads_to_the_second():
    runs = Table("Runs", ["started_at", "now", "result"],
                 [[to_serial(NOW - HOUR / 4), to_serial(NOW - HOUR / 4), "ok"]])
    found = health.status({"Runs": runs}, NOW, max_age=HOUR, smtp=False)
    assert found.last_run is not None and found.last_run.now == NOW - HOUR / 4


def test_missing_tabs_are_noted_and_no_run_means_exit_6():
    found = health.status({}, NOW, max_age=HOUR, smtp=False)
    assert found.exit_code == 6
    assert found.notes == (
        "The Runs tab is missing; run 'sheetsync init' on this workbook.",
        "The Notifications tab is missing; run 'sheetsync init' on this workbook.",
        "The Problems tab is missing; run 'sheetsync init' on this workbook.")


def test_a_runs_tab_without_its_result_column_is_noted():
    runs = Table("Runs", ["started_at", "now"], [[NOW, NOW]])
    found = health.status({"Runs": runs}, NOW, max_age=HOUR, smtp=False)
    assert found.runs == 0
    assert "The Runs tab has no result column; run 'sheetsync init' on this workbook." \
        in found.notes


@pytest.mark.parametrize(("text", "expected"), [
    ("90m", timedelta(minutes=90)), ("2h", 2 * HOUR), ("1d", timedelta(days=1)),
    ("1h30m", timedelta(minutes=90)), ("45s", timedelta(seconds=45)),
    ("15min", timedelta(minutes=15)), (" 2H ", 2 * HOUR), ("0", timedelta(0))])
def test_durations(text, expected):
    assert health.parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "90", "2 hours", "h", "-1h", "1.5h", "1x", "1h junk"])
def test_durations_that_do_not_read_say_how_to_write_them(text):
    with pytest.raises(UserError, match="write it like 90m, 2h or 1d"):
        health.parse_duration(text)


@pytest.mark.parametrize(("age", "said"), [
    (timedelta(seconds=45), "45 s"), (timedelta(minutes=12, seconds=5), "12 min"),
    (timedelta(hours=2, minutes=5), "2 h 5 min"), (timedelta(hours=2), "2 h"),
    (timedelta(days=3, hours=4, minutes=1), "3 d 4 h"), (-timedelta(minutes=5), "-5 min")])
def test_ages_as_people_say_them(age, said):
    assert health.describe_age(age) == said


def test_the_json_keys_are_stable():
    found = tell(workbook(runs=[run_row(NOW - HOUR / 4, "problems")],
                          alerts=[alert_row("E1/1/package_ended/client:C1", "failed",
                                            error="down")],
                          problems=[{"tab": "Clients", "row": 3, "column": "email",
                                     "value": "x", "problem": "'x' is not an e-mail address."}]))
    facts = health.as_dict(found)
    assert list(facts) == ["now", "healthy", "exit_code", "reasons", "max_age_seconds",
                           "stale", "runs", "last_run", "last_success", "age_seconds",
                           "alerts", "problems", "notes"]
    assert facts["last_run"] == {
        "row": 2, "started_at": "2026-12-04T11:45:00", "now": "2026-12-04T11:45:00",
        "result": "problems", "counts": {"created": 0, "completed": 0, "deleted": 0,
                                         "renewed": 0, "notified": 0, "problems": 0}}
    assert facts["alerts"] == {"failed": 1, "queued": 0, "queued_is_failure": False,
                               "oldest": [{"row": 2, "key": "E1/1/package_ended/client:C1",
                                           "event": "package_ended", "to": "ayse@example.com",
                                           "status": "failed",
                                           "created_at": "2026-12-04T11:00:00",
                                           "error": "down"}]}
    assert facts["problems"] == {"open": 1, "first": [
        {"tab": "Clients", "row": 3, "column": "email", "value": "x",
         "problem": "'x' is not an e-mail address."}]}
    assert (facts["exit_code"], facts["age_seconds"], facts["max_age_seconds"]) == (4, 900, 3600)
    json.dumps(facts)  # plain JSON values only


# -- the command on real .xlsx workbooks ----------------------------------------------------
def append_rows(path: Path, tab: str, records: list[dict[str, object]]) -> None:
    """Type rows into a tab by header name, as a studio (or a test) does by hand."""
    book = openpyxl.load_workbook(path)
    sheet = book[tab]
    header = [c.value for c in sheet[1]]
    for record in records:
        sheet.append([record.get(str(h)) for h in header])
    book.save(path)


@pytest.fixture
def synced(run, cli_folder: Path) -> Path:
    """An empty studio made by `init` and synced once at 2026-12-04 10:00."""
    assert run("init", "studio.xlsx").exit_code == 0
    result = run("sync", "studio.xlsx", "--now", "2026-12-04T10:00")
    assert result.exit_code == 0, result.output
    return cli_folder / "studio.xlsx"


def test_status_of_a_healthy_workbook_exits_0(run, synced: Path):
    before = synced.read_bytes()
    result = run("status", "studio.xlsx", "--now", "2026-12-04T10:30")
    assert result.exit_code == 0, result.output
    assert "studio.xlsx at 2026-12-04 10:30" in result.output and "healthy." in result.output
    assert "(synced as of 2026-12-04 10:00): ok; 0 created" in result.output
    assert "last good sync  30 min ago (2026-12-04 10:00; --max-age 1 h)" in result.output
    assert "0 failed, 0 queued" in result.output
    assert synced.read_bytes() == before  # status writes nothing


def test_status_two_hours_later_with_max_age_1h_exits_6(run, synced: Path):
    result = run("status", "studio.xlsx", "--now", "2026-12-04T12:00", "--max-age", "1h")
    assert result.exit_code == 6, result.output
    assert "needs attention (exit 6)" in result.output
    assert "The last successful sync was 2 h ago, longer than the 1 h allowed" in result.output
    assert run("status", "studio.xlsx", "--now", "2026-12-04T12:00",
               "--max-age", "3h").exit_code == 0
    assert run("status", "studio.xlsx", "--now", "2027-01-04T12:00",
               "--max-age", "0").exit_code == 0


def test_status_after_a_sync_that_found_problems_exits_1_and_names_them(run, synced: Path):
    append_rows(synced, "Packages", [{"package_id": "P10", "name": "Physio 10",
                                      "sessions": "ten", "price": 4000}])
    assert run("sync", "studio.xlsx", "--now", "2026-12-04T10:15").exit_code == 1
    result = run("status", "studio.xlsx", "--now", "2026-12-04T10:30")
    assert result.exit_code == 1, result.output
    assert "open problems   1" in result.output
    assert "Packages row 2, sessions: 'ten' is not a whole number" in result.output
    assert "The last run found problems in the workbook" in result.output


def test_status_of_runs_appended_by_hand_with_alerts_failed_exits_4(run, synced: Path):
    append_rows(synced, "Runs", [{"started_at": datetime(2026, 12, 4, 10, 15),
                                  "now": datetime(2026, 12, 4, 10, 15), "mode": "sync",
                                  "created": 0, "notified": 0, "result": "alerts failed"}])
    append_rows(synced, "Notifications", [{
        "key": "E1/1/package_ended/client:C1", "created_at": datetime(2026, 12, 4, 10, 15),
        "event": "package_ended", "to": "ayse@example.com", "status": "failed",
        "error": "the mail server smtp.example.com:587 did not answer"}])
    result = run("status", "studio.xlsx", "--now", "2026-12-04T10:30")
    assert result.exit_code == 4, result.output
    assert "2026-12-04 10:15: alerts failed; 0 created, ? completed" in result.output
    assert "last good sync  15 min ago (2026-12-04 10:15" in result.output  # it did sync
    assert ("failed  2026-12-04 10:15 E1/1/package_ended/client:C1  package_ended  to "
            "ayse@example.com: the mail server smtp.example.com:587 did not answer"
            in result.output)
    assert "1 alert(s) could not be sent" in result.output


def test_queued_alerts_fail_the_status_only_when_smtp_is_configured(run, synced: Path,
                                                                     cli_folder: Path):
    append_rows(synced, "Notifications", [{
        "key": "E1/1/package_ended/client:C1", "created_at": datetime(2026, 12, 4, 10, 0),
        "event": "package_ended", "to": "ayse@example.com", "status": "queued"}])
    (cli_folder / "sheetsync.yaml").write_text(
        'email: {from: "Studio <studio@example.com>", outbox_dir: outbox}\n')
    outbox = run("status", "studio.xlsx", "--now", "2026-12-04T10:30")
    assert outbox.exit_code == 0, outbox.output
    assert "1 queued in the outbox folder (no email.smtp" in outbox.output
    (cli_folder / "sheetsync.yaml").write_text(
        'email: {from: "Studio <studio@example.com>", smtp: {host: mail.example.com}}\n')
    smtp = run("status", "studio.xlsx", "--now", "2026-12-04T10:30")
    assert smtp.exit_code == 4, smtp.output
    assert "although email.smtp is configured" in smtp.output


def test_status_json_gives_the_same_facts(run, synced: Path):
    result = run("status", "studio.xlsx", "--json", "--now", "2026-12-04T12:00")
    assert result.exit_code == 6
    facts = json.loads(result.output)
    assert facts["workbook"] == "studio.xlsx"
    assert (facts["healthy"], facts["exit_code"], facts["stale"]) == (False, 6, True)
    assert facts["age_seconds"] == 7200 and facts["max_age_seconds"] == 3600
    assert facts["last_run"]["now"] == "2026-12-04T10:00:00"
    assert facts["last_run"]["result"] == "ok"
    assert facts["last_run"]["counts"]["created"] == 0
    assert facts["alerts"]["failed"] == 0 and facts["problems"]["open"] == 0
    assert facts["reasons"] == ["The last successful sync was 2 h ago, longer than the 1 h "
                                "allowed (--max-age)."]


def test_status_of_a_workbook_never_synced_exits_6(run, cli_folder: Path):
    assert run("init", "studio.xlsx").exit_code == 0
    result = run("status", "studio.xlsx", "--max-age", "0")
    assert result.exit_code == 6, result.output
    assert "last run        none recorded in the Runs tab" in result.output
    assert "No successful sync is recorded in the Runs tab." in result.output


def test_a_max_age_that_does_not_read_is_a_clear_error(run, synced: Path):
    result = run("status", "studio.xlsx", "--max-age", "an hour")
    assert result.exit_code == 2
    assert "'an hour' is not a duration; write it like 90m, 2h or 1d" in result.output
    assert "Traceback" not in result.output


def test_status_of_a_google_sheet_reads_its_runs_through_the_store(run, cli_folder: Path,
                                                                    server):
    key = cli_folder / "service-account.json"
    key.write_text(json.dumps(server.service_account_info()), encoding="utf-8")
    key.chmod(0o600)
    (cli_folder / "sheetsync.yaml").write_text(json.dumps(
        {"timezone": "Europe/Istanbul",
         "google": {"credentials": key.name, "endpoint": server.base_url}}))
    sheet = server.create_spreadsheet("Studio")
    assert run("init", sheet).exit_code == 0
    assert run("sync", sheet, "--now", "2026-12-04T10:00").exit_code == 0
    server.reset_stats()
    result = run("status", sheet, "--json", "--now", "2026-12-04T10:20")
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    assert facts["last_success"]["now"] == "2026-12-04T10:00:00"
    assert facts["age_seconds"] == 1200
    assert "spreadsheets.batchUpdate" not in server.stats()["requests"]  # it wrote nothing


def test_the_help_and_the_readme_document_every_json_key_and_exit_code(run):
    helped = run("status", "--help")
    assert helped.exit_code == 0
    facts = health.as_dict(health.status({}, NOW, max_age=HOUR, smtp=False))
    for key in ["workbook", *facts, "started_at", "result", "counts", *health.RUN_COUNTS,
                "queued_is_failure", "oldest", "created_at", "error", "open", "first"]:
        assert key in helped.output, key
    for code in ("6  no successful sync", "4  alerts failed", "1  the last run found problems",
                 "0  healthy"):
        assert code in helped.output
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "sheetsync status [WORKBOOK] [--json] [--max-age 1h]" in readme
    section = readme.split("### Is it working? `sheetsync status`")[1].split("\n## ")[0]
    for phrase in ("**6**", "**4**", "**1**", "**0**", "--max-age", "`queued`", "email.smtp"):
        assert phrase in section, phrase
