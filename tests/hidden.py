"""The hidden expected values of a notebook, in the forms a leak would take.

Tests search feedback pages and otter zips for them: a distinctive number as text (five
or more significant digits, as ``%.6g`` and as ``repr``) or a float tensor's raw bytes.
"""

from __future__ import annotations

import torch

from autograder.course import Course
from autograder.fixtures import load_fixtures


def hidden_values(course: Course, assignment: str, notebook: str,
                  ) -> tuple[set[str], list[bytes]]:
    """(distinctive numbers as text, raw bytes of arrays with 3+ distinct values)."""
    plan, expected = load_fixtures(course, assignment, notebook)
    # An invariant question's expected value (often the end of a training run) is never
    # compared by value, so showing it reveals nothing that earns points; and its many
    # trained weights would match public numbers by chance.
    by_value = {f"{q['name']}/{c['id']}" for q in plan["questions"]
                if q["judge"] != "invariant" for c in q["cases"]}
    numbers: set[str] = set()
    arrays: list[bytes] = []

    def walk(v):
        if isinstance(v, torch.Tensor) and v.is_floating_point():
            values = v.flatten().tolist()
            if len(set(values)) >= 3:  # zeros or a constant could be anyone's value
                arrays.append(v.detach().cpu().numpy().tobytes())
        elif isinstance(v, float):
            values = [v]
        elif isinstance(v, (list, tuple)):
            return [walk(x) for x in v]
        elif isinstance(v, dict):
            return [walk(x) for x in v.values()]
        else:
            return None
        for x in values:
            text = f"{x:.6g}"
            if sum(c.isdigit() for c in text.lstrip("-0.")) >= 5:
                numbers.update({text, repr(x)})

    for key, value in expected.items():
        if "/h" in key and key in by_value:
            walk(value)
    return numbers, arrays
