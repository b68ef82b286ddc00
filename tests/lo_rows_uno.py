"""Row deletions/insertions done by LibreOffice itself: run by /usr/bin/python3 (python3-uno).

    /usr/bin/python3 tests/lo_rows_uno.py PIPE JOB.json RESULT.json

JOB.json is a list of cases {"source": path, "target": path, "steps": [[sheet, "delete" or
"insert" or "reload", index, count], ...]} (index 0-based, as `XTableRows` counts). The script
connects to a running `soffice --headless --accept=pipe,name=PIPE;urp;` (retrying while it
starts), and for each case loads `source`, applies `sheet.getRows().removeByIndex(index, count)`
or `insertByIndex(index, count)` in the given order ("reload": store `target` and open it again),
and stores `target` as "Calc Office Open XML".
RESULT.json gets one entry per case: null when it went well, else LibreOffice's error text. It
leaves soffice running: tests/lo_rows.py starts and stops it, so one soffice serves many runs.
Standard library and uno only: this file runs outside the project's virtualenv.
"""

from __future__ import annotations

import json
import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def prop(name: str, value: object) -> PropertyValue:
    given = PropertyValue()
    given.Name = name
    given.Value = value
    return given


def connect(pipe: str, timeout: float) -> object:
    """The Desktop of the soffice listening on `pipe`, waiting up to `timeout` s for it to start."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:  # NoConnectException while soffice starts
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def run_case(desktop: object, case: dict) -> None:
    document = desktop.loadComponentFromURL(  # type: ignore[attr-defined]
        uno.systemPathToFileUrl(case["source"]), "_blank", 0, (prop("Hidden", True),))
    if document is None:
        raise RuntimeError(f"LibreOffice could not open {case['source']}")
    target = uno.systemPathToFileUrl(case["target"])
    try:
        for sheet_name, operation, index, count in case["steps"]:
            if operation == "reload":
                document.storeToURL(target, (prop("FilterName", "Calc Office Open XML"),))
                document.close(True)
                document = desktop.loadComponentFromURL(  # type: ignore[attr-defined]
                    target, "_blank", 0, (prop("Hidden", True),))
                continue
            rows = document.Sheets.getByName(sheet_name).getRows()
            if operation == "delete":
                rows.removeByIndex(index, count)
            elif operation == "insert":
                rows.insertByIndex(index, count)
            else:
                raise ValueError(f"unknown operation {operation}")
        document.storeToURL(target, (prop("FilterName", "Calc Office Open XML"),))
    finally:
        document.close(True)


def main(pipe: str, job: str, result: str) -> None:
    with open(job, encoding="utf-8") as given:
        cases = json.load(given)
    desktop = connect(pipe, timeout=120)
    outcomes: list[str | None] = []
    for case in cases:
        try:
            run_case(desktop, case)
            outcomes.append(None)
        except Exception as error:  # one broken case must not hide the others' results
            outcomes.append(f"{type(error).__name__}: {getattr(error, 'Message', error)}")
    with open(result, "w", encoding="utf-8") as out:
        json.dump(outcomes, out)


if __name__ == "__main__":
    main(*sys.argv[1:4])
