"""``SympyText``: a sympy object sent by the sandbox, as the text of sympy's printer.

Here, with nothing else, so that the sandbox's side of the wire and the student kit's judge
share it without importing each other (or sympy).
"""


class SympyText(str):
    """A sympy object from the sandbox, as the text of sympy's printer.

    It is never given to ``sympify``: ``gradelab.symbolic`` reads it with its safe parser.
    """
