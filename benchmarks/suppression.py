"""How long suppression across breakdowns takes, at growing numbers of respondents and groups.

    .venv/bin/python benchmarks/suppression.py

``analysis.suppression.shown_groups`` checks every department and role group together (overlaps
counted in one pass over the respondents, pairs of groups compared by size first). It runs once
per closed round, in the job that computes the round's final figures. Prints the time for
1,000 to 100,000 respondents in 20 to 500 departments and 6 role groups. Pure Python.
"""

from __future__ import annotations

import random
import time

from analysis.suppression import shown_groups


def organisation(respondents: int, departments: int, rng: random.Random):
    """Respondents spread over departments of very different sizes, and 6 role groups."""
    weights = [rng.paretovariate(1.2) for _ in range(departments)]
    dimensions: dict[str, dict[str, set[int]]] = {"department": {}, "role_group": {}}
    invited: dict[str, dict[str, int]] = {"department": {}, "role_group": {}}
    names = [f"D{i}" for i in range(departments)]
    for person in range(respondents):
        department = rng.choices(names, weights)[0]
        role = f"R{min(int(rng.expovariate(0.8)), 5)}"
        dimensions["department"].setdefault(department, set()).add(person)
        dimensions["role_group"].setdefault(role, set()).add(person)
    for dimension, groups in dimensions.items():
        for name, members in groups.items():
            invited[dimension][name] = int(len(members) * 1.4) + 1
    return dimensions, invited


def main() -> None:
    """Print one line per size."""
    rng = random.Random(16)
    print(f"{'respondents':>11} {'departments':>11} {'seconds':>8} {'shown':>6}")
    for respondents, departments in ((1_000, 20), (10_000, 100), (100_000, 500)):
        dimensions, invited = organisation(respondents, departments, rng)
        start = time.perf_counter()
        shown = shown_groups(dimensions, set(range(respondents)), 5, population=invited)
        seconds = time.perf_counter() - start
        count = sum(len(names) for names in shown.values())
        print(f"{respondents:>11,} {departments:>11} {seconds:>8.3f} {count:>6}")


if __name__ == "__main__":
    main()
