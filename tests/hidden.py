"""The hidden expected values of a notebook, in the forms a leak would take.

Tests search feedback pages and otter zips for them: a distinctive number as text (five
or more significant digits, as ``%.6g`` and as ``repr``) or a float tensor's raw bytes.
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
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
            if sum(c.isdigit() for c in text.lstrip("-0.")) >= 5 and not _simple_fraction(x):
                numbers.update({text, repr(x)})

    for key, value in expected.items():
        if "/h" in key and key in by_value:
            walk(value)
    return numbers, arrays


def _simple_fraction(x: float) -> bool:
    """Whether ``x`` is p/q with q <= 100 to the last bit, as 1/3 or 2/7 are.

    Such a number has many digits and still says nothing: a count-based probability can
    come out as 1/3, and an otter test file gives each of three cases 1/3 of a point.
    """
    if not np.isfinite(x):
        return False
    return float(Fraction(x).limit_denominator(100)) == x


#: A number as it would be written in text: what ``%.6g`` and ``repr`` of a float give.
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def numbers_in(text: str, numbers: set[str]) -> set[str]:
    """The hidden ``numbers`` written in ``text`` as numbers of their own.

    One pass over the text (tokens ∩ set) instead of one substring search per hidden
    number: a notebook's hidden tensors give tens of thousands of them.  A token is a
    whole number, so 1.23457 inside 11.234571 is not a leak; a sign is matched with and
    without it.
    """
    tokens = set(NUMBER.findall(text))
    tokens |= {t.lstrip("+-") for t in tokens}
    return tokens & numbers


def arrays_in(blob: bytes, arrays: list[bytes]) -> list[bytes]:
    """The hidden ``arrays`` whose raw bytes occur anywhere in ``blob``.

    Same answer as ``[a for a in arrays if a in blob]``, in one pass: every 8-byte window
    of the blob (at every offset) is looked up among the arrays' first 8 bytes, and only
    the windows that match are compared in full.
    """
    short = [a for a in arrays if len(a) < 8]
    found = [a for a in short if a in blob]
    long = [a for a in arrays if len(a) >= 8]
    if not long or len(blob) < 8:
        return found
    heads: dict[bytes, list[bytes]] = {}
    for a in long:
        heads.setdefault(a[:8], []).append(a)
    data = np.frombuffer(blob, dtype=np.uint8)
    windows = np.lib.stride_tricks.sliding_window_view(data, 8)
    keys = np.ascontiguousarray(windows).view("<u8").ravel()
    wanted = np.frombuffer(b"".join(heads), dtype="<u8")
    seen: set[bytes] = set()
    for offset in np.flatnonzero(np.isin(keys, wanted)).tolist():
        for a in heads.get(blob[offset:offset + 8], ()):
            if a not in seen and blob[offset:offset + len(a)] == a:
                seen.add(a)
                found.append(a)
    return found
