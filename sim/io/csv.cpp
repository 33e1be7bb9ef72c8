#include "sim/io/csv.hpp"

#include <cpuid.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <immintrin.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "sim/io/input_error.hpp"
#include "sim/io/output.hpp"

namespace yidi::io {

// ---- SHA-256 ------------------------------------------------------------------------------------

namespace {
alignas(16) constexpr std::uint32_t kSha256K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

void sha256_scalar(std::uint32_t* h, const unsigned char* p, std::size_t n) {
  auto rotr = [](std::uint32_t x, int k) { return (x >> k) | (x << (32 - k)); };
  std::uint32_t w[64];
  for (; n > 0; --n, p += 64) {
    for (std::size_t i = 0; i < 16; ++i)
      w[i] = std::uint32_t{p[4 * i]} << 24 | std::uint32_t{p[4 * i + 1]} << 16 | std::uint32_t{p[4 * i + 2]} << 8 |
             std::uint32_t{p[4 * i + 3]};
    for (std::size_t i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (std::size_t i = 0; i < 64; ++i) {
      const std::uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kSha256K[i] + w[i];
      const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
}

// The x86 SHA extensions (SHA-NI): four rounds an instruction pair.
__attribute__((target("sha,sse4.1"))) void sha256_ni(std::uint32_t* h, const unsigned char* p, std::size_t n) {
  const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h));
  __m128i state1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4));
  tmp = _mm_shuffle_epi32(tmp, 0xB1);
  state1 = _mm_shuffle_epi32(state1, 0x1B);
  __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);
  state1 = _mm_blend_epi16(state1, tmp, 0xF0);
  for (; n > 0; --n, p += 64) {
    const __m128i abef = state0, cdgh = state1;
    __m128i w[4];
    for (int k = 0; k < 16; ++k) {
      __m128i block;
      if (k < 4) {
        block = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k)), mask);
      } else {
        block = _mm_sha256msg2_epu32(
            _mm_add_epi32(_mm_sha256msg1_epu32(w[k & 3], w[(k + 1) & 3]), _mm_alignr_epi8(w[(k + 3) & 3], w[(k + 2) & 3], 4)),
            w[(k + 3) & 3]);
      }
      w[k & 3] = block;
      __m128i msg = _mm_add_epi32(block, _mm_load_si128(reinterpret_cast<const __m128i*>(kSha256K + 4 * k)));
      state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
      msg = _mm_shuffle_epi32(msg, 0x0E);
      state0 = _mm_sha256rnds2_epu32(state0, state1, msg);
    }
    state0 = _mm_add_epi32(state0, abef);
    state1 = _mm_add_epi32(state1, cdgh);
  }
  tmp = _mm_shuffle_epi32(state0, 0x1B);
  state1 = _mm_shuffle_epi32(state1, 0xB1);
  state0 = _mm_blend_epi16(tmp, state1, 0xF0);
  state1 = _mm_alignr_epi8(state1, tmp, 8);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h), state0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), state1);
}

__attribute__((target("sha,sse4.1"))) inline void sha256_ni_store(__m128i s0, __m128i s1, std::uint32_t* h) {
  const __m128i t = _mm_shuffle_epi32(s0, 0x1B);
  s1 = _mm_shuffle_epi32(s1, 0xB1);
  s0 = _mm_blend_epi16(t, s1, 0xF0);
  s1 = _mm_alignr_epi8(s1, t, 8);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h), s0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), s1);
}

/// Two independent single blocks at once, from the initial state: the rounds of one hide the
/// latency of the other's (sha256rnds2 is latency-bound).
__attribute__((target("sha,sse4.1"))) void sha256_ni_x2(std::uint32_t* ha, const unsigned char* pa, std::uint32_t* hb,
                                                          const unsigned char* pb) {
  const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(ha));
  __m128i a1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(ha + 4));
  tmp = _mm_shuffle_epi32(tmp, 0xB1);
  a1 = _mm_shuffle_epi32(a1, 0x1B);
  __m128i a0 = _mm_alignr_epi8(tmp, a1, 8);
  a1 = _mm_blend_epi16(a1, tmp, 0xF0);
  __m128i b0 = a0, b1 = a1;  // both start from the same state
  const __m128i abef = a0, cdgh = a1;
  __m128i wa[4], wb[4];
  for (int k = 0; k < 16; ++k) {
    __m128i ba, bb;
    if (k < 4) {
      ba = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(pa + 16 * k)), mask);
      bb = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(pb + 16 * k)), mask);
    } else {
      ba = _mm_sha256msg2_epu32(
          _mm_add_epi32(_mm_sha256msg1_epu32(wa[k & 3], wa[(k + 1) & 3]), _mm_alignr_epi8(wa[(k + 3) & 3], wa[(k + 2) & 3], 4)),
          wa[(k + 3) & 3]);
      bb = _mm_sha256msg2_epu32(
          _mm_add_epi32(_mm_sha256msg1_epu32(wb[k & 3], wb[(k + 1) & 3]), _mm_alignr_epi8(wb[(k + 3) & 3], wb[(k + 2) & 3], 4)),
          wb[(k + 3) & 3]);
    }
    wa[k & 3] = ba;
    wb[k & 3] = bb;
    const __m128i kk = _mm_load_si128(reinterpret_cast<const __m128i*>(kSha256K + 4 * k));
    __m128i ma = _mm_add_epi32(ba, kk), mb = _mm_add_epi32(bb, kk);
    a1 = _mm_sha256rnds2_epu32(a1, a0, ma);
    b1 = _mm_sha256rnds2_epu32(b1, b0, mb);
    ma = _mm_shuffle_epi32(ma, 0x0E);
    mb = _mm_shuffle_epi32(mb, 0x0E);
    a0 = _mm_sha256rnds2_epu32(a0, a1, ma);
    b0 = _mm_sha256rnds2_epu32(b0, b1, mb);
  }
  sha256_ni_store(_mm_add_epi32(a0, abef), _mm_add_epi32(a1, cdgh), ha);
  sha256_ni_store(_mm_add_epi32(b0, abef), _mm_add_epi32(b1, cdgh), hb);
}

bool have_sha_ni() {
  static const bool yes = [] {
    if (std::getenv("YIDI_NO_SHA_NI") != nullptr) return false;  // tests compare both paths
    // CPUID (clang 14 has no __builtin_cpu_supports("sha")): SSE4.1 is leaf 1 ECX bit 19, SHA leaf 7 EBX bit 29.
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (__get_cpuid(1, &a, &b, &c, &d) == 0 || (c & (1u << 19)) == 0) return false;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
    return (b & (1u << 29)) != 0;
  }();
  return yes;
}
}  // namespace

Sha256::Sha256() : h_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19} {}

void Sha256::blocks(const unsigned char* p, std::size_t n) {
  if (have_sha_ni()) sha256_ni(h_.data(), p, n);
  else sha256_scalar(h_.data(), p, n);
}

void Sha256::update(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  total_ += n;
  if (pending_n_ > 0) {
    const std::size_t take = std::min(n, 64 - pending_n_);
    std::memcpy(pending_.data() + pending_n_, p, take);
    pending_n_ += take;
    p += take;
    n -= take;
    if (pending_n_ < 64) return;
    blocks(pending_.data(), 1);
    pending_n_ = 0;
  }
  if (n >= 64) {
    blocks(p, n / 64);
    p += n / 64 * 64;
    n %= 64;
  }
  std::memcpy(pending_.data(), p, n);
  pending_n_ = n;
}

std::string Sha256::hex() {
  const auto h = finish();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (std::uint32_t x : h)
    for (int i = 28; i >= 0; i -= 4) out += kHex[(x >> i) & 0xf];
  return out;
}

std::array<std::uint32_t, 8> Sha256::finish() {
  const std::uint64_t bits = total_ * 8;
  unsigned char tail[128] = {};
  std::memcpy(tail, pending_.data(), pending_n_);
  tail[pending_n_] = 0x80;
  const std::size_t len = pending_n_ + 1 + 8 <= 64 ? 64 : 128;
  for (int i = 0; i < 8; ++i) tail[len - 1 - static_cast<std::size_t>(i)] = static_cast<unsigned char>(bits >> (8 * i));
  blocks(tail, len / 64);
  return h_;
}

void sha256_pair(std::string_view a, std::string_view b, std::array<std::uint32_t, 8>& da,
                 std::array<std::uint32_t, 8>& db) {
  if (a.size() > 55 || b.size() > 55 || !have_sha_ni()) {
    Sha256 ha, hb;
    ha.update(a);
    hb.update(b);
    da = ha.finish();
    db = hb.finish();
    return;
  }
  // Each message fits one padded block: the bytes, 0x80, zeros, the length in bits (big-endian).
  auto pad = [](std::string_view m, unsigned char* block) {
    std::memset(block, 0, 64);
    std::memcpy(block, m.data(), m.size());
    block[m.size()] = 0x80;
    const std::uint64_t bits = static_cast<std::uint64_t>(m.size()) * 8;
    for (int i = 0; i < 8; ++i) block[63 - i] = static_cast<unsigned char>(bits >> (8 * i));
  };
  alignas(16) unsigned char blocks[128];
  pad(a, blocks);
  pad(b, blocks + 64);
  da = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  db = da;
  sha256_ni_x2(da.data(), blocks, db.data(), blocks + 64);
}

// ---- text checks ---------------------------------------------------------------------------------

namespace {
/// Length of the valid UTF-8 sequence at s[i] (lead byte ≥ 0x80), or 0 if invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < s.size() && b(k) >= lo && b(k) <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}
std::string hex_byte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", c);
  return buf;
}
}  // namespace

std::optional<std::string> text_problem(std::string_view v) {
  std::size_t i = 0, chars = 0;
  while (i < v.size()) {
    const auto c = static_cast<unsigned char>(v[i]);
    ++chars;
    if (c >= 0x20 && c < 0x7F) {
      ++i;
      continue;
    }
    if (c < 0x80)
      return "expected text without control characters, got '" + shown(v) + "' (byte " + hex_byte(c) +
             " at character " + std::to_string(chars) + ")";
    const std::size_t n = utf8_length(v, i);
    if (n == 0)
      return "expected UTF-8 text, got '" + shown(v) + "' (byte " + hex_byte(c) + " at character " +
             std::to_string(chars) + " is not UTF-8)";
    if (n == 3 && c == 0xEF && static_cast<unsigned char>(v[i + 1]) == 0xBB && static_cast<unsigned char>(v[i + 2]) == 0xBF)
      return "expected text without a byte-order mark, got '" + shown(v) + "' (U+FEFF at character " +
             std::to_string(chars) + ")";
    i += n;
  }
  return std::nullopt;
}

std::string shown(std::string_view v) {
  std::string out;
  std::size_t i = 0;
  while (i < v.size()) {
    if (i >= 64) return out + "…";
    const auto c = static_cast<unsigned char>(v[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    const std::size_t n = c >= 0x80 ? utf8_length(v, i) : 0;
    const bool bom = n == 3 && c == 0xEF && static_cast<unsigned char>(v[i + 1]) == 0xBB;
    if (n > 0 && !bom) {
      out.append(v.substr(i, n));
      i += n;
      continue;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02X", c);
    out += buf;
    ++i;
  }
  return out;
}

// ---- the strict streaming reader ----------------------------------------------------------------

namespace {
constexpr std::size_t kReadBlock = 1 << 20;

std::size_t count_quotes(const char* p, std::size_t n) {
  std::size_t q = 0;
  const char* end = p + n;
  while ((p = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)))) != nullptr) {
    ++q;
    ++p;
  }
  return q;
}
}  // namespace

CsvSplitter::CsvSplitter(const std::string& path, std::string file_name, const std::string& what, CsvLimits limits)
    : file_(std::move(file_name)), limits_(limits) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    const int err = errno;
    throw InputError({file_, 0, 0}, "", "cannot open the " + what + ": " + os_reason(err));
  }
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    throw InputError({file_, 0, 0}, "", "cannot read the " + what + ": " + os_reason(EISDIR));
  }
  buf_.resize(std::max<std::size_t>(kReadBlock, 2 * limits_.record_bytes) + kReadBlock);
}

CsvSplitter::CsvSplitter(std::string_view text, std::string file_name, CsvLimits limits)
    : file_(std::move(file_name)), limits_(limits), text_(text) {
  buf_.assign(text.begin(), text.end());
  end_ = buf_.size();
  eof_ = true;
  bytes_ = text.size();
  sha_.update(text);
}

CsvSplitter::~CsvSplitter() {
  if (fd_ >= 0) ::close(fd_);
}

bool CsvSplitter::fill() {
  if (eof_) return false;
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (buf_.size() - end_ < kReadBlock) buf_.resize(end_ + kReadBlock);
  for (;;) {
    const ssize_t r = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      const int err = errno;
      throw InputError({file_, line_ + 1, 0}, "", "cannot read the file: " + os_reason(err));
    }
    if (r == 0) {
      eof_ = true;
      return false;
    }
    sha_.update(std::string_view(buf_.data() + end_, static_cast<std::size_t>(r)));
    bytes_ += static_cast<std::uint64_t>(r);
    end_ += static_cast<std::size_t>(r);
    return true;
  }
}

/// Finds the '\n' ending the physical line that starts at pos_ + from. Returns true with `nl` (relative
/// to pos_) if found; false at the end of the input (nl = the input's end) or when more than
/// `limit` bytes from pos_ hold no line end (nl = SIZE_MAX).
bool CsvSplitter::line_end(std::size_t from, std::size_t& nl) {
  std::size_t searched = from;
  for (;;) {
    const char* base = buf_.data() + pos_;
    const std::size_t avail = end_ - pos_;
    if (searched < avail) {
      const void* hit = std::memchr(base + searched, '\n', avail - searched);
      if (hit != nullptr) {
        nl = static_cast<std::size_t>(static_cast<const char*>(hit) - base);
        return nl <= limits_.record_bytes + 1 ? true : (nl = SIZE_MAX, false);
      }
      searched = avail;
    }
    if (avail > limits_.record_bytes + 1) {
      nl = SIZE_MAX;
      return false;
    }
    if (!fill()) {
      nl = end_ - pos_;
      return false;
    }
  }
}

bool CsvSplitter::header(RawRecord& out) {
  header_done_ = false;
  const bool got = next(out);
  header_done_ = true;
  if (got && out.error) throw *out.error;
  return got;
}

bool CsvSplitter::next(RawRecord& out) {
  out.error.reset();
  for (;;) {
    std::size_t nl = 0;
    const bool found = line_end(0, nl);
    if (nl == SIZE_MAX) {
      // A line over the limit: skipped to its end, reported.
      const int at = ++line_;
      for (;;) {
        const char* base = buf_.data() + pos_;
        const void* hit = std::memchr(base, '\n', end_ - pos_);
        if (hit != nullptr) {
          pos_ += static_cast<std::size_t>(static_cast<const char*>(hit) - base) + 1;
          break;
        }
        pos_ = end_;
        if (!fill()) break;
      }
      if (!header_done_)
        throw InputError({file_, at, 0}, "", "expected a header line of at most " + std::to_string(limits_.record_bytes) +
                                                 " bytes, got a longer line");
      out = RawRecord{at, {}, InputError({file_, at, 0}, "", "expected a record of at most " +
                                                                  std::to_string(limits_.record_bytes) +
                                                                  " bytes, got a longer line (skipped to its end)")};
      return true;
    }
    const std::size_t avail = end_ - pos_;
    if (!found && avail == 0) {
      // The end. Empty or comment lines held back are the file's trailer: accepted.
      pending_.clear();
      return false;
    }
    std::size_t stop = nl;  // the line's bytes are [pos_, pos_ + stop)
    const std::size_t next_line = found ? nl + 1 : nl;
    const char* base = buf_.data() + pos_;
    if (stop > 0 && base[stop - 1] == '\r') --stop;
    std::size_t skip_bom = 0;
    if (line_ == 0 && stop >= 3 && std::memcmp(base, "\xEF\xBB\xBF", 3) == 0) skip_bom = 3;  // a BOM at the start only
    const std::string_view text(base + skip_bom, stop - skip_bom);
    const bool empty = text.empty();
    const bool comment = !empty && text.front() == '#';
    if (!header_done_) {
      if (empty || comment) {
        ++line_;
        pos_ += next_line;
        continue;
      }
    } else if (empty || (comment && trailing_comments_)) {
      // Held back: a trailer if nothing but such lines follows, else reported one by one.
      pending_.push_back(empty ? -(line_ + 1) : line_ + 1);
      ++line_;
      pos_ += next_line;
      continue;
    }
    if (pending_at_ < pending_.size()) {
      const int p = pending_[pending_at_++];
      const int at = p < 0 ? -p : p;
      out = RawRecord{at, {}, InputError({file_, at, 0}, "", p < 0 ? "expected a record, got an empty line among the data rows"
                                                                     : "expected a record, got a comment line among the data "
                                                                       "rows (comments go before the header, or at the end)")};
      return true;
    }
    pending_.clear();
    pending_at_ = 0;
    // An odd number of quotes: a quoted line break, or an unterminated quote.
    if (count_quotes(text.data(), text.size()) % 2 == 0) {
      out = RawRecord{++line_, text, std::nullopt};
      pos_ += next_line;  // the view stays valid: the buffer moves only in fill(), on the next call
      return true;
    }
    // Does a quoted field stay open at the line's end? If not, the odd quote is a stray one inside
    // an unquoted field: a one-line record, refused by split_fields at the quote.
    std::size_t open_at = 0;
    {
      bool in_quotes = false, field_start = true;
      for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_quotes) {
          if (c == '"') in_quotes = false;
        } else if (c == '"' && field_start) {
          in_quotes = true;
          open_at = i;
        }
        field_start = !in_quotes && c == ',';
      }
      if (!in_quotes) {
        out = RawRecord{++line_, text, std::nullopt};
        pos_ += next_line;
        return true;
      }
    }
    // Extend over the following lines until the quotes balance, within the size limit, and accept
    // the record only if it then splits cleanly into the expected number of fields.
    std::size_t cur = next_line, quotes = count_quotes(text.data(), text.size());
    int lines = 1;
    bool ok = false;
    std::size_t rec_end = 0, rec_next = 0;
    while (found && cur < limits_.record_bytes) {
      std::size_t nl2 = 0;
      const bool f2 = line_end(cur, nl2);
      if (nl2 == SIZE_MAX) break;
      if (!f2 && nl2 == cur) break;  // nothing more
      const char* b2 = buf_.data() + pos_;
      ++lines;
      quotes += count_quotes(b2 + cur, nl2 - cur);
      if (quotes % 2 == 0) {
        rec_end = nl2;
        if (rec_end > 0 && b2[rec_end - 1] == '\r') --rec_end;
        rec_next = f2 ? nl2 + 1 : nl2;
        ok = rec_end <= limits_.record_bytes;
        break;
      }
      if (!f2) break;
      cur = nl2 + 1;
    }
    const int start = line_ + 1;
    if (ok) {
      RawRecord candidate{start, std::string_view(buf_.data() + pos_ + skip_bom, rec_end - skip_bom), std::nullopt};
      std::vector<FieldView> fields;
      try {
        split_fields(candidate, file_, limits_, fields, scratch_);
        ok = expected_fields_ == 0 || fields.size() == expected_fields_;
      } catch (const InputError&) {
        ok = false;
      }
      if (ok) {
        line_ += lines;
        pos_ += rec_next;
        out = candidate;
        return true;
      }
    }
    // Unterminated: reported at the quote that opens it; reading resumes on the next line.
    const std::string_view first(buf_.data() + pos_ + skip_bom, stop - skip_bom);
    RawRecord shown_at{start, first, std::nullopt};
    out = RawRecord{start, {}, InputError(location_in(shown_at, file_, static_cast<std::uint32_t>(open_at)), "",
                                          header_done_ ? "unterminated quoted field (a '\"' is missing); reading resumes "
                                                         "on the next line"
                                                       : "unterminated quoted field (a '\"' is missing)")};
    ++line_;
    pos_ += next_line;
    if (!header_done_) throw *out.error;
    return true;
  }
}

bool plain_ascii(std::string_view text) {
  // No early exit: the loop vectorises, and records are short.
  unsigned bad = 0;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    bad |= static_cast<unsigned>(u < 0x20) | static_cast<unsigned>(u > 0x7E);
  }
  return bad == 0;
}

InputLocation location_in(const RawRecord& record, const std::string& file_name, std::uint32_t offset) {
  const std::string_view t = record.text.substr(0, std::min<std::size_t>(offset, record.text.size()));
  int line = record.line;
  std::size_t from = 0;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i] == '\n') {
      ++line;
      from = i + 1;
    }
  int col = 1;
  for (std::size_t i = from; i < t.size(); ++i)
    if ((static_cast<unsigned char>(t[i]) & 0xC0) != 0x80) ++col;
  return {file_name, line, col};
}

namespace {
/// The common case of split_fields: a record without any quote, within the limits. Finds the
/// commas 16 bytes at a time. False (with `fields` partly filled) for anything else: the full
/// splitter then does the work and reports what is wrong.
bool split_unquoted(std::string_view t, const CsvLimits& limits, std::vector<FieldView>& fields) {
  const char* p = t.data();
  const std::size_t n = t.size();
  std::size_t start = 0;
  auto add = [&](std::size_t end) {
    if (fields.size() == limits.fields || end - start > limits.field_bytes) return false;
    fields.push_back({std::string_view(p + start, end - start), static_cast<std::uint32_t>(start)});
    start = end + 1;
    return true;
  };
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) != 0) return false;
    for (auto c = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma))); c != 0; c &= c - 1)
      if (!add(i + static_cast<std::size_t>(__builtin_ctz(c)))) return false;
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == '"') return false;
    if (p[i] == ',' && !add(i)) return false;
  }
  return add(n);
}
}  // namespace

void split_fields(const RawRecord& record, const std::string& file_name, const CsvLimits& limits,
                  std::vector<FieldView>& fields, std::string& scratch, const std::vector<std::string>* names) {
  fields.clear();
  scratch.clear();
  if (split_unquoted(record.text, limits, fields)) return;
  fields.clear();
  const std::string_view t = record.text;
  scratch.reserve(t.size());  // unescaped values are never longer: the views into it stay valid
  const std::size_t n = t.size();
  std::size_t i = 0;
  auto where = [&](std::size_t at) { return location_in(record, file_name, static_cast<std::uint32_t>(at)); };
  for (;;) {
    const std::size_t start = i;
    if (fields.size() == limits.fields)
      throw InputError(where(start), "", "expected at most " + std::to_string(limits.fields) + " fields, got more");
    std::string_view value;
    if (i < n && t[i] == '"') {
      ++i;
      const std::size_t s0 = scratch.size();
      for (;;) {
        const void* hit = i < n ? std::memchr(t.data() + i, '"', n - i) : nullptr;
        if (hit == nullptr) throw InputError(where(start), "", "unterminated quoted field (a '\"' is missing)");
        const std::size_t q = static_cast<std::size_t>(static_cast<const char*>(hit) - t.data());
        scratch.append(t.substr(i, q - i));
        if (q + 1 < n && t[q + 1] == '"') {
          scratch += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      value = std::string_view(scratch.data() + s0, scratch.size() - s0);
      if (i < n && t[i] != ',')
        throw InputError(where(i), "", "expected ',' or the end of the line after a closing quote, got '" +
                                           shown(t.substr(i, utf8_length(t, i) > 1 ? utf8_length(t, i) : 1)) + "'");
    } else {
      // One pass to the comma (fields are short: a byte loop beats two memchr calls); a quote
      // before it is refused where it stands.
      std::size_t e = i;
      while (e < n && t[e] != ',' && t[e] != '"') ++e;
      if (e < n && t[e] == '"')
        throw InputError(where(e), "", "a '\"' inside an unquoted field; quote the whole field and double the inner quote");
      value = t.substr(i, e - i);
      i = e;
    }
    if (value.size() > limits.field_bytes)
      throw InputError(where(start), names != nullptr && fields.size() < names->size() ? (*names)[fields.size()] : "",
                       "expected a value of at most " + std::to_string(limits.field_bytes) +
                                             " bytes, got " + std::to_string(value.size()) + " bytes");
    fields.push_back({value, static_cast<std::uint32_t>(start)});
    if (i >= n) break;
    ++i;  // the comma
  }
}

CsvReader::CsvReader(std::istream& in, std::string file_name) : in_(in), file_(std::move(file_name)) {}

bool CsvReader::read_line(std::string& line) {
  if (!std::getline(in_, line)) return false;
  ++line_;
  if (line_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

bool CsvReader::next(CsvRecord& out) {
  std::string line;
  do {
    if (!read_line(line)) return false;
  } while (line.empty() || line.front() == '#');

  out.line = line_;
  out.fields.clear();
  std::string field;
  bool quoted = false;  // inside a quoted field
  std::size_t i = 0;
  int column = 1;
  while (true) {
    if (i == line.size()) {
      if (quoted) {
        // A line break inside quotes is data: continue with the next physical line.
        std::string more;
        if (!read_line(more))
          throw InputError({file_, out.line, column}, "", "unterminated quoted field (a '\"' is missing)");
        field += '\n';
        line = std::move(more);
        i = 0;
        continue;
      }
      out.fields.push_back(std::move(field));
      return true;
    }
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        ++i;
        if (i < line.size() && line[i] != ',')
          throw InputError({file_, line_, static_cast<int>(i) + 1}, "",
                           "expected ',' or the end of the line after a closing quote, got '" +
                               std::string(1, line[i]) + "'");
        continue;
      }
      field += c;
      ++i;
      continue;
    }
    if (c == ',') {
      out.fields.push_back(std::move(field));
      field.clear();
      ++column;
      ++i;
      continue;
    }
    if (c == '"') {
      if (!field.empty())
        throw InputError({file_, line_, static_cast<int>(i) + 1}, "",
                         "a '\"' inside an unquoted field; quote the whole field and double the inner quote");
      quoted = true;
      ++i;
      continue;
    }
    field += c;
    ++i;
  }
}

std::vector<CsvRecord> read_csv(std::string_view text, const std::string& file_name) {
  std::istringstream in{std::string(text)};
  CsvReader reader(in, file_name);
  std::vector<CsvRecord> out;
  CsvRecord r;
  while (reader.next(r)) out.push_back(r);
  return out;
}

std::string csv_field(std::string_view f) {
  const bool needs = f.find_first_of(",\"\r\n#") != std::string_view::npos ||
                     (!f.empty() && (f.front() == ' ' || f.back() == ' '));
  if (!needs) return std::string(f);
  std::string out = "\"";
  for (char c : f) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

void append_csv_field(std::string& out, std::string_view f) {
  bool needs = !f.empty() && (f.front() == ' ' || f.back() == ' ');
  if (!needs)
    for (const char c : f)
      if (c == ',' || c == '"' || c == '\r' || c == '\n' || c == '#') {
        needs = true;
        break;
      }
  if (!needs) {
    out.append(f);
    return;
  }
  out += '"';
  for (const char c : f) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void write_csv_row(std::ostream& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out << ',';
    out << csv_field(fields[i]);
  }
  out << '\n';
}

}  // namespace yidi::io
