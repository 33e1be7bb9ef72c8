// The CSV reader/writer and the claims format: parsing rows into requests, formatting settlements.
// Policy values come from a hand-built book (below), not the YAML data, so these tests pin the
// format alone.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/settlement_engine.hpp"
#include "sim/io/claims_csv.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/policy_snapshots.hpp"

using namespace yidi;
using namespace yidi::io;
namespace fs = std::filesystem;

namespace {
Date d(const char* s) { return *Date::parse(s); }
Money y(const char* s) { return *Money::parse(s); }
const std::string kTest = "test book";

/// Regions 110000 Beijing, 130000 Hebei, 131000 Langfang. National values: covered, no deductible,
/// 80% everywhere, no layers, no reductions, 乙 self-pay-first 10% (so DOMAIN.md golden case 1 holds);
/// Langfang's in-service inpatients pay a per-admission deductible 1,000 / 600 / 300; Beijing's
/// catalogue raises chronic-outpatient 乙 self-pay-first to 15% from 2023-01-01.
PolicyBook test_book() {
  PolicyBook book;
  book.add_region({RegionCode::of(110000), "北京市", "Beijing"});
  book.add_region({RegionCode::of(130000), "河北省", "Hebei"});
  book.add_region({RegionCode::of(131000), "廊坊市", "Langfang"});
  for (const auto& spec : ParamSchema::get().all()) {
    const std::string& p = spec.path;
    ParamValue v;
    switch (spec.type) {
      case ParamType::boolean: v = !p.ends_with(".enabled"); break;
      case ParamType::integer: v = std::int64_t{6}; break;
      case ParamType::money:
        v = p.ends_with("annual_cap") ? Money::yuan(500000)
            : p.ends_with("coaudit_threshold") ? Money::yuan(30000)
            : p.ends_with("threshold") ? Money::yuan(10000)
                                       : Money::zero();
        break;
      case ParamType::ratio: v = p.starts_with("catalogue.") ? Ratio::percent(10) : Ratio::percent(70); break;
      case ParamType::points: v = p.starts_with("national.") ? Points::of(20) : Points{}; break;
      case ParamType::bands: v = Bands{RatioBand{Money::unlimited(), Ratio::percent(80)}}; break;
      case ParamType::reduction: v = Reduction{}; break;
      case ParamType::choice: v = spec.choices.front(); break;
      case ParamType::text_list: v = std::vector<std::string>{"hypertension", "diabetes"}; break;
    }
    book.set(kNational, p, d("2020-01-01"), v, kTest, "test:" + p);
  }
  const RegionCode lf = RegionCode::of(131000);
  const std::string b = "benefit.employee_in_service.inpatient.deductible.";
  book.set(lf, b + "kind", d("2020-01-01"), std::string("per_admission"), kTest, "test");
  book.set(lf, b + "level3.first", d("2020-01-01"), Money::yuan(1000), kTest, "test");
  book.set(lf, b + "level3.second", d("2020-01-01"), Money::yuan(600), kTest, "test");
  book.set(lf, b + "level3.third_plus", d("2020-01-01"), Money::yuan(300), kTest, "test");
  book.set(RegionCode::of(110000), "catalogue.selfpay_prop_b.chronic_outpatient", d("2023-01-01"), Ratio::percent(15),
           kTest, "test");
  return book;
}

const std::string kHeader =
    "mdtrt_id,psn_no,insuplc_admdvs,mdtrtarea_admvs,insutype,psn_type,med_type,hosp_lv,adm_date,dscg_date,"
    "medfee_sumamt,cls_a_amt,cls_b_amt,cls_c_amt,overlmt_amt,dise_codg,filing_type,filing_admdvs,filing_date\n";
// DOMAIN.md §3 golden case 1 [seed 000]: Langfang retiree, chronic outpatient in Beijing, 2022-07-01,
// 甲 32.52, 乙 31.77 (10% self-pay-first) → fund 48.89, individual 15.40.
const std::string kGolden =
    "G1,P1,131000,110000,310,retired,14,3,2022-07-01,2022-07-01,64.29,32.52,31.77,0,0,diabetes,retiree_resettled,"
    "110000,2021-01-01\n";

struct Settled {
  ClaimRow row;
  Settlement s;
};
/// Parses `text` and settles every row in file order, as `yidi settle` does.
std::vector<Settled> settle_all(const PolicyBook& book, const std::string& text, bool explain = false) {
  const ParsedClaims parsed = parse_claims(text, "claims.csv", book);
  EXPECT_TRUE(parsed.rejected.empty()) << (parsed.rejected.empty() ? "" : parsed.rejected.front().error.what());
  PolicySnapshots snaps(book);
  YearToDateLedger ledger;
  std::vector<Settled> out;
  for (ClaimRow row : parsed.rows) {
    const Visit& v = row.request.visit;
    row.request.ytd = ledger.before(row);
    Settlement s = SettlementEngine::settle(row.request, snaps.catalogue(v.treatment_region, v.discharge),
                                            snaps.insured(v.insured_region, v.discharge), snaps.national(v.discharge),
                                            explain);
    ledger.record(row, s);
    out.push_back({row, s});
  }
  return out;
}

std::string field(const Settled& x, std::string_view column) {
  const auto header = result_header();
  const auto fields = result_fields(x.row, x.s);
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == column) return fields[i];
  ADD_FAILURE() << "no column " << column;
  return {};
}
}  // namespace

// ---- CSV ----------------------------------------------------------------------------------------

TEST(Csv, ReadsQuotedFieldsLineBreaksAndCrlfWithRecordLineNumbers) {
  const std::string text =
      "\xEF\xBB\xBF"
      "# provenance line\r\n"
      "a,b,c\r\n"
      "\r\n"
      "\"x, y\",\"say \"\"hi\"\"\",\r\n"
      "\"two\r\nlines\",2,3\n"
      "last,,\"\"";
  const auto recs = read_csv(text, "t.csv");
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].line, 2);
  EXPECT_EQ(recs[0].fields, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(recs[1].line, 4);
  EXPECT_EQ(recs[1].fields, (std::vector<std::string>{"x, y", "say \"hi\"", ""}));
  EXPECT_EQ(recs[2].line, 5);
  EXPECT_EQ(recs[2].fields, (std::vector<std::string>{"two\nlines", "2", "3"}));
  EXPECT_EQ(recs[3].line, 7);
  EXPECT_EQ(recs[3].fields, (std::vector<std::string>{"last", "", ""}));
}

TEST(Csv, ReportsBrokenQuotingWithFileAndLine) {
  try {
    read_csv("a,b\n1,\"open\n2,3\n", "t.csv");
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "t.csv:2:2: unterminated quoted field (a '\"' is missing)");
  }
  try {
    read_csv("a,b\nx\"y,2\n", "t.csv");
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "t.csv:2:2: a '\"' inside an unquoted field; quote the whole field and double the inner quote");
  }
  try {
    read_csv("a,b\n\"x\"y,2\n", "t.csv");
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "t.csv:2:4: expected ',' or the end of the line after a closing quote, got 'y'");
  }
}

TEST(Csv, WriterQuotesOnlyWhatNeedsItAndRoundTrips) {
  EXPECT_EQ(csv_field("48.89"), "48.89");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("admission #2"), "\"admission #2\"");  // '#' would start a pandas comment
  EXPECT_EQ(csv_field(" padded"), "\" padded\"");
  const std::vector<std::string> row{"x", "a,b", "line\nbreak", "#1", "", "q\"q"};
  std::ostringstream out;
  write_csv_row(out, row);
  EXPECT_EQ(out.str(), "x,\"a,b\",\"line\nbreak\",\"#1\",,\"q\"\"q\"\n");
  const auto back = read_csv(out.str(), "t.csv");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].fields, row);
}

// FIPS 180-4 test vectors.
TEST(Sha256, MatchesKnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000, 'a')), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

// ---- claims in ----------------------------------------------------------------------------------

TEST(ClaimsCsv, ParsesTheGoldenRowIntoARequest) {
  const PolicyBook book = test_book();
  const ParsedClaims p = parse_claims(kHeader + kGolden, "claims.csv", book);
  ASSERT_EQ(p.rows.size(), 1u);
  ASSERT_TRUE(p.rejected.empty());
  const ClaimRow& r = p.rows[0];
  EXPECT_EQ(r.line, 2);
  EXPECT_EQ(r.person, "P1");
  const Visit& v = r.request.visit;
  EXPECT_EQ(v.id, "G1");
  EXPECT_EQ(v.insured_region, RegionCode::of(131000));
  EXPECT_EQ(v.treatment_region, RegionCode::of(110000));
  EXPECT_EQ(v.group, InsuredGroup::employee_retired);
  EXPECT_EQ(v.visit_type, VisitType::chronic_outpatient);
  EXPECT_EQ(v.level, HospitalLevel::level3);
  EXPECT_EQ(v.discharge, d("2022-07-01"));
  EXPECT_EQ(v.medfee_sumamt, y("64.29"));
  EXPECT_EQ(v.disease, "diabetes");
  ASSERT_EQ(v.lines.size(), 2u);  // zero classes make no line
  EXPECT_EQ(v.lines[0].item_class, ItemClass::a);
  EXPECT_EQ(v.lines[0].amount, y("32.52"));
  EXPECT_EQ(v.lines[1].item_class, ItemClass::b);
  EXPECT_EQ(v.lines[1].amount, y("31.77"));
  EXPECT_FALSE(v.lines[1].selfpay_prop);
  EXPECT_TRUE(v.networked);
  EXPECT_TRUE(v.credential_presented);
  EXPECT_FALSE(v.emergency);
  ASSERT_TRUE(r.request.filing);
  EXPECT_EQ(r.request.filing->category, FilingCategory::retiree_resettled);
  EXPECT_EQ(r.request.filing->target, RegionCode::of(110000));
  EXPECT_EQ(r.request.filing->filed_on, d("2021-01-01"));
}

TEST(ClaimsCsv, AcceptsColumnsInAnyOrderNamesForMedTypeAndDefaults) {
  const PolicyBook book = test_book();
  const std::string text =
      "medfee_sumamt,mdtrt_id,insutype,psn_type,med_type,hosp_lv,adm_date,dscg_date,insuplc_admdvs,mdtrtarea_admvs,"
      "cls_a_amt,overlmt_amt,cls_b_amt,selfpay_prop,networked,emergency,acct_used,acct_balc\n"
      "1200.00,R1,390,,inpatient,2,2024-03-01,2024-03-05,131000,131000,1000,150.5,49.5,20%,0,1,1,88.8\n";
  const ParsedClaims p = parse_claims(text, "c.csv", book);
  ASSERT_EQ(p.rows.size(), 1u) << (p.rejected.empty() ? "" : p.rejected[0].error.what());
  const Visit& v = p.rows[0].request.visit;
  EXPECT_EQ(v.group, InsuredGroup::resident);
  EXPECT_EQ(v.visit_type, VisitType::inpatient);
  EXPECT_EQ(v.level, HospitalLevel::level2);
  ASSERT_EQ(v.lines.size(), 2u);
  EXPECT_EQ(v.lines[0].amount, y("1150.50"));  // 甲 carries the over-cap part
  EXPECT_EQ(v.lines[0].over_price_cap, y("150.50"));
  EXPECT_EQ(v.lines[1].selfpay_prop, Ratio::percent(20));
  EXPECT_FALSE(v.networked);
  EXPECT_TRUE(v.emergency);
  EXPECT_TRUE(v.credential_presented);
  EXPECT_TRUE(v.use_personal_account);
  EXPECT_EQ(v.personal_account_balance, y("88.80"));
  EXPECT_FALSE(p.rows[0].request.filing);
  EXPECT_EQ(p.rows[0].columns, (std::vector<std::string>{"overlmt_amt", "selfpay_prop"}));
}

TEST(ClaimsCsv, RejectsADuplicateVisitIdNamingTheFirstLine) {
  const PolicyBook book = test_book();
  const ParsedClaims p = parse_claims(kHeader + kGolden + kGolden, "claims.csv", book);
  EXPECT_EQ(p.rows.size(), 1u);
  ASSERT_EQ(p.rejected.size(), 1u);
  EXPECT_STREQ(p.rejected[0].error.what(),
               "claims.csv:3:1: field 'mdtrt_id': expected a visit id not used on an earlier row (it is on line 2), "
               "got 'G1'");
  EXPECT_EQ(p.rejected[0].fields.front(), "G1");
}

TEST(ClaimsCsv, EngineErrorsNameTheCsvColumn) {
  const PolicyBook book = test_book();
  const ParsedClaims p = parse_claims(kHeader + kGolden, "claims.csv", book);
  const InputError e = claim_error(p.rows[0], InvalidClaim("line 2 amount", "negative amount -1.00; expected ≥ 0"),
                                   "claims.csv");
  EXPECT_STREQ(e.what(), "claims.csv:2: field 'cls_b_amt': negative amount -1.00; expected ≥ 0");
}

// ---- settlements out ----------------------------------------------------------------------------

// DOMAIN.md §3 golden case 1 [seed 000], through the CSV: 乙 31.77 × 10% = 3.177 → 3.18; eligible
// 61.11; 80% → 48.888 → 48.89; individual 64.29 − 48.89 = 15.40.
TEST(ClaimsCsv, GoldenCase1ThroughTheCsvFormats) {
  const PolicyBook book = test_book();
  const auto out = settle_all(book, kHeader + kGolden);
  ASSERT_EQ(out.size(), 1u);
  const Settled& g = out[0];
  EXPECT_EQ(field(g, "mdtrt_id"), "G1");
  EXPECT_EQ(field(g, "psn_no"), "P1");
  EXPECT_EQ(field(g, "insutype"), "310");
  EXPECT_EQ(field(g, "psn_type"), "retired");
  EXPECT_EQ(field(g, "med_type"), "14");
  EXPECT_EQ(field(g, "hosp_lv"), "3");
  EXPECT_EQ(field(g, "path"), "direct");
  EXPECT_EQ(field(g, "reason"), "direct");
  EXPECT_EQ(field(g, "filing_category"), "retiree_resettled");
  EXPECT_EQ(field(g, "cross_province"), "1");
  EXPECT_EQ(field(g, "payable"), "1");
  EXPECT_EQ(field(g, "medfee_sumamt"), "64.29");
  EXPECT_EQ(field(g, "fulamt_ownpay_amt"), "0.00");
  EXPECT_EQ(field(g, "preselfpay_amt"), "3.18");
  EXPECT_EQ(field(g, "inscp_scp_amt"), "61.11");
  EXPECT_EQ(field(g, "deductible"), "0.00");
  EXPECT_EQ(field(g, "reduction"), "none");
  EXPECT_EQ(field(g, "hifp_pay"), "48.89");
  EXPECT_EQ(field(g, "fund_pay_sumamt"), "48.89");
  EXPECT_EQ(field(g, "psn_part_amt"), "15.40");
  EXPECT_EQ(field(g, "psn_cash_pay"), "15.40");
  EXPECT_EQ(field(g, "coaudit"), "0");
  EXPECT_EQ(field(g, "note"), "");
}

TEST(ClaimsCsv, ResultHeaderIsTheStableClearingInterface) {
  std::ostringstream out;
  write_csv_row(out, result_header());
  EXPECT_EQ(out.str(),
            "mdtrt_id,psn_no,insuplc_admdvs,mdtrtarea_admvs,insutype,psn_type,med_type,hosp_lv,adm_date,dscg_date,"
            "path,reason,filing_category,cross_province,payable,medfee_sumamt,fulamt_ownpay_amt,overlmt_selfpay,"
            "preselfpay_amt,inscp_scp_amt,deductible,reduction,hifp_pay,hifmi_pay,hifob_pay,maf_pay,fund_pay_sumamt,"
            "psn_part_amt,acct_pay,psn_cash_pay,coaudit,note\n");
}

// Per-admission deductible 1,000 / 600 (Langfang in the test book): a person's second admission
// of the year gets the lower one; a new year or another person starts again.
TEST(ClaimsCsv, YearToDateCarriesForwardPerPersonAndYearInFileOrder) {
  const PolicyBook book = test_book();
  const std::string h =
      "mdtrt_id,psn_no,insuplc_admdvs,mdtrtarea_admvs,insutype,psn_type,med_type,hosp_lv,adm_date,dscg_date,"
      "medfee_sumamt,cls_a_amt\n";
  const std::string rows =
      "V1,A,131000,131000,310,in_service,21,3,2024-02-01,2024-02-05,5000,5000\n"
      "V2,B,131000,131000,310,in_service,21,3,2024-03-01,2024-03-05,5000,5000\n"
      "V3,A,131000,131000,310,in_service,21,3,2024-06-01,2024-06-05,5000,5000\n"
      "V4,A,131000,131000,310,in_service,21,3,2025-01-10,2025-01-15,5000,5000\n"
      "V5,,131000,131000,310,in_service,21,3,2024-07-01,2024-07-05,5000,5000\n";
  const auto out = settle_all(book, h + rows);
  ASSERT_EQ(out.size(), 5u);
  const char* deductible[] = {"1000.00", "1000.00", "600.00", "1000.00", "1000.00"};
  const char* fund[] = {"3200.00", "3200.00", "3520.00", "3200.00", "3200.00"};  // (5000 − D) × 80%
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(field(out[i], "deductible"), deductible[i]) << out[i].row.request.visit.id;
    EXPECT_EQ(field(out[i], "hifp_pay"), fund[i]) << out[i].row.request.visit.id;
    EXPECT_EQ(field(out[i], "reason"), "local");
  }
}

// The catalogue in force on the discharge date applies: Beijing's chronic 乙 share is 10% until
// 2022-12-31 and 15% from 2023-01-01 (test book); snapshots are shared between change dates.
TEST(PolicySnapshots, UseTheDischargeDateAndShareSnapshotsBetweenChanges) {
  const PolicyBook book = test_book();
  PolicySnapshots snaps(book);
  const RegionCode bj = RegionCode::of(110000);
  const auto& before = snaps.catalogue(bj, d("2022-12-31"));
  EXPECT_EQ(before.selfpay_prop_b[index(VisitType::chronic_outpatient)].value, Ratio::percent(10));
  const auto& after = snaps.catalogue(bj, d("2023-01-01"));
  EXPECT_EQ(after.selfpay_prop_b[index(VisitType::chronic_outpatient)].value, Ratio::percent(15));
  EXPECT_EQ(snaps.built(), 2u);
  EXPECT_EQ(&snaps.catalogue(bj, d("2024-05-06")), &after);  // no change since 2023-01-01
  EXPECT_EQ(&snaps.catalogue(bj, d("2021-03-03")), &before);
  EXPECT_EQ(snaps.built(), 2u);

  const std::string text = kHeader + kGolden +
                           "G2,P2,131000,110000,310,retired,14,3,2023-01-01,2023-01-01,64.29,32.52,31.77,0,0,diabetes,"
                           "retiree_resettled,110000,2021-01-01\n";
  const auto out = settle_all(book, text);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(field(out[0], "preselfpay_amt"), "3.18");
  EXPECT_EQ(field(out[1], "preselfpay_amt"), "4.77");  // 31.77 × 15% = 4.7655 → 4.77
  EXPECT_EQ(field(out[1], "hifp_pay"), "47.62");        // (64.29 − 4.77) × 80% = 47.616 → 47.62
}

TEST(ClaimsCsv, ExplanationListsEachStepWithParameterAndSource) {
  const PolicyBook book = test_book();
  const auto out = settle_all(book, kHeader + kGolden, true);
  ASSERT_EQ(out.size(), 1u);
  const std::string text = format_explanation(out[0].row, out[0].s, "claims.csv");
  EXPECT_TRUE(text.starts_with("== claims.csv:2  mdtrt_id G1  psn_no P1\n")) << text;
  EXPECT_NE(text.find("   131000 → 110000, chronic_outpatient, employee_retired, level3, 2022-07-01 to 2022-07-01, "
                      "total 64.29\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("      parameter catalogue.selfpay_prop_b.chronic_outpatient = 10%  (source: test book)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("      parameter benefit.employee_retired.chronic_outpatient.ratio.level3 = "), std::string::npos)
      << text;
  EXPECT_NE(text.find("  => direct (direct): fund_pay_sumamt 48.89, psn_part_amt 15.40, psn_cash_pay 15.40\n"),
            std::string::npos)
      << text;
}

// docs/settle-formats.md carries both column tables as generated from the code (`yidi settle --columns`).
TEST(ClaimsCsv, DocumentationTablesMatchTheCode) {
  std::ifstream in(std::string(YIDI_SOURCE_DIR) + "/docs/settle-formats.md");
  ASSERT_TRUE(in) << "docs/settle-formats.md is missing";
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string tables = columns_markdown();
  const auto gap = tables.find("\n\n");
  ASSERT_NE(gap, std::string::npos);
  const std::string input = tables.substr(0, gap + 1), output = tables.substr(gap + 2);
  EXPECT_TRUE(input.starts_with("| column | required | values | meaning |\n"));
  EXPECT_TRUE(output.starts_with("| # | column | meaning |\n"));
  EXPECT_NE(doc.str().find(input), std::string::npos) << "regenerate the input table: yidi settle --columns";
  EXPECT_NE(doc.str().find(output), std::string::npos) << "regenerate the output table: yidi settle --columns";
}

// ---- the strict streaming reader (issue 12) -------------------------------------------------------

// The input's hash is taken as it streams: any split of the bytes gives sha256sum's digest.
TEST(Sha256, PiecesGiveTheDigestOfTheWhole) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += static_cast<char>('a' + (i * 7919) % 26);
  const std::string whole = sha256_hex(text);
  for (std::size_t piece : {1u, 3u, 63u, 64u, 65u, 1000u}) {
    Sha256 h;
    for (std::size_t at = 0; at < text.size(); at += piece) h.update(std::string_view(text).substr(at, piece));
    EXPECT_EQ(h.hex(), whole) << piece;
  }
  // echo -n "$(printf 'a%.0s' {1..1000})" | sha256sum (the FIPS vector above, in 7-byte pieces).
  Sha256 h;
  const std::string a(1000, 'a');
  for (std::size_t at = 0; at < a.size(); at += 7) h.update(std::string_view(a).substr(at, 7));
  EXPECT_EQ(h.hex(), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

// The two ids of a row are hashed side by side: each digest is the one Sha256 gives alone, for every
// length (one block up to 55 bytes, then the one-by-one path), "abc" as the FIPS vector.
TEST(Sha256, PairGivesEachTextsOwnDigest) {
  std::string a, b;
  for (std::size_t n = 0; n <= 70; ++n) {
    a = std::string(n, 'x') + std::to_string(n);
    b = std::string(70 - n, 'y');
    std::array<std::uint32_t, 8> da{}, db{};
    sha256_pair(a, b, da, db);
    Sha256 ha, hb;
    ha.update(a);
    hb.update(b);
    EXPECT_EQ(da, ha.finish()) << n;
    EXPECT_EQ(db, hb.finish()) << n;
  }
  std::array<std::uint32_t, 8> da{}, db{};
  sha256_pair("abc", "", da, db);
  EXPECT_EQ(da[0], 0xba7816bfu);
  EXPECT_EQ(da[7], 0xf20015adu);
  EXPECT_EQ(db[0], 0xe3b0c442u);
  EXPECT_EQ(db[7], 0x7852b855u);
}

// A file read in 1 MiB blocks gives the same records as the text in memory, with records (and a
// quoted line break) across block boundaries, and the same hash as the whole text.
TEST(CsvSplitter, StreamsAFileAcrossBlockBoundariesLikeTheTextInMemory) {
  const PolicyBook book = test_book();
  std::string text = "# provenance\n" + kHeader;
  for (int i = 0; i < 30000; ++i) {
    std::string row = kGolden;
    row.replace(0, 2, "V" + std::to_string(i));
    if (i % 997 == 0) row.replace(row.find(",P1,"), 4, ",\"P\n1\",");  // a quoted line break: rejected on psn_no
    text += row;
  }
  const fs::path path = fs::temp_directory_path() / ("yidi-splitter-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path, std::ios::binary) << text;
  ASSERT_GT(text.size(), 3u << 20);

  CsvSplitter from_file(path.string(), "c.csv", "claims file");
  ClaimsReader reader(from_file, book);
  std::vector<std::string> ids, rejected;
  ClaimRow row;
  std::optional<RejectedRow> bad;
  for (auto n = reader.next(row, bad); n != ClaimsReader::Next::end; n = reader.next(row, bad)) {
    if (n == ClaimsReader::Next::row) ids.push_back(row.request.visit.id + "@" + std::to_string(row.line));
    else rejected.emplace_back(bad->error.what());
  }
  const ParsedClaims in_memory = parse_claims(text, "c.csv", book);
  ASSERT_EQ(ids.size(), in_memory.rows.size());
  for (std::size_t i = 0; i < ids.size(); ++i)
    EXPECT_EQ(ids[i], in_memory.rows[i].request.visit.id + "@" + std::to_string(in_memory.rows[i].line));
  ASSERT_EQ(rejected.size(), in_memory.rejected.size());
  EXPECT_EQ(rejected.size(), 31u);  // i = 0, 997, …, 29910
  for (std::size_t i = 0; i < rejected.size(); ++i) EXPECT_EQ(rejected[i], in_memory.rejected[i].error.what());
  EXPECT_EQ(rejected[1],  // row 997 starts on line 1001: row 0 took two lines; "V997," is 5 characters
            "c.csv:1001:6: field 'psn_no': expected text without control characters, got 'P\\x0A1' (byte "
                         "0x0A at character 2)");
  EXPECT_EQ(ids.size() + rejected.size(), 30000u);
  EXPECT_EQ(from_file.sha256_hex(), sha256_hex(text));
  EXPECT_EQ(from_file.bytes_read(), text.size());
  fs::remove(path);
}

// The fast row writer of `yidi settle` writes exactly what write_csv_row(result_fields(...)) does.
TEST(ClaimsCsv, TheFastRowWriterMatchesTheFieldWriter) {
  const PolicyBook book = test_book();
  const std::string text = kHeader + kGolden +
                           "N#1,\"P, 2\",131000,110000,390,,21,2,2022-07-01,2022-07-09,30000.00,20000.00,5000.00,4000.00,"
                           "1000.00,,,,\n";
  const auto settled = settle_all(book, text);
  ASSERT_EQ(settled.size(), 2u);
  for (const auto& x : settled) {
    std::ostringstream slow;
    write_csv_row(slow, result_fields(x.row, x.s));
    std::string fast, scratch;
    append_result_row(fast, scratch, x.row, x.s);
    EXPECT_EQ(fast, slow.str());
  }
}
