"""``preview``: how the grader reads a typed math answer, before any grading.

It shows the answer as a formula, the variables it uses and any warning about an ambiguous
reading (such as ``1/2n``, read as ``(1/2)*n``). Nothing is graded and nothing hidden is used.
"""

from __future__ import annotations

from collections.abc import Sequence

from gradelab.symbolic import ParseError, parse


def show(markdown: str, latex: str | None = None) -> None:
    """Rich output in a notebook, plain text elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, Math, display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(markdown if latex is None else f"{markdown}\n    {latex}")
        return
    display(Markdown(markdown))
    if latex is not None:
        display(Math(latex))


def preview(
    text: str, variables: Sequence[str] | None = None, *, allow_floats: bool = True
) -> None:
    """Show how ``text`` is read with the question's ``variables``, or why it cannot be.

    It shows and returns nothing, so a notebook cell ending with it prints no ``Out[n]``;
    ``gradelab.symbolic.parse`` gives the reading itself."""
    try:
        parsed = parse(text, variables, allow_floats=allow_floats)
    except ParseError as error:
        show(f"We could not read your answer: {error}")
        return
    show("This is how we read your answer:", parsed.latex)
    used = ", ".join(parsed.symbols) if parsed.symbols else "none"
    lines = [f"Variables used: {used}"]
    lines += [f"Warning: {warning}" for warning in parsed.warnings]
    show("\n\n".join(lines))
