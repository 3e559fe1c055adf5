#include "prometheus_text.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <limits>
#include <set>

namespace allot::testing {
namespace {

bool IsNameChar(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

// Reads a metric or label name at `pos`; empty if there is none.
std::string ReadName(std::string_view line, std::size_t& pos) {
  std::size_t start = pos;
  while (pos < line.size() && IsNameChar(line[pos], pos == start)) ++pos;
  return std::string(line.substr(start, pos - start));
}

// Parses `{a="x",b="y"}` at `pos` (which is at '{'); false if malformed.
bool ReadLabels(std::string_view line, std::size_t& pos, Labels& labels) {
  ++pos;  // '{'
  while (pos < line.size() && line[pos] != '}') {
    std::string name = ReadName(line, pos);
    if (name.empty() || pos + 1 >= line.size() || line[pos] != '=' || line[pos + 1] != '"') {
      return false;
    }
    pos += 2;
    std::string value;
    while (pos < line.size() && line[pos] != '"') {
      if (line[pos] == '\\' && pos + 1 < line.size()) {
        ++pos;
        value += line[pos] == 'n' ? '\n' : line[pos];
      } else {
        value += line[pos];
      }
      ++pos;
    }
    if (pos >= line.size()) return false;
    ++pos;                                                  // closing quote
    if (!labels.emplace(name, value).second) return false;  // repeated label
    if (pos < line.size() && line[pos] == ',') ++pos;
  }
  if (pos >= line.size()) return false;
  ++pos;  // '}'
  return true;
}

std::optional<double> ReadValue(std::string_view text) {
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  std::string copy(text);
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) return std::nullopt;
  return value;
}

// The metric a sample belongs to: its own name, or for a histogram's
// _bucket/_sum/_count lines the histogram's name.
std::string MetricOf(const std::string& name, const std::map<std::string, std::string>& types) {
  if (types.contains(name)) return name;
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (name.ends_with(suffix)) {
      std::string base = name.substr(0, name.size() - suffix.size());
      auto it = types.find(base);
      if (it != types.end() && (it->second == "histogram" || it->second == "summary")) return base;
    }
  }
  return name;
}

}  // namespace

Exposition ParseExposition(std::string_view text) {
  Exposition out;
  if (!text.empty() && text.back() != '\n') out.problems.push_back("no newline at the end");
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      std::string_view rest = line.substr(7);
      std::size_t space = rest.find(' ');
      if (space == std::string_view::npos || space == 0) {
        out.problems.push_back("bad comment: " + std::string(line));
        continue;
      }
      std::string name(rest.substr(0, space));
      std::string value(rest.substr(space + 1));
      auto& target = line[2] == 'H' ? out.helps : out.types;
      if (!target.emplace(name, value).second) {
        out.problems.push_back("repeated: " + std::string(line));
      }
      continue;
    }
    if (line.starts_with("#")) continue;
    Sample sample;
    std::size_t pos = 0;
    sample.name = ReadName(line, pos);
    bool ok = !sample.name.empty();
    if (ok && pos < line.size() && line[pos] == '{') ok = ReadLabels(line, pos, sample.labels);
    ok = ok && pos < line.size() && line[pos] == ' ';
    std::optional<double> value;
    if (ok) value = ReadValue(line.substr(pos + 1));
    if (!value) {
      out.problems.push_back("bad sample: " + std::string(line));
      continue;
    }
    sample.value = *value;
    out.samples.push_back(std::move(sample));
  }
  std::set<std::pair<std::string, Labels>> seen;
  for (const Sample& sample : out.samples) {
    const std::string metric = MetricOf(sample.name, out.types);
    if (!out.types.contains(metric)) out.problems.push_back("no # TYPE for " + sample.name);
    if (!out.helps.contains(metric)) out.problems.push_back("no # HELP for " + sample.name);
    if (!seen.emplace(sample.name, sample.labels).second) {
      out.problems.push_back("repeated series: " + sample.name);
    }
  }
  return out;
}

std::optional<double> Exposition::Value(std::string_view name, const Labels& labels) const {
  for (const Sample& sample : samples) {
    if (sample.name == name && sample.labels == labels) return sample.value;
  }
  return std::nullopt;
}

double Exposition::Sum(std::string_view name, const Labels& match) const {
  double sum = 0;
  for (const Sample& sample : samples) {
    if (sample.name != name) continue;
    bool matches = std::all_of(match.begin(), match.end(), [&sample](const auto& label) {
      auto it = sample.labels.find(label.first);
      return it != sample.labels.end() && it->second == label.second;
    });
    if (matches) sum += sample.value;
  }
  return sum;
}

std::vector<std::string> Exposition::LabelValues(std::string_view name,
                                                 std::string_view label) const {
  std::set<std::string> values;
  for (const Sample& sample : samples) {
    if (sample.name != name) continue;
    auto it = sample.labels.find(std::string(label));
    if (it != sample.labels.end()) values.insert(it->second);
  }
  return {values.begin(), values.end()};
}

}  // namespace allot::testing
