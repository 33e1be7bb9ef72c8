#include "sim/io/claims_csv.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <cstdlib>
#include <new>
#include <sstream>

#include <sys/mman.h>

namespace yidi::io {
namespace {

// The input columns, in the order of claim_columns() (and of the checks on a row).
enum Col : int {
  mdtrt_id, psn_no, insuplc_admdvs, mdtrtarea_admvs, insutype, psn_type, med_type, hosp_lv, adm_date, dscg_date,
  medfee_sumamt, cls_a_amt, cls_b_amt, cls_c_amt, overlmt_amt, selfpay_prop, dise_codg,
  filing_type, filing_admdvs, filing_date, filing_end_date, commitment, docs_date, cancel_date,
  emergency, networked, credential, setl_failed, maf_eligible, acct_used, acct_balc,
  kColumnCount
};

constexpr std::string_view kAmount = "yuan, at most 2 decimals, ≥ 0";
constexpr std::string_view kDate = "YYYY-MM-DD";
constexpr std::string_view kFlag = "0 or 1";

const std::vector<ClaimColumn> kClaimColumns = {
    {"mdtrt_id", true, "text", "visit id (就诊ID); unique within the file; the results are keyed by it"},
    {"psn_no", false, "text", "person id; rows of the same person in the same calendar year (of dscg_date) carry "
                              "year-to-date accumulators forward in file order; empty = none"},
    {"insuplc_admdvs", true, "6-digit region code in the policy data",
     "insured region (参保地): its policy in force on dscg_date applies"},
    {"mdtrtarea_admvs", true, "6-digit region code in the policy data",
     "treatment region (就医地): its catalogue in force on dscg_date applies"},
    {"insutype", true, "310 or 390", "scheme: 310 employees (职工医保), 390 residents (城乡居民医保)"},
    {"psn_type", true, "in_service, retired; resident or empty for 390",
     "person type: employees in service (在职) or retired (退休)"},
    {"med_type", true, "21, 11, 14, 41 or inpatient, general_outpatient, chronic_outpatient, pharmacy",
     "visit type (医疗类别): inpatient, general outpatient, chronic/special outpatient (门诊慢特病), pharmacy"},
    {"hosp_lv", true, "1, 2 or 3", "hospital level (一/二/三级); pharmacies use 1"},
    {"adm_date", true, kDate, "admission date (the visit date for outpatients)"},
    {"dscg_date", true, kDate, "discharge (settlement) date, not before adm_date: the parameters in force on it apply"},
    {"medfee_sumamt", true, kAmount, "total cost; must equal cls_a_amt + cls_b_amt + cls_c_amt + overlmt_amt"},
    {"cls_a_amt", false, kAmount, "class 甲 amount within price caps: fully eligible; empty = 0"},
    {"cls_b_amt", false, kAmount, "class 乙 amount within price caps: eligible after the self-pay-first share; empty = 0"},
    {"cls_c_amt", false, kAmount, "class 丙 / out-of-catalogue amount: fully self-paid; empty = 0"},
    {"overlmt_amt", false, kAmount, "amount above price caps (超限价): self-paid; empty = 0"},
    {"selfpay_prop", false, "ratio 0–1 such as 0.1 or 10%",
     "乙 self-pay-first share for this visit, overriding the treatment region's catalogue; empty = catalogue"},
    {"dise_codg", false, "text", "chronic/special disease code as in the insured region's list; required for med_type 14"},
    {"filing_type", false,
     "retiree_resettled, long_term_resident, stationed_worker, referral, emergency, other_temporary, unfiled or empty",
     "filing category (备案类型); empty or unfiled = no filing, and then the other filing_* columns must be empty"},
    {"filing_admdvs", false, "6-digit region code", "region the filing targets (a city, or a province); required with a filing"},
    {"filing_date", false, kDate, "date the filing was made; required with a filing"},
    {"filing_end_date", false, kDate,
     "end of the filing's validity if it has its own (material's end, or a temporary filing's override); empty = by policy"},
    {"commitment", false, kFlag, "1 = commitment filing (承诺制) with documents still owed; empty = 0"},
    {"docs_date", false, kDate, "date the documents of a commitment filing were supplied"},
    {"cancel_date", false, kDate, "date the filing was cancelled"},
    {"emergency", false, kFlag, "1 = the hospital uploaded the emergency flag (deemed filed); empty = 0"},
    {"networked", false, kFlag, "0 = the institution is not networked for this visit type; empty = 1"},
    {"credential", false, kFlag, "0 = the e-voucher or card was not presented (持码卡就医); empty = 1"},
    {"setl_failed", false, kFlag, "1 = direct settlement failed (system error); empty = 0"},
    {"maf_eligible", false, kFlag, "1 = eligible for medical assistance (医疗救助); empty = 0"},
    {"acct_used", false, kFlag, "1 = the employee's personal account pays the individual part; empty = 0"},
    {"acct_balc", false, kAmount, "personal account balance available; empty = 0"},
};

std::string_view yesno(bool b) { return b ? "1" : "0"; }


/// As Date::parse (strict YYYY-MM-DD in the supported range), with the digits read in place.
std::optional<Date> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  unsigned v[8];
  constexpr std::size_t at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
  for (std::size_t k = 0; k < 8; ++k) {
    const char ch = t[at[k]];
    if (ch < '0' || ch > '9') return std::nullopt;
    v[k] = static_cast<unsigned>(ch - '0');
  }
  return Date::from_ymd(static_cast<int>(v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3]), v[4] * 10 + v[5], v[6] * 10 + v[7]);
}

/// The rows' checks, in column order; the first failing one is reported, at the field's line and
/// column.
class RowParser {
public:
  /// `plain`: the record is printable ASCII throughout, so no cell needs the text check.
  RowParser(const RawRecord& rec, const std::vector<FieldView>& fields, const std::vector<int>& index,
            const std::string& file, bool plain, ClaimParseCache* cache)
      : rec_(rec), fields_(fields), index_(index), file_(file), plain_(plain), cache_(cache) {}

  std::string_view raw(Col c) const {
    const int i = index_[static_cast<std::size_t>(c)];
    return i < 0 ? std::string_view{} : fields_[static_cast<std::size_t>(i)].value;
  }
  /// The cell's value, checked as text (no NUL or control character, UTF-8, no byte-order mark).
  std::string_view cell(Col c) const {
    const std::string_view v = raw(c);
    if (plain_) return v;
    return checked(c, v);
  }
  [[gnu::noinline]] std::string_view checked(Col c, std::string_view v) const {
    for (const char ch : v) {
      const auto u = static_cast<unsigned char>(ch);
      if (u < 0x20 || u >= 0x7F) {
        if (const auto problem = text_problem(v)) fail_with(c, *problem);
        break;
      }
    }
    return v;
  }
  bool present(Col c) const { return !cell(c).empty(); }

  InputLocation where(Col c) const {
    const int i = index_[static_cast<std::size_t>(c)];
    if (i < 0) return {file_, rec_.line, 0};
    return location_in(rec_, file_, fields_[static_cast<std::size_t>(i)].offset);
  }
  [[noreturn]] void fail_with(Col c, const std::string& message) const {
    throw ColumnError{static_cast<int>(c),
                      InputError(where(c), std::string(kClaimColumns[static_cast<std::size_t>(c)].name), message)};
  }
  [[noreturn]] void fail(Col c, std::string_view expected) const { fail(c, expected, raw(c)); }
  [[noreturn]] void fail(Col c, std::string_view expected, std::string_view got) const {
    fail_with(c, "expected " + std::string(expected) + ", got '" + shown(got) + "'");
  }

  void text(Col c, bool required, std::string& out) const {
    const auto v = cell(c);
    if (required && v.empty()) fail(c, "a non-empty value");
    out.assign(v);
  }
  RegionCode region(Col c, const PolicyBook* must_exist) const {
    const auto v = cell(c);
    ClaimParseCache::Region* slot = nullptr;
    std::uint64_t text = 0;
    if (cache_ != nullptr && must_exist != nullptr && v.size() == 6) {
      if (cache_->book != must_exist) {
        cache_->book = must_exist;
        cache_->regions.fill({});
      }
      std::memcpy(&text, v.data(), 6);
      text |= std::uint64_t{1} << 63;
      slot = &cache_->regions[static_cast<std::size_t>((text * 0x9E3779B97F4A7C15ull) >> 58)];
      if (slot->text == text) return RegionCode::of(slot->code);  // parsed and found before
    }
    const auto code = RegionCode::parse(v);
    if (!code) fail(c, "a 6-digit region code such as 110000");
    if (must_exist && !must_exist->has_region(*code)) fail(c, "a region code present in the policy data");
    if (slot != nullptr) *slot = {text, code->value()};
    return *code;
  }
  Date date(Col c) const {
    const auto d = parse_date(cell(c));
    if (!d) fail(c, "a date YYYY-MM-DD");
    return *d;
  }
  std::optional<Date> optional_date(Col c) const {
    if (!present(c)) return std::nullopt;
    return date(c);
  }
  /// An amount in yuan ≥ 0; an empty optional cell is 0.
  Money amount(Col c, bool required) const {
    const auto v = cell(c);
    if (v.empty() && !required) return Money::zero();
    Money m;
    const AmountForm form = parse_amount(v, m);
    if (form == AmountForm::ok) return m;
    fail(c, amount_expected(form));
  }
  bool flag(Col c, bool empty_means) const {
    const auto v = cell(c);
    if (v.empty()) return empty_means;
    if (v == "0") return false;
    if (v == "1") return true;
    fail(c, kFlag);
  }

  /// An error on a column, with the column's place in the order of the checks.
  struct ColumnError {
    int column;
    InputError error;
  };

private:
  const RawRecord& rec_;
  const std::vector<FieldView>& fields_;
  const std::vector<int>& index_;
  const std::string& file_;
  bool plain_;
  ClaimParseCache* cache_;
};

std::optional<VisitType> parse_med_type(std::string_view v) {
  if (v == "21") return VisitType::inpatient;
  if (v == "11") return VisitType::general_outpatient;
  if (v == "14") return VisitType::chronic_outpatient;
  if (v == "41") return VisitType::pharmacy;
  return parse_visit_type(v);
}

}  // namespace

const std::vector<ClaimColumn>& claim_columns() { return kClaimColumns; }

std::string_view insutype_code(InsuredGroup g) { return scheme_of(g) == Scheme::employee ? "310" : "390"; }
std::string_view psn_type_name(InsuredGroup g) {
  switch (g) {
    case InsuredGroup::employee_in_service: return "in_service";
    case InsuredGroup::employee_retired: return "retired";
    case InsuredGroup::resident: return "resident";
  }
  return "?";
}
std::string_view med_type_code(VisitType v) {
  switch (v) {
    case VisitType::inpatient: return "21";
    case VisitType::general_outpatient: return "11";
    case VisitType::chronic_outpatient: return "14";
    case VisitType::pharmacy: return "41";
  }
  return "?";
}

// ---- reading -----------------------------------------------------------------------------------

AmountForm parse_amount(std::string_view s, Money& out) {
  if (!s.empty() && s.front() == '-') {
    // Any leading minus is refused, "-0.00" included; say "≥ 0" when the rest is a number.
    Money ignored;
    const AmountForm rest = parse_amount(s.substr(1), ignored);
    return rest == AmountForm::ok || rest == AmountForm::too_large ? AmountForm::negative : rest;
  }
  std::size_t i = 0;
  std::int64_t yuan = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (i == 15) return AmountForm::bad;
    yuan = yuan * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0) return AmountForm::bad;
  std::int64_t fen = 0;
  if (i < s.size()) {
    if (s[i] != '.') return AmountForm::bad;
    const std::size_t d0 = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    const std::size_t digits = i - d0;
    if (i != s.size() || digits == 0) return AmountForm::bad;
    if (digits > 2) return AmountForm::too_many_decimals;
    fen = (s[d0] - '0') * 10 + (digits == 2 ? s[d0 + 1] - '0' : 0);
  }
  if (yuan * 100 + fen > Money::kMaxInputFen) return AmountForm::too_large;  // ≤ 10^17: no overflow
  out = Money::fen(yuan * 100 + fen);
  return AmountForm::ok;
}

std::string amount_expected(AmountForm form) {
  // The accepted form as Money states it, so that claims, results and clearing inputs say the same.
  if (form == AmountForm::negative) return "an amount ≥ 0 (" + std::string(Money::kInputForm) + ")";
  return std::string(Money::kInputForm);
}

namespace {
IdHash to_id_hash(const std::array<std::uint32_t, 8>& d) {
  return IdHash{std::uint64_t{d[0]} << 32 | d[1], std::uint64_t{d[2]} << 32 | d[3]};
}
}  // namespace

IdHash id_hash(std::string_view id) {
  Sha256 h;
  h.update(id);
  return to_id_hash(h.finish());
}

namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
}  // namespace

void* table_allocate(std::size_t bytes) {
  // calloc: memory fresh from the kernel is not filled again; memory the allocator reuses (a
  // table freed on growing) is, and costs no page faults.
  void* p = std::calloc(1, bytes);
  if (p == nullptr) throw std::bad_alloc();
  if (bytes >= 2 * kHugePage) {
    // The whole huge pages inside the block: a hint (without it, or without THP, the table works the same).
    const auto at = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t from = (at + kHugePage - 1) / kHugePage * kHugePage, to = (at + bytes) / kHugePage * kHugePage;
    if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
  }
  return p;
}

void table_deallocate(void* p, std::size_t) noexcept { std::free(p); }

int VisitIds::insert(const IdHash& h, int line) {
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>(h.lo) & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.line == 0) {
      s = Slot{h.hi, h.lo, line};
      ++size_;
      return 0;
    }
    if (s.hi == h.hi && s.lo == h.lo) return s.line;
  }
}

void VisitIds::grow() {
  auto old = std::move(slots_);
  slots_ = TableSlots<Slot>(old.empty() ? 1024 : old.size() * 2);
  size_ = 0;
  for (const Slot& s : old)
    if (s.line != 0) insert(IdHash{s.hi, s.lo}, s.line);
}

ClaimsFormat::ClaimsFormat(const RawRecord& rec, const std::string& file, const CsvLimits& limits)
    : index_(kColumnCount, -1) {
  std::vector<FieldView> fields;
  std::string scratch;
  split_fields(rec, file, limits, fields, scratch);
  for (const auto& f : fields) header_.emplace_back(f.value);
  std::vector<std::string> unknown;
  for (std::size_t i = 0; i < header_.size(); ++i) {
    const std::string& name = header_[i];
    std::size_t c = 0;
    while (c < kClaimColumns.size() && kClaimColumns[c].name != name) ++c;
    if (c == kClaimColumns.size()) {
      unknown.push_back(name);
      continue;
    }
    if (index_[c] >= 0)
      throw InputError(location_in(rec, file, fields[i].offset), name,
                       "column given twice (columns " + std::to_string(index_[c] + 1) + " and " + std::to_string(i + 1) + ")");
    index_[c] = static_cast<int>(i);
  }
  if (!unknown.empty()) {
    // At most 10 names, each shown cut: a huge header must not make a huge message.
    std::string msg = unknown.size() == 1 ? "unknown column " : "unknown columns ";
    for (std::size_t i = 0; i < unknown.size() && i < 10; ++i) msg += (i ? ", '" : "'") + shown(unknown[i]) + "'";
    if (unknown.size() > 10) msg += " and " + std::to_string(unknown.size() - 10) + " more";
    msg += "; expected only these columns (docs/settle-formats.md):";
    for (std::size_t i = 0; i < kClaimColumns.size(); ++i) msg += (i ? ", " : " ") + std::string(kClaimColumns[i].name);
    throw InputError({file, rec.line, 0}, "", msg);
  }
  std::vector<std::string> missing;
  for (std::size_t c = 0; c < kClaimColumns.size(); ++c)
    if (kClaimColumns[c].required && index_[c] < 0) missing.emplace_back(kClaimColumns[c].name);
  if (!missing.empty()) {
    std::string msg = missing.size() == 1 ? "missing required column " : "missing required columns ";
    for (std::size_t i = 0; i < missing.size(); ++i) msg += (i ? ", '" : "'") + missing[i] + "'";
    throw InputError({file, rec.line, 0}, "", msg);
  }
}

namespace {
/// `person_key`: the hash of the psn_no field if already computed (with the id's), else null.
void parse_row(const RowParser& p, const RawRecord& rec, const PolicyBook& book, ClaimRow& row,
               const IdHash* person_key) {
  row.line = rec.line;
  row.columns.clear();
  row.request.filing.reset();
  row.request.ytd = {};
  Visit& v = row.request.visit;
  v.lines.clear();

  p.text(mdtrt_id, true, v.id);
  p.text(psn_no, false, row.person);
  row.person_key = row.person.empty() ? IdHash{} : person_key != nullptr ? *person_key : id_hash(row.person);
  v.insured_region = p.region(insuplc_admdvs, &book);
  v.treatment_region = p.region(mdtrtarea_admvs, &book);

  const auto scheme = p.cell(insutype);
  if (scheme == "310") {
    const auto t = p.cell(psn_type);
    if (t == "in_service") v.group = InsuredGroup::employee_in_service;
    else if (t == "retired") v.group = InsuredGroup::employee_retired;
    else p.fail(psn_type, "in_service or retired for insutype 310");
  } else if (scheme == "390") {
    const auto t = p.cell(psn_type);
    if (!t.empty() && t != "resident") p.fail(psn_type, "resident or empty for insutype 390");
    v.group = InsuredGroup::resident;
  } else {
    p.fail(insutype, "310 (employees) or 390 (residents)");
  }

  const auto vt = parse_med_type(p.cell(med_type));
  if (!vt) p.fail(med_type, "21, 11, 14, 41 or inpatient, general_outpatient, chronic_outpatient, pharmacy");
  v.visit_type = *vt;
  const auto lv = p.cell(hosp_lv);
  if (lv == "1") v.level = HospitalLevel::level1;
  else if (lv == "2") v.level = HospitalLevel::level2;
  else if (lv == "3") v.level = HospitalLevel::level3;
  else p.fail(hosp_lv, "1, 2 or 3");

  v.admission = p.date(adm_date);
  v.discharge = p.date(dscg_date);
  row.year = v.discharge.year();
  if (v.discharge < v.admission) p.fail(dscg_date, "a date on or after adm_date " + v.admission.str());

  v.medfee_sumamt = p.amount(medfee_sumamt, true);
  const Money a = p.amount(cls_a_amt, false);
  const Money b = p.amount(cls_b_amt, false);
  const Money c = p.amount(cls_c_amt, false);
  const Money over = p.amount(overlmt_amt, false);
  if (a + b + c + over != v.medfee_sumamt)
    p.fail(medfee_sumamt, "cls_a_amt + cls_b_amt + cls_c_amt + overlmt_amt = " + (a + b + c + over).str());
  std::optional<Ratio> prop;
  if (p.present(selfpay_prop)) {
    prop = Ratio::parse(p.cell(selfpay_prop));
    if (!prop || !prop->in_unit_interval()) p.fail(selfpay_prop, "a ratio between 0 and 1 such as 0.1 or 10%");
  }
  // The engine's claim lines: one per class; the part above price caps rides on the 甲 line as its
  // over-cap part (which class it came from makes no difference to any amount).
  // Zero amounts make no line.
  if (!(a + over).is_zero()) {
    v.lines.push_back(ClaimLine{ItemClass::a, a + over, over, std::nullopt});
    row.columns.emplace_back(over.is_zero() ? "cls_a_amt" : "overlmt_amt");
  }
  if (!b.is_zero()) {
    v.lines.push_back(ClaimLine{ItemClass::b, b, Money::zero(), prop});
    row.columns.emplace_back(prop ? "selfpay_prop" : "cls_b_amt");
  }
  if (!c.is_zero()) {
    v.lines.push_back(ClaimLine{ItemClass::c, c, Money::zero(), std::nullopt});
    row.columns.emplace_back("cls_c_amt");
  }

  p.text(dise_codg, false, v.disease);
  if (v.visit_type == VisitType::chronic_outpatient && v.disease.empty())
    p.fail(dise_codg, "a disease code for med_type 14 (chronic/special outpatient)");

  const auto ft = p.cell(filing_type);
  if (ft.empty() || ft == "unfiled") {
    for (Col col : {filing_admdvs, filing_date, filing_end_date, docs_date, cancel_date})
      if (p.present(col))
        p.fail(filing_type, "a filing category when " + std::string(kClaimColumns[col].name) + " is given");
    if (p.flag(commitment, false)) p.fail(filing_type, "a filing category when commitment is 1");
  } else {
    const auto cat = parse_filing_category(ft);
    if (!cat)
      p.fail(filing_type, "retiree_resettled, long_term_resident, stationed_worker, referral, emergency, "
                          "other_temporary, unfiled or empty");
    Filing f;
    f.category = *cat;
    if (!p.present(filing_admdvs)) p.fail(filing_admdvs, "the region the filing targets (6 digits)");
    f.target = p.region(filing_admdvs, nullptr);
    if (!p.present(filing_date)) p.fail(filing_date, "the date the filing was made (YYYY-MM-DD)");
    f.filed_on = p.date(filing_date);
    f.valid_until = p.optional_date(filing_end_date);
    if (f.valid_until && *f.valid_until < f.filed_on)
      p.fail(filing_end_date, "a date on or after filing_date " + f.filed_on.str());
    f.commitment = p.flag(commitment, false);
    f.documents_supplied_on = p.optional_date(docs_date);
    f.cancelled_on = p.optional_date(cancel_date);
    row.request.filing = f;
  }

  v.emergency = p.flag(emergency, false);
  v.networked = p.flag(networked, true);
  v.credential_presented = p.flag(credential, true);
  v.settlement_failed = p.flag(setl_failed, false);
  v.assistance_eligible = p.flag(maf_eligible, false);
  v.use_personal_account = p.flag(acct_used, false);
  v.personal_account_balance = p.amount(acct_balc, false);
}

std::vector<std::string> record_fields(const std::vector<FieldView>& fields) {
  std::vector<std::string> out;
  out.reserve(fields.size());
  for (const auto& f : fields) out.emplace_back(f.value);
  return out;
}
}  // namespace

void parse_claim_record(const ClaimsFormat& format, const RawRecord& rec, const std::string& file,
                        const PolicyBook& book, const CsvLimits& limits, ClaimRow& row, ParsedRecord& result,
                        std::vector<FieldView>& fields, std::string& scratch, ClaimParseCache* cache) {
  result.ok = false;
  result.failed_column = -1;
  result.rejected.reset();
  result.has_id = false;
  if (rec.error) {
    result.rejected.emplace(RejectedRow{rec.line, {}, *rec.error});
    return;
  }
  try {
    split_fields(rec, file, limits, fields, scratch, &format.header());
  } catch (const InputError& e) {
    result.rejected.emplace(RejectedRow{rec.line, {}, e});
    return;
  }
  // The id is taken from a record of any width, so that a later duplicate is still found.
  const int id_at = format.id_field();
  const bool plain = plain_ascii(rec.text);
  const bool full = fields.size() == format.header().size();
  IdHash person_key;
  bool have_person_key = false;
  if (static_cast<std::size_t>(id_at) < fields.size() && !fields[static_cast<std::size_t>(id_at)].value.empty() &&
      (plain || !text_problem(fields[static_cast<std::size_t>(id_at)].value))) {
    result.has_id = true;
    result.id_field = id_at;
    const std::string_view id = fields[static_cast<std::size_t>(id_at)].value;
    const int person_at = format.index()[psn_no];
    if (plain && full && person_at >= 0 && !fields[static_cast<std::size_t>(person_at)].value.empty()) {
      // Both ids of the row hashed side by side (the person's is the ledger's key; a plain record's
      // cell is its raw field).
      std::array<std::uint32_t, 8> di, dp;
      sha256_pair(id, fields[static_cast<std::size_t>(person_at)].value, di, dp);
      result.id = to_id_hash(di);
      person_key = to_id_hash(dp);
      have_person_key = true;
    } else {
      result.id = id_hash(id);
    }
  }
  if (!full) {
    result.rejected.emplace(RejectedRow{
        rec.line, record_fields(fields),
        InputError({file, rec.line, 0}, "",
                   "expected " + std::to_string(format.header().size()) + " fields as in the header, got " +
                       std::to_string(fields.size()) +
                       (rec.text.starts_with("#") ? " (a comment line is allowed only before the header)" : ""))});
    return;
  }
  const RowParser p(rec, fields, format.index(), file, plain, cache);
  try {
    parse_row(p, rec, book, row, have_person_key ? &person_key : nullptr);
    result.ok = true;
  } catch (const RowParser::ColumnError& e) {
    result.failed_column = e.column;
    result.rejected.emplace(RejectedRow{rec.line, record_fields(fields), e.error});
  }
}

void check_visit_id(VisitIds& ids, const std::string& file, const RawRecord& rec, const CsvLimits& limits,
                    ParsedRecord& result) {
  if (!result.has_id) return;
  const int first = ids.insert(result.id, rec.line);
  if (first == 0) return;
  // Reported on mdtrt_id unless the record is broken as a whole or failed on mdtrt_id itself.
  if (!result.ok && result.failed_column <= mdtrt_id) return;
  std::vector<FieldView> fields;
  std::string scratch;
  split_fields(rec, file, limits, fields, scratch);  // it split before: cannot fail now
  const std::string_view id = fields[static_cast<std::size_t>(result.id_field)].value;
  result.ok = false;
  result.failed_column = mdtrt_id;
  result.rejected.emplace(RejectedRow{
      rec.line, record_fields(fields),
      InputError(location_in(rec, file, fields[static_cast<std::size_t>(result.id_field)].offset), "mdtrt_id",
                 "expected a visit id not used on an earlier row (it is on line " + std::to_string(first) + "), got '" +
                     shown(id) + "'")});
}

ClaimsReader::ClaimsReader(CsvSplitter& splitter, const PolicyBook& book) : splitter_(splitter), book_(book) {
  RawRecord rec;
  if (!splitter_.header(rec))
    throw InputError({splitter_.file_name(), 0, 0}, "", "no header row; expected a CSV file starting with its column names");
  format_.emplace(rec, splitter_.file_name(), splitter_.limits());
  splitter_.expect_fields(format_->header().size());
}

ClaimsReader::Next ClaimsReader::next(ClaimRow& row, std::optional<RejectedRow>& rejected) {
  rejected.reset();
  RawRecord rec;
  if (!splitter_.next(rec)) return Next::end;
  ParsedRecord result;
  parse_claim_record(*format_, rec, splitter_.file_name(), book_, splitter_.limits(), row, result, fields_, scratch_, &cache_);
  check_visit_id(ids_, splitter_.file_name(), rec, splitter_.limits(), result);
  if (result.ok) return Next::row;
  rejected = std::move(result.rejected);
  return Next::rejected;
}

ParsedClaims parse_claims(std::string_view text, const std::string& file_name, const PolicyBook& book) {
  CsvSplitter splitter(text, file_name);
  ClaimsReader reader(splitter, book);
  ParsedClaims out;
  ClaimRow row;
  std::optional<RejectedRow> rejected;
  for (;;) {
    const auto n = reader.next(row, rejected);
    if (n == ClaimsReader::Next::end) break;
    if (n == ClaimsReader::Next::row) out.rows.push_back(row);
    else out.rejected.push_back(*rejected);
  }
  return out;
}

InputError claim_error(const ClaimRow& row, const InvalidClaim& e, const std::string& file_name) {
  // The engine names its claim lines "line N ..."; the CSV knows them by column.
  std::string field = e.field();
  if (field.starts_with("line ")) {
    const auto n = static_cast<std::size_t>(std::stoi(field.substr(5)));
    if (n >= 1 && n <= row.columns.size()) field = row.columns[n - 1];
  }
  std::string message = e.what();
  if (message.starts_with(e.field() + ": ")) message.erase(0, e.field().size() + 2);
  return InputError({file_name, row.line, 0}, field, message);
}

// ---- year-to-date --------------------------------------------------------------------------------

namespace {
std::size_t slot_of(std::uint64_t lo, std::int32_t year, std::size_t mask) {
  return static_cast<std::size_t>(lo ^ (static_cast<std::uint64_t>(static_cast<std::uint32_t>(year)) * 0x9E3779B97F4A7C15ull)) &
         mask;
}
}  // namespace

std::size_t YearToDateLedger::slot_index(const ClaimRow& row) const {
  const std::int32_t year = row.year;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = slot_of(row.person_key.lo, year, mask);; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (!s.used || (s.hi == row.person_key.hi && s.lo == row.person_key.lo && s.year == year)) return i;
  }
}

void YearToDateLedger::prefetch(const ClaimRow& row) const {
  if (row.person.empty() || slots_.empty()) return;
  __builtin_prefetch(&slots_[slot_of(row.person_key.lo, row.year, slots_.size() - 1)]);
}

YearToDate YearToDateLedger::before(const ClaimRow& row) const {
  if (row.person.empty() || slots_.empty()) return {};
  const Slot& s = slots_[slot_index(row)];
  return s.used ? s.value : YearToDate{};
}

void YearToDateLedger::grow() {
  auto old = std::move(slots_);
  slots_ = TableSlots<Slot>(old.empty() ? 1024 : old.size() * 2);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (!s.used) continue;
    std::size_t i = slot_of(s.lo, s.year, mask);
    while (slots_[i].used) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void YearToDateLedger::record(const ClaimRow& row, const Settlement& s) {
  if (row.person.empty()) return;
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  Slot& slot = slots_[slot_index(row)];
  if (!slot.used) {
    slot.hi = row.person_key.hi;
    slot.lo = row.person_key.lo;
    slot.year = row.year;
    slot.used = true;
    ++size_;
  }
  slot.value = s.ytd_after;
}

// ---- writing ------------------------------------------------------------------------------------

namespace {
using R = const ClaimRow&;
using S = const Settlement&;
const Visit& visit(R r) { return r.request.visit; }
void put(std::string& o, std::string_view v) { o.append(v); }
void put(std::string& o, RegionCode r) {
  char buf[16];
  const auto res = std::to_chars(buf, buf + sizeof buf, r.value());
  o.append(buf, static_cast<std::size_t>(res.ptr - buf));
}
// As Date::str() (YYYY-MM-DD, the supported years have 4 digits), without its string.
void put(std::string& o, Date d) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{d.days()}}};
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month()), day = static_cast<unsigned>(ymd.day());
  const char buf[10] = {static_cast<char>('0' + y / 1000),     static_cast<char>('0' + y / 100 % 10),
                        static_cast<char>('0' + y / 10 % 10),  static_cast<char>('0' + y % 10),
                        '-',
                        static_cast<char>('0' + m / 10),       static_cast<char>('0' + m % 10),
                        '-',
                        static_cast<char>('0' + day / 10),     static_cast<char>('0' + day % 10)};
  o.append(buf, sizeof buf);
}
void put(std::string& o, Money m) {
  if (m.is_unlimited()) {
    o += "unlimited";
    return;
  }
  std::int64_t f = m.fen();
  if (f < 0) {
    o += '-';
    f = -f;
  }
  char buf[24];
  char* e = buf + sizeof buf;
  char* b = e;
  *--b = static_cast<char>('0' + f % 10);
  *--b = static_cast<char>('0' + f / 10 % 10);
  *--b = '.';
  std::int64_t y = f / 100;
  do {
    *--b = static_cast<char>('0' + y % 10);
    y /= 10;
  } while (y > 0);
  o.append(b, static_cast<std::size_t>(e - b));
}

const std::vector<ResultColumn> kResultColumns = {
    {"mdtrt_id", "visit id, as in the claims file", [](std::string& o, R r, S) { put(o, visit(r).id); }},
    {"psn_no", "person id, as in the claims file (may be empty)", [](std::string& o, R r, S) { put(o, r.person); }},
    {"insuplc_admdvs", "insured region", [](std::string& o, R r, S) { put(o, visit(r).insured_region); }},
    {"mdtrtarea_admvs", "treatment region", [](std::string& o, R r, S) { put(o, visit(r).treatment_region); }},
    {"insutype", "310 employees, 390 residents", [](std::string& o, R r, S) { put(o, insutype_code(visit(r).group)); }},
    {"psn_type", "in_service, retired or resident", [](std::string& o, R r, S) { put(o, psn_type_name(visit(r).group)); }},
    {"med_type", "visit type as its national code: 21, 11, 14 or 41",
     [](std::string& o, R r, S) { put(o, med_type_code(visit(r).visit_type)); }},
    {"hosp_lv", "hospital level 1, 2 or 3", [](std::string& o, R r, S) { o += static_cast<char>('1' + index(visit(r).level)); }},
    {"adm_date", "admission date", [](std::string& o, R r, S) { put(o, visit(r).admission); }},
    {"dscg_date", "discharge date: the parameters in force on it were applied",
     [](std::string& o, R r, S) { put(o, visit(r).discharge); }},
    {"path", "direct (settled at the hospital) or manual (paid in full, claimed at home later)",
     [](std::string& o, R, S s) { put(o, to_string(s.path)); }},
    {"reason", "why: direct, local, not_networked, no_filing, filing_wrong_region, filing_expired, filing_revoked, "
               "filing_cancelled, no_credential, settlement_failed",
     [](std::string& o, R, S s) { put(o, to_string(s.reason)); }},
    {"filing_category", "the filing category whose rules applied (unfiled if none)",
     [](std::string& o, R, S s) { put(o, to_string(s.category)); }},
    {"cross_province", "1 if the two regions are in different provinces (跨省)",
     [](std::string& o, R, S s) { put(o, yesno(s.cross_province)); }},
    {"payable", "0 if the fund pays nothing by rule (visit type not covered, disease not on the list; see note)",
     [](std::string& o, R, S s) { put(o, yesno(s.payable)); }},
    {"medfee_sumamt", "total cost", [](std::string& o, R, S s) { put(o, s.medfee_sumamt); }},
    {"fulamt_ownpay_amt", "step A: class 丙 / out of catalogue, fully self-paid",
     [](std::string& o, R, S s) { put(o, s.fulamt_ownpay_amt); }},
    {"overlmt_selfpay", "step A: above price caps, self-paid", [](std::string& o, R, S s) { put(o, s.overlmt_selfpay); }},
    {"preselfpay_amt", "step A: class 乙 self-pay-first part", [](std::string& o, R, S s) { put(o, s.preselfpay_amt); }},
    {"inscp_scp_amt", "step A: policy-eligible amount (the rest)", [](std::string& o, R, S s) { put(o, s.inscp_scp_amt); }},
    {"deductible", "step B: deductible (起付标准) applied", [](std::string& o, R, S s) { put(o, s.deductible); }},
    {"reduction", "step B: off-site reduction applied: none, -10pp (points off the ratio) or x80% (multiplier)",
     [](std::string& o, R, S s) { put(o, s.reduction.str()); }},
    {"hifp_pay", "pooled fund (统筹基金) pays", [](std::string& o, R, S s) { put(o, s.hifp_pay); }},
    {"hifmi_pay", "residents' critical-illness insurance (大病保险) pays", [](std::string& o, R, S s) { put(o, s.hifmi_pay); }},
    {"hifob_pay", "employees' large-expense subsidy (大额补助) pays", [](std::string& o, R, S s) { put(o, s.hifob_pay); }},
    {"maf_pay", "medical assistance (医疗救助) pays", [](std::string& o, R, S s) { put(o, s.maf_pay); }},
    {"fund_pay_sumamt", "all funds: hifp_pay + hifmi_pay + hifob_pay + maf_pay",
     [](std::string& o, R, S s) { put(o, s.fund_pay_sumamt); }},
    {"psn_part_amt", "individual burden = medfee_sumamt − fund_pay_sumamt", [](std::string& o, R, S s) { put(o, s.psn_part_amt); }},
    {"acct_pay", "paid from the personal account (direct path only)", [](std::string& o, R, S s) { put(o, s.acct_pay); }},
    {"psn_cash_pay", "cash paid at the hospital: psn_part_amt − acct_pay (direct); medfee_sumamt (manual)",
     [](std::string& o, R, S s) { put(o, s.psn_cash_pay); }},
    {"coaudit", "1 if a cross-province inpatient bill at or above the co-audit threshold (协查)",
     [](std::string& o, R, S s) { put(o, yesno(s.coaudit)); }},
    {"note", "why a visit is not payable, if it is not", [](std::string& o, R, S s) { put(o, s.note); }},
};
}  // namespace

const std::vector<ResultColumn>& result_columns() { return kResultColumns; }

std::vector<std::string> result_header() {
  std::vector<std::string> out;
  for (const auto& c : kResultColumns) out.emplace_back(c.name);
  return out;
}

std::vector<std::string> result_fields(const ClaimRow& row, const Settlement& s) {
  std::vector<std::string> out(kResultColumns.size());
  for (std::size_t i = 0; i < kResultColumns.size(); ++i) kResultColumns[i].append(out[i], row, s);
  return out;
}

namespace {
// The row writer of `yidi settle`: the columns of kResultColumns written straight into a buffer
// sized for the row (a test checks it against write_csv_row(result_fields(...))).
char* put_raw(char* p, std::string_view v) {
  std::memcpy(p, v.data(), v.size());
  return p + v.size();
}
char* put_text(char* p, std::string_view v) {
  bool needs = !v.empty() && (v.front() == ' ' || v.back() == ' ');
  for (std::size_t k = 0; k < v.size() && !needs; ++k) {
    const char c = v[k];
    needs = c == ',' || c == '"' || c == '\r' || c == '\n' || c == '#';
  }
  if (!needs) return put_raw(p, v);
  *p++ = '"';
  for (const char c : v) {
    if (c == '"') *p++ = '"';
    *p++ = c;
  }
  *p++ = '"';
  return p;
}
char* put_money(char* p, Money m) {
  if (m.is_unlimited()) return put_raw(p, "unlimited");
  std::int64_t f = m.fen();
  if (f < 0) {
    *p++ = '-';
    f = -f;
  }
  // Yuan, '.', two digits of fen, written in place (as put(std::string&, Money)).
  const auto u = static_cast<std::uint64_t>(f);
  p = std::to_chars(p, p + 20, u / 100).ptr;
  const auto fen = static_cast<unsigned>(u % 100);
  p[0] = '.';
  p[1] = static_cast<char>('0' + fen / 10);
  p[2] = static_cast<char>('0' + fen % 10);
  return p + 3;
}
char* put_date(char* p, Date d) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{d.days()}}};
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month()), day = static_cast<unsigned>(ymd.day());
  p[0] = static_cast<char>('0' + y / 1000);
  p[1] = static_cast<char>('0' + y / 100 % 10);
  p[2] = static_cast<char>('0' + y / 10 % 10);
  p[3] = static_cast<char>('0' + y % 10);
  p[4] = '-';
  p[5] = static_cast<char>('0' + m / 10);
  p[6] = static_cast<char>('0' + m % 10);
  p[7] = '-';
  p[8] = static_cast<char>('0' + day / 10);
  p[9] = static_cast<char>('0' + day % 10);
  return p + 10;
}
char* put_region(char* p, RegionCode r) { return std::to_chars(p, p + 16, r.value()).ptr; }
}  // namespace

void append_result_row(std::string& out, std::string& scratch, const ClaimRow& row, const Settlement& s) {
  const Visit& v = row.request.visit;
  scratch = s.reduction.str();
  // Numbers, dates and codes take at most 24 bytes each; text at most twice its size plus quotes.
  // A row within kStack bytes is written on the stack and appended (no zero-filled resize of `out`).
  constexpr std::size_t kStack = 2048;
  const std::size_t bound = 32 * 24 + 2 * (v.id.size() + row.person.size() + scratch.size() + s.note.size()) + 16;
  char stack[kStack];
  const std::size_t at = out.size();
  if (bound > kStack) out.resize(at + bound);
  char* const start = bound > kStack ? out.data() + at : stack;
  char* p = start;
  p = put_text(p, v.id);
  *p++ = ',';
  p = put_text(p, row.person);
  *p++ = ',';
  p = put_region(p, v.insured_region);
  *p++ = ',';
  p = put_region(p, v.treatment_region);
  *p++ = ',';
  p = put_raw(p, insutype_code(v.group));
  *p++ = ',';
  p = put_raw(p, psn_type_name(v.group));
  *p++ = ',';
  p = put_raw(p, med_type_code(v.visit_type));
  *p++ = ',';
  *p++ = static_cast<char>('1' + index(v.level));
  *p++ = ',';
  p = put_date(p, v.admission);
  *p++ = ',';
  p = put_date(p, v.discharge);
  *p++ = ',';
  p = put_raw(p, to_string(s.path));
  *p++ = ',';
  p = put_raw(p, to_string(s.reason));
  *p++ = ',';
  p = put_raw(p, to_string(s.category));
  *p++ = ',';
  *p++ = s.cross_province ? '1' : '0';
  *p++ = ',';
  *p++ = s.payable ? '1' : '0';
  for (const Money m : {s.medfee_sumamt, s.fulamt_ownpay_amt, s.overlmt_selfpay, s.preselfpay_amt, s.inscp_scp_amt,
                        s.deductible}) {
    *p++ = ',';
    p = put_money(p, m);
  }
  *p++ = ',';
  p = put_text(p, scratch);
  for (const Money m : {s.hifp_pay, s.hifmi_pay, s.hifob_pay, s.maf_pay, s.fund_pay_sumamt, s.psn_part_amt, s.acct_pay,
                        s.psn_cash_pay}) {
    *p++ = ',';
    p = put_money(p, m);
  }
  *p++ = ',';
  *p++ = s.coaudit ? '1' : '0';
  *p++ = ',';
  p = put_text(p, s.note);
  *p++ = '\n';
  if (start == stack) out.append(stack, static_cast<std::size_t>(p - stack));
  else out.resize(static_cast<std::size_t>(p - out.data()));
}

std::string format_explanation(const ClaimRow& row, const Settlement& s, const std::string& file_name) {
  const Visit& v = row.request.visit;
  std::ostringstream out;
  out << "== " << file_name << ":" << row.line << "  mdtrt_id " << v.id;
  if (!row.person.empty()) out << "  psn_no " << row.person;
  out << "\n   " << v.insured_region.str() << " → " << v.treatment_region.str() << ", " << to_string(v.visit_type)
      << ", " << to_string(v.group) << ", " << to_string(v.level) << ", " << v.admission.str() << " to "
      << v.discharge.str() << ", total " << v.medfee_sumamt.str() << "\n";
  int n = 0;
  for (const auto& st : s.explanation) {
    out << "  [" << ++n << "] " << st.step << ": " << st.detail << "\n";
    if (!st.parameter.empty()) {
      out << "      parameter " << st.parameter;
      if (!st.value.empty()) out << " = " << st.value;
      if (!st.source.empty()) out << "  (source: " << st.source << ")";
      out << "\n";
    }
  }
  out << "  => " << to_string(s.path) << " (" << to_string(s.reason) << "): fund_pay_sumamt "
      << s.fund_pay_sumamt.str() << ", psn_part_amt " << s.psn_part_amt.str() << ", psn_cash_pay "
      << s.psn_cash_pay.str() << "\n";
  return out.str();
}

std::string columns_markdown() {
  auto cell = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == '|') out += '\\';
      out += c;
    }
    return out;
  };
  std::ostringstream out;
  out << "| column | required | values | meaning |\n|---|---|---|---|\n";
  for (const auto& c : kClaimColumns)
    out << "| `" << c.name << "` | " << (c.required ? "yes" : "no") << " | " << cell(c.form) << " | "
        << cell(c.meaning) << " |\n";
  out << "\n| # | column | meaning |\n|---|---|---|\n";
  int i = 0;
  for (const auto& c : kResultColumns) out << "| " << ++i << " | `" << c.name << "` | " << cell(c.meaning) << " |\n";
  return out.str();
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

}  // namespace yidi::io
