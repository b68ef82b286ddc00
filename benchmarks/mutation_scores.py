"""Per-module mutation scores of the last `mutmut run` (README, Development), from `mutmut results`.

    python benchmarks/mutation_scores.py [MIN_PERCENT]   # exit 1 below MIN_PERCENT

Killed and timed-out mutants count as caught; survived, "no tests" and suspicious ones
do not; skipped ones are left out.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

CAUGHT = {"killed", "timeout"}
LEFT_OUT = {"skipped", "not checked"}


def scores(lines: list[str]) -> dict[str, Counter[str]]:
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for line in lines:
        name, sep, status = line.strip().rpartition(": ")
        if not sep or "__mutmut_" not in name:
            continue
        module = name.split(".x")[0].split(".xǁ")[0]
        by_module[module][status] += 1
    return by_module


def main() -> int:
    floor = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    mutmut = Path(sys.executable).parent / "mutmut"  # beside this Python: no activation needed
    out = subprocess.run([str(mutmut), "results", "--all", "true"], capture_output=True,
                         text=True, check=True).stdout
    worst = 100.0
    for module, counts in sorted(scores(out.splitlines()).items()):
        counted = sum(n for s, n in counts.items() if s not in LEFT_OUT)
        caught = sum(counts[s] for s in CAUGHT)
        percent = 100 * caught / counted if counted else 100.0
        worst = min(worst, percent)
        detail = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        print(f"{module}: {percent:.1f}% caught ({caught}/{counted}; {detail})")
    return 0 if worst >= floor else 1


if __name__ == "__main__":
    sys.exit(main())
