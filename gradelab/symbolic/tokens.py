"""Splitting an answer into tokens from a whitelist; anything else is refused by name."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from gradelab.symbolic.limits import Limits

NUMBER, NAME, OP, LPAREN, RPAREN, LBRACK, RBRACK, COMMA = (
    "number",
    "name",
    "op",
    "(",
    ")",
    "[",
    "]",
    ",",
)

_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+)"
    r"|(?P<name>%(?:pi|e)(?![A-Za-z0-9_])|[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^]|==|=)"
    r"|(?P<punct>[()\[\],])"
)

_REFUSED = {
    ".": "a '.' may only appear inside a number such as 0.5 (no attribute access)",
    "'": "quotes are not allowed: write the expression itself, not text",
    '"': "quotes are not allowed: write the expression itself, not text",
    ";": "';' is not allowed: write a single expression",
    "%": "'%' is only allowed in %pi and %e",
    ":": "':' is not allowed: write a single expression",
    "{": "curly braces are not allowed: use parentheses ( )",
    "}": "curly braces are not allowed: use parentheses ( )",
    "|": "'|' is not allowed: write abs(x) for an absolute value",
}


class ParseError(ValueError):
    """The answer could not be read; the message names the place and what to change."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


def at(position: int) -> str:
    """'at character N', counting from 1 as a student would."""
    return f"at character {position + 1}"


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _check_name(word: str, start: int) -> None:
    if word.startswith("_") or "__" in word or word.endswith("_"):
        raise ParseError(
            f"'{word}' {at(start)} is not a name this checker accepts: names may not start "
            "or end with '_' or contain '__'",
            start,
        )
    if keyword.iskeyword(word):
        example = " such as lam" if word == "lambda" else ""
        raise ParseError(
            f"'{word}' {at(start)} is a reserved word in Python and cannot be used as a name "
            f"here; use another name{example}",
            start,
        )


def tokenize(text: str, limits: Limits) -> list[Token]:
    """The tokens of ``text``; a ParseError names the first character that is not allowed."""
    if len(text) > limits.length:
        raise ParseError(
            f"the answer is too long ({len(text)} characters; the limit is {limits.length})",
            limits.length,
        )
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            reason = _REFUSED.get(char, f"the character {char!r} is not allowed here")
            raise ParseError(f"{reason} ({at(position)})", position)
        kind = match.lastgroup
        word = match.group()
        if kind == "name" and not word.startswith("%"):
            _check_name(word, position)
        if word == "==":
            raise ParseError(
                f"'==' {at(position)} is not allowed: write an equation with one '=', "
                "such as y = 2x + 1",
                position,
            )
        if kind == "punct":
            kind = word
        if kind != "space":
            tokens.append(Token(kind, word, position))
        position = match.end()
    return tokens
