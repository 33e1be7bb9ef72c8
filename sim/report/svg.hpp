#pragma once
// Inline SVG charts for the HTML report (docs/report.md): a small SVG writer and two chart
// primitives, a line chart (lines, P5–P95 bands, reference lines) and a horizontal bar chart
// (grouped bars, reference lines, flagged bars). No scripts, fonts or images: text is drawn with
// the reader's sans-serif font. Every data point is one element of class `mark` (a circle on a
// line, a rect for a bar) and the <svg> carries their number in `data-marks`, so a browser can
// check that the chart rendered (docs/report.md, "Self-check").
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yidi::report {

/// Text made safe for HTML and SVG content and attribute values (& < > " ').
std::string escape(std::string_view text);

/// A number as SVG coordinates want it: one decimal, no exponent ("12.5", "-3.0").
std::string coord(double v);

/// How axis ticks and tooltips print values.
enum class Format { number, percent };
/// A value as text: percent → "68.2%" (`digits` decimals), number → `digits` decimals.
std::string format_value(double v, Format f, int digits);

/// Round tick values covering [lo, hi] (about `target` of them, steps of 1, 2 or 5 × 10^k).
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

/// Accumulates SVG elements; finish() wraps them in <svg class="chart"> with a viewBox.
class SvgWriter {
public:
  SvgWriter(double width, double height) : width_(width), height_(height) {}
  void line(double x1, double y1, double x2, double y2, std::string_view stroke, double stroke_width = 1,
            std::string_view dash = {});
  /// A polyline through the points (x, y pairs).
  void polyline(const std::vector<std::pair<double, double>>& points, std::string_view stroke, double stroke_width,
                std::string_view dash = {});
  void polygon(const std::vector<std::pair<double, double>>& points, std::string_view fill, double opacity);
  /// A rectangle; with `tip`, a data mark (class "mark") carrying a <title> tooltip.
  void rect(double x, double y, double w, double h, std::string_view fill, std::string_view tip = {},
            std::string_view stroke = {});
  /// A data mark on a line: a circle with a <title> tooltip.
  void point(double x, double y, std::string_view fill, std::string_view tip);
  /// Text; anchor is start, middle or end; rotate in degrees about (x, y); a white halo keeps it
  /// readable over lines.
  void text(double x, double y, std::string_view content, std::string_view anchor = "start", double size = 12,
            double rotate = 0, std::string_view fill = "#222", bool bold = false, bool halo = false);
  std::size_t marks() const { return marks_; }
  /// The whole <svg> element; `id` and `title` name it (the title also as its accessible label).
  std::string finish(std::string_view id, std::string_view title) const;

private:
  double width_, height_;
  std::string body_;
  std::size_t marks_ = 0;
};

/// One named series: a value per x label (line chart) or per category (bar chart). NaN = no value.
struct Series {
  std::string name;
  std::vector<double> values;
  std::string colour;
};
/// A shaded band between two series (e.g. P5 and P95 over replicates).
struct Band {
  std::string name;
  std::vector<double> low, high;
  std::string colour;
};
/// A dashed line at a value of the value axis (e.g. the 70% target).
struct Reference {
  double value = 0;
  std::string label;
  std::string colour = "#d62728";
};

struct LineChart {
  std::string id, title, y_label;
  std::vector<std::string> x_labels;  // one per point, e.g. months "2022-01"
  std::vector<Series> lines;
  std::vector<Band> bands;
  std::vector<Reference> references;
  Format format = Format::number;
  int digits = 2;                     // decimals in tooltips
  std::optional<double> y_min, y_max;  // fixed ends of the value axis; otherwise from the data (and 0)
};

struct BarChart {
  std::string id, title, value_label;
  std::vector<std::string> categories;  // one bar group per category, top to bottom
  std::vector<Series> series;           // grouped bars; values per category
  std::vector<Reference> references;
  Format format = Format::number;
  int digits = 2;
  std::optional<double> flag_below;     // bars below this value get a red outline and a "!"
  std::vector<bool> flagged;            // by category: flagged so whatever the value (flag_label as well)
  std::optional<double> value_max;      // the axis ends here at most; longer bars are cut and carry their value
  std::string flag_label;               // legend text of the flag
};

/// Width of every chart in SVG units (the report is laid out for 1000 px).
inline constexpr double kChartWidth = 960;

std::string line_chart_svg(const LineChart& c);
std::string bar_chart_svg(const BarChart& c);

/// A colour per series index (a colour-blind-safe palette, Tableau 10).
const std::string& palette(std::size_t i);

}  // namespace yidi::report
