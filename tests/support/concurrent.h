// Releasing many HTTP requests at the same instant, for concurrency tests.
#ifndef ALLOT_TESTS_SUPPORT_CONCURRENT_H_
#define ALLOT_TESTS_SUPPORT_CONCURRENT_H_

#include <functional>
#include <vector>

#include "http_client.h"

namespace allot::testing {

// Opens `n` keep-alive connections to `port` (each proven served by a
// GET /healthz), then runs `request(i, client)` on `n` threads released
// together by a barrier, and returns the responses by index. A transport
// failure shows as a Response with status 0 and an error.
std::vector<Response> RunTogether(int port, int n,
                                  const std::function<Response(int, HttpClient&)>& request);

// The same over connections the caller opened (e.g. to run several rounds
// over the same connections). clients.size() threads are used.
std::vector<Response> RunTogether(std::vector<HttpClient>& clients,
                                  const std::function<Response(int, HttpClient&)>& request);

// `n` connections to `port`, each warmed up with GET /healthz. A connection
// whose warm-up failed is left closed; its first request reconnects.
std::vector<HttpClient> OpenConnections(int port, int n);

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_CONCURRENT_H_
