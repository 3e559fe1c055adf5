// A Snapshot that counts the rows it hands out and reports them to a
// Progress: `allot audit` on a large database shows how far it has read
// (on a terminal, after 2 s; core/progress.h).
#ifndef ALLOT_AUDIT_PROGRESS_SNAPSHOT_H_
#define ALLOT_AUDIT_PROGRESS_SNAPSHOT_H_

#include <cctype>
#include <cstdint>
#include <string>

#include "audit/audit_source.h"
#include "core/progress.h"

namespace allot::audit {

class ProgressSnapshot final : public Snapshot {
 public:
  ProgressSnapshot(Snapshot& inner, Progress& progress) : inner_(inner), progress_(progress) {}

  Status ForEachRow(std::string_view sql, std::string_view what,
                    const RowHandler& on_row) override {
    // "Reading the ledger" -> "reading the ledger", as the line's step.
    std::string step(what);
    if (!step.empty()) step[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(step[0])));
    return inner_.ForEachRow(sql, what, [&](const Row& row) {
      progress_.Update(step, ++rows_);
      return on_row(row);
    });
  }

  Status End() override { return inner_.End(); }
  bool keeps_record_tables() const override { return inner_.keeps_record_tables(); }

 private:
  Snapshot& inner_;
  Progress& progress_;
  std::int64_t rows_ = 0;
};

}  // namespace allot::audit

#endif  // ALLOT_AUDIT_PROGRESS_SNAPSHOT_H_
