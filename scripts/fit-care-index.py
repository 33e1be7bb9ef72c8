#!/usr/bin/python3
"""The default points of care.cost_index and care.volume_index (sim/model/params.hpp).

Spending per insured person relative to 2023 comes from the bulletins
(../shared/data/national-stats.csv) [DERIVED]: fund expenditure ÷ (k × insured employees + insured
residents), where k, an employee's spending over a resident's, is held at its 2022 value
(15,243.8 ÷ 36,243 over 9,353.44 ÷ 98,349 = 4.42) [assumed], so that the move of the insured from
the residents' scheme to the employees' is not read as more care. Prices grow by care.cost_growth a
year before 2023 [assumed], and use is spending ÷ prices. The simulator follows a linear path through
points placed at each July and, past the last point, grows by the growth parameters; this finds the
points whose annual means over that path are those figures. Prints the points to paste into
SimParams. Usage: scripts/fit-care-index.py [national-stats.csv]
"""
import csv
import sys

import numpy as np

COST_GROWTH, VOLUME_GROWTH = 0.04, 0.02  # care.cost_growth, care.volume_growth [assumed]


def read(path):
    v = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            v[(int(row["year"]), row["metric"].split(" ")[0])] = float(row["value"])
    k = ((v[(2022, "bmi_fund_expenditure_total")] - v[(2022, "resident_fund_expenditure")]) / v[(2022, "insured_employees")]) / (
        v[(2022, "resident_fund_expenditure")] / v[(2022, "insured_residents")])
    per = {}
    for (year, metric), spent in v.items():
        if metric != "bmi_fund_expenditure_total" or (year, "insured_employees") not in v:
            continue
        employees = v[(year, "insured_employees")]
        residents = v.get((year, "insured_residents"), v[(year, "insured_total")] - employees)
        per[year] = spent / (k * employees + residents)
    print(f"k = {k:.4f}")
    return {y: per[y] / per[2023] for y in sorted(per)}


def path(points, growth, m):
    xs = [y * 12 + 6 for y in points]
    ys = [points[y] for y in points]
    if m > xs[-1]:
        return ys[-1] * (1 + growth) ** ((m - xs[-1]) / 12)
    return float(np.interp(m, xs, ys))


def annual_mean(points, growth, year):
    return float(np.mean([path(points, growth, m) for m in range(year * 12, year * 12 + 12)]))


def fit(targets, growth):
    points = dict(targets)
    for _ in range(500):
        for y in targets:
            points[y] *= targets[y] / annual_mean(points, growth, y)
    return points


def main():
    path_csv = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/national-stats.csv"
    spending = read(path_csv)
    cost_t = {y: (1 + COST_GROWTH) ** (y - 2023) for y in spending}
    volume_t = {y: spending[y] / cost_t[y] for y in spending}
    cost, volume = fit(cost_t, COST_GROWTH), fit(volume_t, VOLUME_GROWTH)
    for name, pts, t, g in (("care_volume", volume, volume_t, VOLUME_GROWTH), ("care_cost", cost, cost_t, COST_GROWTH)):
        print(f"{name}: " + ", ".join(f"{{{y}, {pts[y]:.4f}}}" for y in pts))
        print("  annual means " + ", ".join(f"{y} {annual_mean(pts, g, y):.4f} (target {t[y]:.4f})" for y in pts))
    for y in sorted(spending):
        both = np.mean([path(cost, COST_GROWTH, m) * path(volume, VOLUME_GROWTH, m) for m in range(y * 12, y * 12 + 12)])
        print(f"spending {y}: {both:.4f} (bulletins {spending[y]:.4f})")


if __name__ == "__main__":
    main()
