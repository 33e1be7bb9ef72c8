// Regions as users type them (sim/model/names): resolve_region, the one lookup of a province or a
// pool that `seek --target`, `seek --regions` and a scenario's NAME.by_region keys share.
#include <gtest/gtest.h>

#include "sim/model/names.hpp"

namespace {
using yidi::sim::NamedRegion;

// A slice of the world (scenarios/data/pools.yaml): a municipality whose one pool shares its
// province's code, a province with a pool, and the two Suzhous.
const std::vector<NamedRegion> kProvinces = {
    {"110000", "北京市", "Beijing"}, {"320000", "江苏省", "Jiangsu"}, {"340000", "安徽省", "Anhui"}, {"510000", "四川省", "Sichuan"}};
const std::vector<NamedRegion> kPools = {
    {"110000", "北京市", "Beijing"}, {"320500", "苏州市", "Suzhou"}, {"341300", "宿州市", "Suzhou"}, {"510100", "成都市", "Chengdu"}};

TEST(ResolveRegion, ProvinceFirstUnlessPoolFirst) {
  std::string error;
  auto r = yidi::sim::resolve_region(kProvinces, kPools, "四川", false, error);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->pool);
  EXPECT_EQ(kProvinces[r->index].code, "510000");
  r = yidi::sim::resolve_region(kProvinces, kPools, "Chengdu", false, error);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->pool);
  EXPECT_EQ(kPools[r->index].code, "510100");
  // 北京 is both: the province, or the pool when the caller asks for a pool first.
  r = yidi::sim::resolve_region(kProvinces, kPools, "北京", false, error);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->pool);
  r = yidi::sim::resolve_region(kProvinces, kPools, "北京", true, error);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->pool);
  EXPECT_EQ(kPools[r->index].code, "110000");
  // pool_first still finds a province that is no pool's name.
  r = yidi::sim::resolve_region(kProvinces, kPools, "Sichuan", true, error);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->pool);
  EXPECT_TRUE(error.empty());
}

TEST(ResolveRegion, RefusalsSayWhy) {
  std::string error;
  EXPECT_FALSE(yidi::sim::resolve_region(kProvinces, kPools, "Suzhou", false, error));
  EXPECT_EQ(error, "'Suzhou' names 2 pools: 320500 苏州市, 341300 宿州市; give the code or the Chinese name");
  EXPECT_FALSE(yidi::sim::resolve_region(kProvinces, kPools, "Sichaun", false, error));
  EXPECT_EQ(error.rfind("no province 'Sichaun' (did you mean 'Sichuan'", 0), 0u) << error;
  EXPECT_TRUE(error.ends_with(" or an English name (Guangdong), or a pool")) << error;
  // Without pools, no "or a pool".
  EXPECT_FALSE(yidi::sim::resolve_region(kProvinces, {}, "Chengdu", false, error));
  EXPECT_TRUE(error.ends_with("(Guangdong)")) << error;
}
}  // namespace
