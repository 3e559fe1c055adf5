// The PostgreSQL backend of the store conformance suite: a fresh database
// (CREATE DATABASE t_<n>) on the test binary's shared throwaway cluster per
// test.
#ifndef ALLOT_TESTS_STORE_POSTGRES_TEST_BACKEND_H_
#define ALLOT_TESTS_STORE_POSTGRES_TEST_BACKEND_H_

#include <string>
#include <vector>

#include "allot/postgres_store.h"
#include "pg_cluster.h"
#include "store_conformance.h"

namespace allot::store_test {

class PostgresTestBackend final : public StoreBackend {
 public:
  PostgresTestBackend();

  Expected<StoreHandles> Open() override;
  std::vector<Change> ReadJournal() override;
  int StoredSchemaVersion() override;
  int BuildSchemaVersion() const override { return PostgresSchemaVersion(); }

  // Options for this test's database (small backoff so tests reconnect fast).
  PostgresOptions options() const;
  const std::string& dbname() const { return dbname_; }
  testing::PgCluster& cluster() const { return *cluster_; }

 private:
  testing::PgCluster* cluster_;
  std::string dbname_;
};

StoreFactory PostgresStoreFactory();

}  // namespace allot::store_test

#endif  // ALLOT_TESTS_STORE_POSTGRES_TEST_BACKEND_H_
