// A response body that never ends: server-sent events
// (text/event-stream). The handler answers a stream route with an
// HttpResponse whose `stream` is set; the server then sends the head, and
// from then on asks the stream what to send at a steady pace until the
// client goes away or the server stops. No Beast, no Asio: tests poll a
// stream by hand.
#ifndef ALLOT_HTTP_EVENT_STREAM_H_
#define ALLOT_HTTP_EVENT_STREAM_H_

#include <chrono>
#include <string>

namespace allot::http {

class EventStream {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  virtual ~EventStream() = default;

  // The bytes to send now (whole events or comments), or "" for nothing.
  // Called by one thread at a time, every poll_interval(); must not block
  // for long (it runs on an I/O thread).
  virtual std::string Poll(SteadyTime now) = 0;
  // How often the server calls Poll.
  virtual std::chrono::milliseconds poll_interval() const = 0;
  // A write that takes longer than this means the client is gone or too
  // slow to keep up: the server closes the stream.
  virtual std::chrono::milliseconds write_timeout() const = 0;
};

}  // namespace allot::http

#endif  // ALLOT_HTTP_EVENT_STREAM_H_
