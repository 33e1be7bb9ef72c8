"""The yidi Python package (python/yidi) against the binary it drives, on tiny runs (1:40000, 3
months): its tables are `yidi export`'s and agree with the run files' own datasets, overrides
reach the run, errors carry yidi's own message, and Chinese text draws with a CJK font."""
import os
import sys
import tempfile
import unittest
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import numpy as np  # noqa: E402
import yidi  # noqa: E402

TINY = dict(scale="1:40000", months=3, seed=7, threads=2)


class Package(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="yidi-python-test-")
        d = cls.tmp.name
        cls.base = yidi.run("baseline", os.path.join(d, "base.h5"), **TINY)
        cls.nored = yidi.run("no-reduction", os.path.join(d, "nored.h5"), **TINY)
        cls.lever = yidi.run("baseline", os.path.join(d, "lever.h5"), params={"levers.networked_inpatient": 0.99}, **TINY)
        cls.reps = yidi.replicates("baseline", 2, os.path.join(d, "reps.h5"), **TINY)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_provenance_and_overrides_reach_the_run(self):
        self.assertEqual(self.base.attrs["seed"], 7)
        self.assertEqual(self.base.attrs["scale"], 40000)
        self.assertEqual(self.base.attrs["months"], 3)
        self.assertEqual(self.base.name, "baseline")
        self.assertIn("  levers.networked_inpatient: {1900-01: 0.98999999999999999}\n", self.lever.attrs["scenario"])
        self.assertNotIn("0.98999999999999999", self.base.attrs["scenario"])

    def test_frame_is_the_runs_own_numbers(self):
        t = self.base.frame(["cross_fund", "cross_inpatient_stays"], by="national,all")
        self.assertEqual(list(t["measure"]), ["cross_fund", "cross_inpatient_stays"])
        self.assertEqual(list(t["unit"]), ["yuan", "visits"])
        fen = int(self.base.dataset("offsite/fund").sum())
        self.assertEqual(round(t["value"].iloc[0] * 100), fen)
        stays = int(self.base.dataset("offsite/visits")[:, :, :, 0, :].sum())
        self.assertEqual(t["value"].iloc[1], stays)
        monthly = self.base.frame("cross_dsr_inpatient", by="national,month")
        np.testing.assert_array_equal(monthly["value"].to_numpy(), self.base.dataset("offsite/dsr_inpatient_national"))
        self.assertEqual(list(monthly["period"]), ["2022-01", "2022-02", "2022-03"])

    def test_table_is_regions_by_periods_and_names_are_accepted(self):
        w = self.base.table("cross_dsr_inpatient", by="province,month", regions="广东,Sichuan,110000")
        self.assertEqual(list(w.index), ["Guangdong", "Sichuan", "Beijing"])
        self.assertEqual(list(w.columns), ["2022-01", "2022-02", "2022-03"])
        self.assertEqual(w.columns.name, "cross_dsr_inpatient (ratio)")

    def test_pools_sharing_an_english_name_stay_apart(self):
        # 苏州 and 宿州 are both "Suzhou": the wide table keeps both, named with their codes.
        w = self.base.table("insured", by="region,all")
        self.assertEqual(len(w), len(self.base.dataset("region/sample_agents")))
        self.assertIn("Suzhou 320500", w.index)
        self.assertIn("Suzhou 341300", w.index)
        self.assertIn("Guangzhou", w.index)  # a name of its own keeps no code

    def test_compare_puts_runs_side_by_side_with_differences(self):
        c = yidi.compare({"baseline": self.base, "no-reduction": self.nored}, "cross_fund", by="national,all")
        self.assertEqual(list(c.columns), ["baseline", "no-reduction", "no-reduction − baseline"])
        row = c.iloc[0]
        self.assertAlmostEqual(row["no-reduction − baseline"], row["no-reduction"] - row["baseline"], places=2)
        self.assertGreater(row["no-reduction"], row["baseline"])  # no reduction: the funds pay more

    def test_replicates_quantiles_are_ordered(self):
        q = self.reps.quantiles("offsite/dsr_inpatient_national")
        self.assertEqual(list(q.columns), ["P5", "P50", "P95"])
        self.assertEqual(len(q), 3)
        self.assertTrue(((q["P5"] <= q["P50"]) & (q["P50"] <= q["P95"])).all())
        gd = self.reps.quantiles("funds/months_payable", index=(18, 1))  # 440000, residents
        self.assertEqual(len(gd), 3)
        with self.assertRaises(yidi.YidiError):
            self.reps.quantiles("funds/months_payable")  # a cell must be picked

    def test_replicates_frame_and_probabilities(self):
        t = self.reps.frame("cross_dsr_inpatient", by="national,year")
        self.assertEqual(list(t["seed"]), ["7", "8"])
        values = t["value"].tolist()
        x = max(values)
        p = self.reps.probability(f"cross_dsr_inpatient >= {x!r}", by="national,year")
        self.assertEqual(len(p), 1)
        met = sum(v >= x for v in values)
        self.assertEqual(p["p"].iloc[0], met / 2)
        self.assertEqual(p["p_by"].iloc[0], met / 2)  # one year: the same
        self.assertLessEqual(p["p_low"].iloc[0], p["p"].iloc[0])
        self.assertGreaterEqual(p["p_high"].iloc[0], p["p"].iloc[0])
        first = self.reps.first_year(f"cross_dsr_inpatient >= {x!r}", p=0.5, by="national,year")
        self.assertEqual(first["National"], "2022")
        self.assertIsNone(self.reps.first_year("cross_dsr_inpatient >= 2", by="national,year")["National"])

    def test_errors_carry_yidis_message(self):
        with self.assertRaises(yidi.YidiError) as e:
            self.base.frame("cross_dsr")
        self.assertIn("unknown measure 'cross_dsr' (did you mean 'cross_dsr_inpatient'", str(e.exception))
        with self.assertRaises(yidi.YidiError) as e:
            yidi.run("baselin", os.path.join(self.tmp.name, "x.h5"), **TINY)
        self.assertIn("did you mean 'baseline'", str(e.exception))
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "x.h5")))

    def test_chinese_text_draws_with_a_cjk_font(self):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        name = yidi.use_cjk_font()
        self.assertIsNotNone(name, "fonts-noto-cjk (scripts/install-deps.sh) is not installed")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph … missing from current font" would fail here
            ax = self.base.plot("fund_balance_resident", by="province,month", regions="广东", chinese=True)
            ax.figure.canvas.draw()
        self.assertEqual(ax.get_ylabel(), "fund_balance_resident (亿元)")
        self.assertEqual([t.get_text() for t in ax.get_legend().get_texts()], ["广东省"])
        plt.close("all")


if __name__ == "__main__":
    unittest.main()
