// The checks of the kill -9 workload (crash_workload.h) that run while the
// server is up between two kills: resolving writes whose answer was lost,
// reading back every record and counter, replaying idempotent writes.
#ifndef ALLOT_TESTS_SUPPORT_CRASH_CHECKS_H_
#define ALLOT_TESTS_SUPPORT_CRASH_CHECKS_H_

#include <cstdint>
#include <vector>

#include "crash_model.h"

namespace allot::testing {

// Sends each unanswered write again with its Idempotency-Key and records the
// answer in `model`. Returns how many were replays, i.e. had committed before
// the kill cut their answer off.
std::int64_t ResolveUnanswered(int port, const std::vector<WriteRequest>& unanswered,
                               CrashModel& model);

// Reads every reservation and order of `model` (each must exist with the
// status the model says; a held one past its expiry may read expired) and
// every item (exact on hand and sold, held within the model's bounds,
// available = on hand - held, nothing negative). Returns the records read.
std::int64_t CheckRecordsOverHttp(int port, CrashModel& model);

// Sends each acknowledged write again with its key: it must answer the
// stored status and body with Idempotent-Replayed: true and change nothing.
std::int64_t CheckReplays(int port, const std::vector<AcknowledgedWrite>& writes);

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_CRASH_CHECKS_H_
