"""yidi from Python: run scenarios, read their answers as pandas tables, draw them.

A thin package over the `yidi` binary and its files, not a binding of the C++ library: every
number comes from the same command a user runs in a shell (`yidi run`, `yidi replicates`,
`yidi export`), so the Python answers and the command-line answers cannot drift apart, and the
package needs nothing beyond Debian's python3-pandas, python3-h5py and python3-matplotlib.

    import yidi
    base = yidi.run("baseline", scale="1:1000", months=48)
    base.frame("cross_dsr_inpatient", by="province,year")    # a tidy DataFrame (yidi export)
    base.table("cross_dsr_inpatient", by="province,year")    # regions × periods
    base.plot("cross_dsr_inpatient", by="national,month", target=0.70)
    reps = yidi.replicates("baseline", n=5, scale="1:1000", months=48)
    reps.quantiles("offsite/dsr_inpatient_national")         # P5/P50/P95 per month
    yidi.compare({"baseline": base, "no-reduction": yidi.run("no-reduction", ...)}, "cross_fund")

The binary is $YIDI_BINARY, else `yidi` on PATH, else this checkout's build/release/sim/yidi.
docs/python.md says more.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from typing import Iterable, Mapping, Optional, Sequence, Union

import h5py
import numpy as np
import pandas as pd

__all__ = ["binary", "run", "replicates", "open_run", "open_replicates", "compare", "measures", "use_cjk_font",
           "Run", "Replicates", "YidiError"]

_HERE = os.path.dirname(os.path.abspath(__file__))


class YidiError(RuntimeError):
    """A yidi command failed; the message is the command's own (file, line, field, what was expected)."""


def binary() -> str:
    """The yidi binary this package runs."""
    env = os.environ.get("YIDI_BINARY")
    if env:
        return env
    on_path = shutil.which("yidi")
    if on_path:
        return on_path
    built = os.path.join(_HERE, "..", "..", "build", "release", "sim", "yidi")
    if os.path.exists(built):
        return os.path.abspath(built)
    raise YidiError("no yidi binary: set YIDI_BINARY, put yidi on PATH, or build this checkout "
                    "(cmake --preset release && cmake --build --preset release)")


def _call(args: Sequence[str], quiet: bool = True) -> str:
    """Runs `yidi ARGS`; returns its standard output, raises YidiError with its message on failure."""
    p = subprocess.run([binary(), *args], stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if p.returncode != 0:
        msg = p.stderr.strip().splitlines()
        raise YidiError(msg[-1] if msg else f"yidi {' '.join(args)} exited with {p.returncode}")
    return p.stdout


def _scenario_with(scenario: str, params: Optional[Mapping[str, object]], folder: str) -> str:
    """The scenario itself, or a scenario file in `folder` extending it with `params` set."""
    if not params:
        return scenario
    parent = os.path.abspath(scenario) if os.path.isfile(scenario) else scenario
    lines = [f"extends: {_yaml_text(parent)}", "params:"]
    for k, v in params.items():
        lines.append(f"  {k}: {_yaml_value(v)}")
    path = os.path.join(folder, "scenario-with-params.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def _yaml_text(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _yaml_value(v: object) -> str:
    if isinstance(v, Mapping):  # a dated series {2022: 0.9, "2025-07": 0.99}
        return "{" + ", ".join(f"{k}: {float(x)!r}" for k, x in v.items()) + "}"
    if isinstance(v, bool):
        raise YidiError(f"a parameter is a number, not {v!r}")
    return repr(float(v)) if isinstance(v, (int, float)) else str(v)


def _common(scale, months, seed, threads) -> list:
    args = []
    for flag, value in (("--scale", scale), ("--months", months), ("--seed", seed), ("--threads", threads)):
        if value is not None:
            args += [flag, str(value)]
    return args


def _output(output: Optional[str], name: str) -> str:
    if output:
        return output
    folder = tempfile.mkdtemp(prefix="yidi-")
    return os.path.join(folder, os.path.basename(name).replace(".yaml", "") + ".h5")


def run(scenario: str = "baseline", output: Optional[str] = None, *, scale: Union[str, int, None] = None,
        months: Optional[int] = None, seed: Optional[int] = None, threads: Optional[int] = None,
        params: Optional[Mapping[str, object]] = None, overwrite: bool = False) -> "Run":
    """Simulates a scenario (`yidi run`): an embedded scenario's name or a scenario file, with
    `params` set on top ({"levers.networked_inpatient": 0.95}, or a dated {2022: 0.9, "2025-07": 0.99}).
    Writes `output` (default: a new temporary folder) and returns the run."""
    out = _output(output, scenario)
    with tempfile.TemporaryDirectory(prefix="yidi-scenario-") as tmp:
        s = _scenario_with(scenario, params, tmp)
        _call(["run", s, "-o", out, *_common(scale, months, seed, threads), *(["--overwrite"] if overwrite else [])])
    return Run(out)


def replicates(scenario: str = "baseline", n: int = 5, output: Optional[str] = None, *,
               scale: Union[str, int, None] = None, months: Optional[int] = None, seed: Optional[int] = None,
               threads: Optional[int] = None, params: Optional[Mapping[str, object]] = None,
               overwrite: bool = False) -> "Replicates":
    """`n` replicates of a scenario on seeds seed, seed+1, … (`yidi replicates`): their P5/P50/P95."""
    out = _output(output, scenario + "-replicates")
    with tempfile.TemporaryDirectory(prefix="yidi-scenario-") as tmp:
        s = _scenario_with(scenario, params, tmp)
        _call(["replicates", s, "-n", str(n), "-o", out, *_common(scale, months, seed, threads),
               *(["--overwrite"] if overwrite else [])])
    return Replicates(out)


def open_run(path: str) -> "Run":
    """A run file written earlier (`yidi run -o PATH`)."""
    return Run(path)


def open_replicates(path: str) -> "Replicates":
    """A replicates summary written earlier (`yidi replicates -o PATH`)."""
    return Replicates(path)


_MEASURES: Optional[pd.DataFrame] = None


def measures() -> pd.DataFrame:
    """The measures of `yidi export` (name, unit, levels, description), indexed by name."""
    global _MEASURES
    if _MEASURES is None:
        _MEASURES = pd.read_csv(io.StringIO(_call(["export", "--list"]))).set_index("measure")
    return _MEASURES


def _attrs(path: str) -> dict:
    with h5py.File(path, "r") as f:
        return {k: (v.decode() if isinstance(v, bytes) else v.item() if hasattr(v, "item") else v)
                for k, v in f.attrs.items()}


class Run:
    """One run file of `yidi run`."""

    def __init__(self, path: str):
        if not os.path.isfile(path):
            raise YidiError(f"{path}: no such run file")
        self.path = path
        self.attrs = _attrs(path)
        self.name = self.attrs.get("scenario_name") or os.path.splitext(os.path.basename(path))[0]

    def __repr__(self) -> str:
        return (f"<yidi run {self.name}: seed {self.attrs.get('seed')}, 1:{self.attrs.get('scale')}, "
                f"{self.attrs.get('months')} months from {_month_text(self.attrs.get('start_month', 0))}, {self.path}>")

    def frame(self, measures: Union[str, Iterable[str], None] = None, by: str = "province,year",
              regions: Union[str, Iterable[str], None] = None) -> pd.DataFrame:
        """The tidy table of `yidi export` (docs/export.md): a row per region, period and measure;
        `value` is a number (NaN where there is none), money in yuan. Regions by code or name."""
        return _export(self.path, measures, by, regions)

    def table(self, measure: str, by: str = "province,year", regions=None, names: str = "region_en") -> pd.DataFrame:
        """One measure as a wide table: a row per region (named by `names`: region_en, region or
        region_code), a column per period."""
        t = _labelled(self.frame(measure, by=by, regions=regions), names)
        wide = t.pivot_table(index="label", columns="period", values="value", aggfunc="first", sort=False, dropna=False)
        wide.index.name = names
        wide.columns.name = f"{measure} ({t['unit'].iloc[0]})" if len(t) else measure
        return wide

    def dataset(self, name: str) -> np.ndarray:
        """A dataset of the run file as it is stored (outputs/SCHEMA.md; money in fen)."""
        with h5py.File(self.path, "r") as f:
            return f[name][:]

    def plot(self, measure: str, by: str = "national,month", regions=None, ax=None, label: Optional[str] = None,
             target: Optional[float] = None, chinese: bool = False):
        """A line per region of one measure over the periods, labelled with its unit (money in 亿元);
        `target` draws a dashed line (e.g. 0.70). Returns the axes."""
        import matplotlib.pyplot as plt
        use_cjk_font()
        t = self.frame(measure, by=by, regions=regions)
        unit = t["unit"].iloc[0] if len(t) else ""
        scale, shown_unit = _display_unit(unit)
        if ax is None:
            _, ax = plt.subplots(figsize=(9, 4))
        t = _labelled(t, "region" if chinese else "region_en")
        for region, rows in t.groupby("label", sort=False):
            who = label if label and t["label"].nunique() == 1 else (f"{label}: {region}" if label else region)
            ax.plot(rows["period"].tolist(), (rows["value"] / scale).tolist(), marker="o" if len(rows) < 13 else None,
                    label=who)
        if target is not None:
            ax.axhline(target / scale, color="red", linestyle="--", linewidth=1, label=f"target {target:g}")
        _label_axes(ax, measure, shown_unit, t)
        return ax


class Replicates:
    """A replicates summary of `yidi replicates`: P5, P50 and P95 per month of each dataset."""

    def __init__(self, path: str):
        if not os.path.isfile(path):
            raise YidiError(f"{path}: no such replicates summary")
        self.path = path
        self.attrs = _attrs(path)
        self.name = self.attrs.get("scenario_name") or os.path.splitext(os.path.basename(path))[0]
        with h5py.File(path, "r") as f:
            if "quantiles" not in f:
                raise YidiError(f"{path}: not a replicates summary (no quantiles/ group)")
            self.months = [_month_text(int(m)) for m in f["months"][:]]

    def __repr__(self) -> str:
        return f"<yidi replicates {self.name}: {self.attrs.get('replicates')} replicates, {self.path}>"

    def frame(self, measures: Union[str, Iterable[str], None] = None, by: str = "province,year",
              regions: Union[str, Iterable[str], None] = None) -> pd.DataFrame:
        """Each replicate's yearly values (`yidi export SUMMARY`): a row per replicate (its `seed`),
        year, region and measure."""
        return _export(self.path, measures, by, regions)

    def probability(self, condition: str, by: str = "province,year", regions=None) -> pd.DataFrame:
        """The share of replicates meeting `condition` ("cross_dsr_inpatient >= 0.7", money in yuan)
        each year (`p`) and in that year or an earlier one (`p_by`), with Wilson 95% intervals: a
        row per region and year."""
        t = _export(self.path, None, by, regions, ["--probability", condition])
        cond = t["measure"].str.extract(r"^P\((.*?)( in this year or earlier)?\)( wilson95_low| wilson95_high)?$")
        t["column"] = np.where(cond[1].notna(), "p_by", "p") + cond[2].fillna("").str.replace(" wilson95", "")
        out = t.pivot_table(index=["region_code", "region", "region_en", "period"], columns="column", values="value",
                            aggfunc="first", sort=False).reset_index()
        out.columns.name = condition
        return out[["region_code", "region", "region_en", "period", "p", "p_low", "p_high", "p_by", "p_by_low", "p_by_high"]]

    def first_year(self, condition: str, p: float = 0.9, by: str = "province,year", regions=None) -> pd.Series:
        """Per region, the first year whose P(condition) is at least `p` (None if none)."""
        t = self.probability(condition, by=by, regions=regions)
        first: dict = {}
        for region, year, v in zip(t["region_en"], t["period"], t["p"]):
            first.setdefault(region, None)
            if first[region] is None and v >= p:
                first[region] = year
        return pd.Series(first, dtype=object, name=f"first year with P({condition}) >= {p:g}")

    def quantiles(self, dataset: str = "offsite/dsr_inpatient_national", index: Sequence[int] = ()) -> pd.DataFrame:
        """P5/P50/P95 per month of a summarised dataset (`index` picks the cell of a dataset with more
        dimensions than month, e.g. (province,) for offsite/dsr_inpatient); money in fen as stored."""
        with h5py.File(self.path, "r") as f:
            q = f["quantiles/" + dataset][:]
        q = q[(slice(None), slice(None), *index)]
        if q.ndim != 2:
            raise YidiError(f"{dataset}: pick one cell with index= (its shape after month is {q.shape[2:]})")
        return pd.DataFrame({"P5": q[0], "P50": q[1], "P95": q[2]}, index=pd.Index(self.months, name="month"))

    def band(self, dataset: str = "offsite/dsr_inpatient_national", ax=None, label: Optional[str] = None,
             index: Sequence[int] = (), scale: float = 1.0):
        """The P5–P95 band and the median line on `ax` (dividing the values by `scale`)."""
        import matplotlib.pyplot as plt
        use_cjk_font()
        q = self.quantiles(dataset, index) / scale
        if ax is None:
            _, ax = plt.subplots(figsize=(9, 4))
        who = label or self.name
        ax.fill_between(q.index.tolist(), q["P5"].tolist(), q["P95"].tolist(), alpha=0.25,
                        label=f"{who}: P5–P95 of {self.attrs.get('replicates')} replicates")
        ax.plot(q.index.tolist(), q["P50"].tolist(), linewidth=1, label=f"{who}: median")
        return ax


def _labelled(t: pd.DataFrame, names: str) -> pd.DataFrame:
    """`t` with a `label` column: the region's name (column `names`), with its code beside it where
    two regions share the name (five English names are each two pools': Suzhou, Taizhou, …)."""
    t = t.copy()
    if names == "region_code":
        t["label"] = t["region_code"]
        return t
    shared = t.groupby(names)["region_code"].transform("nunique") > 1
    t["label"] = np.where(shared, t[names] + " " + t["region_code"], t[names])
    return t


def _export(path: str, measures, by: str, regions, extra: Sequence[str] = ()) -> pd.DataFrame:
    args = ["export", path, "--by", by, *extra]
    if measures is not None:
        args += ["--measures", measures if isinstance(measures, str) else ",".join(measures)]
    if regions is not None:
        args += ["--regions", regions if isinstance(regions, str) else ",".join(regions)]
    t = pd.read_csv(io.StringIO(_call(args)), dtype={"region_code": str, "period": str, "replicate": str, "seed": str})
    t["value"] = pd.to_numeric(t["value"], errors="coerce")
    return t


def compare(runs: Mapping[str, Run], measure: str, by: str = "national,year", regions=None) -> pd.DataFrame:
    """One measure of several runs side by side (a column each), and each one's difference from the
    first run (columns "NAME − FIRST"). Rows: (region, period)."""
    cols = {}
    for name, r in runs.items():
        t = _labelled(r.frame(measure, by=by, regions=regions), "region_en")
        cols[name] = t.set_index(["label", "period"])["value"]
    out = pd.DataFrame(cols)
    first = next(iter(runs))
    for name in list(runs)[1:]:
        out[f"{name} − {first}"] = out[name] - out[first]
    out.columns.name = measure
    return out


_FONT_SET: Optional[str] = None


def use_cjk_font() -> Optional[str]:
    """Makes matplotlib draw Chinese text (亿元, 广东省) with Noto Sans CJK from Debian's
    fonts-noto-cjk, keeping DejaVu Sans for the rest. Returns the font's name, or None if the
    package is not installed (Chinese characters then show as boxes)."""
    global _FONT_SET
    import matplotlib
    from matplotlib import font_manager
    if _FONT_SET:
        return _FONT_SET
    for path in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                 "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"):
        if os.path.exists(path):
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()  # the collection's first face
            # A list of families: matplotlib (3.6+) falls back glyph by glyph, Latin from DejaVu Sans.
            matplotlib.rcParams["font.family"] = ["DejaVu Sans", name]
            matplotlib.rcParams["axes.unicode_minus"] = False
            _FONT_SET = name
            return name
    return None


def _month_text(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def _display_unit(unit: str):
    if unit == "yuan":
        return 1e8, "亿元"
    if unit == "persons":
        return 1e4, "万人"
    return 1.0, unit


def _label_axes(ax, measure: str, unit: str, t: pd.DataFrame) -> None:
    try:
        desc = measures().loc[measure, "description"]
    except KeyError:
        desc = measure
    ax.set_ylabel(f"{measure} ({unit})")
    ax.set_xlabel("period")
    ax.set_title(desc if len(desc) < 90 else desc[:87] + "…", fontsize=10)
    periods = list(dict.fromkeys(t["period"]))
    step = max(1, len(periods) // 12)
    ax.set_xticks(range(0, len(periods), step))
    ax.set_xticklabels(periods[::step], rotation=45, ha="right")
    ax.grid(alpha=0.3)
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize=8, loc="best", ncol=2 if len(handles) > 6 else 1)
