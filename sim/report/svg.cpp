#include "sim/report/svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>

namespace yidi::report {
namespace {

std::string fixed(double v, int digits) {
  if (v == 0) v = 0;  // no "-0.0"
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  std::string s = buf;
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);  // "-0.00" → "0.00"
  return s;
}

/// Decimals that show a tick step exactly (step 0.05 → 2, step 20 → 0).
int step_digits(double step) {
  int d = 0;
  while (d < 8 && std::fabs(step * std::pow(10.0, d) - std::round(step * std::pow(10.0, d))) > 1e-6) ++d;
  return d;
}

std::string tick_text(double v, double step, Format f) {
  return f == Format::percent ? fixed(v * 100, step_digits(step * 100)) + "%" : fixed(v, step_digits(step));
}

/// Approximate width of a text at a font size (sans-serif averages about 0.58 em a character).
double text_width(std::string_view s, double size) {
  std::size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;  // count UTF-8 code points
  return static_cast<double>(chars) * size * 0.58;
}

/// Extent of a set of values (NaN ignored) and the references; [0, 1] when there is nothing.
std::pair<double, double> extent(const std::vector<const std::vector<double>*>& values, const std::vector<Reference>& refs,
                                 bool include_zero) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto* vs : values)
    for (double v : *vs)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  for (const auto& r : refs) lo = std::min(lo, r.value), hi = std::max(hi, r.value);
  if (include_zero) lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
  if (!std::isfinite(lo)) return {0, 1};
  if (hi - lo < 1e-12) hi = lo + (lo == 0 ? 1 : std::fabs(lo) * 0.1);
  return {lo, hi};
}

struct LegendItem {
  enum Kind { line, band, reference, bar, flag } kind;
  std::string name, colour;
};

/// Lays the legend out in rows under the title; returns the y just below it.
double legend(SvgWriter& s, const std::vector<LegendItem>& items, double left, double right, double y) {
  double x = left;
  for (const auto& it : items) {
    const double w = 28 + text_width(it.name, 12) + 18;
    if (x + w > right && x > left) x = left, y += 18;
    switch (it.kind) {
      case LegendItem::line: s.line(x, y - 4, x + 22, y - 4, it.colour, 2.5); break;
      case LegendItem::reference: s.line(x, y - 4, x + 22, y - 4, it.colour, 2, "6 4"); break;
      case LegendItem::band: s.polygon({{x, y - 10}, {x + 22, y - 10}, {x + 22, y + 2}, {x, y + 2}}, it.colour, 0.25); break;
      case LegendItem::bar: s.rect(x, y - 10, 22, 12, it.colour); break;
      case LegendItem::flag: s.rect(x, y - 10, 22, 12, "#ffffff", {}, it.colour); break;
    }
    s.text(x + 28, y, it.name, "start", 12);
    x += w;
  }
  return y + 14;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string coord(double v) { return fixed(v, 1); }

std::string format_value(double v, Format f, int digits) {
  if (!std::isfinite(v)) return "n/a";
  return f == Format::percent ? fixed(v * 100, digits) + "%" : fixed(v, digits);
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) hi = lo + 1;
  const double raw = (hi - lo) / std::max(target, 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw * (1 - 1e-9)) {
      step = m * mag;
      break;
    }
  const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
  std::vector<double> out;
  for (double k = first; k <= last + 1e-9; k += 1) out.push_back(k * step == 0 ? 0 : k * step);
  return out;
}

const std::string& palette(std::size_t i) {
  static const std::array<std::string, 10> colours{"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2",
                                                  "#edc948", "#9c755f", "#ff9da7", "#bab0ac", "#e15759"};
  return colours[i % colours.size()];
}

void SvgWriter::line(double x1, double y1, double x2, double y2, std::string_view stroke, double w, std::string_view dash) {
  body_ += "<line x1=\"" + coord(x1) + "\" y1=\"" + coord(y1) + "\" x2=\"" + coord(x2) + "\" y2=\"" + coord(y2) +
           "\" stroke=\"" + escape(stroke) + "\" stroke-width=\"" + coord(w) + "\"";
  if (!dash.empty()) body_ += " stroke-dasharray=\"" + escape(dash) + "\"";
  body_ += "/>\n";
}

void SvgWriter::polyline(const std::vector<std::pair<double, double>>& pts, std::string_view stroke, double w,
                         std::string_view dash) {
  body_ += "<polyline fill=\"none\" stroke=\"" + escape(stroke) + "\" stroke-width=\"" + coord(w) + "\"";
  if (!dash.empty()) body_ += " stroke-dasharray=\"" + escape(dash) + "\"";
  body_ += " points=\"";
  for (std::size_t i = 0; i < pts.size(); ++i) body_ += (i ? " " : "") + coord(pts[i].first) + "," + coord(pts[i].second);
  body_ += "\"/>\n";
}

void SvgWriter::polygon(const std::vector<std::pair<double, double>>& pts, std::string_view fill, double opacity) {
  body_ += "<polygon fill=\"" + escape(fill) + "\" fill-opacity=\"" + fixed(opacity, 2) + "\" points=\"";
  for (std::size_t i = 0; i < pts.size(); ++i) body_ += (i ? " " : "") + coord(pts[i].first) + "," + coord(pts[i].second);
  body_ += "\"/>\n";
}

void SvgWriter::rect(double x, double y, double w, double h, std::string_view fill, std::string_view tip,
                     std::string_view stroke) {
  if (w < 0) x += w, w = -w;
  if (h < 0) y += h, h = -h;
  body_ += "<rect";
  if (!tip.empty()) body_ += " class=\"mark\"", ++marks_;
  body_ += " x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" width=\"" + coord(w) + "\" height=\"" + coord(h) +
           "\" fill=\"" + escape(fill) + "\"";
  if (!stroke.empty()) body_ += " stroke=\"" + escape(stroke) + "\" stroke-width=\"2\"";
  body_ += tip.empty() ? "/>\n" : "><title>" + escape(tip) + "</title></rect>\n";
}

void SvgWriter::point(double x, double y, std::string_view fill, std::string_view tip) {
  ++marks_;
  body_ += "<circle class=\"mark\" cx=\"" + coord(x) + "\" cy=\"" + coord(y) + "\" r=\"2.5\" fill=\"" + escape(fill) +
           "\"><title>" + escape(tip) + "</title></circle>\n";
}

void SvgWriter::text(double x, double y, std::string_view content, std::string_view anchor, double size, double rotate,
                     std::string_view fill, bool bold, bool halo) {
  body_ += "<text x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" font-size=\"" + coord(size) + "\"";
  if (anchor != "start") body_ += " text-anchor=\"" + escape(anchor) + "\"";
  if (rotate != 0) body_ += " transform=\"rotate(" + coord(rotate) + " " + coord(x) + " " + coord(y) + ")\"";
  if (fill != "#222") body_ += " fill=\"" + escape(fill) + "\"";
  if (bold) body_ += " font-weight=\"bold\"";
  if (halo) body_ += " stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\"";
  body_ += ">" + escape(content) + "</text>\n";
}

std::string SvgWriter::finish(std::string_view id, std::string_view title) const {
  return "<svg class=\"chart\" id=\"" + escape(id) + "\" data-marks=\"" +
         std::to_string(marks_) + "\" viewBox=\"0 0 " + coord(width_) + " " + coord(height_) + "\" width=\"" +
         coord(width_) + "\" height=\"" + coord(height_) + "\" font-family=\"sans-serif\" role=\"img\" aria-label=\"" +
         escape(title) + "\">\n<title>" + escape(title) + "</title>\n" + body_ + "</svg>\n";
}

std::string line_chart_svg(const LineChart& c) {
  const double width = kChartWidth, left = 78, right = width - 24;
  // Legend first: its rows decide where the plot starts.
  std::vector<LegendItem> items;
  for (const auto& l : c.lines) items.push_back({LegendItem::line, l.name, l.colour});
  for (const auto& b : c.bands) items.push_back({LegendItem::band, b.name, b.colour});
  for (const auto& r : c.references) items.push_back({LegendItem::reference, r.label, r.colour});
  SvgWriter probe(width, 0);
  const double top = legend(probe, items, left, right, 48) + 10;
  const double plot_h = 260, bottom = top + plot_h, height = bottom + 58;
  SvgWriter s(width, height);
  s.text(left, 22, c.title, "start", 15, 0, "#111", true);
  legend(s, items, left, right, 48);

  std::vector<const std::vector<double>*> values;
  for (const auto& l : c.lines) values.push_back(&l.values);
  for (const auto& b : c.bands) values.push_back(&b.low), values.push_back(&b.high);
  // Plain locals, not a structured binding: clang 14 cannot capture bindings in the lambdas below.
  double lo = 0, hi = 0;
  std::tie(lo, hi) = extent(values, c.references, !c.y_min.has_value());
  if (c.y_min) lo = *c.y_min;
  if (c.y_max) hi = std::max(*c.y_max, lo + 1e-9);
  const auto ticks = nice_ticks(lo, hi);
  lo = std::min(lo, ticks.front()), hi = std::max(hi, ticks.back());
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
  auto y_of = [&](double v) { return bottom - (v - lo) / (hi - lo) * plot_h; };
  const std::size_t n = c.x_labels.size();
  auto x_of = [&](std::size_t i) {
    return n <= 1 ? (left + right) / 2 : left + static_cast<double>(i) * (right - left) / static_cast<double>(n - 1);
  };

  // Grid, axes, ticks.
  for (double t : ticks) {
    s.line(left, y_of(t), right, y_of(t), "#e5e5e5");
    s.text(left - 8, y_of(t) + 4, tick_text(t, step, c.format), "end", 11);
  }
  s.line(left, top, left, bottom, "#444");
  s.line(left, bottom, right, bottom, "#444");
  std::size_t every = 1;
  for (std::size_t k : {1u, 2u, 3u, 6u, 12u, 24u, 60u})
    if (n / k <= 12) {
      every = k;
      break;
    }
  for (std::size_t i = 0; i < n; i += every) {
    s.line(x_of(i), bottom, x_of(i), bottom + 5, "#444");
    s.text(x_of(i), bottom + 18, c.x_labels[i], "middle", 11);
  }
  s.text(18, (top + bottom) / 2, c.y_label, "middle", 12, -90);

  // Bands, then reference lines, then the lines with their points on top.
  for (const auto& b : c.bands) {
    std::vector<std::pair<double, double>> upper, lower;
    auto flush = [&] {
      if (!upper.empty()) {
        upper.insert(upper.end(), lower.rbegin(), lower.rend());
        s.polygon(upper, b.colour, 0.22);
      }
      upper.clear(), lower.clear();
    };
    for (std::size_t i = 0; i < n && i < b.low.size() && i < b.high.size(); ++i) {
      if (std::isfinite(b.low[i]) && std::isfinite(b.high[i]))
        upper.push_back({x_of(i), y_of(b.high[i])}), lower.push_back({x_of(i), y_of(b.low[i])});
      else
        flush();
    }
    flush();
  }
  for (const auto& r : c.references) {
    s.line(left, y_of(r.value), right, y_of(r.value), r.colour, 1.5, "6 4");
    s.text(right - 4, y_of(r.value) - 5, r.label, "end", 11, 0, r.colour, false, true);
  }
  for (const auto& l : c.lines) {
    std::vector<std::pair<double, double>> seg;
    for (std::size_t i = 0; i <= n; ++i) {
      if (i < n && i < l.values.size() && std::isfinite(l.values[i])) {
        seg.push_back({x_of(i), y_of(l.values[i])});
        continue;
      }
      if (seg.size() > 1) s.polyline(seg, l.colour, 2);
      seg.clear();
    }
    for (std::size_t i = 0; i < n && i < l.values.size(); ++i)
      if (std::isfinite(l.values[i]))
        s.point(x_of(i), y_of(l.values[i]), l.colour,
                l.name + ", " + c.x_labels[i] + ": " + format_value(l.values[i], c.format, c.digits));
  }
  return s.finish(c.id, c.title);
}

std::string bar_chart_svg(const BarChart& c) {
  const double width = kChartWidth, right = width - 40;
  double label_w = 60;
  for (const auto& cat : c.categories) label_w = std::max(label_w, text_width(cat, 12));
  const double left = std::min(label_w, 260.0) + 18;
  std::vector<LegendItem> items;
  if (c.series.size() > 1)
    for (const auto& sr : c.series) items.push_back({LegendItem::bar, sr.name, sr.colour});
  for (const auto& r : c.references) items.push_back({LegendItem::reference, r.label, r.colour});
  if (c.flag_below || std::find(c.flagged.begin(), c.flagged.end(), true) != c.flagged.end())
    items.push_back({LegendItem::flag, c.flag_label, "#d62728"});
  SvgWriter probe(width, 0);
  const double top = (items.empty() ? 40 : legend(probe, items, left, right, 48)) + (c.references.empty() ? 12 : 34);
  const double bar_h = c.series.size() > 1 ? 11 : 15, gap = 7;
  const double group_h = bar_h * static_cast<double>(std::max<std::size_t>(c.series.size(), 1)) + gap;
  const double bottom = top + group_h * static_cast<double>(c.categories.size()), height = bottom + 52;
  SvgWriter s(width, height);
  s.text(18, 22, c.title, "start", 15, 0, "#111", true);
  if (!items.empty()) legend(s, items, left, right, 48);

  std::vector<const std::vector<double>*> values;
  for (const auto& sr : c.series) values.push_back(&sr.values);
  double lo = 0, hi = 0;  // not a structured binding (clang 14 cannot capture one in a lambda)
  std::tie(lo, hi) = extent(values, c.references, true);
  if (c.value_max && hi > *c.value_max) hi = std::max(*c.value_max, lo + 1e-9);
  const auto ticks = nice_ticks(lo, hi);
  lo = std::min(lo, ticks.front()), hi = std::max(hi, ticks.back());
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
  auto x_of = [&](double v) { return left + (std::clamp(v, lo, hi) - lo) / (hi - lo) * (right - left); };

  for (double t : ticks) {
    s.line(x_of(t), top, x_of(t), bottom, "#e5e5e5");
    s.line(x_of(t), bottom, x_of(t), bottom + 5, "#444");
    s.text(x_of(t), bottom + 18, tick_text(t, step, c.format), "middle", 11);
  }
  s.text((left + right) / 2, bottom + 40, c.value_label, "middle", 12);
  for (std::size_t k = 0; k < c.categories.size(); ++k) {
    const double y0 = top + group_h * static_cast<double>(k) + gap / 2;
    s.text(left - 8, y0 + (group_h - gap) / 2 + 4, c.categories[k], "end", 12);
    bool any = false;
    for (std::size_t j = 0; j < c.series.size(); ++j) {
      const auto& sr = c.series[j];
      const double v = k < sr.values.size() ? sr.values[k] : std::nan("");
      if (!std::isfinite(v)) continue;
      any = true;
      const double y = y0 + bar_h * static_cast<double>(j);
      const bool flagged = (c.flag_below && v < *c.flag_below) || (k < c.flagged.size() && c.flagged[k]);
      const std::string tip = (c.series.size() > 1 ? sr.name + ", " : "") + c.categories[k] + ": " +
                              format_value(v, c.format, c.digits) + (flagged ? " (" + c.flag_label + ")" : "");
      s.rect(x_of(0), y + 1, x_of(v) - x_of(0), bar_h - 2, sr.colour, tip, flagged ? "#d62728" : "");
      if (flagged) s.text(std::max(x_of(v), x_of(0)) + 5, y + bar_h - 2, "!", "start", 12, 0, "#d62728", true);
      if (v > hi) s.text(x_of(hi) - 4, y + bar_h - 3, format_value(v, c.format, 0) + " ›", "end", 10, 0, "#ffffff", true);
    }
    if (!any) s.text(x_of(0) + 5, y0 + (group_h - gap) / 2 + 4, "n/a", "start", 11, 0, "#777");
  }
  s.line(x_of(0), top, x_of(0), bottom, "#444");
  s.line(left, bottom, right, bottom, "#444");
  // Reference labels above the plot, a row higher when they would overlap the previous one.
  double previous_end = -1e9;
  bool raised = false;
  for (const auto& r : c.references) {
    const double x = x_of(r.value), w = text_width(r.label, 11);
    raised = x - w / 2 < previous_end + 4 && !raised;
    s.line(x, top - (raised ? 20 : 6), x, bottom, r.colour, 1.5, "6 4");
    s.text(x, top - (raised ? 23 : 9), r.label, "middle", 11, 0, r.colour);
    previous_end = x + w / 2;
  }
  return s.finish(c.id, c.title);
}

}  // namespace yidi::report
