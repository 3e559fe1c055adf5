#include "core/time_format.h"

#include <chrono>
#include <cstdio>

namespace allot {
namespace {

using namespace std::chrono;

bool ReadDigits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

void WriteDigits(char* at, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::string FormatTimestamp(std::int64_t unix_ms) {
  const sys_time<milliseconds> tp{milliseconds{unix_ms}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{tp - day};
  const int year = static_cast<int>(ymd.year());
  if (year >= 0 && year <= 9999) {
    // Every change's and record's instant is written: digits by hand, as
    // snprintf's format parsing cost more than the rest of a change's JSON.
    char text[] = "0000-00-00T00:00:00.000Z";
    WriteDigits(text, static_cast<unsigned>(year), 4);
    WriteDigits(text + 5, static_cast<unsigned>(ymd.month()), 2);
    WriteDigits(text + 8, static_cast<unsigned>(ymd.day()), 2);
    WriteDigits(text + 11, static_cast<unsigned>(hms.hours().count()), 2);
    WriteDigits(text + 14, static_cast<unsigned>(hms.minutes().count()), 2);
    WriteDigits(text + 17, static_cast<unsigned>(hms.seconds().count()), 2);
    WriteDigits(text + 20, static_cast<unsigned>(hms.subseconds().count()), 3);
    return std::string(text, sizeof text - 1);
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return buf;
}

std::optional<std::int64_t> ParseTimestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (text.size() != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != '.' || text[23] != 'Z') {
    return std::nullopt;
  }
  int y, mo, d, h, mi, s, ms;
  if (!ReadDigits(text, 0, 4, y) || !ReadDigits(text, 5, 2, mo) || !ReadDigits(text, 8, 2, d) ||
      !ReadDigits(text, 11, 2, h) || !ReadDigits(text, 14, 2, mi) || !ReadDigits(text, 17, 2, s) ||
      !ReadDigits(text, 20, 3, ms)) {
    return std::nullopt;
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms};
  return duration_cast<milliseconds>(tp.time_since_epoch()).count();
}

}  // namespace allot
