#include "sim/io/csv.hpp"

#include <sstream>

#include "sim/io/input_error.hpp"

namespace yidi::io {

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

void write_csv_row(std::ostream& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out << ',';
    out << csv_field(fields[i]);
  }
  out << '\n';
}

}  // namespace yidi::io
