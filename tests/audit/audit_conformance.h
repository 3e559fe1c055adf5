// The audit against real databases, written once and run on every store:
// a database holding every kind of record, made through the engine (so the
// records are what the rules really write), audits clean; tampered with
// raw SQL, it reports exactly the drift the tamper made.
//
// To run it against a store, provide an AuditTargetFactory and instantiate:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, AuditConformanceTest,
//                            ::testing::Values(SqliteAuditTarget()), TargetName);
//   INSTANTIATE_TEST_SUITE_P(Sqlite, AuditTamperTest,
//                            ::testing::Combine(::testing::Values(SqliteAuditTarget()),
//                                               ::testing::ValuesIn(Tampers())),
//                            TamperName);
#ifndef ALLOT_TESTS_AUDIT_AUDIT_CONFORMANCE_H_
#define ALLOT_TESTS_AUDIT_AUDIT_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "allot/clock.h"
#include "allot/engine.h"
#include "allot/store.h"

namespace allot::audit_test {

// One empty database for one test.
class AuditTarget {
 public:
  virtual ~AuditTarget() = default;
  // The engine's store on the database (created and migrated).
  virtual Expected<std::unique_ptr<Store>> OpenStore() = 0;
  // What `allot audit --db` names: a file path or a postgres:// URL.
  virtual std::string db() const = 0;
  // Runs raw SQL (one or more statements) on the database, as an operator
  // or a bug could.
  virtual ::testing::AssertionResult Exec(std::string_view sql) = 0;
};

struct AuditTargetFactory {
  std::string name;  // test name suffix: letters and digits only
  std::function<std::unique_ptr<AuditTarget>()> make;
};

// A change made behind the engine's back and the drift lines it must give.
// In `drifts`, {id} stands for a generated id and {time} for a timestamp.
struct Tamper {
  std::string name;  // letters and digits only
  std::string sql;
  std::vector<std::string> drifts;
};

// Every tamper the suite tries; each runs on a fresh database. Tampers()
// works on the tables every store has (items, usage, events); the others
// on what only one kind of store keeps: record tables beside the journal
// (PostgreSQL), or records found through heads in the journal (SQLite).
std::vector<Tamper> Tampers();
std::vector<Tamper> RecordTableTampers();
std::vector<Tamper> JournalOnlyTampers();
// `base` followed by `more`.
std::vector<Tamper> Concat(std::vector<Tamper> base, const std::vector<Tamper>& more);

void PrintTo(const AuditTargetFactory& factory, std::ostream* out);
void PrintTo(const Tamper& tamper, std::ostream* out);
std::string TargetName(const ::testing::TestParamInfo<AuditTargetFactory>& info);
std::string TamperName(
    const ::testing::TestParamInfo<std::tuple<AuditTargetFactory, Tamper>>& info);

// A database with every kind of record the audit checks, built through an
// engine on a manual clock. See audit_conformance.cc for what it holds.
class Scenario {
 public:
  explicit Scenario(const AuditTargetFactory& factory);
  ~Scenario();
  // Builds the records; check HasFatalFailure() after it.
  void Build();
  // Stops the engine (its store's connections close).
  void StopEngine();

  AuditTarget& target() { return *target_; }
  Engine& engine() { return *engine_; }

 private:
  Outcome Run(CommandBody body);
  std::string Reserve(const std::string& user, std::vector<Line> lines, std::int64_t ttl_seconds);
  std::string Order(const std::string& user, std::vector<Line> lines);
  std::string Transfer(const std::string& from, const std::string& to, std::int64_t amount,
                       bool hold, std::int64_t ttl_seconds = 600);

  std::unique_ptr<AuditTarget> target_;
  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
};

class AuditConformanceTest : public ::testing::TestWithParam<AuditTargetFactory> {
 protected:
  void SetUp() override;
  std::unique_ptr<Scenario> scenario_;
};

class AuditTamperTest : public ::testing::TestWithParam<std::tuple<AuditTargetFactory, Tamper>> {
 protected:
  void SetUp() override;
  std::unique_ptr<Scenario> scenario_;
};

}  // namespace allot::audit_test

#endif  // ALLOT_TESTS_AUDIT_AUDIT_CONFORMANCE_H_
