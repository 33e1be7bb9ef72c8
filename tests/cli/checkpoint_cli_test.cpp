// Checkpoints of `yidi run` (issue 12): a corpus of invalid checkpoints, each refused by --resume
// with its exact message and nothing written or removed, and a run killed at each step of writing
// a checkpoint (YIDI_TEST_CRASH_AT) resuming to the bytes of an uninterrupted run.
//
// Before format 3, a changed agent byte crashed the resumed run (SIGSEGV: a province index out
// of range), and a byte flipped in the clearing inputs or results resumed with exit 0 to another
// output; the checksum over the whole file and the range checks make both errors.
#include <gtest/gtest.h>
#include <zlib.h>

#include <csignal>
#include <cstring>
#include <functional>

#include "sim/io/checkpoint.hpp"
#include "tests/support/cli_runner.hpp"

using namespace yidi;
using yidi::testing::CliTest;
using yidi::testing::Outcome;
using yidi::testing::slurp;
using yidi::testing::spit;
namespace fs = std::filesystem;

namespace {

const std::string kSmall = "run baseline --scale 1:20000 --months 4 --threads 1 ";
const std::string kCkpt = "ck/baseline.m0002.ckpt";

std::uint32_t crc(const std::string& bytes, std::size_t from, std::size_t to) {
  return static_cast<std::uint32_t>(::crc32_z(0, reinterpret_cast<const unsigned char*>(bytes.data()) + from, to - from));
}
std::string hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}
template <class T>
T get(const std::string& b, std::size_t at) {
  T v{};
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}
template <class T>
void put(std::string& b, std::size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);
}

/// A checkpoint of the baseline after 2 of 4 months (1:20000, 67,295 agents), written once for the suite.
class CheckpointCli : public CliTest {
protected:
  static fs::path made() { return made_; }
  static void SetUpTestSuite() {
    std::string failed;
    made_ = yidi::testing::shared_runs(
        "checkpoint", {kSmall + "-o x.h5 --checkpoint ck --checkpoint-every 1 --stop-after 2", kSmall + "-o straight.h5"}, failed);
    ASSERT_EQ(failed, "");
    bytes_ = slurp(made() / kCkpt);
    sections_ = io::checkpoint_sections((made() / kCkpt).string());
  }
  static inline fs::path made_;

  /// Names in a folder of work/, hidden ones included.
  std::set<std::string> folder(const std::string& name) const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(work() / name)) out.insert(e.path().filename().string());
    return out;
  }

  /// Puts `bytes` at ck/NAME beside the folder marker, resumes with `extra` options and expects
  /// exit 1 with exactly `message` about that file, and nothing written or removed.
  void refused(const std::string& name, const std::string& bytes, const std::string& message, const std::string& extra = "") {
    fs::remove_all(work() / "ck");
    fs::create_directories(work() / "ck");
    fs::copy_file(made() / "ck" / ".yidi-output", work() / "ck" / ".yidi-output");
    spit(work() / "ck" / name, bytes);
    const Outcome o = yidi(kSmall + "-o out.h5 --checkpoint ck --resume " + extra);
    EXPECT_EQ(o.code, 1) << name;
    EXPECT_EQ(o.err, "yidi: ck/" + name + ": " + message + "\n") << name;
    EXPECT_EQ(files(), std::set<std::string>{"ck"}) << name;
    EXPECT_EQ(folder("ck"), (std::set<std::string>{".yidi-output", name})) << name;
    EXPECT_TRUE(slurp(work() / "ck" / name) == bytes) << name;
  }

  /// The bytes with the checksums of the header and of the whole file made to match again: a
  /// forged file that only the range checks can refuse.
  static std::string forged(std::string b) {
    const std::size_t head = sections_.agents;
    put<std::uint32_t>(b, head - 4, crc(b, 0, head - 4));
    put<std::uint32_t>(b, sections_.trailer, crc(b, 0, sections_.trailer));
    return b;
  }
  static std::string flipped(std::size_t at) {
    std::string b = bytes_;
    b[at] = static_cast<char>(b[at] ^ 0x5a);
    return b;
  }
  static std::string damaged_message(const std::string& b) {
    return "checkpoint is damaged: its checksum does not match its contents (crc32 " + hex(crc(b, 0, sections_.trailer)) +
           ", recorded " + hex(get<std::uint32_t>(b, sections_.trailer)) + ")";
  }

  static inline std::string bytes_;
  static inline io::CheckpointSections sections_;
};

TEST_F(CheckpointCli, TheLayoutIsAsDocumented) {
  // Header of 140 bytes (with a 64-character scenario hash), 67,295 agents of 12 bytes, the rest, a
  // 12-byte trailer: the crc32 of everything before it and YIDIEND3.
  EXPECT_EQ(bytes_.substr(0, 8), "YIDICKP3");
  EXPECT_EQ(sections_.agents, 140u);
  EXPECT_EQ(sections_.fed, 140u + 67295u * 12u);
  EXPECT_GT(sections_.results, sections_.fed + 16);
  EXPECT_EQ(sections_.end, bytes_.size());
  EXPECT_EQ(sections_.trailer, bytes_.size() - 12);
  EXPECT_EQ(bytes_.substr(bytes_.size() - 8), "YIDIEND3");
  EXPECT_EQ(get<std::uint32_t>(bytes_, sections_.trailer), crc(bytes_, 0, sections_.trailer));
  EXPECT_EQ(get<std::uint64_t>(bytes_, 8), bytes_.size());  // the file's length
  EXPECT_EQ(get<std::int32_t>(bytes_, 8 + 5 * 8 + 8), 2);   // months done
  EXPECT_EQ(get<std::int32_t>(bytes_, 8 + 5 * 8 + 12), 1);  // written after the set of month 1
}

// Each case of the corpus: its exact message, nothing written, nothing removed.
TEST_F(CheckpointCli, InvalidCheckpointsAreRefusedWithTheirMessage) {
  const std::string size = std::to_string(bytes_.size());
  const std::string name = "baseline.m0002.ckpt";
  // 1–3. Truncated: in the middle, inside the header, empty.
  refused(name, bytes_.substr(0, bytes_.size() / 2),
          "checkpoint is truncated: " + std::to_string(bytes_.size() / 2) + " bytes of the " + size + " its header records");
  refused(name, bytes_.substr(0, 40), "checkpoint is truncated: 40 bytes, shorter than its header");
  refused(name, "", "checkpoint is truncated: 0 bytes, shorter than its header");
  // 4. A wrong length: bytes appended.
  refused(name, bytes_ + std::string(100, '\0'),
          "checkpoint is " + std::to_string(bytes_.size() + 100) + " bytes, longer than the " + size +
              " its header records (damaged)");
  // 5–6. Wrong magic; the magic of an older format.
  refused(name, "X" + bytes_.substr(1), "not a yidi checkpoint (it does not start with YIDICKP3)");
  refused(name, "not a checkpoint at all\n", "not a yidi checkpoint (it does not start with YIDICKP3)");
  refused(name, bytes_.substr(0, 7) + "2" + bytes_.substr(8),
          "checkpoint of another yidi version (format 2); this yidi reads format 3: start the run again (--overwrite "
          "instead of --resume)");
  // 7. Another scenario (another seed: another resolved scenario).
  refused(name, bytes_, "checkpoint is of another scenario (its resolved scenario hash differs)", "--seed 7");
  // 8. Another rank count, by its name; another rank, by its (forged) header.
  refused("baseline.rank-0-of-2.m0002.ckpt", bytes_,
          "checkpoint written by a run on 2 rank(s); expected 1 (resume with the rank count that wrote it)");
  {
    std::string b = bytes_;
    put<std::int32_t>(b, 8 + 5 * 8, 1);      // rank
    put<std::int32_t>(b, 8 + 5 * 8 + 4, 2);  // ranks
    refused(name, forged(b), "checkpoint was written by rank 1 of 2; expected rank 0 of 1");
  }
  // 9. A month other than its name says.
  refused("baseline.m0003.ckpt", bytes_, "checkpoint is of month 2; its name says month 3 (was it renamed?)");
  // 10–11. A byte flipped in the header: in its length field, in the scenario hash.
  refused(name, flipped(20), "checkpoint header is damaged (its checksum does not match)");
  refused(name, flipped(100), "checkpoint header is damaged (its checksum does not match)");
  // 12–15. A byte flipped in an agent, a clearing input, the results, the trailer's checksum.
  for (const std::size_t at : {sections_.agents + 12 * 1000, sections_.fed + 40, sections_.results + 1000,
                               (sections_.results + sections_.trailer) / 2, sections_.trailer + 1}) {
    const std::string b = flipped(at);
    refused(name, b, damaged_message(b));
  }
  // 16. The trailer's magic.
  refused(name, flipped(bytes_.size() - 1), "checkpoint does not end with its trailer YIDIEND3 (damaged)");
  // 17–21. Forged files whose checksums match: every field is still range-checked before use.
  {
    std::string b = bytes_;
    // Agent 5 away in region 256 + 200 (traits' bits 6–7 = 1 are bits 8–9): the world has 342.
    put<std::uint8_t>(b, sections_.agents + 12 * 5, 200);
    put<std::uint8_t>(b, sections_.agents + 12 * 5 + 1,
                      static_cast<std::uint8_t>((get<std::uint8_t>(b, sections_.agents + 12 * 5 + 1) & 0x3F) | 0x40));
    refused(name, forged(b), "field 'away': agent 5: expected a region index below 342, got 456");
  }
  {
    std::string b = bytes_;
    put<std::uint8_t>(b, sections_.agents + 12 * 7 + 1, 0x43);  // agent 7's age band 3
    refused(name, forged(b), "field 'traits': agent 7: expected traits with an age band of 0 to 2 and bits 6–7 naming a region below 342, got 67");
  }
  {
    std::string b = bytes_;
    const auto ref = get<std::uint64_t>(b, sections_.fed + 16);
    put<std::uint8_t>(b, sections_.fed + 24 + ref + 4, 9);  // the first clearing input's scheme
    refused(name, forged(b),
            "field 'scheme': clearing input 0 of month 2022-01: expected 0 (employee) or 1 (resident), got 9");
  }
  {
    std::string b = bytes_;
    put<std::uint64_t>(b, sections_.fed + 8, 1'000'000'000'000);  // month 1's number of clearing inputs
    refused(name, forged(b),
            "checkpoint holds 1000000000000 clearing inputs in month 2022-01; expected at most 1170324");
  }
  {
    std::string b = bytes_;
    put<std::int32_t>(b, 8 + 5 * 8 + 8, 3);  // months done, but not the months' data
    refused("baseline.m0003.ckpt", forged(b), "checkpoint holds clearing inputs of 2 months; expected 3 (its months done)");
  }
  {
    std::string b = bytes_;
    put<std::int32_t>(b, 8 + 5 * 8 + 8, 9);
    refused("baseline.m0009.ckpt", forged(b), "checkpoint is of 9 months done; the scenario has 4");
  }
}

// A run killed at each step of writing its checkpoints (one process) resumes to the bytes of an
// uninterrupted run; the next run removes what the killed one left (its temporary), and never
// the last complete checkpoint before the next is in place.
TEST_F(CheckpointCli, ARunKilledWhileCheckpointingResumesToTheSameBytes) {
  const std::string straight = slurp(made() / "straight.h5");
  struct Case {
    std::string point;
    std::set<std::string> after_kill;  // the checkpoint folder after the kill, temporaries as "TMP"
  };
  const Case cases[] = {
      {"checkpoint:rank-0-of-1:m0001:writing", {".yidi-output", "TMP"}},
      {"checkpoint:rank-0-of-1:m0002:writing", {".yidi-output", "baseline.m0001.ckpt", "TMP"}},
      {"before-commit", {".yidi-output", "TMP"}},
      {"checkpoint:rank-0-of-1:m0002:placed", {".yidi-output", "baseline.m0001.ckpt", "baseline.m0002.ckpt"}},
      {"checkpoint:rank-0-of-1:m0003:agreed", {".yidi-output", "baseline.m0002.ckpt", "baseline.m0003.ckpt"}},
      {"checkpoint:rank-0-of-1:m0003:removed", {".yidi-output", "baseline.m0003.ckpt"}},
      {"run:m0003", {".yidi-output", "baseline.m0002.ckpt", "TMP"}},
      {"hdf5:writing", {".yidi-output", "baseline.m0004.ckpt"}},
  };
  for (const Case& c : cases) {
    fs::remove_all(work() / "ck");
    const Outcome killed = yidi_with("YIDI_TEST_CRASH_AT=" + c.point, kSmall + "-o out.h5 --checkpoint ck --checkpoint-every 1");
    EXPECT_EQ(killed.code, 128 + SIGKILL) << c.point << ": " << killed.err;  // as the shell reports a kill
    std::set<std::string> left;
    for (const auto& f : folder("ck")) left.insert(f.starts_with(".baseline.") && f.find(".yidi-tmp-") != std::string::npos ? "TMP" : f);
    EXPECT_EQ(left, c.after_kill) << c.point;
    EXPECT_FALSE(fs::exists(work() / "out.h5")) << c.point;
    const Outcome resumed = yidi(kSmall + "-o out.h5 --checkpoint ck --checkpoint-every 1 --resume");
    ASSERT_EQ(resumed.code, 0) << c.point << ": " << resumed.err;
    EXPECT_TRUE(slurp(work() / "out.h5") == straight) << c.point;
    EXPECT_EQ(folder("ck"), (std::set<std::string>{".yidi-output", "baseline.m0004.ckpt"})) << c.point;
    EXPECT_EQ(files(), (std::set<std::string>{"ck", "out.h5"})) << c.point;  // the output's temporary removed too
    fs::remove(work() / "out.h5");
  }
}

}  // namespace
