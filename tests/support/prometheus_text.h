// A strict reader of the Prometheus text exposition format (0.0.4), for
// tests that scrape GET /metrics: every sample line is parsed, and a sample
// whose metric has no # HELP or # TYPE line, or any line that does not
// parse, is reported in `problems`.
#ifndef ALLOT_TESTS_SUPPORT_PROMETHEUS_TEXT_H_
#define ALLOT_TESTS_SUPPORT_PROMETHEUS_TEXT_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allot::testing {

using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;  // as written, e.g. "allot_http_requests_total"
  Labels labels;
  double value = 0;
};

struct Exposition {
  std::vector<Sample> samples;
  std::map<std::string, std::string> types;  // metric -> counter, gauge, histogram, ...
  std::map<std::string, std::string> helps;  // metric -> help text
  std::vector<std::string> problems;         // empty when the text is well-formed

  // The value of the one sample with this name and exactly these labels.
  std::optional<double> Value(std::string_view name, const Labels& labels = {}) const;
  // The sum over samples with this name whose labels include `match`
  // (0 when there are none).
  double Sum(std::string_view name, const Labels& match = {}) const;
  // The distinct values of `label` over samples named `name`.
  std::vector<std::string> LabelValues(std::string_view name, std::string_view label) const;
};

Exposition ParseExposition(std::string_view text);

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_PROMETHEUS_TEXT_H_
