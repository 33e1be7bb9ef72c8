#!/usr/bin/env python3
"""Writes the three notebooks (planner, finance, researcher) from the cells below, so that their
code is reviewed as code: edit here, then `/usr/bin/python3 notebooks/make_notebooks.py`.
notebooks/run_all.py executes them (the `notebooks` test)."""
import os

import nbformat as nbf

SETUP = '''%matplotlib inline
import glob, os, sys
# The yidi package (python/yidi): importable after the README's set-up; from a checkout, beside us.
sys.path.insert(0, os.path.abspath(os.path.join(os.getcwd(), "..", "python")))
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import yidi

yidi.use_cjk_font()  # 亿元 and province names in Chinese (Debian's fonts-noto-cjk)
RUNS = os.environ.get("YIDI_RUNS_DIR", "../outputs")
def run(name):
    """A run in RUNS: NAME.h5, or `yidi run`'s default name NAME-seedSEED.h5."""
    path = os.path.join(RUNS, name + ".h5")
    if not os.path.exists(path):
        found = sorted(glob.glob(os.path.join(RUNS, name + "-seed*.h5")))
        path = found[0] if found else path
    return yidi.open_run(path)'''

def nb(cells):
    n = nbf.v4.new_notebook()
    n.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    n.cells = [nbf.v4.new_markdown_cell(c[3:]) if c.startswith("md:") else nbf.v4.new_code_cell(c) for c in cells]
    return n

planner = nb([
"""md:# Planner: the 70% cross-province inpatient direct-settlement target

The target: at least 70% of cross-province inpatient stays settled directly by the end of 2025 (seed 000, 医保发〔2022〕22号). This notebook reads `baseline.h5` and `target-70.h5` from `YIDI_RUNS_DIR` (default `../outputs`), made by `yidi run baseline --scale 1:1000 -o …` and `yidi run target-70 …`, and, when present, the replicates summary `baseline-replicates.h5` (`yidi replicates baseline -n N`) for P5–P95 bands. `notebooks/run_all.py` makes them all at 1:1000; at a coarser scale a province's monthly rate is mostly sampling noise (the runs say so, below).""",
SETUP,
"""base, t70 = run("baseline"), run("target-70")
for r in (base, t70):
    print(r)
print(base.attrs["sampling_noise"])
rates = pd.DataFrame({r.name: r.frame("cross_dsr_inpatient", by="national,month").set_index("period")["value"]
                      for r in (base, t70)})
assert ((rates >= 0) & (rates <= 1)).all().all(), "a rate outside [0, 1]"
# The exported monthly national rate is the run's own dataset.
assert np.allclose(rates["baseline"].values, base.dataset("offsite/dsr_inpatient_national"), rtol=0, atol=1e-15)
rates.tail(6)""",
"""fig, ax = plt.subplots(figsize=(10, 4.5))
path = os.path.join(RUNS, "baseline-replicates.h5")
if os.path.exists(path):
    yidi.open_replicates(path).band("offsite/dsr_inpatient_national", ax=ax, label="baseline")
base.plot("cross_dsr_inpatient", by="national,month", ax=ax, label="baseline")
t70.plot("cross_dsr_inpatient", by="national,month", ax=ax, label="target-70", target=0.70)
ax.set_ylabel("direct ÷ all cross-province inpatient stays")
ax.set_title("national cross-province inpatient direct-settlement rate, by month")
fig.tight_layout()""",
"""# By insured province, the whole year 2025 (the year's direct stays ÷ its stays, not a mean of months).
year = "2025" if "2025" in set(base.frame("insured", by="national,year")["period"]) else None
t = base.frame("cross_dsr_inpatient", by="province,year")
year = year or t["period"].max()
by_province = t[t["period"] == year].set_index("region")["value"].dropna().sort_values()
fig, ax = plt.subplots(figsize=(7, 9))
ax.barh(by_province.index, by_province.values, color=["tab:red" if v < 0.70 else "tab:blue" for v in by_province.values])
ax.axvline(0.70, color="red", linestyle="--", label="70% target")
ax.set_xlabel("direct ÷ all cross-province inpatient stays of the province's insured")
ax.set_title(f"inpatient direct-settlement rate by insured province, {year}")
ax.legend()
fig.tight_layout()
print("provinces below 70% in", year, ":", list(by_province[by_province < 0.70].index))""",
"""# With replicates: the probability that the target is met, each year, nationally and per province
# (an exact count over the replicates, with its Wilson 95% interval; few replicates give wide ones).
path = os.path.join(RUNS, "baseline-replicates.h5")
reps = yidi.open_replicates(path)
p = reps.probability("cross_dsr_inpatient >= 0.7", by="national,year")
assert ((p["p_low"] <= p["p"]) & (p["p"] <= p["p_high"]) & (p["p"] <= p["p_by"])).all(), p
first = reps.first_year("cross_dsr_inpatient >= 0.7", p=0.9)
print("provinces where P(70% met) first reaches 0.9, by year:", first.value_counts(dropna=False).sort_index().to_dict())
p[["period", "p", "p_low", "p_high", "p_by"]]""",
"""# When does each scenario reach 70% for good, year by year?
yearly = pd.DataFrame({r.name: r.frame("cross_dsr_inpatient", by="national,year").set_index("period")["value"]
                       for r in (base, t70)})
for name, s in yearly.items():
    above = s >= 0.70
    first = next((y for i, y in enumerate(s.index) if above.iloc[i:].all()), None)
    print(f"{name}: at or above 70% from {first}")
# The levers of target-70 can only add direct settlements: its yearly rate is never below the
# baseline's by more than sampling noise.
assert (yearly["target-70"] >= yearly["baseline"] - 0.02).all(), yearly
yearly""",
])

finance = nb([
"""md:# Finance: prepayment quotas, warnings, top-ups and months payable

This notebook reads `baseline.h5` (and, when present, `baseline-replicates.h5` for bands) from `YIDI_RUNS_DIR` (default `../outputs`). Quotas are set per insured province each January at 2 × the province's average monthly direct payments of the year before (seed 000, 002, 004); a red warning (usage ≥ 90%) asks for an emergency top-up. Amounts are in 亿元 (10⁸ yuan). At 1:1000 most provinces' usage is still mostly sampling noise: the run says so below; `yidi prepay` proposes quotas from replicates.""",
SETUP,
"""base = run("baseline")
print(base)
print(base.attrs["sampling_noise_prepayment"])
last_year = base.frame("insured", by="national,year")["period"].iloc[-1]
t = base.frame(["prepayment_quota", "prepayment_outstanding", "prepayment_peak_usage", "prepayment_red_months",
                "prepayment_topup_requested"], by="province,year")
t = t[t["period"] == last_year].pivot(index="region", columns="measure", values="value")
for col in ["prepayment_quota", "prepayment_outstanding", "prepayment_topup_requested"]:
    t[col] = t[col] / 1e8  # 亿元
t = t.rename(columns=lambda c: c + (" (亿元)" if c in ("prepayment_quota", "prepayment_outstanding", "prepayment_topup_requested") else ""))
assert (t["prepayment_quota (亿元)"] >= 0).all() and (t["prepayment_outstanding (亿元)"] >= 0).all()
# Usage is outstanding ÷ quota wherever there is a quota (the run's own datasets, month by month).
quota, outstanding, usage = (base.dataset("prepayment/" + k) for k in ("quota", "outstanding", "usage"))
has = quota > 0
assert np.allclose(usage[has], outstanding[has] / quota[has], rtol=1e-9)
print("year", last_year)
t.sort_values("prepayment_quota (亿元)", ascending=False).head(10).round(2)""",
"""warning = base.dataset("prepayment/warning")           # month × province
months = base.frame("insured", by="national,month")["period"].tolist()
counts = pd.DataFrame({"yellow (≥ 70%)": (warning == 1).sum(axis=1), "red (≥ 90%)": (warning == 2).sum(axis=1)}, index=months)
fig, ax = plt.subplots(figsize=(10, 4))
ax.plot(months, counts["yellow (≥ 70%)"], color="orange", label="provinces yellow (≥ 70%)")
ax.plot(months, counts["red (≥ 90%)"], color="red", label="provinces red (≥ 90%)")
ax.set_ylabel("provinces in warning at month end")
ax2 = ax.twinx()
topups = base.frame("prepayment_topups_paid", by="national,month")["value"] / 1e8
ax2.bar(months, topups, alpha=0.3, color="black", label="top-ups paid (亿元)")
ax2.set_ylabel("emergency top-ups paid (亿元)")
ax.set_xticks(range(0, len(months), 6))
ax.set_xticklabels(months[::6], rotation=45, ha="right")
lines = ax.get_legend_handles_labels(); bars = ax2.get_legend_handles_labels()
ax.legend(lines[0] + bars[0], lines[1] + bars[1], loc="upper left", fontsize=8)
ax.set_title("prepayment warnings and emergency top-ups, national")
fig.tight_layout()
print("total emergency top-ups paid:", round(topups.sum(), 2), "亿元")""",
"""# Residents' funds: months payable, the median and the lowest province, with the 6-month floor (seed 003).
mp = base.dataset("funds/months_payable")[:, :, 1]      # month × province, resident scheme
fig, ax = plt.subplots(figsize=(10, 4))
ax.plot(months, np.nanmedian(mp, axis=1), label="median province")
ax.plot(months, np.nanmin(mp, axis=1), label="lowest province")
path = os.path.join(RUNS, "baseline-replicates.h5")
if os.path.exists(path):
    reps = yidi.open_replicates(path)
    gd = list(base.frame("insured", by="province,all")["region_code"]).index("440000")
    reps.band("funds/months_payable", ax=ax, label="广东 residents", index=(gd, 1))
ax.axhline(6, color="red", linestyle="--", label="6 months (seed 003)")
ax.set_ylabel("months payable")
ax.set_xticks(range(0, len(months), 6))
ax.set_xticklabels(months[::6], rotation=45, ha="right")
ax.set_title("residents' pooling funds: months payable = (balance + prepayment held) ÷ monthly spending")
ax.legend(fontsize=8)
fig.tight_layout()
below = base.frame("below_floor_months_resident", by="province,all")
print("provinces with a pool whose residents' fund was below 6 months in some month:",
      list(below[below["value"] > 0]["region"]))
# Each pool's flag is its own months payable below 6.
assert np.all(base.dataset("region/below_floor") == (base.dataset("region/months_payable") < 6)), "the flag is months payable below 6\"""",
])

researcher = nb([
"""md:# Researcher: reimbursement reductions and who pays

Compares `no-reduction`, `reductions-bazhong-everywhere`, `reductions-national` and `baseline` (seed 006's −10/−20 points, −5/−10 points, none) on the same seed: the same people fall ill and travel in every run (common random numbers), so the differences are the policies'. Reads the runs from `YIDI_RUNS_DIR` (default `../outputs`); amounts in 亿元.""",
SETUP,
"""names = ["no-reduction", "reductions-bazhong-everywhere", "reductions-national", "baseline"]
runs = {n: run(n) for n in names}
measures = ["cross_fund", "cross_individual", "cross_visits", "cross_dsr_inpatient"]
table = pd.DataFrame({n: r.frame(measures, by="national,all").set_index("measure")["value"] for n, r in runs.items()}).T
for m in ("cross_fund", "cross_individual"):
    table[m] = table[m] / 1e8
table = table.rename(columns={"cross_fund": "off-site fund (亿元)", "cross_individual": "individual burden (亿元)",
                              "cross_visits": "visits", "cross_dsr_inpatient": "inpatient DSR"})
table""",
"""# The same visits under every policy (common random numbers): reductions change who pays, not care.
assert table["visits"].nunique() == 1, table["visits"]
# Deeper reductions never make the funds pay more, and the bill is shared: fund + individual is the same.
assert table.loc["no-reduction", "off-site fund (亿元)"] >= table.loc["reductions-bazhong-everywhere", "off-site fund (亿元)"]
assert table.loc["reductions-bazhong-everywhere", "off-site fund (亿元)"] >= table.loc["reductions-national", "off-site fund (亿元)"]
total = table["off-site fund (亿元)"] + table["individual burden (亿元)"]
assert np.allclose(total, total.iloc[0], rtol=1e-12), total
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.bar(table.index, table["off-site fund (亿元)"], label="the funds (统筹基金 and others)")
ax.bar(table.index, table["individual burden (亿元)"], bottom=table["off-site fund (亿元)"], label="the patients")
ax.set_ylabel("cross-province bills, whole run (亿元)")
ax.set_title("who pays for cross-province care under each reduction policy")
ax.tick_params(axis="x", rotation=15)
ax.legend()
fig.tight_layout()""",
"""# Per year, what each policy saves the funds against no reduction (negative: the funds pay less).
diff = yidi.compare({n: runs[n] for n in names}, "cross_fund", by="national,year")
saving = diff[[c for c in diff.columns if "−" in c]] / 1e8
saving.index = saving.index.get_level_values("period")
fig, ax = plt.subplots(figsize=(8, 4))
saving.plot.bar(ax=ax)
ax.set_ylabel("change in the funds' cross-province payments (亿元)")
ax.set_xlabel("year")
ax.set_title("reductions against no reduction, by year")
ax.axhline(0, color="black", linewidth=0.8)
ax.tick_params(axis="x", rotation=0)
ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)
fig.tight_layout()
assert (saving.values <= 1e-9).all(), saving  # a reduction never raises what the funds pay
saving.round(2)""",
])

for name, n in (("planner", planner), ("finance", finance), ("researcher", researcher)):
    nbf.write(n, os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".ipynb"))
