#include "sim/engine/calibration.hpp"

#include <cstdio>

namespace yidi::sim {
namespace {

/// Rows of `months` falling in `year`.
std::vector<std::size_t> rows_of(const Results& r, int year) {
  std::vector<std::size_t> out;
  const auto& m = r.data("months").i;
  for (std::size_t i = 0; i < m.size(); ++i)
    if (m[i] / 12 == year) out.push_back(i);
  return out;
}

/// Σ over the given months of a monthly int dataset, for the elements where `keep(index within slice)`.
template <class Keep>
double sum(const Results& r, const std::string& name, const std::vector<std::size_t>& months, Keep keep) {
  const auto& d = dataset(name);
  const std::size_t n = Results::slice_size(d);
  const auto& v = r.data(name).i;
  double total = 0;
  for (std::size_t m : months)
    for (std::size_t j = 0; j < n; ++j)
      if (keep(j)) total += static_cast<double>(v[m * n + j]);
  return total;
}
}  // namespace

std::vector<CalibrationRow> calibration(const Results& r) {
  std::vector<CalibrationRow> out;
  // offsite/*: month × province × group × visit_type × path; within a slice j = ((p*G+g)*V+v)*P+path.
  const std::size_t G = dim_size(Dim::group), V = dim_size(Dim::visit_type), P = dim_size(Dim::path);
  auto visit_of = [&](std::size_t j) { return (j / P) % V; };
  auto path_of = [&](std::size_t j) { return j % P; };
  auto group_of = [&](std::size_t j) { return (j / (P * V)) % G; };
  const auto y22 = rows_of(r, 2022), y23 = rows_of(r, 2023);
  if (!y22.empty()) {
    const double direct = sum(r, "offsite/visits", y22, [&](std::size_t j) { return visit_of(j) == 0 && path_of(j) == 0; });
    const double all = sum(r, "offsite/visits", y22, [&](std::size_t j) { return visit_of(j) == 0; });
    // Over all manual stays, claimed or not; the official definition (direct ÷ (direct + claimed
    // manual), offsite/dsr_inpatient_official) is higher in the model, 0.754 at 1:1000: not yet
    // calibrated on (issue 15).
    out.push_back({"2022 cross-province inpatient direct-settlement rate", all > 0 ? direct / all : 0, 0.65,
                   "SCIO 2023-05-18 'about 65%' [VERIFIED]"});
  }
  if (!y23.empty()) {
    out.push_back({"2023 direct cross-province inpatient settlements (million)",
                   sum(r, "offsite/visits", y23, [&](std::size_t j) { return visit_of(j) == 0 && path_of(j) == 0; }) / 1e6,
                   11.25, "2023 bulletin [VERIFIED]"});
    out.push_back({"2023 fund paid for them (billion yuan)",
                   sum(r, "offsite/fund", y23, [&](std::size_t j) { return visit_of(j) == 0 && path_of(j) == 0; }) / 100 / 1e9,
                   135.166, "2023 bulletin [VERIFIED]"});
    out.push_back({"2023 direct cross-province outpatient settlements (million)",
                   sum(r, "offsite/visits", y23, [&](std::size_t j) { return visit_of(j) != 0 && path_of(j) == 0; }) / 1e6,
                   118.0, "2023 bulletin [VERIFIED]"});
    // Hospitalisation and mean cost: stays at home plus off-site stays, by scheme.
    const auto& ins = r.data("population/insured").i;  // province × group
    double insured[2] = {0, 0};
    for (std::size_t j = 0; j < ins.size(); ++j) insured[j % G == 2 ? 1 : 0] += static_cast<double>(ins[j]);
    double stays[2], bills[2];
    for (int s = 0; s < 2; ++s) {
      auto scheme_is = [&](std::size_t g) { return (g == 2) == (s == 1); };
      // Stays at home, in another province and in another pool of the province (intra/ has offsite/'s layout).
      auto inpatient_of = [&](std::size_t j) { return visit_of(j) == 0 && scheme_is(group_of(j)); };
      stays[s] = sum(r, "local/inpatient_stays", y23, [&](std::size_t j) { return scheme_is(j % G); }) +
                 sum(r, "offsite/visits", y23, inpatient_of) + sum(r, "intra/visits", y23, inpatient_of);
      bills[s] = sum(r, "local/inpatient_medfee", y23, [&](std::size_t j) { return scheme_is(j % G); }) +
                 sum(r, "offsite/medfee", y23, inpatient_of) + sum(r, "intra/medfee", y23, inpatient_of);
    }
    out.push_back({"2023 hospitalisation rate, employees", stays[0] / insured[0], 0.2186, "2023 bulletin [VERIFIED]"});
    out.push_back({"2023 hospitalisation rate, residents", stays[1] / insured[1], 0.207, "2023 bulletin [VERIFIED]"});
    out.push_back({"2023 mean cost per admission, employees (yuan)", bills[0] / 100 / stays[0], 12175, "2023 bulletin [VERIFIED]"});
    out.push_back({"2023 mean cost per admission, residents (yuan)", bills[1] / 100 / stays[1], 7674, "2023 bulletin [VERIFIED]"});
    // Residents' months payable at the end of 2023: (balance + prepayment held) ÷ the year's average month.
    const std::size_t S = dim_size(Dim::scheme);
    const std::vector<std::size_t> dec = {y23.back()};
    const double held = sum(r, "funds/balance", dec, [&](std::size_t j) { return j % S == 1; }) +
                        sum(r, "funds/prepayment_held", dec, [&](std::size_t j) { return j % S == 1; });
    const double spent = sum(r, "funds/expenditure", y23, [&](std::size_t j) { return j % S == 1; });
    out.push_back({"2023 residents' fund months payable", spent > 0 ? held / (spent / 12) : 0, 8.5,
                   "2023 bulletin [VERIFIED]"});
  }
  return out;
}

std::string calibration_markdown(const std::vector<CalibrationRow>& rows) {
  std::string out = "| measure | model | data | model ÷ data | source |\n|---|---|---|---|---|\n";
  char buf[256];
  for (const auto& row : rows) {
    std::snprintf(buf, sizeof buf, "| %s | %.4g | %.4g | %.3f | %s |\n", row.measure.c_str(), row.model, row.data,
                  row.ratio(), row.source.c_str());
    out += buf;
  }
  return out;
}

}  // namespace yidi::sim
