// The audit on PostgreSQL: the conformance suite on a fresh database of the
// binary's throwaway cluster per test, and what only PostgreSQL can show:
// the audit's transaction is read-only, and a database without allot's
// schema is refused, not migrated.
#include <gmock/gmock.h>

#include <string>
#include <vector>

#include "allot/postgres_store.h"
#include "audit/audit_source.h"
#include "audit_conformance.h"
#include "pg_cluster.h"

namespace allot::audit_test {
namespace {

using ::testing::HasSubstr;

class PostgresTarget final : public AuditTarget {
 public:
  PostgresTarget()
      : cluster_(testing::SharedPgCluster()), dbname_(cluster_ ? cluster_->NewDatabase() : "") {}

  Expected<std::unique_ptr<Store>> OpenStore() override {
    if (cluster_ == nullptr) return Fail(Unavailable("no PostgreSQL cluster"));
    auto opened = OpenPostgres(PostgresOptions{.conninfo = db(), .reader_connections = 1});
    if (!opened) return Fail(std::move(opened.error()));
    return std::move(opened->writer);
  }
  std::string db() const override { return cluster_ ? cluster_->Url(dbname_) : ""; }
  ::testing::AssertionResult Exec(std::string_view sql) override {
    std::string error;
    if (cluster_ && cluster_->Query(dbname_, sql, &error)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << sql << ": " << error;
  }

  testing::PgCluster* cluster() const { return cluster_; }
  const std::string& dbname() const { return dbname_; }

 private:
  testing::PgCluster* cluster_;
  std::string dbname_;
};

AuditTargetFactory PostgresAuditTarget() {
  return {"Postgres", [] { return std::make_unique<PostgresTarget>(); }};
}

INSTANTIATE_TEST_SUITE_P(Postgres, AuditConformanceTest, ::testing::Values(PostgresAuditTarget()),
                         TargetName);
INSTANTIATE_TEST_SUITE_P(Postgres, AuditTamperTest,
                         ::testing::Combine(::testing::Values(PostgresAuditTarget()),
                                            ::testing::ValuesIn(Concat(Tampers(), RecordTableTampers()))),
                         TamperName);

// One REPEATABLE READ READ ONLY transaction: every query sees the same
// committed state, and even a write hidden in a query is refused.
TEST(PostgresAuditTest, TheSnapshotIsARepeatableReadReadOnlyTransaction) {
  PostgresTarget target;
  ASSERT_NE(target.cluster(), nullptr);
  ASSERT_TRUE(OpenPostgres(PostgresOptions{.conninfo = target.db()}).has_value());
  auto snapshot = audit::OpenPostgresSnapshot(target.db());
  ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
  std::vector<std::string> settings;
  ASSERT_TRUE((*snapshot)->ForEachRow(
      "SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only')",
      "Reading the transaction's settings", [&](const audit::Row& row) -> Status {
        settings = {row.Text(0), row.Text(1)};
        return {};
      }));
  EXPECT_EQ(settings, (std::vector<std::string>{"repeatable read", "on"}));
  auto wrote = (*snapshot)->ForEachRow("SELECT nextval(pg_get_serial_sequence('ledger', 'seq'))",
                                       "Drawing a ledger number",
                                       [](const audit::Row&) -> Status { return {}; });
  ASSERT_FALSE(wrote.has_value());
  EXPECT_THAT(wrote.error().message, HasSubstr("read-only transaction"));
}

TEST(PostgresAuditTest, RefusesADatabaseWithoutAllotsSchemaAndLeavesItSo) {
  PostgresTarget target;
  ASSERT_NE(target.cluster(), nullptr);
  auto report = audit::AuditDatabase(target.db());
  ASSERT_FALSE(report.has_value());
  EXPECT_THAT(report.error().message, HasSubstr("not an allot database"));
  EXPECT_EQ(target.cluster()->Query(target.dbname(),
                                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
            std::optional<std::string>("0"));
}

TEST(PostgresAuditTest, AMissingDatabaseIsAnError) {
  PostgresTarget target;
  ASSERT_NE(target.cluster(), nullptr);
  auto report = audit::AuditDatabase(target.cluster()->Url("no_such_database"));
  ASSERT_FALSE(report.has_value());
  EXPECT_THAT(report.error().message, HasSubstr("no_such_database"));
}

}  // namespace
}  // namespace allot::audit_test
