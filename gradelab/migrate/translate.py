"""Translate one nbgrader test cell into a hidden test, with ``ast``; nothing is run.

The cell's statements become the test's body in order, each name of the student's
(a function or variable their answer cells define) read from the sandbox: ``f(x)`` becomes
``student.f(x)`` and a variable ``v`` becomes ``student.value("v")``. Besides plain
statements (``assert``, assignments, nose's ``assert_equal``), two of nbgrader's idioms are
understood: ``try: f(x) except E: pass else: raise ...`` (``expect_raises``) and
``saved = f; del f; try: g(x) except NameError: ... finally: f = saved`` (``expect_uses``).
Whatever else the cell does is named, with its line, for the instructor to finish.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field

MAX_SOURCE_CHARS = 100_000
NOSE = {"assert_equal": "==", "assert_not_equal": "!="}
ALLOWED = (ast.Assert, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Pass)


@dataclass
class Untranslated:
    """A statement of a test cell that was not translated."""

    cell: str
    line: int
    code: str

    def __str__(self) -> str:
        return f"cell {self.cell}, line {self.line}: {self.code}"


@dataclass
class TranslatedCell:
    grade_id: str
    points: float
    title: str
    source: str = ""
    body: list[str] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)
    untranslated: list[Untranslated] = field(default_factory=list)


class StudentNames(ast.NodeTransformer):
    """Reads the student's names from the sandbox; records a name it cannot."""

    def __init__(self, functions: set[str], variables: set[str]) -> None:
        self.functions = functions
        self.variables = variables
        self.problem: str | None = None

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name) and node.func.id in self.functions:
            node.args = [self.visit(arg) for arg in node.args]
            node.keywords = [self.visit(keyword) for keyword in node.keywords]
            node.func = student_attribute(node.func.id)
            return node
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.functions:
            self.problem = f"uses the function {node.id} other than by calling it"
        elif node.id in self.variables and isinstance(node.ctx, ast.Load):
            value = ast.Call(student_attribute("value"), [ast.Constant(node.id)], [])
            return ast.copy_location(value, node)
        elif node.id in self.variables:
            self.problem = f"assigns the student's {node.id}"
        return node


def student_attribute(name: str) -> ast.Attribute:
    return ast.Attribute(ast.Name("student", ast.Load()), name, ast.Load())


def translate_cell(
    grade_id: str, points: float, source: str, functions: set[str], variables: set[str]
) -> TranslatedCell:
    """The hidden test of one test cell (``functions``/``variables``: the student's names)."""
    result = TranslatedCell(grade_id, points, f"test cell {grade_id}", source)
    if len(source) > MAX_SOURCE_CHARS:
        result.untranslated.append(Untranslated(grade_id, 1, "the cell is too long to translate"))
        return result
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        result.untranslated.append(Untranslated(grade_id, 1, f"cannot be parsed: {error}"))
        return result
    statements = list(tree.body)
    if statements and is_docstring(statements[0]):
        result.title = statements.pop(0).value.value.strip().splitlines()[0]
    index = 0
    while index < len(statements):
        used = uses_helper(statements, index, functions)
        if used is not None:
            count, line = used
            result.body.append(line)
            index += count
            continue
        node = statements[index]
        index += 1
        line = translate_statement(node, functions, variables)
        if isinstance(node, ast.Import | ast.ImportFrom):
            result.imports.append(ast.unparse(node))
        elif line is None:
            code = ast.get_source_segment(source, node) or ast.unparse(node)
            first = code.splitlines()[0][:200]
            result.untranslated.append(Untranslated(grade_id, node.lineno, first))
        else:
            result.body.append(line)
    return result


def is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def translate_statement(node: ast.stmt, functions: set[str], variables: set[str]) -> str | None:
    """The statement, the student's names read from the sandbox; None if it cannot be."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        return ""
    if isinstance(node, ast.Expr) and is_nose_assert(node.value):
        node = nose_as_assert(node.value)
    elif raises_idiom(node, functions) is not None:
        return raises_idiom(node, functions)
    if not isinstance(node, ALLOWED):
        return None
    names = StudentNames(functions, variables)
    rewritten = names.visit(node)
    return None if names.problem else ast.unparse(ast.fix_missing_locations(rewritten))


def is_nose_assert(call: ast.expr) -> bool:
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id in {*NOSE, "assert_true", "assert_false"}
        and len(call.args) in (1, 2, 3)
        and not call.keywords
    )


def nose_as_assert(call: ast.Call) -> ast.Assert:
    """``assert_equal(a, b)`` -> ``assert a == b`` (and ``assert_true``/``assert_false``)."""
    name, args = call.func.id, call.args
    message = args[2] if name in NOSE and len(args) == 3 else None
    if name in NOSE and len(args) >= 2:
        op = ast.Eq() if NOSE[name] == "==" else ast.NotEq()
        test: ast.expr = ast.Compare(args[0], [op], [args[1]])
    elif name == "assert_true":
        test, message = args[0], (args[1] if len(args) == 2 else None)
    else:
        test, message = ast.UnaryOp(ast.Not(), args[0]), (args[1] if len(args) == 2 else None)
    return ast.Assert(test, message)


def student_call(node: ast.stmt, functions: set[str]) -> ast.Call | None:
    """The call of a student's function that is the whole of ``node``, if it is one."""
    if isinstance(node, ast.Expr | ast.Assign) and isinstance(node.value, ast.Call):
        call = node.value
        if isinstance(call.func, ast.Name) and call.func.id in functions and not call.keywords:
            return call
    return None


def caught_name(node: ast.Try) -> str | None:
    """The one exception class a ``try`` catches by name, doing nothing else with it."""
    if len(node.handlers) != 1:
        return None
    handler = node.handlers[0]
    if not isinstance(handler.type, ast.Name):
        return None
    if not all(isinstance(s, ast.Pass | ast.Expr) for s in handler.body):
        return None
    return handler.type.id


def raises_idiom(node: ast.stmt, functions: set[str]) -> str | None:
    """``try: f(args) except E: pass else: raise ...`` -> ``expect_raises(E, student.f, ...)``."""
    if not isinstance(node, ast.Try) or len(node.body) != 1 or node.finalbody:
        return None
    call = student_call(node.body[0], functions)
    error = caught_name(node)
    if call is None or error is None or not any(isinstance(s, ast.Raise) for s in node.orelse):
        return None
    args = ", ".join(ast.unparse(arg) for arg in call.args)
    return f"expect_raises({error}, student.{call.func.id}{', ' if args else ''}{args})"


def uses_helper(
    statements: list[ast.stmt], index: int, functions: set[str]
) -> tuple[int, str] | None:
    """``saved = f; del f; try: g(args) except NameError: ... else: raise ...
    finally: f = saved`` at ``index`` -> (statements used, ``expect_uses(...)``)."""
    window = statements[index : index + 3]
    if len(window) < 3:
        return None
    save, delete, attempt = window
    if not (
        isinstance(save, ast.Assign)
        and isinstance(save.value, ast.Name)
        and save.value.id in functions
        and isinstance(delete, ast.Delete)
        and len(delete.targets) == 1
        and isinstance(delete.targets[0], ast.Name)
        and delete.targets[0].id == save.value.id
        and isinstance(attempt, ast.Try)
        and len(attempt.body) == 1
        and caught_name(attempt) == "NameError"
        and any(isinstance(s, ast.Raise) for s in attempt.orelse)
    ):
        return None
    call = student_call(attempt.body[0], functions)
    if call is None:
        return None
    helper = save.value.id
    args = "".join(f", {ast.unparse(arg)}" for arg in call.args)
    return 3, f"expect_uses(student, {json.dumps(call.func.id)}, {json.dumps(helper)}{args})"
