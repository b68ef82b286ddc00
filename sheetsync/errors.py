"""Errors a studio can act on. The CLI prints their message and exits 2, no traceback."""


class UserError(Exception):
    """Bad usage or configuration: a missing file, an unknown time zone, a broken config."""


class WorkbookBusy(UserError):
    """The workbook is open in another program or changed while sheetsync was working."""
