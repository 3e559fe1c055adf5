// POST /api/v1/batch: up to kMaxBatchRequests writes in one request, run in
// order as if sent one after another on one connection, one result each.
//
// The envelope is checked whole before anything runs (batch_request.h). Then
// each entry is answered on its own: a client token's admin-only write gets
// its 403, an undecodable or invalid body its 400, and the rest go to the
// engine together (api::Service::SubmitMany), in order. If the queue cannot
// take them all, none runs and the whole batch is answered 503 `overloaded`
// (with Retry-After): nothing of it ran, so the client may send it again.
// Results are collected as their commits return and the batch is answered
// once the last one is in.
#include <atomic>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "api/validate.h"
#include "http/batch_request.h"
#include "http/handler.h"
#include "http/json_codec.h"
#include "http/write_routes.h"

namespace allot::http {
namespace {

// One entry's answer, as it goes into the results list.
struct EntryResult {
  int status = 0;
  std::string body;
  bool replayed = false;
};

// Gathers the entries' answers (from the handler's thread and the
// sequencer's) and answers the batch when the last arrives. Each slot is
// written once; the release/acquire on `remaining` hands all of them to the
// thread that writes the answer.
class BatchResults {
 public:
  BatchResults(std::vector<std::string_view> routes, Handler::Respond finish, Metrics& metrics)
      : routes_(std::move(routes)),
        results_(routes_.size()),
        remaining_(routes_.size()),
        finish_(std::move(finish)),
        metrics_(metrics) {}

  void Set(std::size_t index, HttpResponse response) {
    EntryResult& slot = results_[index];
    slot.status = response.status;
    slot.body = std::move(response.body);
    slot.replayed = response.Header("Idempotent-Replayed") != nullptr;
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) Finish();
  }

 private:
  void Finish() {
    std::size_t size = 16;
    for (const EntryResult& result : results_) size += result.body.size() + 48;
    std::string out;
    out.reserve(size);
    out += R"({"results":[)";
    for (std::size_t i = 0; i < results_.size(); ++i) {
      const EntryResult& result = results_[i];
      if (i > 0) out += ',';
      out += R"({"status":)";
      out += std::to_string(result.status);
      out += R"(,"body":)";
      out += result.body;
      if (result.replayed) out += R"(,"replayed":true)";
      out += '}';
    }
    out += "]}";
    std::vector<std::pair<std::string_view, int>> counted;
    counted.reserve(results_.size());
    for (std::size_t i = 0; i < results_.size(); ++i) {
      counted.emplace_back(routes_[i], results_[i].status);
    }
    metrics_.RecordBatchEntries(counted);
    finish_(Handler::JsonResponse(200, std::move(out)));
  }

  std::vector<std::string_view> routes_;  // templates: static storage
  std::vector<EntryResult> results_;
  std::atomic<std::size_t> remaining_;
  Handler::Respond finish_;
  Metrics& metrics_;
};

HttpResponse StoredAnswer(const CommandResult& result) { return Handler::ResultResponse(result); }

}  // namespace

void Handler::HandleBatch(const HttpRequest& request, const RouteMatch& route,
                          const RequestContext& context, const Respond& finish) {
  (void)route;
  if (request.Header("Idempotency-Key") != nullptr) {
    // Its entries may commit in several transactions, so the batch has no
    // one answer to store: each entry takes its own key.
    finish(ErrorResponse(InvalidField(
        "Idempotency-Key",
        "A batch takes no Idempotency-Key header; give each request an idempotencyKey.")));
    return;
  }
  auto entries = DecodeBatch(request.body);
  if (!entries) {
    finish(ErrorResponse(entries.error()));
    return;
  }
  std::vector<std::string_view> routes;
  routes.reserve(entries->size());
  for (const BatchEntry& entry : *entries) routes.push_back(entry.route.route);
  auto results = std::make_shared<BatchResults>(std::move(routes), finish, metrics_);

  std::vector<Submission> submissions;
  submissions.reserve(entries->size());
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const BatchEntry& entry = (*entries)[i];
    if (context.own_records_only && IsAdminOnly(entry.route.id)) {
      results->Set(i, ErrorResponse(Error{ErrorCode::kForbidden,
                                          "Only an admin token may create or change items, "
                                          "accounts and events, or manage webhooks.",
                                          {}}));
      continue;
    }
    bool one_line_form = false;
    auto body = DecodeCommand(entry.route, entry.body, &one_line_form);
    if (!body) {
      results->Set(i, ErrorResponse(body.error()));
      continue;
    }
    Command command;
    command.body = std::move(*body);
    command.principal = context.principal;
    command.own_records_only = context.own_records_only;
    if (entry.idempotency_key) {
      // As the header would: the same principal, method, path and body bytes.
      command.idempotency = IdempotencyKey{*entry.idempotency_key,
                                           api::Fingerprint("POST", entry.route.path, entry.body),
                                           [](const CommandResult& result) {
                                             HttpResponse response = StoredAnswer(result);
                                             IdempotencyRecord record;
                                             record.status = response.status;
                                             record.body = std::move(response.body);
                                             return record;
                                           }};
    }
    submissions.push_back({std::move(command), [results, i, one_line_form](CommandResult result) {
                             if (one_line_form) NameOneLineFields(result);
                             results->Set(i, ResultResponse(result));
                           }});
  }
  Status queued = service_.SubmitMany(std::move(submissions));
  // Refused whole: the results never complete, and this is the answer.
  if (!queued) finish(ErrorResponse(queued.error()));
}

}  // namespace allot::http
