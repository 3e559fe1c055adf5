#include "concurrent.h"

#include <barrier>
#include <chrono>
#include <thread>

namespace allot::testing {

std::vector<HttpClient> OpenConnections(int port, int n) {
  std::vector<HttpClient> clients;
  clients.reserve(n);
  for (int i = 0; i < n; ++i) {
    clients.emplace_back(port, std::chrono::seconds(30));
    HttpClient& client = clients.back();
    if (!client.Connect() || client.Get("/healthz").status != 200) client.Close();
  }
  return clients;
}

std::vector<Response> RunTogether(std::vector<HttpClient>& clients,
                                  const std::function<Response(int, HttpClient&)>& request) {
  const int n = static_cast<int>(clients.size());
  std::vector<Response> responses(n);
  std::barrier start(n);
  std::vector<std::jthread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      responses[i] = request(i, clients[i]);
    });
  }
  threads.clear();  // joins
  return responses;
}

std::vector<Response> RunTogether(int port, int n,
                                  const std::function<Response(int, HttpClient&)>& request) {
  std::vector<HttpClient> clients = OpenConnections(port, n);
  return RunTogether(clients, request);
}

}  // namespace allot::testing
