"""What happens in a simulated term, drawn from a seed before it starts: the assignments and
their policies, each student's submissions (bursts before each due date, resubmissions, late
ones), the hostile students' attacks in loops, and the moments the service is killed.

Times are seconds from the term's start; a due date is ``due`` paces after it. Nothing is
drawn while the term runs, so a seed always plays the same term.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

MARGIN = 2.5  # seconds kept between a planned submission and its due date


@dataclass(frozen=True)
class Assignment:
    name: str
    due: float  # in paces from the term's start
    counts: str = "last"
    gradings_per_hour: int | None = None


ASSIGNMENTS = (
    Assignment("mse_gradient", 2.0),
    Assignment("gradients", 3.0, counts="best"),
    Assignment("update_step", 4.0, gradings_per_hour=2),
    Assignment("update_rule_quiz", 5.0),
)
HOSTILE_ROLES = ("odd_names", "deep_entries", "link_swapper", "late_editor", "giant")


@dataclass(frozen=True)
class Submit:
    """``nbgrader submit`` of the named answer (a sample of the assignment); ``giant``
    markdown cells added to it."""

    at: float
    student: str
    assignment: str
    answer: str
    giant: int = 0


@dataclass(frozen=True)
class Swap:
    """The student's latest entry of the assignment swapped for a symbolic link to the
    victim's ``submitted/`` (or ``feedback/``) folder of it."""

    at: float
    student: str
    assignment: str
    victim: str
    target: str


@dataclass(frozen=True)
class Edit:
    """The notebook of the student's latest entry rewritten with the named answer."""

    at: float
    student: str
    assignment: str
    answer: str


@dataclass(frozen=True)
class OddName:
    """An inbound entry whose name is not valid UTF-8."""

    at: float
    student: str
    assignment: str


@dataclass(frozen=True)
class Deep:
    """An inbound entry with a secret and folders nested ``depth`` deep."""

    at: float
    student: str
    assignment: str
    depth: int = 1500


@dataclass(frozen=True)
class Kill:
    """SIGKILL to the service, started again at once."""

    at: float


Event = Submit | Swap | Edit | OddName | Deep | Kill


@dataclass
class Plan:
    pace: float
    students: list[str]
    hostiles: dict[str, str]
    extensions: dict[str, dict[str, str]]  # assignment: {student: "1h"} in the policies
    gradebook_extensions: dict[str, list[str]]  # assignment: students, 1 h set in nbgrader's way
    events: list[Event] = field(default_factory=list)

    @property
    def length(self) -> float:
        return max(e.at for e in self.events)

    def due(self, assignment: Assignment) -> float:
        return assignment.due * self.pace


def make_plan(
    students: int,
    kills: int,
    seed: int,
    pace: float,
    answers: dict[str, list[str]],
    giant_cells: int,
    attacks: tuple[str, ...] = HOSTILE_ROLES,
) -> Plan:
    """A term of ``students`` bystanders, a hostile student for each of ``attacks`` (of
    ``HOSTILE_ROLES``), and ``kills`` kills."""
    draw = random.Random(seed)
    names = [f"glt-s{k:03d}" for k in range(students)]
    hostiles = {role: f"glt-h{role.split('_')[0][:5]}" for role in attacks}
    plan = Plan(
        pace,
        names,
        hostiles,
        extensions={"gradients": {names[1]: "1h", names[2]: "1h"}},
        gradebook_extensions={"mse_gradient": [names[3]]},
    )
    extended = {(a, s) for a, who in plan.extensions.items() for s in who} | {
        (a, s) for a, who in plan.gradebook_extensions.items() for s in who
    }
    for assignment in ASSIGNMENTS:
        due = plan.due(assignment)
        options = answers[assignment.name]
        for student in names:
            first = (
                draw.uniform(due - 0.35 * pace, due - MARGIN)
                if draw.random() < 0.7
                else draw.uniform(max(1.0, due - 1.6 * pace), due - 0.35 * pace)
            )
            times = [first]
            if draw.random() < 0.35:
                times.append(draw.uniform(first + 0.5, due - MARGIN))
            if assignment.gradings_per_hour and draw.random() < 0.2:
                times += [draw.uniform(first + 0.5, due - MARGIN) for _ in range(2)]
            if (assignment.name, student) in extended or draw.random() < 0.12:
                times.append(draw.uniform(due + MARGIN, due + 0.5 * pace))
            for at in sorted(times):
                plan.events.append(Submit(at, student, assignment.name, draw.choice(options)))
    plan.events += hostile_events(plan, draw, giant_cells)
    end = max(plan.due(a) for a in ASSIGNMENTS) + 0.5 * pace
    plan.events += [Kill(draw.uniform(0.2 * pace, end)) for _ in range(kills)]
    plan.events.sort(key=lambda e: e.at)
    return plan


def hostile_events(plan: Plan, draw: random.Random, giant_cells: int) -> list[Event]:
    """The attacks of the hostile students, each in a loop through the term."""
    pace, roles = plan.pace, plan.hostiles
    end = max(plan.due(a) for a in ASSIGNMENTS) + 0.5 * pace
    events: list[Event] = []
    targets = [a for a in ASSIGNMENTS if not a.gradings_per_hour]
    at = 0.2 * pace
    while at < end:
        if "odd_names" in roles:
            events.append(OddName(at, roles["odd_names"], "mse_gradient"))
        if "deep_entries" in roles:
            events.append(Deep(at + 0.25 * pace, roles["deep_entries"], "mse_gradient"))
        at += 0.5 * pace
    delays = (0.4, 0.7, 1.2, 2.5)
    at, k = 0.6 * pace, 0
    while at < end and "link_swapper" in roles:
        assignment = targets[k % len(targets)].name
        events.append(Submit(at, roles["link_swapper"], assignment, "blank"))
        target = ("submitted", "feedback")[k % 2]
        victim = draw.choice(plan.students)
        swap = Swap(at + delays[k % len(delays)], roles["link_swapper"], assignment, victim, target)
        events.append(swap)
        at, k = at + pace / 3, k + 1
    for assignment in targets:
        due = plan.due(assignment)
        if "late_editor" in roles:
            editor = roles["late_editor"]
            events.append(Submit(due - 3.0, editor, assignment.name, "blank"))
            events += [
                Edit(due + later, editor, assignment.name, "reference") for later in (2.0, 3.5)
            ]
        if "giant" in roles:
            giant = Submit(due - 0.3 * pace, roles["giant"], assignment.name, "blank", giant_cells)
            events.append(giant)
    return events
