#include "audit/audit_command.h"

#include <optional>
#include <variant>

#include <boost/json.hpp>

#include "audit/audit_source.h"
#include "core/time_format.h"
#include "core/redact.h"

namespace allot::audit {
namespace {

namespace json = boost::json;

struct AuditOptions {
  std::string db;
  bool help = false;
  bool json = false;
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
    if (arg == "--json") {
      options.json = true;
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

json::object ByStatus(const std::map<std::string, std::int64_t>& counts) {
  json::object out;
  for (const auto& [status, n] : counts) out[status] = n;
  return out;
}

// The report as one JSON object (see AuditUsage).
std::string ReportJson(const AuditReport& report) {
  const AuditCounts& c = report.checked;
  json::object out;
  out["clean"] = report.clean();
  out["at"] = FormatTimestamp(report.at_ms);
  out["checked"] = {{"items", c.items},         {"accounts", c.accounts},
                    {"events", c.events},       {"seats", c.seats},
                    {"reservations", c.reservations}, {"orders", c.orders},
                    {"transfers", c.transfers}, {"changes", c.changes}};
  out["reservations"] = ByStatus(report.reservations_by_status);
  out["orders"] = ByStatus(report.orders_by_status);
  out["transfers"] = ByStatus(report.transfers_by_status);
  json::array items;
  for (const AuditedItem& item : report.items) {
    items.push_back(json::object{{"id", item.id},
                                 {"onHand", item.on_hand},
                                 {"held", item.held},
                                 {"sold", item.sold},
                                 {"heldDue", item.held_due}});
  }
  out["items"] = std::move(items);
  json::array drifts;
  for (const Drift& drift : report.drifts) {
    drifts.push_back(json::object{
        {"what", drift.what}, {"stored", drift.stored}, {"recomputed", drift.recomputed}});
  }
  out["drifts"] = std::move(drifts);
  return json::serialize(out);
}

}  // namespace

std::string AuditUsage() {
  return "usage: allot audit --db PATH | --db postgres://user@host:port/db [--json]\n"
         "  Recomputes every counter from the journal in one read-only snapshot and\n"
         "  prints each drift. Exit 0: clean; 1: drift found; 2: bad command line;\n"
         "  3: the database cannot be opened or read. --json prints one JSON object\n"
         "  instead: the drifts, what was checked, records by status, and each item's\n"
         "  stored counters with how much of `held` is already past expiry.\n";
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
  if (options.json) {
    out << ReportJson(*report) << std::endl;
    return report->clean() ? kExitClean : kExitDrift;
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
