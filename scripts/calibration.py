#!/usr/bin/env python3
"""Model vs data for the calibration targets of issue 4, from one run's HDF5 output.

Usage: python3 scripts/calibration.py RUN.h5 [--markdown]
Targets (../shared/data/national-stats.csv): 2022 cross-province inpatient direct-settlement rate
~65% [VERIFIED, approx]; 2023 cross-province direct settlements: 11.25 million inpatient, fund
135.166 billion yuan, 118 million outpatient [VERIFIED]; 2023 hospitalisation 21.86% employees,
20.7% residents, mean cost 12,175 / 7,674 yuan [VERIFIED]; residents' months payable 8.5 in 2023
[VERIFIED]. Exit code 1 if any is outside ±10%.
"""
import sys
import h5py
import numpy as np


def year_rows(f, year):
    months = f["months"][:]
    return np.where(months // 12 == year)[0]


def measures(path):
    f = h5py.File(path, "r")
    out = {}
    # offsite/visits: month × province × group × visit_type × path (path 0 direct, 1 manual)
    v = f["offsite/visits"][:]
    fund = f["offsite/fund"][:]
    r22, r23 = year_rows(f, 2022), year_rows(f, 2023)
    if len(r22):
        inp = v[r22][:, :, :, 0, :].sum(axis=(0, 1, 2))
        out["dsr_inpatient_2022"] = (inp[0] / inp.sum(), 0.65)
    if len(r23):
        out["direct_inpatient_2023_million"] = (v[r23][:, :, :, 0, 0].sum() / 1e6, 11.25)
        out["direct_inpatient_fund_2023_billion"] = (fund[r23][:, :, :, 0, 0].sum() / 100 / 1e9, 135.166)
        out["direct_outpatient_2023_million"] = (v[r23][:, :, :, 1:, 0].sum() / 1e6, 118.0)
        ins = f["population/insured"][:]  # province × group
        stays = f["local/inpatient_stays"][r23].sum(axis=0) + v[r23][:, :, :, 0, :].sum(axis=(0, 3))
        med = f["local/inpatient_medfee"][r23].sum(axis=0) + f["offsite/medfee"][r23][:, :, :, 0, :].sum(axis=(0, 3))
        emp_stays, res_stays = stays[:, :2].sum(), stays[:, 2].sum()
        out["hospitalisation_employees_2023"] = (emp_stays / ins[:, :2].sum(), 0.2186)
        out["hospitalisation_residents_2023"] = (res_stays / ins[:, 2].sum(), 0.207)
        out["mean_cost_employees_2023"] = (med[:, :2].sum() / 100 / emp_stays, 12175)
        out["mean_cost_residents_2023"] = (med[:, 2].sum() / 100 / res_stays, 7674)
        dec = r23[-1]
        bal = f["funds/balance"][dec][:, 1].sum() + f["funds/prepayment_held"][dec][:, 1].sum()
        exp = f["funds/expenditure"][r23][:, :, 1].sum()
        out["resident_months_payable_2023"] = (bal / (exp / 12), 8.5)
    return out


def main():
    path = sys.argv[1]
    md = "--markdown" in sys.argv
    rows = measures(path)
    bad = 0
    if md:
        print("| measure | model | data | model ÷ data |\n|---|---|---|---|")
    for k, (model, data) in rows.items():
        ratio = model / data
        ok = abs(ratio - 1) <= 0.10
        bad += not ok
        if md:
            print(f"| {k} | {model:.4g} | {data:.4g} | {ratio:.3f} |")
        else:
            print(f"{k:40s} model {model:12.4g}  data {data:12.4g}  ratio {ratio:6.3f} {'ok' if ok else 'OUT'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
