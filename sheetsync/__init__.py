"""sheetsync: recurring session packages for studios that live in a spreadsheet."""

__version__ = "0.1.0"
