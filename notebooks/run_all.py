#!/usr/bin/env python3
"""Runs the scenarios the notebooks read, then executes every notebook with nbclient; any error
or failed assertion in a notebook fails the run (exit code 1), and so does an executed notebook
without its figures (fewer PNG images than it draws) or one whose Chinese text would show as boxes
(a "missing from current font" warning).

Usage: /usr/bin/python3 notebooks/run_all.py --yidi build/release/sim/yidi --runs DIR [--scale 1:1000]
Debian's python3 (/usr/bin/python3) has the packages the notebooks need (python3-h5py,
python3-pandas, python3-matplotlib, python3-nbclient); the figures' Chinese text needs
fonts-noto-cjk. The executed notebooks are written to DIR, never over the committed ones.
"""
import argparse
import os
import subprocess
import sys

import nbclient
import nbformat

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = ["baseline", "target-70", "no-reduction", "reductions-bazhong-everywhere", "reductions-national"]
# The figures each notebook draws: an executed notebook must hold at least these many PNG images.
FIGURES = {"planner": 2, "finance": 2, "researcher": 2}


def images_and_warnings(nb):
    images, warnings = 0, []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                images += 1
            text = out.get("text", "")
            if "missing from current font" in text:
                warnings.append(text.strip().splitlines()[0])
    return images, warnings


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--yidi", required=True)
    ap.add_argument("--runs", required=True)
    ap.add_argument("--scale", default="1:1000")  # coarser scales make a province's figures mostly noise
    ap.add_argument("--months", default="48")  # 2022-01 to 2025-12: the target's horizon
    ap.add_argument("--threads", default="2")
    a = ap.parse_args()
    os.makedirs(a.runs, exist_ok=True)
    common = ["--scale", a.scale, "--months", a.months, "--threads", a.threads]
    for s in SCENARIOS:
        out = os.path.join(a.runs, s + ".h5")
        subprocess.run([a.yidi, "run", s, *common, "-o", out, "--overwrite"], check=True, stdin=subprocess.DEVNULL)
    summary = os.path.join(a.runs, "baseline-replicates.h5")
    subprocess.run([a.yidi, "replicates", "baseline", "-n", "3", *common, "-o", summary, "--overwrite"], check=True,
                   stdin=subprocess.DEVNULL)
    # The kernel finds the runs, the binary and the package (python/yidi) through its environment.
    os.environ.update(YIDI_RUNS_DIR=os.path.abspath(a.runs), YIDI_BINARY=os.path.abspath(a.yidi))
    os.environ.pop("MPLBACKEND", None)  # the notebooks draw inline (%matplotlib inline)
    failed = 0
    for name, want in FIGURES.items():
        nb = nbformat.read(os.path.join(HERE, name + ".ipynb"), as_version=4)
        try:
            nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": HERE}}).execute()
            images, warnings = images_and_warnings(nb)
            if images < want:
                raise RuntimeError(f"{images} figure(s) in the executed notebook, expected at least {want}")
            if warnings:
                raise RuntimeError("Chinese text drawn without a CJK font: " + warnings[0])
            print(f"{name}.ipynb: ok, {images} figure(s)")
        except (nbclient.exceptions.CellExecutionError, RuntimeError) as e:
            failed += 1
            print(f"{name}.ipynb: FAILED\n{e}", file=sys.stderr)
        nbformat.write(nb, os.path.join(a.runs, name + ".executed.ipynb"))
    print(f"{len(FIGURES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
