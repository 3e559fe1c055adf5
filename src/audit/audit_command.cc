#include "audit/audit_command.h"

#include <optional>
#include <variant>

#include "audit/audit_source.h"
#include "core/redact.h"

namespace allot::audit {
namespace {

struct AuditOptions {
  std::string db;
  bool help = false;
};

// The options, or the sentence that says what is wrong with them.
std::variant<AuditOptions, std::string> Parse(std::span<const std::string_view> args) {
  AuditOptions options;
  std::optional<std::string> db;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    std::optional<std::string_view> value;
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      continue;
    }
    if (arg == "--db") {
      if (i + 1 == args.size()) return "--db needs a file path or a postgres:// URL.";
      value = args[++i];
    } else if (arg.starts_with("--db=")) {
      value = arg.substr(5);
    } else {
      return "Unknown argument '" + std::string(arg) + "'.";
    }
    if (db) return "--db is given more than once.";
    if (value->empty()) return "--db needs a file path or a postgres:// URL.";
    db = std::string(*value);
  }
  if (!db && !options.help) return "--db is required: the database to audit.";
  options.db = db.value_or("");
  return options;
}

}  // namespace

std::string AuditUsage() {
  return "usage: allot audit --db PATH | --db postgres://user@host:port/db\n"
         "  Recomputes every counter from the records in one read-only snapshot and\n"
         "  prints each drift. Exit 0: clean; 1: drift found; 2: bad command line;\n"
         "  3: the database cannot be opened or read.\n";
}

int RunAuditCommand(std::span<const std::string_view> args, std::ostream& out, std::ostream& err,
                    const ProgressOptions& progress_options) {
  auto parsed = Parse(args);
  if (auto* problem = std::get_if<std::string>(&parsed)) {
    err << "allot audit: " << *problem << "\n\n" << AuditUsage();
    return kExitUsage;
  }
  const AuditOptions& options = std::get<AuditOptions>(parsed);
  if (options.help) {
    out << AuditUsage();
    return kExitClean;
  }
  Progress progress("allot audit", "rows", err, progress_options);
  auto report = AuditDatabase(options.db, &progress);
  progress.Finish();  // its last line before the report
  if (!report) {
    // A password in a postgres:// URL is masked, here and in libpq's message.
    err << "allot audit: cannot read " << RedactUrl(options.db) << ": "
        << RedactSecretsOf(options.db, report.error().message) << "\n";
    return kExitUnreadable;
  }
  for (const Drift& drift : report->drifts) out << FormatDrift(drift) << "\n";
  const std::string checked = "checked " + FormatCounts(report->checked);
  if (report->clean()) {
    out << "allot audit: clean; " << checked << std::endl;
    return kExitClean;
  }
  const std::size_t n = report->drifts.size();
  out << "allot audit: " << n << (n == 1 ? " drift" : " drifts") << "; " << checked << std::endl;
  return kExitDrift;
}

}  // namespace allot::audit
