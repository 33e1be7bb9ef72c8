#!/usr/bin/env python3
"""Runs the scenarios the notebooks read at a small scale, then executes every notebook with
nbclient; any error or failed assertion in a notebook fails the run (exit code 1).

Usage: python3 notebooks/run_all.py --yidi build/release/sim/yidi --runs DIR [--scale 1:40000]
The executed notebooks are written to DIR, never over the committed ones.
"""
import argparse
import os
import subprocess
import sys

import nbclient
import nbformat

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = ["baseline", "target-70", "no-reduction", "reductions-bazhong-everywhere", "reductions-national"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--yidi", required=True)
    ap.add_argument("--runs", required=True)
    ap.add_argument("--scale", default="1:40000")
    ap.add_argument("--months", default="48")  # 2022-01 to 2025-12: the target's horizon
    a = ap.parse_args()
    os.makedirs(a.runs, exist_ok=True)
    for s in SCENARIOS:
        out = os.path.join(a.runs, s + ".h5")
        subprocess.run([a.yidi, "run", s, "--scale", a.scale, "--months", a.months, "-o", out, "--overwrite"],
                       check=True, stdin=subprocess.DEVNULL)
    # Replicate bands for the planner, when this build has `yidi replicates`.
    help_text = subprocess.run([a.yidi, "--help"], capture_output=True, text=True).stdout
    if " replicates" in help_text:
        summary = os.path.join(a.runs, "baseline-replicates.h5")
        if os.path.exists(summary):
            os.remove(summary)  # ours, from an earlier pass: yidi never overwrites silently
        subprocess.run([a.yidi, "replicates", "baseline", "-n", "3", "--scale", a.scale, "--months", a.months, "-o",
                        summary], check=True, stdin=subprocess.DEVNULL)
    env = dict(os.environ, YIDI_RUNS_DIR=os.path.abspath(a.runs), MPLBACKEND="Agg")
    failed = 0
    for name in ["planner", "finance", "researcher"]:
        nb = nbformat.read(os.path.join(HERE, name + ".ipynb"), as_version=4)
        os.environ.update(env)
        try:
            nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": HERE}}).execute()
            print(f"{name}.ipynb: ok")
        except nbclient.exceptions.CellExecutionError as e:
            failed += 1
            print(f"{name}.ipynb: FAILED\n{e}", file=sys.stderr)
        nbformat.write(nb, os.path.join(a.runs, name + ".executed.ipynb"))
    print(f"{3 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
