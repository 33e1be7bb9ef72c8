#!/usr/bin/python3
"""Writes scenarios/data/pools.yaml: the 341 pooling units of the 2020 census plus the XPCC,
grouped into the 31 provinces and the XPCC (issue 14).

Inputs (nothing else is read; the output is deterministic):
  DATA/prefecture-census-2020.csv   pool populations, age shares, Zhejiang's pool inflows
  DATA/province-census-2020.csv     province population, inflow, within-province separation
  DATA/province-outflow-2020.csv    outflow to other provinces (Henan only)
  scenarios/data/provinces.yaml     lat/lon, cost_index, referral_weight, the XPCC row
  scenarios/data/pool-seats.csv     each pool's seat coordinates and their source

DATA is the first argument, by default ../shared/data beside the repository root (or, for a git
worktree under /work/wt/<name>, ../../shared/data). Usage:

  /usr/bin/python3 scripts/make-pools.py [DATA]            rewrite scenarios/data/pools.yaml
  /usr/bin/python3 scripts/make-pools.py [DATA] --check    exit 1 if the committed file differs
  /usr/bin/python3 scripts/make-pools.py [DATA] --registry print the pools for policy/regions.yaml
  /usr/bin/python3 scripts/make-pools.py [DATA] --seats-from cityInfo.js
      rebuild pool-seats.csv from GitHub clone123/MapSearch client/data/cityInfo.js (AMap adcode
      centres); the hand matches below are applied and listed
"""
import csv
import io
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "scenarios/data/pools.yaml"
SEATS = ROOT / "scenarios/data/pool-seats.csv"
PROVINCES_YAML = ROOT / "scenarios/data/provinces.yaml"

XPCC = "660000"
XINJIANG = "650000"
XPCC_POPULATION = 3_250_000  # as scenarios/data/provinces.yaml ([secondary], XPCC 2020 bulletin order)
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}

# Pools whose code in the coordinate dataset differs from the census file's (the dataset predates
# the change) or whose name differs: census code -> dataset code.
HAND_MATCHES = {
    "540500": "542200",  # 山南市: 山南地区 became a city in 2016 (542200 -> 540500)
    "540600": "542400",  # 那曲市: dataset has 那曲地区 542400 (city since 2017)
    "650500": "652200",  # 哈密市: 哈密地区 became a city in 2016 (652200 -> 650500)
}
# The four groups of province-administered county-level units: seat = unweighted mean of the
# members' centres present in the dataset (members as in the census file's note).
GROUP_MEMBERS = {
    "419000": ["419001"],
    "429000": ["429004", "429005", "429006", "429021"],
    "469000": ["469001", "469002", "469005", "469006", "469007", "469021", "469022", "469023",
               "469024", "469025", "469026", "469027", "469028", "469029", "469030"],
    "659000": ["659001", "659002", "659003", "659004", "659005", "659006", "659007", "659008",
               "659009", "659010"],
}
DATASET = "GitHub clone123/MapSearch client/data/cityInfo.js@7256009 (AMap adcode centres)"


def fail(msg):
    sys.exit(f"make-pools.py: {msg}")


def read_csv(path):
    if not path.is_file():
        fail(f"{path}: not found (pass the shared data folder as the first argument)")
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def province_yaml_rows():
    rows = {}
    for n, line in enumerate(PROVINCES_YAML.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r"\s*- \{(.*)\}\s*$", line)
        if not m:
            continue
        row = {}
        for part in m.group(1).split(", "):
            k, _, v = part.partition(": ")
            row[k.strip()] = v.strip().strip('"')
        if "code" not in row:
            fail(f"{PROVINCES_YAML}:{n}: expected a code")
        rows[row["code"]] = row
    if len(rows) != 32:
        fail(f"{PROVINCES_YAML}: expected 32 provinces, found {len(rows)}")
    return rows


def census_by_province(data):
    out = {}
    for r in read_csv(data / "province-census-2020.csv"):
        m = re.match(r"province_code=(\d\d); (\w+)", r["metric"])
        if not m:  # the per-prefecture rows (Zhejiang's inflows) are read from the prefecture file
            continue
        out.setdefault(m.group(1) + "0000", {})[m.group(2)] = r["value"]
    return out


def scalar(s):
    """A YAML plain scalar when safe, else double-quoted."""
    if s == "" or re.search(r"[,:{}\[\]#&*!|>\"%@`]", s) or s[0] in "'-?" or s in ("null", "true", "false"):
        return json.dumps(s, ensure_ascii=False)
    return s


def num(x):
    return "null" if x is None else repr(x)


def rounded(x):
    return float(f"{x:.2f}")


def split_pro_rata(parts, total):
    """Integer shares of `total` proportional to `parts` (largest remainder, ties by order)."""
    whole = sum(parts)
    exact = [p * total for p in parts]
    base = [e // whole for e in exact]
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] % whole), i))
    for i in order[: total - sum(base)]:
        base[i] += 1
    return base


def load_seats():
    seats = {}
    for r in read_csv(SEATS):
        seats[r["code"]] = (float(r["lat"]), float(r["lon"]), r["source"], r["name"])
    return seats


def build(data):
    pools = read_csv(data / "prefecture-census-2020.csv")
    census = census_by_province(data)
    outflow = {r["code"] + "0000": int(r["outflow_persons"])
               for r in read_csv(data / "province-outflow-2020.csv") if r["outflow_persons"]}
    prov_yaml = province_yaml_rows()
    seats = load_seats()

    # --- provinces: census figures, the XPCC carved out of Xinjiang ---------------------------
    xj = census[XINJIANG]
    xj_pop = int(xj["population_census"])
    share = lambda v: split_pro_rata([xj_pop - XPCC_POPULATION, XPCC_POPULATION], int(v))
    provinces = []
    for code, py in prov_yaml.items():
        if code == XPCC:
            c = {"population": XPCC_POPULATION, "inflow": share(xj["inflow_from_other_provinces"])[1],
                 "within": share(xj["hukou_separated_within_province"])[1]}
        else:
            src = census[code]
            c = {"population": int(src["population_census"]), "inflow": int(src["inflow_from_other_provinces"]),
                 "within": int(src["hukou_separated_within_province"])}
            if code == XINJIANG:
                c = {"population": xj_pop - XPCC_POPULATION, "inflow": share(xj["inflow_from_other_provinces"])[0],
                     "within": share(xj["hukou_separated_within_province"])[0]}
        for key, yk in (("population", "population"), ("inflow", "inflow")):
            if int(py[yk]) != c[key]:
                fail(f"{code}: {key} {c[key]} differs from provinces.yaml's {py[yk]}")
        provinces.append(dict(code=code, name=py["name"], name_en=py["name_en"], **c,
                              outflow=outflow.get(code), lat=float(py["lat"]), lon=float(py["lon"]),
                              cost_index=float(py["cost_index"]), referral_weight=float(py["referral_weight"])))

    # --- pools ----------------------------------------------------------------------------------
    regions = []
    for r in pools:
        code = r["code"]
        prov = r["province_code"] + "0000"
        if code[:2] + "0000" != prov:
            fail(f"prefecture-census-2020.csv: {code} listed under province {prov}")
        if code not in seats:
            fail(f"pool-seats.csv: no row for {code} {r['name']}")
        lat, lon, _, _ = seats[code]
        age = lambda k: float(r[k]) if r[k] else None
        regions.append(dict(code=code, province=prov, name=r["name"], name_en=r["name_en"],
                            population=int(r["population_2020"]),
                            inflow=int(r["inflow_from_other_provinces_2020"]) if r["inflow_from_other_provinces_2020"] else None,
                            age60=age("age_60plus_pct_2020"), age65=age("age_65plus_pct_2020"),
                            lat=rounded(lat), lon=rounded(lon)))
    xj_pools = [p for p in regions if p["province"] == XINJIANG]
    taken = split_pro_rata([p["population"] for p in xj_pools], XPCC_POPULATION)
    xpcc_taken = {p["code"]: t for p, t in zip(xj_pools, taken)}
    for p, t in zip(xj_pools, taken):
        p["census_population"] = p["population"]
        p["population"] -= t
    lat, lon, _, _ = seats[XPCC]
    regions.append(dict(code=XPCC, province=XPCC, name="新疆生产建设兵团", name_en=prov_yaml[XPCC]["name_en"],
                        population=XPCC_POPULATION, inflow=None, age60=None, age65=None,
                        lat=rounded(lat), lon=rounded(lon)))
    for p in regions:  # the capital's pool: XX0100, else the province's only pool
        mine = [q for q in regions if q["province"] == p["province"]]
        p["seat"] = p["code"] == p["province"][:2] + "0100" or len(mine) == 1
    return provinces, regions, xpcc_taken


def render(provinces, regions, xpcc_taken, data):
    by_prov = {p["code"]: [r for r in regions if r["province"] == p["code"]] for p in provinces}
    diffs = []
    for p in provinces:
        s = sum(r["population"] for r in by_prov[p["code"]])
        diffs.append((p, len(by_prov[p["code"]]), s, s - p["population"]))
    national = sum(r["population"] for r in regions)
    census_national = sum(p["population"] for p in provinces)
    zj = [r for r in regions if r["inflow"] is not None]
    zj_prov = next(p for p in provinces if p["code"] == "330000")
    seats = sum(1 for r in regions if r["seat"])
    w = io.StringIO()
    w.write("# Generated by scripts/make-pools.py from ../shared/data/*.csv, scenarios/data/provinces.yaml and\n"
            "# scenarios/data/pool-seats.csv: edit those and rerun (`/usr/bin/python3 scripts/make-pools.py`); do\n"
            "# not edit this file by hand (`--check` compares). Sources per figure: docs/world.md, \"Pools and\n"
            "# their sources\".\n"
            "#\n"
            "# The simulated nation: 342 pooling regions (统筹地区) in 32 provinces: the 341 units of\n"
            "# ../shared/data/prefecture-census-2020.csv (333 prefecture-level divisions, 4 municipalities,\n"
            "# 4 groups of province-administered county-level units 419000/429000/469000/659000) and the\n"
            "# Xinjiang Production and Construction Corps (660000), which is its own province and pool.\n"
            "#\n"
            "# provinces: population, inflow (户口登记地在外省, 跨省流入) and within_province (户口登记地在省内\n"
            "#   其他乡镇街道, incl. 市辖区内人户分离) [VERIFIED] ../shared/data/province-census-2020.csv; outflow\n"
            "#   (户口登记地在本省、现住外省) only for Henan [SECONDARY] ../shared/data/province-outflow-2020.csv,\n"
            "#   null elsewhere (no source found); lat, lon, cost_index, referral_weight copied from\n"
            "#   scenarios/data/provinces.yaml (cost_index and referral_weight are [assumed] there).\n"
            "# regions: population, age60/age65 (% of residents aged 60+/65+) [SECONDARY] ../shared/data/\n"
            "#   prefecture-census-2020.csv (null where the file has no shares); inflow: the file's\n"
            "#   inflow_from_other_provinces_2020, given only for Zhejiang's 11 pools, null elsewhere (the model\n"
            "#   splits the province's inflow); lat/lon: the pool's government seat, scenarios/data/\n"
            "#   pool-seats.csv [secondary] (AMap adcode centres; county groups: mean of members), rounded\n"
            "#   to 0.01°; seat: true on the pool holding the provincial capital (code XX0100), or the\n"
            "#   province's only pool (the 4 municipalities and the XPCC).\n"
            "#\n"
            f"# XPCC: {XPCC_POPULATION:,} persons ([secondary], as scenarios/data/provinces.yaml) carved out of\n"
            f"#   Xinjiang: out of each Xinjiang pool pro rata to its census population [assumed], integer\n"
            f"#   shares by largest remainder; its inflow and within_province are Xinjiang's pro rata\n"
            f"#   ({XPCC_POPULATION:,} / {sum(r['census_population'] for r in regions if 'census_population' in r):,}) [assumed].\n"
            "#   Taken per pool: " +
            ",\n#     ".join(", ".join(f"{c} {t:,}" for c, t in list(xpcc_taken.items())[i:i + 5])
                            for i in range(0, len(xpcc_taken), 5)) + "\n"
            "#   Age shares of the XPCC pool: null (no source).\n"
            "#\n"
            "# Checks (computed by the script when it wrote this file):\n"
            f"#   national sum of the 342 pools: {national:,}; of the 32 provinces: {census_national:,}\n"
            f"#   (the census's 1,409,778,724 for the 31 provinces, servicemen excluded)\n"
            f"#   seats: {seats} (one per province)\n"
            f"#   Zhejiang's 11 pool inflows sum to {sum(r['inflow'] for r in zj):,} against the province's\n"
            f"#   {zj_prov['inflow']:,} ({sum(r['inflow'] for r in zj) - zj_prov['inflow']:+,}; the city figures are rounded to 100)\n"
            "#   per province: pools, sum of pool populations, difference from the province population\n")
    for i in range(0, len(diffs), 2):
        w.write("#    " + "; ".join(f"{p['code']} {p['name_en']}: {n} pool{'s' if n > 1 else ''}, {s:,} ({d:+d})"
                                     for p, n, s, d in diffs[i:i + 2]) + "\n")
    w.write(f"source: \"2020 census: ../shared/data/province-census-2020.csv [VERIFIED], "
            f"../shared/data/prefecture-census-2020.csv [SECONDARY]; seats: scenarios/data/pool-seats.csv ({DATASET})\"\n")
    w.write("provinces:\n")
    for p in provinces:
        w.write(f"  - {{code: \"{p['code']}\", name: {scalar(p['name'])}, name_en: {scalar(p['name_en'])}, "
                f"population: {p['population']}, inflow: {p['inflow']}, within_province: {p['within']}, "
                f"outflow: {num(p['outflow'])}, lat: {num(p['lat'])}, lon: {num(p['lon'])}, "
                f"cost_index: {num(p['cost_index'])}, referral_weight: {num(p['referral_weight'])}}}\n")
    w.write("regions:\n")
    for p in provinces:
        n = len(by_prov[p["code"]])
        w.write(f"  # {p['code']} {p['name']} ({p['name_en']}): {n} pool{'s' if n > 1 else ''}\n")
        for r in by_prov[p["code"]]:
            w.write(f"  - {{code: \"{r['code']}\", name: {scalar(r['name'])}, name_en: {scalar(r['name_en'])}, "
                    f"population: {r['population']}, inflow: {num(r['inflow'])}, age60: {num(r['age60'])}, "
                    f"age65: {num(r['age65'])}, lat: {num(r['lat'])}, lon: {num(r['lon'])}, "
                    f"seat: {'true' if r['seat'] else 'false'}}}\n")
    return w.getvalue()


def registry(provinces, regions):
    """The registry's entries for scenarios/policy/regions.yaml: each province, then its pools (a pool
    whose code is its province's, a municipality or the XPCC, has no entry of its own: the registry
    refuses a code twice). Trailing comments of entries already in the file are kept."""
    comments = {}
    for line in (ROOT / "scenarios/policy/regions.yaml").read_text(encoding="utf-8").splitlines():
        m = re.match(r'- \{code: "(\d{6})".*\}(\s+#.*)$', line)
        if m:
            comments[m.group(1)] = m.group(2)
    w = io.StringIO()
    for p in provinces:
        for r in [p] + [r for r in regions if r["province"] == p["code"] and r["code"] != p["code"]]:
            name_en = "Xinjiang Production and Construction Corps" if r["code"] == XPCC else r["name_en"]
            if r["code"] == "540000":
                name_en = "Xizang"  # the registry's spelling, kept
            w.write(f"- {{code: \"{r['code']}\", name: {scalar(r['name'])}, name_en: {scalar(name_en)}}}"
                    f"{comments.get(r['code'], '')}\n")
    return w.getvalue()


def seats_from(path, data):
    """pool-seats.csv from the AMap centre list; prints the hand matches and the gaps."""
    text = Path(path).read_text(encoding="utf-8")
    amap = json.loads(text[text.index("{"):].rstrip().rstrip(";"))
    centre = lambda c: tuple(float(v) for v in amap[c]["center"].split(","))  # lon, lat
    rows, notes = [], []
    pools = read_csv(data / "prefecture-census-2020.csv")
    for r in pools:
        code, name = r["code"], r["name"]
        if code in GROUP_MEMBERS:
            have = [m for m in GROUP_MEMBERS[code] if m in amap]
            missing = [m for m in GROUP_MEMBERS[code] if m not in amap]
            lon = sum(centre(m)[0] for m in have) / len(have)
            lat = sum(centre(m)[1] for m in have) / len(have)
            src = f"{DATASET}: unweighted mean of members {' '.join(have)}"
            if missing:
                src += f" ({' '.join(missing)} not in the dataset)"
                notes.append(f"{code} {name}: members {missing} not in the dataset, mean of the other {len(have)}")
            notes.append(f"{code} {name}: mean of {len(have)} member centres")
        elif code in HAND_MATCHES:
            d = HAND_MATCHES[code]
            lon, lat = centre(d)
            src = f"{DATASET}: matched by hand to {d} {amap[d]['name']}"
            notes.append(f"{code} {name}: hand match to dataset {d} {amap[d]['name']}")
        elif code in amap and amap[code]["name"] == name:
            lon, lat = centre(code)
            src = f"{DATASET}: adcode {code}"
        else:
            fail(f"{code} {name}: no match in {path} (add a hand match)")
        rows.append((code, name, lat, lon, src))
    py = province_yaml_rows()[XPCC]
    rows.append((XPCC, "新疆生产建设兵团", float(py["lat"]), float(py["lon"]),
                 "scenarios/data/provinces.yaml XPCC row (石河子, the XPCC's largest city; its headquarters are in Urumqi) [secondary]"))
    with open(SEATS, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["code", "name", "lat", "lon", "source"])
        for code, name, lat, lon, src in rows:
            out.writerow([code, name, f"{lat:.6f}", f"{lon:.6f}", src])
    print("\n".join(notes))


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="Write scenarios/data/pools.yaml (issue 14).")
    ap.add_argument("data", nargs="?", help="the shared data folder (default ../shared/data beside the repository)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed pools.yaml differs")
    ap.add_argument("--registry", action="store_true", help="print the pools as policy/regions.yaml lines")
    ap.add_argument("--seats-from", metavar="CITYINFO_JS", help="rebuild pool-seats.csv from the AMap list")
    a = ap.parse_args(argv)
    if a.data:
        data = Path(a.data)
    else:
        data = ROOT.parent / "shared/data"
        if not data.is_dir():
            data = ROOT.parent.parent / "shared/data"
    if a.seats_from:
        seats_from(a.seats_from, data)
        return 0
    provinces, regions, taken = build(data)
    if a.registry:
        sys.stdout.write(registry(provinces, regions))
        return 0
    text = render(provinces, regions, taken, data)
    if a.check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} differs from what scripts/make-pools.py writes", file=sys.stderr)
            return 1
        print(f"{OUT}: up to date")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: {len(provinces)} provinces, {len(regions)} regions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
