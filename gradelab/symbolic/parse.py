"""Reading a typed math answer into sympy without evaluating any of its text as code.

A whitelisted tokenizer (``tokens.py``) feeds a recursive-descent parser that builds sympy
objects directly (``build.py``). Implicit multiplication binds like ``*``, left to right, so
``1/2n`` is ``(1/2)*n``; that reading, and other ambiguous ones, come back as warnings.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import sympy

from gradelab.symbolic import build
from gradelab.symbolic.limits import DEFAULT_LIMITS, Limits
from gradelab.symbolic.tokens import (
    COMMA,
    LBRACK,
    LPAREN,
    NAME,
    NUMBER,
    OP,
    RBRACK,
    RPAREN,
    ParseError,
    Token,
    at,
    tokenize,
)
from gradelab.symbolic.vocabulary import (
    ARITY,
    CONSTANTS,
    DATA_NAME,
    FUNCTIONS,
    MATRIX,
    SUMS,
    Vocabulary,
    declared,
    discovered,
)

END = "end"


@dataclass
class Parsed:
    """An answer as read: the sympy value, how it prints, and what to tell the student."""

    text: str
    expr: build.Value
    warnings: list[str]
    symbols: tuple[str, ...]
    vocabulary: Vocabulary = field(repr=False, compare=False)

    @functools.cached_property
    def latex(self) -> str:
        """The answer as LaTeX (made when first asked for: it costs more than the reading)."""
        try:
            return sympy.latex(self.expr)
        except (ArithmeticError, RecursionError, ValueError):
            return sympy.sstr(self.expr)


def _shorten(text: str, width: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


class _Parser:
    def __init__(
        self,
        text: str,
        tokens: list[Token],
        vocabulary: Vocabulary,
        allow_floats: bool,
        limits: Limits,
    ) -> None:
        self.text = text
        self.tokens = [*tokens, Token(END, "", len(text))]
        self.position = 0
        self.vocabulary = vocabulary
        self.allow_floats = allow_floats
        self.limits = limits
        self.depth = 0
        self.nodes = 0
        self.in_sum = False
        self.warnings: list[str] = []

    # -- token stream ---------------------------------------------------------------
    def peek(self) -> Token:
        return self.tokens[self.position]

    def advance(self) -> Token:
        token = self.tokens[self.position]
        if token.kind != END:
            self.position += 1
        return token

    @property
    def last_end(self) -> int:
        return self.tokens[self.position - 1].end

    def is_op(self, *texts: str) -> bool:
        token = self.peek()
        return token.kind == OP and token.text in texts

    def expect(self, kind: str, what: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            raise self.unexpected(token, f"expected {what}")
        return self.advance()

    def unexpected(self, token: Token, expected: str) -> ParseError:
        if token.kind == END:
            return ParseError(f"the answer ends too early: {expected}", token.start)
        return ParseError(f"{expected} {at(token.start)}, found '{token.text}'", token.start)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    @contextmanager
    def nested(self) -> Iterator[None]:
        self.depth += 1
        if self.depth > self.limits.depth:
            start = self.peek().start
            raise ParseError(
                f"the expression is nested too deeply {at(start)} "
                f"(more than {self.limits.depth} levels)",
                start,
            )
        try:
            yield
        finally:
            self.depth -= 1

    def count_node(self, token: Token) -> None:
        self.nodes += 1
        if self.nodes > self.limits.nodes:
            raise ParseError(
                f"the expression is too long {at(token.start)} "
                f"(more than {self.limits.nodes} parts)",
                token.start,
            )

    # -- grammar ----------------------------------------------------------------------
    def answer(self) -> build.Value:
        if self.peek().kind == END:
            raise ParseError("the answer is empty", 0)
        value = self.expression()
        if self.is_op("="):
            equals = self.advance()
            if self.peek().kind == END:
                raise ParseError(f"the equation has nothing after '=' {at(equals.start)}", 0)
            value = build.equation(value, self.expression(), equals.start)
            if self.is_op("="):
                again = self.peek()
                raise ParseError(f"a second '=' {at(again.start)}: write one equation", again.start)
        token = self.peek()
        if token.kind != END:
            if token.kind == COMMA:
                raise ParseError(
                    f"',' {at(token.start)} is only allowed inside [ ] or a sum; "
                    "write a vector as [a, b]",
                    token.start,
                )
            raise self.unexpected(token, "expected an operator such as + or *")
        return value

    def expression(self) -> build.Value:
        with self.nested():
            value = self.term()
            while self.is_op("+", "-"):
                token = self.advance()
                self.count_node(token)
                right = self.term()
                value = build.add(
                    value, right, token.start, self.limits, subtract=token.text == "-"
                )
            return value

    def term(self) -> build.Value:
        start = self.peek().start
        value = self.unary()
        division: tuple[int, int, int] | None = None
        while True:
            token = self.peek()
            if token.kind == OP and token.text in ("*", "/"):
                self.advance()
                self.count_node(token)
                operand_start = self.peek().start
                right = self.unary()
                if token.text == "/":
                    value = build.divide(value, right, token.start, self.limits)
                    division = (token.start, operand_start, self.last_end)
                else:
                    value = build.multiply(value, right, token.start, self.limits)
                    division = None
            elif token.kind in (NAME, LPAREN):
                self.count_node(token)
                right = self.power()
                if division is not None:
                    self.warn_implicit_after_division(start, division, token.start)
                division = None
                value = build.multiply(value, right, token.start, self.limits)
            elif token.kind == NUMBER:
                raise ParseError(
                    f"the number {token.text} {at(token.start)} follows a value without an "
                    "operator; write * between them",
                    token.start,
                )
            elif token.kind == LBRACK:
                raise ParseError(
                    f"'[' {at(token.start)} after a value looks like indexing, which is not "
                    "allowed; write * before a vector",
                    token.start,
                )
            else:
                return value

    def warn_implicit_after_division(
        self, start: int, division: tuple[int, int, int], right_start: int
    ) -> None:
        slash, divisor_start, divisor_end = division
        dividend = _shorten(self.text[start:slash])
        divisor = _shorten(self.text[divisor_start:divisor_end])
        right = _shorten(self.text[right_start : self.last_end])
        whole = _shorten(self.text[start : self.last_end], 40)
        joiner = "" if divisor[-1].isdigit() and right[0].isalpha() else "*"
        self.warn(
            f"'{whole}' is read as ({dividend}/{divisor})*{right}; "
            f"write {dividend}/({divisor}{joiner}{right}) if you meant that"
        )

    def unary(self) -> build.Value:
        if self.is_op("-", "+"):
            token = self.advance()
            self.count_node(token)
            with self.nested():
                operand = self.unary()
            return build.negate(operand) if token.text == "-" else operand
        return self.power()

    def power(self) -> build.Value:
        base = self.atom()
        if self.is_op("^", "**"):
            token = self.advance()
            self.count_node(token)
            with self.nested():
                exponent = self.unary()
            return build.power(base, exponent, token.start, self.limits)
        return base

    def atom(self) -> build.Value:
        token = self.peek()
        if token.kind == NUMBER:
            self.advance()
            self.count_node(token)
            return self.number(token)
        if token.kind == NAME:
            self.advance()
            self.count_node(token)
            return self.name(token)
        if token.kind == LPAREN:
            self.advance()
            if self.peek().kind == RPAREN:
                raise ParseError(f"empty parentheses {at(token.start)}", token.start)
            value = self.expression()
            if self.peek().kind == COMMA:
                comma = self.peek()
                raise ParseError(
                    f"',' {at(comma.start)}: a list in parentheses is only allowed as the "
                    "bounds of a sum; write a vector as [a, b]",
                    comma.start,
                )
            self.expect(RPAREN, "')'")
            return value
        if token.kind == LBRACK:
            self.advance()
            self.count_node(token)
            return build.matrix(self.bracket_items(token, rows_allowed=True), token.start)
        if token.kind == OP:
            raise ParseError(
                f"'{token.text}' {at(token.start)} needs a value before it", token.start
            )
        raise self.unexpected(token, "expected a number, a name, '(' or '['")

    def number(self, token: Token) -> sympy.Expr:
        text = token.text
        mantissa, _, exponent = text.lower().partition("e")
        digits = mantissa.replace(".", "").lstrip("0")
        if "." not in text:
            if len(digits) > self.limits.integer_digits:
                raise ParseError(
                    f"the number {_shorten(text)} {at(token.start)} has more than "
                    f"{self.limits.integer_digits} digits",
                    token.start,
                )
            return sympy.Integer(int(text))
        if not self.allow_floats:
            raise ParseError(
                f"write exact numbers such as 1/2, not {text} ({at(token.start)})", token.start
            )
        value = decimal.Decimal(text)
        too_long = len(text) > self.limits.number_chars or len(digits) > self.limits.float_digits
        scale = value.adjusted() if value else 0  # the power of ten of its first digit
        if too_long or abs(scale) > self.limits.decimal_scale:
            raise ParseError(
                f"the number {_shorten(text)} {at(token.start)} is too long, too large or too "
                f"small (at most {self.limits.float_digits} digits, between "
                f"1e-{self.limits.decimal_scale} and 1e{self.limits.decimal_scale})",
                token.start,
            )
        return sympy.Float(text, max(15, len(digits)))  # every digit typed, exactly

    def name(self, token: Token) -> build.Value:
        word, vocabulary = token.text, self.vocabulary
        opens_call = self.peek().kind == LPAREN
        if word in vocabulary.names or word in vocabulary.scalars:
            return self.variable(token)
        if word in SUMS and opens_call:
            return self.summation(token)
        if word == MATRIX and opens_call:
            return self.matrix_call(token)
        if word in (*FUNCTIONS, *SUMS, MATRIX):
            if not opens_call:
                raise ParseError(
                    f"{word} {at(token.start)} needs parentheses: write {word}(...)", token.start
                )
            return self.call(token)
        if word in vocabulary.data and self.peek().kind == LBRACK:
            return self.data_element(token)
        if vocabulary.index is not None and word == vocabulary.index.name:
            return vocabulary.index
        if word in CONSTANTS:
            if word == "e":
                self.warn_euler(token)
            return CONSTANTS[word]
        raise self.unknown_name(token)

    def warn_euler(self, token: Token) -> None:
        before = self.tokens[self.position - 2] if self.position >= 2 else None
        if before is not None and before.kind == NUMBER and before.end == token.start:
            self.warn(
                f"'{before.text}e' is read as {before.text} times Euler's number e, not as "
                f"a power of ten; write {before.text}*10^(...) for that"
            )
        self.warn("e is read as Euler's number (about 2.718): e^x is exp(x)")

    def variable(self, token: Token) -> build.Value:
        word, vocabulary = token.text, self.vocabulary
        if word == "e" and self.is_op("^", "**"):
            self.warn("e is this question's variable e, not Euler's number; write exp(x) for e^x")
        if self.peek().kind == LPAREN:
            self.warn(f"'{word}(' is read as {word} times (...): {word} is a variable")
        match = DATA_NAME.match(word)
        if match and match.group(1) in vocabulary.data:
            return vocabulary.element(match.group(1))
        return vocabulary.scalars[word]

    def unknown_name(self, token: Token) -> ParseError:
        word, vocabulary = token.text, self.vocabulary
        hints = []
        if word in vocabulary.data:
            hints.append(f"write {word}_{vocabulary.index} for the data")
        elif len(word) > 1 and all(letter in vocabulary.scalars for letter in word):
            hints.append(f"for a product write {'*'.join(word)}")
        if vocabulary.open:
            known = "names are single letters or data such as x_i"
        else:
            known = f"this question uses {vocabulary.listing()}"
        hint = "; ".join([known, *hints])
        return ParseError(f"unknown name '{word}' {at(token.start)}; {hint}", token.start)

    def call(self, token: Token) -> build.Value:
        least, most = ARITY[token.text]
        self.expect(LPAREN, "'('")
        arguments = [self.expression()]
        while self.peek().kind == COMMA and len(arguments) < most:
            self.advance()
            arguments.append(self.expression())
        if self.peek().kind == COMMA or len(arguments) < least:
            counted = f"{least}" if least == most else f"{least} to {most}"
            plural = "" if counted == "1" else "s"
            raise ParseError(
                f"{token.text} {at(token.start)} takes {counted} argument{plural}",
                self.peek().start,
            )
        self.expect(RPAREN, f"')' to close {token.text}(")
        return build.apply(token.text, arguments, token.start, self.limits)

    def summation(self, token: Token) -> build.Value:
        vocabulary = self.vocabulary
        if vocabulary.index is None:
            raise ParseError(
                f"{token.text} {at(token.start)} needs data to sum over, such as x_i; "
                f"this question uses {vocabulary.listing()}",
                token.start,
            )
        if self.in_sum:
            raise ParseError(
                f"a sum inside another sum {at(token.start)} is not supported", token.start
            )
        self.expect(LPAREN, "'('")
        self.in_sum = True
        body = self.expression()
        self.in_sum = False
        self.expect(COMMA, f"',' and the index: {token.text}(..., {vocabulary.index})")
        self.summation_bounds()
        self.expect(RPAREN, f"')' to close {token.text}(")
        return build.summation(body, vocabulary.index, vocabulary.count, token.start)

    def summation_bounds(self) -> None:
        """``i`` or, as sympy prints it, ``(i, 1, n)``: sums always run over i = 1..n."""
        index, count = self.vocabulary.index.name, self.vocabulary.count.name
        wanted = [index] if self.peek().kind != LPAREN else ["(", index, ",", "1", ",", count, ")"]
        for text in wanted:
            token = self.advance()
            if token.text != text:
                raise ParseError(
                    f"a sum runs over its index {index} from 1 to {count}: write "
                    f"sum(..., {index}) ({at(token.start)})",
                    token.start,
                )

    def data_element(self, token: Token) -> build.Value:
        """``x[i]``, as sympy prints element i of the data vector x."""
        self.expect(LBRACK, "'['")
        index = self.advance()
        if index.text != self.vocabulary.index.name:
            raise ParseError(
                f"brackets {at(index.start)} are only for data such as "
                f"{token.text}[{self.vocabulary.index}] (element {self.vocabulary.index})",
                index.start,
            )
        self.expect(RBRACK, "']'")
        return self.vocabulary.element(token.text)

    def matrix_call(self, token: Token) -> build.Value:
        """``Matrix([[a], [b]])``, as sympy prints a vector or matrix."""
        self.expect(LPAREN, "'('")
        bracket = self.expect(LBRACK, "'[' after Matrix(")
        value = build.matrix(self.bracket_items(bracket, rows_allowed=True), bracket.start)
        self.expect(RPAREN, "')' to close Matrix(")
        return value

    def bracket_items(self, opening: Token, *, rows_allowed: bool) -> list:
        """The comma-separated items up to the matching ']' (rows one level deep)."""
        if self.peek().kind == RBRACK:
            raise ParseError(f"empty brackets {at(opening.start)}", opening.start)
        items: list = []
        with self.nested():
            while True:
                if rows_allowed and self.peek().kind == LBRACK:
                    row_opening = self.advance()
                    items.append(self.bracket_items(row_opening, rows_allowed=False))
                else:
                    items.append(self.expression())
                if self.peek().kind != COMMA:
                    break
                self.advance()
        self.expect(RBRACK, "',' or ']'")
        return items


def _words(tokens: list[Token]) -> list[tuple[str, str | None]]:
    """Each name with the index that follows it in brackets (``x[i]``), if any."""
    words = []
    for k, token in enumerate(tokens):
        if token.kind != NAME:
            continue
        following = [t.kind for t in tokens[k + 1 : k + 4]]
        bracketed = following == [LBRACK, NAME, RBRACK]
        words.append((token.text, tokens[k + 2].text if bracketed else None))
    return words


def parse(
    text: str,
    variables: Sequence[str] | None = None,
    *,
    allow_floats: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    evaluate: bool = True,
) -> Parsed:
    """Read ``text`` as math over the question's ``variables`` (e.g. ``["w", "b", "x_i"]``).

    Without ``variables``, single letters are variables and ``x_i`` data. Raises ParseError
    with a message naming the place; ambiguous readings come back in ``Parsed.warnings``.
    ``evaluate=False`` keeps the answer as written (``2*(x+1)`` is not distributed), for
    checking its form; read it with ``evaluate=True`` first, which bounds its values.
    """
    if not isinstance(text, str):
        raise ParseError(f"expected the answer as text, got {type(text).__name__}", 0)
    tokens = tokenize(text, limits)
    vocabulary = declared(variables) if variables is not None else discovered(_words(tokens))
    parser = _Parser(text, tokens, vocabulary, allow_floats, limits)
    try:
        with sympy.evaluate(evaluate):
            value = build.finish(parser.answer(), limits)
    except (ArithmeticError, RecursionError) as error:
        reason = type(error).__name__
        raise ParseError(f"this expression cannot be handled ({reason})", 0) from None
    return Parsed(
        text=text,
        expr=value,
        warnings=parser.warnings,
        symbols=vocabulary.used_in(value),
        vocabulary=vocabulary,
    )
