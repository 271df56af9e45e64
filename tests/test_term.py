"""A course's term, shortened: students on their own Unix accounts submit four assignments
(one of them a quiz) in bursts before each due date, resubmit, submit late with and without
extensions and past the hourly limit; hostile students attack the service in loops; the
service is killed and started again at random moments. At the end every submission is graded
once, every score and penalty is the policy's, and every page is its student's alone."""

from __future__ import annotations

import pytest
from simulated_term import Size, run_term

#: Unix accounts and the machine's processes: alone, after the parallel tests.
pytestmark = [pytest.mark.slow, pytest.mark.serial]

SHORT = Size(students=16, kills=5, seed=17, pace=12.0, giant_cells=20_000)


def test_a_term_of_students_hostile_ones_and_kills_ends_as_the_policies_say(course) -> None:
    result = run_term(course, SHORT)
    print(result.summary)
    if result.failures:
        pytest.fail("\n".join([f"{len(result.failures)} oracle failure(s):", *result.failures]))
