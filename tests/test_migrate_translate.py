"""``gradelab migrate``'s translation of one test cell: the student's names are read from the
sandbox, nbgrader's idioms become helpers, and the rest is named with its line."""

from gradelab.migrate.translate import translate_cell

FUNCTIONS = {"squares", "total"}
VARIABLES = {"answer"}


def translated(source: str):
    return translate_cell("test_x", 2.0, source, FUNCTIONS, VARIABLES)


def test_asserts_call_the_students_functions_and_read_their_variables():
    cell = translated('"""squares are right"""\nn = 3\nassert squares(n) == [1, 4, 9], "no"\n'
                      "assert answer > 0")  # fmt: skip
    assert cell.title == "squares are right"
    assert cell.body == [
        "n = 3",
        "assert student.squares(n) == [1, 4, 9], 'no'",
        "assert student.value('answer') > 0",
    ]
    assert not cell.untranslated


def test_nose_asserts_become_plain_asserts_and_imports_move_to_the_top():
    cell = translated("from nose.tools import assert_equal\nassert_equal(total(2), 5)")
    assert cell.body == ["assert student.total(2) == 5"]
    assert cell.imports == ["from nose.tools import assert_equal"]


def test_nbgraders_idioms_for_raising_and_using_a_helper_become_helpers():
    raises = (
        "try:\n    squares(-1)\nexcept ValueError:\n    pass\nelse:\n    raise AssertionError('x')"
    )
    uses = (
        "saved = squares\ndel squares\ntry:\n    total(2)\nexcept NameError:\n    pass\n"
        "else:\n    raise AssertionError('x')\nfinally:\n    squares = saved"
    )
    assert translated(raises).body == ["expect_raises(ValueError, student.squares, -1)"]
    assert translated(uses).body == ['expect_uses(student, "total", "squares", 2)']


def test_what_cannot_be_translated_is_named_with_its_line():
    cell = translated(
        "x = 1\nfor i in range(3):\n    assert squares(i)\nprint(squares)\nanswer = 2"
    )
    assert [(u.line, u.code) for u in cell.untranslated] == [
        (2, "for i in range(3):"),
        (4, "print(squares)"),
        (5, "answer = 2"),
    ]
    assert translated("assert (").untranslated[0].line == 1
