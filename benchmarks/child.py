"""Run one benchmark step in this (fresh) process: ``python -m benchmarks.child STEP ARG PLAN OUT``.

The parent (benchmarks/runner.py) starts one of these per step and reads this process's peak RSS
from ``os.wait4``; the step's timings and numbers come back as JSON in OUT.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback


def main(argv: list[str]) -> int:
    step, arg, plan_path, out_path = argv
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    try:
        from benchmarks.steps import CPU_S, STEPS

        with open(plan_path, encoding="utf-8") as fh:
            plan = json.load(fh)
        result = STEPS[step](plan, arg or None)
        result.update(ok=True, warm_cpu_s=CPU_S)
    except Exception:  # the parent reports the failure with the step's name; the run goes on
        result = {"ok": False, "error": traceback.format_exc()}
        print(result["error"], file=sys.stderr)
    # The machine's 1-minute load average around the step: above the core count, steps wait for CPU.
    result.update(process_s=time.perf_counter() - started, load_before=load_before, load_after=os.getloadavg()[0])
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(result, fh, default=str)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
