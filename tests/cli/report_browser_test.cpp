// `yidi report` in a real browser: Debian's chromium, headless, opens the report from disk and
// runs its inline self-check, which writes "N rendered" on <body> when every chart has a box, its
// declared number of data marks, and every mark inside the chart. Label `browser`.
#include <gtest/gtest.h>


#include "tests/support/cli_runner.hpp"

using yidi::testing::CliTest;
using yidi::testing::Outcome;
using yidi::testing::slurp;
namespace fs = std::filesystem;

namespace {
const char* const kChromium = "/usr/bin/chromium";
}

class ReportBrowser : public CliTest {
protected:
  /// Runs chromium headless on the file with extra arguments; its stdout (the DOM for --dump-dom).
  std::string chromium(const fs::path& html, const std::string& extra) const {
    const fs::path scratch = work().parent_path();
    const fs::path profile = scratch / "chromium-profile";
    fs::create_directories(profile);
    const std::string cmd = std::string("timeout 60 ") + kChromium +
                            " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                            " --disable-background-networking --disable-component-update --disable-sync"
                            " --user-data-dir='" + profile.string() + "' --virtual-time-budget=2000 " + extra +
                            " 'file://" + fs::absolute(html).string() + "' >'" + (scratch / "dom").string() + "' 2>'" +
                            (scratch / "chromium.err").string() + "' </dev/null";
    const int status = std::system(cmd.c_str());
    EXPECT_EQ(status, 0) << cmd << "\n" << slurp(scratch / "chromium.err");
    return slurp(scratch / "dom");
  }
};

TEST_F(ReportBrowser, ChromiumRendersEveryChart) {
  ASSERT_TRUE(fs::exists(kChromium)) << kChromium << " is missing: run scripts/install-deps.sh (Debian package chromium)";
  const std::string tiny = " --scale 1:40000 --months 3 --seed 7 --threads 2 ";
  ASSERT_EQ(yidi("run baseline" + tiny + "-o a.h5").code, 0);
  ASSERT_EQ(yidi("run reductions-national" + tiny + "-o b.h5").code, 0);
  const Outcome o = yidi("report a.h5 b.h5 -o report.html");
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string html = slurp(work() / "report.html");
  int declared = 0;  // the marks every chart declares (no std::regex: GCC 12 warns inside it at -O1)
  const std::string key = "data-marks=\"";
  for (auto at = html.find(key); at != std::string::npos; at = html.find(key, at + 1))
    declared += std::stoi(html.substr(at + key.size()));
  EXPECT_GT(declared, 8 * 3);

  const std::string dom = chromium(work() / "report.html", "--dump-dom");
  EXPECT_NE(dom.find("data-charts=\"8 rendered\""), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("data-marks=\"" + std::to_string(declared) + "\""), std::string::npos);

  // A screenshot, to look at: a PNG of some size (an empty page is a few kilobytes).
  const fs::path png = work().parent_path() / "report.png";
  chromium(work() / "report.html", "--screenshot='" + png.string() + "' --window-size=1200,3000 --hide-scrollbars");
  ASSERT_TRUE(fs::exists(png));
  EXPECT_EQ(slurp(png).substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_GT(fs::file_size(png), 60'000u);
  if (const char* keep = std::getenv("YIDI_KEEP_REPORT")) {  // for a human look: copy the report and PNG out
    fs::copy_file(work() / "report.html", fs::path(keep) / "report.html", fs::copy_options::overwrite_existing);
    fs::copy_file(png, fs::path(keep) / "report.png", fs::copy_options::overwrite_existing);
  }
}
