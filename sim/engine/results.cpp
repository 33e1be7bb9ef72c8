#include "sim/engine/results.hpp"

#include <cmath>
#include <cstring>
#include <set>
#include <stdexcept>
#include <utility>

#include "models/region.hpp"

namespace yidi::sim {

RunLabels RunLabels::of_schema() {
  RunLabels l;
  l.provinces = dim_labels(Dim::province);
  return l;
}

RunLabels RunLabels::of_regions(std::vector<std::string> region_codes) {
  RunLabels l;
  std::set<std::string> provinces;
  for (const auto& c : region_codes) {
    const auto code = RegionCode::parse(c);
    provinces.insert(code ? code->province().str() : c);
  }
  l.regions = std::move(region_codes);
  l.provinces.assign(provinces.begin(), provinces.end());
  return l;
}

void Results::set_names(const RunLabels& labels) {
  if (labels.regions != labels_.regions || labels.provinces != labels_.provinces)
    throw std::invalid_argument("results: the regions or provinces differ from the run's");
  labels_ = labels;
}

Results::Results() : Results(RunLabels::of_schema()) {}

Results::Results(RunLabels labels) : labels_(std::move(labels)) {
  for (const auto& d : output_schema()) {
    auto& s = data_[d.name];
    if (d.dims.front() != Dim::month) {
      if (d.integer) s.i.assign(elements(d), 0);
      else s.f.assign(elements(d), 0.0);
    }
  }
}

std::size_t Results::slice_size(const DatasetSpec& d) {
  std::size_t n = 1;
  for (Dim dim : d.dims)
    if (dim != Dim::month) n *= dim_size(dim);
  return n;
}

std::size_t Results::elements(const DatasetSpec& d) const {
  std::size_t n = 1;
  for (Dim dim : d.dims)
    if (dim != Dim::month) n *= extent(dim);
  return n;
}

void Results::begin_month(int month_index) {
  ++months_;
  for (const auto& d : output_schema()) {
    if (d.dims.front() != Dim::month) continue;
    auto& s = data_[d.name];
    if (d.integer) s.i.resize(s.i.size() + elements(d), 0);
    else s.f.resize(s.f.size() + elements(d), 0.0);
  }
  ints("months")[0] = month_index;
}

std::int64_t* Results::ints(const std::string& name) { return ints(dataset(name)); }
double* Results::floats(const std::string& name) { return floats(dataset(name)); }

std::int64_t* Results::ints(const DatasetSpec& d) {
  auto& s = data_.at(d.name);
  return d.dims.front() == Dim::month ? s.i.data() + s.i.size() - elements(d) : s.i.data();
}

double* Results::floats(const DatasetSpec& d) {
  auto& s = data_.at(d.name);
  return d.dims.front() == Dim::month ? s.f.data() + s.f.size() - elements(d) : s.f.data();
}

std::vector<std::size_t> Results::shape(const DatasetSpec& d) const {
  std::vector<std::size_t> out;
  for (Dim dim : d.dims) out.push_back(dim == Dim::month ? months_ : extent(dim));
  return out;
}

Results Results::from_raw(std::size_t months, std::map<std::string, Series64> data) {
  return from_raw(RunLabels::of_schema(), months, std::move(data));
}

Results Results::from_raw(RunLabels labels, std::size_t months, std::map<std::string, Series64> data) {
  Results r(std::move(labels));
  r.months_ = months;
  for (const auto& d : output_schema()) {
    auto it = data.find(d.name);
    if (it == data.end()) throw std::invalid_argument("results: missing dataset " + d.name);
    const std::size_t n = r.elements(d) * (d.dims.front() == Dim::month ? months : 1);
    if ((d.integer ? it->second.i.size() : it->second.f.size()) != n)
      throw std::invalid_argument("results: dataset " + d.name + " has the wrong size");
    r.data_[d.name] = std::move(it->second);
  }
  return r;
}

bool Results::operator==(const Results& o) const {
  if (months_ != o.months_ || labels_ != o.labels_) return false;
  for (const auto& [name, s] : data_) {
    const auto& t = o.data_.at(name);
    if (s.i != t.i || s.f.size() != t.f.size()) return false;
    // Bitwise, so that NaN (no visits) equals NaN.
    if (!s.f.empty() && std::memcmp(s.f.data(), t.f.data(), s.f.size() * sizeof(double)) != 0) return false;
  }
  return true;
}

}  // namespace yidi::sim
