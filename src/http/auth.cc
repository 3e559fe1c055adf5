#include "http/auth.h"

#include <fstream>
#include <map>
#include <sstream>

namespace allot::http {
namespace {

constexpr std::size_t kMaxPrincipalLength = 128;
constexpr std::size_t kMaxTokenLength = 4096;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    std::size_t start = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

bool IsPrintable(std::string_view text) {
  for (unsigned char c : text) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

std::unexpected<Error> LineError(std::size_t number, const std::string& message) {
  return Fail(ErrorCode::kInvalidRequest, "tokens line " + std::to_string(number) + ": " + message);
}

}  // namespace

Expected<TokenTable> TokenTable::Parse(std::string_view text) {
  TokenTable table;
  std::map<std::string, Role, std::less<>> roles;
  std::size_t number = 0;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    auto fields = Fields(line);
    if (fields.empty() || fields[0].starts_with('#')) continue;
    if (fields.size() != 3) {
      return LineError(number, "expected '<role> <principal> <token>'");
    }
    Role role;
    if (fields[0] == "admin") {
      role = Role::kAdmin;
    } else if (fields[0] == "client") {
      role = Role::kClient;
    } else {
      return LineError(number, "the role must be 'admin' or 'client'");
    }
    std::string_view name = fields[1], token = fields[2];
    if (name.size() > kMaxPrincipalLength || !IsPrintable(name)) {
      return LineError(number, "the principal must be 1..128 printable ASCII characters");
    }
    if (token.size() > kMaxTokenLength || !IsPrintable(token)) {
      return LineError(number, "the token must be 1..4096 printable ASCII characters");
    }
    if (table.Find(token) != nullptr) return LineError(number, "this token is given twice");
    auto [it, inserted] = roles.emplace(std::string(name), role);
    if (!inserted && it->second != role) {
      return LineError(number, "principal '" + std::string(name) + "' is given two roles");
    }
    table.entries_.push_back(Entry{std::string(token), Principal{std::string(name), role}});
  }
  if (table.entries_.empty()) {
    return Fail(ErrorCode::kInvalidRequest, "the tokens file has no tokens");
  }
  return table;
}

Expected<TokenTable> TokenTable::Load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Fail(ErrorCode::kInvalidRequest, "cannot read the tokens file " + path);
  std::ostringstream text;
  text << file.rdbuf();
  auto table = Parse(text.str());
  if (!table) table.error().message = path + ": " + table.error().message;
  return table;
}

const Principal* TokenTable::Find(std::string_view token) const {
  // Every entry is compared, match or not: the time does not say which one
  // (or whether any) matched.
  const Principal* found = nullptr;
  for (const Entry& entry : entries_) {
    bool equal = ConstantTimeEquals(entry.token, token);
    found = equal ? &entry.principal : found;
  }
  return found;
}

bool ConstantTimeEquals(std::string_view secret, std::string_view given) {
  // One pass over `given`, reading the secret cyclically, folding every
  // difference into one byte: no early exit, no branch on the contents.
  unsigned char difference = secret.size() == given.size() ? 0 : 1;
  const std::size_t secret_size = secret.size();
  for (std::size_t i = 0; i < given.size(); ++i) {
    unsigned char expected =
        secret_size == 0 ? 0 : static_cast<unsigned char>(secret[i % secret_size]);
    difference |= expected ^ static_cast<unsigned char>(given[i]);
  }
  return difference == 0;
}

std::optional<std::string_view> BearerToken(const HttpRequest& request) {
  const std::string* header = request.Header("Authorization");
  if (header == nullptr) return std::nullopt;
  std::string_view value = *header;
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() || !IsSpace(value[kScheme.size()])) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return std::nullopt;
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && IsSpace(value.front())) value.remove_prefix(1);
  while (!value.empty() && IsSpace(value.back())) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  return value;
}

}  // namespace allot::http
