"""Run every gate in tests/gates.d in order and total the results.

Each gate is an executable script. A gate that runs a test runner writes JUnit
XML to the path in $GATE_JUNIT and is counted test by test; any other gate
counts as one check. A gate that exits non-zero always counts at least one
failure. The last line printed is the total: "N passed, N failed[, N skipped]".

    python tests/run_gates.py [PATTERN ...]   # only gates whose name matches
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GATES = ROOT / "tests" / "gates.d"
OUTPUT = ROOT / "tests" / "output"


def junit_counts(path: Path) -> tuple[int, int, int]:
    """Return (passed, failed, skipped) from a JUnit XML file."""
    passed = failed = skipped = 0
    root = ET.parse(path).getroot()  # noqa: S314 - our own test runners wrote it
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def run_gate(gate: Path) -> tuple[int, int, int, float]:
    junit = OUTPUT / "junit" / f"{gate.stem}.xml"
    junit.unlink(missing_ok=True)
    env = dict(os.environ, GATE_JUNIT=str(junit))
    print(f"\n======== gate {gate.stem} ========", flush=True)
    start = time.monotonic()
    code = subprocess.call([str(gate)], cwd=ROOT, env=env)
    elapsed = time.monotonic() - start
    if junit.exists():
        passed, failed, skipped = junit_counts(junit)
        if code != 0 and failed == 0:
            failed = 1
    else:
        passed, failed, skipped = (1, 0, 0) if code == 0 else (0, 1, 0)
    verdict = "ok" if code == 0 else f"FAILED (exit {code})"
    print(
        f"======== gate {gate.stem}: {verdict} in {elapsed:.0f}s ({passed} passed, {failed} failed, {skipped} skipped)",
        flush=True,
    )
    return passed, failed, skipped, elapsed


def main(patterns: list[str]) -> int:
    (OUTPUT / "junit").mkdir(parents=True, exist_ok=True)
    gates = sorted(p for p in GATES.iterdir() if p.is_file() and os.access(p, os.X_OK))
    if patterns:
        gates = [g for g in gates if any(pat in g.stem for pat in patterns)]
    if not gates:
        print("no gate matched", patterns)
        return 2
    totals = [0, 0, 0]
    report = []
    for gate in gates:
        passed, failed, skipped, elapsed = run_gate(gate)
        totals = [totals[0] + passed, totals[1] + failed, totals[2] + skipped]
        report.append(f"  {'FAIL' if failed else 'ok  '} {gate.stem:<28} {elapsed:6.0f}s")
    # After a full run, stop what the gates left running (test cluster, second
    # Docker daemon); a run of chosen gates leaves them up for the next one.
    teardown = ROOT / "tests" / "env" / "teardown.sh"
    if teardown.exists() and not patterns:
        print("\n======== teardown ========", flush=True)
        if subprocess.call([str(teardown)], cwd=ROOT) != 0:
            totals[1] += 1
            report.append("  FAIL teardown")
    print("\nGates:\n" + "\n".join(report))
    line = f"{totals[0]} passed, {totals[1]} failed"
    if totals[2]:
        line += f", {totals[2]} skipped"
    print(line)
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
