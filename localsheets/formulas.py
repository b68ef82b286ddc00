"""A small formula evaluator, so replies carry computed values like Google's.

Supported: numbers, strings, TRUE/FALSE, error literals (``#REF!`` left by a
deleted row), cell and range references (optionally on another sheet),
``+ - * / ^ &``, comparisons, parentheses, and the functions in :data:`FUNCTIONS`.
Anything else raises :class:`Unsupported`; the caller then shows the formula text
instead of a value. Spreadsheet errors (``#DIV/0!`` ...)
are returned as :class:`FormulaError` values, never raised to the caller.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .a1 import Bounds, parse_a1


class Unsupported(Exception):
    """The formula uses syntax or a function this evaluator does not know."""


@dataclass(frozen=True)
class FormulaError:
    code: str

    def __str__(self) -> str:
        return self.code


class _Raise(Exception):
    def __init__(self, code: str) -> None:
        self.error = FormulaError(code)


class Resolver(Protocol):
    def cell_value(self, sheet: str | None, row: int, col: int) -> Any: ...

    def range_values(self, sheet: str | None, bounds: Bounds) -> list[Any]: ...


_SHEET = r"(?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_]*)!"
_CELL = r"\$?[A-Za-z]{1,3}\$?\d+"
_COLS = r"\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}"
_TOKEN = re.compile(
    rf"""\s*(?:
      (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<str>"(?:[^"]|"")*")
    | (?P<err>\#(?:REF!|N/A|DIV/0!|VALUE!|NAME\?|NUM!|NULL!))
    | (?P<ref>(?:{_SHEET})?(?:{_CELL}(?::{_CELL}|:\$?[A-Za-z]{{1,3}})?|{_COLS})(?![A-Za-z0-9_(]))
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    | (?P<op><>|<=|>=|[-+*/^&=<>(),;%])
    )""",
    re.VERBOSE,
)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise Unsupported(text[pos:])
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _number(value: Any) -> float:
    if isinstance(value, FormulaError):
        raise _Raise(value.code)
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        raise _Raise("#VALUE!") from None


def _text(value: Any) -> str:
    if isinstance(value, FormulaError):
        raise _Raise(value.code)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        if value.upper() in ("TRUE", "FALSE"):
            return value.upper() == "TRUE"
        raise _Raise("#VALUE!")
    return _number(value) != 0


def _flatten(args: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for arg in args:
        flat.extend(arg if isinstance(arg, list) else [arg])
    return flat


def _numbers(args: list[Any]) -> list[float]:
    out = []
    for value in _flatten(args):
        if isinstance(value, FormulaError):
            raise _Raise(value.code)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(float(value))
    return out


def _average(args: list[Any]) -> float:
    nums = _numbers(args)
    if not nums:
        raise _Raise("#DIV/0!")
    return sum(nums) / len(nums)


def _round(args: list[Any]) -> float:
    digits = int(_number(args[1])) if len(args) > 1 else 0
    factor = 10.0**digits
    value = _number(args[0]) * factor
    return math.floor(abs(value) + 0.5) * math.copysign(1, value) / factor


def _not_available(args: list[Any]) -> Any:
    raise _Raise("#N/A")  # NA() is the #N/A error; with arguments too (their count is wrong)


FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "SUM": lambda a: sum(_numbers(a)),
    "AVERAGE": _average,
    "MIN": lambda a: min(_numbers(a), default=0.0),
    "MAX": lambda a: max(_numbers(a), default=0.0),
    "COUNT": lambda a: float(len(_numbers(a))),
    "COUNTA": lambda a: float(sum(1 for v in _flatten(a) if v not in (None, ""))),
    "ABS": lambda a: abs(_number(a[0])),
    "ROUND": _round,
    "AND": lambda a: all(_truthy(v) for v in _flatten(a) if v not in (None, "")),
    "OR": lambda a: any(_truthy(v) for v in _flatten(a) if v not in (None, "")),
    "NOT": lambda a: not _truthy(a[0]),
    "CONCATENATE": lambda a: "".join(_text(v) for v in _flatten(a)),
    "LEN": lambda a: float(len(_text(a[0]))),
    "UPPER": lambda a: _text(a[0]).upper(),
    "LOWER": lambda a: _text(a[0]).lower(),
    "TRIM": lambda a: " ".join(_text(a[0]).split()),
    "NA": _not_available,
}


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], resolver: Resolver) -> None:
        self.tokens = tokens
        self.pos = 0
        self.resolver = resolver

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.pos += 1
        return token

    def expect(self, value: str) -> None:
        if self.take()[1] != value:
            raise Unsupported(value)

    def expression(self) -> Any:
        left = self.concat()
        while self.peek()[1] in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            left = _compare(op, left, self.concat())
        return left

    def concat(self) -> Any:
        left = self.additive()
        while self.peek()[1] == "&":
            self.take()
            left = _text(left) + _text(self.additive())
        return left

    def additive(self) -> Any:
        left = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            right = self.term()
            left = _number(left) + _number(right) if op == "+" else _number(left) - _number(right)
        return left

    def term(self) -> Any:
        left = self.power()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            right = _number(self.power())
            if op == "*":
                left = _number(left) * right
            elif right == 0:
                raise _Raise("#DIV/0!")
            else:
                left = _number(left) / right
        return left

    def power(self) -> Any:
        left = self.unary()
        while self.peek()[1] == "^":
            self.take()
            left = _number(left) ** _number(self.unary())
        return left

    def unary(self) -> Any:
        if self.peek()[1] in ("-", "+"):
            op = self.take()[1]
            value = _number(self.unary())
            return -value if op == "-" else value
        value = self.primary()
        if self.peek()[1] == "%":
            self.take()
            return _number(value) / 100
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "err":
            raise _Raise(text.upper())
        if kind == "ref":
            return self.reference(text)
        if kind == "name":
            return self.name(text)
        if text == "(":
            value = self.expression()
            self.expect(")")
            return value
        raise Unsupported(text)

    def reference(self, text: str) -> Any:
        try:
            parsed = parse_a1(text.replace("$", ""))
        except ValueError:
            raise Unsupported(text) from None
        bounds = parsed.cells
        if bounds is None:
            raise Unsupported(text)
        single = ":" not in text and bounds.start_row is not None and bounds.start_col is not None
        if single:
            return self.resolver.cell_value(
                parsed.sheet, bounds.start_row or 0, bounds.start_col or 0
            )
        return self.resolver.range_values(parsed.sheet, bounds)

    def name(self, text: str) -> Any:
        upper = text.upper()
        if self.peek()[1] != "(":
            if upper in ("TRUE", "FALSE"):
                return upper == "TRUE"
            raise Unsupported(text)
        self.take()
        if upper == "IF":
            return self.if_call()
        args = self.arguments()
        function = FUNCTIONS.get(upper)
        if function is None:
            raise Unsupported(text)
        if not args and upper not in ("SUM", "AND", "OR"):
            raise _Raise("#N/A")
        return function(args)

    def arguments(self) -> list[Any]:
        args: list[Any] = []
        if self.peek()[1] == ")":
            self.take()
            return args
        while True:
            args.append(self.expression())
            sep = self.take()[1]
            if sep == ")":
                return args
            if sep not in (",", ";"):
                raise Unsupported(sep)

    def if_call(self) -> Any:
        args = self.arguments()
        if len(args) < 2:
            raise _Raise("#N/A")
        if _truthy(args[0]):
            return args[1]
        return args[2] if len(args) > 2 else False


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, str) or isinstance(right, str):
        a: Any = _text(left).lower()
        b: Any = _text(right).lower()
    else:
        a, b = _number(left), _number(right)
    return {
        "=": a == b,
        "<>": a != b,
        "<": a < b,
        ">": a > b,
        "<=": a <= b,
        ">=": a >= b,
    }[op]


def evaluate(formula: str, resolver: Resolver) -> Any:
    """Evaluate ``=...``; returns a value or a FormulaError, raises Unsupported."""
    parser = _Parser(tokenize(formula.lstrip("=")), resolver)
    try:
        value = parser.expression()
        if parser.peek()[0] != "end":
            raise Unsupported(parser.peek()[1])
    except _Raise as raised:
        return raised.error
    except (OverflowError, ZeroDivisionError):
        return FormulaError("#NUM!")
    if isinstance(value, list):
        return value[0] if value else None
    return value
