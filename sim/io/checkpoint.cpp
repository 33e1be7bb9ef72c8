#include "sim/io/checkpoint.hpp"

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>

#include "sim/io/input_error.hpp"

namespace yidi::io {
namespace {
constexpr char kMagic[8] = {'Y', 'I', 'D', 'I', 'C', 'K', 'P', '2'};  // 2: 12-byte agents

class Out {
public:
  explicit Out(std::ofstream& o) : o_(o) {}
  template <class T>
  void pod(const T& v) { o_.write(reinterpret_cast<const char*>(&v), sizeof v); }
  void str(const std::string& s) {
    pod<std::uint64_t>(s.size());
    o_.write(s.data(), static_cast<std::streamsize>(s.size()));
  }
  template <class T>
  void vec(std::span<const T> v) {
    pod<std::uint64_t>(v.size());
    o_.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
  }
  template <class T, class A>
  void vec(const std::vector<T, A>& v) { vec(std::span<const T>(v.data(), v.size())); }
private:
  std::ofstream& o_;
};

class In {
public:
  In(std::ifstream& i, const std::string& path) : i_(i), path_(path) {}
  template <class T>
  T pod() {
    T v{};
    i_.read(reinterpret_cast<char*>(&v), sizeof v);
    check();
    return v;
  }
  std::string str() {
    std::string s(pod<std::uint64_t>(), '\0');
    i_.read(s.data(), static_cast<std::streamsize>(s.size()));
    check();
    return s;
  }
  template <class T, class A = std::allocator<T>>
  std::vector<T, A> vec() {
    std::vector<T, A> v(pod<std::uint64_t>());
    i_.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
    check();
    return v;
  }
  /// An array whose length must be `into.size()`, read into it in place.
  template <class T>
  void into(std::span<T> into, const char* what) {
    const auto n = pod<std::uint64_t>();
    if (n != into.size())
      throw InputError({path_, 0, 0}, "", "checkpoint holds " + std::to_string(n) + " " + what + "; expected " +
                                              std::to_string(into.size()) + " (the same scenario and rank count)");
    i_.read(reinterpret_cast<char*>(into.data()), static_cast<std::streamsize>(n * sizeof(T)));
    check();
  }
private:
  void check() {
    if (!i_) throw InputError({path_, 0, 0}, "", "checkpoint is truncated or unreadable");
  }
  std::ifstream& i_;
  std::string path_;
};

void write_record(Out& o, const SettlementRecord& r) {
  o.str(r.reference);
  o.pod(r.insured_region.value());
  o.pod(static_cast<std::uint8_t>(r.scheme));
  o.pod(r.treatment_region.value());
  o.pod(r.settled_on.days());
  o.pod(static_cast<std::uint8_t>(r.path));
  o.pod(r.visits);
  o.pod(r.fund_pay.fen());
  o.pod(r.patient_pay.fen());
  o.pod(r.coaudit_fund_pay.fen());
  o.pod(static_cast<std::int32_t>(r.declaration_delay_months));
  o.pod(static_cast<std::uint8_t>(r.reimburse_on.has_value()));
  o.pod(r.reimburse_on ? r.reimburse_on->days() : 0);
}

SettlementRecord read_record(In& in) {
  SettlementRecord r;
  r.reference = in.str();
  r.insured_region = RegionCode::of(in.pod<std::uint32_t>());
  r.scheme = static_cast<Scheme>(in.pod<std::uint8_t>());
  r.treatment_region = RegionCode::of(in.pod<std::uint32_t>());
  r.settled_on = Date::from_days(in.pod<std::int32_t>());
  r.path = static_cast<SettlementPath>(in.pod<std::uint8_t>());
  r.visits = in.pod<std::int64_t>();
  r.fund_pay = Money::fen(in.pod<std::int64_t>());
  r.patient_pay = Money::fen(in.pod<std::int64_t>());
  r.coaudit_fund_pay = Money::fen(in.pod<std::int64_t>());
  r.declaration_delay_months = in.pod<std::int32_t>();
  const bool has = in.pod<std::uint8_t>() != 0;
  const auto days = in.pod<std::int32_t>();
  if (has) r.reimburse_on = Date::from_days(days);
  return r;
}
}  // namespace

void write_checkpoint(const std::string& path, const sim::Simulation::ResumeView& r, const std::string& sha) {
  namespace fs = std::filesystem;
  if (!fs::path(path).parent_path().empty()) fs::create_directories(fs::path(path).parent_path());
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw InputError({path, 0, 0}, "", "cannot write checkpoint");
    Out o(f);
    f.write(kMagic, sizeof kMagic);
    o.str(sha);
    o.pod(static_cast<std::int32_t>(r.months_done));
    o.vec(r.agents);
    o.pod<std::uint64_t>(r.fed.size());
    for (const auto& month : r.fed) {
      o.pod<std::uint64_t>(month.size());
      for (const auto& rec : month) write_record(o, rec);
    }
    o.pod<std::uint64_t>(r.results.months());
    for (const auto& spec : sim::output_schema()) {
      o.vec(r.results.data(spec.name).i);
      o.vec(r.results.data(spec.name).f);
    }
    f.close();
    if (!f) throw InputError({path, 0, 0}, "", "write failed");
  }
  fs::rename(tmp, path);
}

sim::Simulation::Resume read_checkpoint(const std::string& path, const std::string& sha, sim::AgentVector storage) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError({path, 0, 0}, "", "cannot open checkpoint");
  char magic[sizeof kMagic];
  f.read(magic, sizeof magic);
  if (!f || std::memcmp(magic, kMagic, sizeof kMagic) != 0) throw InputError({path, 0, 0}, "", "not a yidi checkpoint");
  In in(f, path);
  if (in.str() != sha)
    throw InputError({path, 0, 0}, "", "checkpoint is of another scenario (its resolved scenario hash differs)");
  sim::Simulation::Resume r;
  r.months_done = in.pod<std::int32_t>();
  in.into(std::span<sim::Agent>(storage.data(), storage.size()), "agents");
  r.agents = std::move(storage);
  r.fed.resize(in.pod<std::uint64_t>());
  for (auto& month : r.fed) {
    month.resize(in.pod<std::uint64_t>());
    for (auto& rec : month) rec = read_record(in);
  }
  const auto months = in.pod<std::uint64_t>();
  std::map<std::string, sim::Series64> data;
  for (const auto& spec : sim::output_schema()) {
    auto& d = data[spec.name];
    d.i = in.vec<std::int64_t>();
    d.f = in.vec<double>();
  }
  try {
    r.results = sim::Results::from_raw(months, std::move(data));
  } catch (const std::invalid_argument& e) {
    throw InputError({path, 0, 0}, "", std::string("checkpoint does not fit this version's output schema: ") + e.what());
  }
  return r;
}

}  // namespace yidi::io
