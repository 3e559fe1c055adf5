// The dashboard in a real (headless) browser against the real server: the
// page is loaded first, then reservations are made through the API, and the
// page must show them. The page has no data of its own, and it was loaded
// before the reservation existed, so what it shows can only have come from
// the live event stream.
//
// Leaves a screenshot at $ALLOT_DASHBOARD_SCREENSHOT, else dashboard.png in
// the working directory. docs/dashboard.png is made with
//   ALLOT_DASHBOARD_SCREENSHOT=$PWD/docs/dashboard.png build/tests/browser/allot_browser_test
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "api.h"
#include "headless_chromium.h"
#include "server_process.h"

namespace allot::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kPageTimeout = 30s;  // chromium's start on a loaded 2-core machine

// JavaScript: the text of an item's cell, e.g. ItemCell("mug", "held").
std::string ItemCell(const std::string& item, const std::string& field) {
  return "document.querySelector('[data-item-id=\"" + item + "\"] [data-field=\"" + field +
         "\"]')?.textContent";
}

std::string ReservationRow(const std::string& id) {
  return "document.querySelector('[data-reservation-id=\"" + id + "\"]')";
}

std::string ScreenshotPath() {
  const char* configured = std::getenv("ALLOT_DASHBOARD_SCREENSHOT");
  return configured != nullptr && *configured != '\0' ? configured : "dashboard.png";
}

std::string IdOf(const Response& response) {
  return GetString(JsonBody(response), "id").value_or("");
}

class DashboardBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start());
    ASSERT_TRUE(browser_.Start(1280, 900));
  }

  // What the page shows, for failure messages.
  std::string PageText() {
    auto text = browser_.Evaluate("document.body.innerText");
    return text.is_string() ? std::string(text.as_string()) : "(no page text)";
  }

  ServerProcess server_;
  HeadlessChromium browser_;
};

TEST_F(DashboardBrowserTest, ShowsReservationsLiveAsTheyHappen) {
  Api api(server_.port());
  // The server has a fresh database of its own: plain ids read well in the
  // screenshot.
  const std::string item = "mug";
  ASSERT_EQ(api.CreateItem(item, 7, std::nullopt, "Browser mug").status, 201);

  ASSERT_TRUE(browser_.Open("http://127.0.0.1:" + std::to_string(server_.port()) + "/"));
  ASSERT_TRUE(browser_.WaitFor(
      ItemCell(item, "onHand") + " === '7' && " + ItemCell(item, "held") + " === '0'",
      kPageTimeout))
      << PageText();
  ASSERT_TRUE(browser_.WaitFor("document.getElementById('status').dataset.state === 'live'", 5s))
      << PageText();

  // A reservation made after the page loaded: only the stream can tell it.
  Response reserved = api.Reserve("ann", item, 3, 300);
  ASSERT_EQ(reserved.status, 201) << Describe(reserved);
  const std::string reservation = IdOf(reserved);
  EXPECT_TRUE(browser_.WaitFor(
      ItemCell(item, "held") + " === '3' && " + ItemCell(item, "available") + " === '4'", 10s))
      << PageText();
  EXPECT_TRUE(browser_.WaitFor(ReservationRow(reservation) + "?.dataset.status === 'held'", 10s))
      << PageText();
  // A 300 s hold counts down from 5:00.
  EXPECT_TRUE(browser_.WaitFor("/^[45]:[0-5][0-9]$/.test(" + ReservationRow(reservation) +
                                   ".querySelector('.countdown').textContent)",
                               5s))
      << PageText();

  // Confirming it moves the units to sold and the row to confirmed.
  Response confirmed = api.Confirm(reservation);
  ASSERT_EQ(confirmed.status, 200) << Describe(confirmed);
  EXPECT_TRUE(browser_.WaitFor(ReservationRow(reservation) +
                                   "?.dataset.status === 'confirmed' && " + ItemCell(item, "sold") +
                                   " === '3' && " + ItemCell(item, "onHand") + " === '4' && " +
                                   ItemCell(item, "held") + " === '0'",
                               10s))
      << PageText();

  // A few more items and a short burst of reservations: the chart counts
  // every reservation made while the page watched.
  const char* kOthers[][2] = {{"tote", "Tote bag"}, {"cap", "Cap"}, {"poster", "Poster"}};
  std::vector<std::string> others;
  for (const auto& [id, name] : kOthers) {
    others.push_back(id);
    ASSERT_EQ(api.CreateItem(id, 40, std::nullopt, name).status, 201);
  }
  int made = 1;
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < others.size(); ++i) {
      Response burst = api.Reserve("user-" + std::to_string(round), others[i],
                                   static_cast<std::int64_t>(i + 1), 120 + 60 * round);
      ASSERT_EQ(burst.status, 201) << Describe(burst);
      ++made;
    }
    std::this_thread::sleep_for(700ms);
  }
  EXPECT_TRUE(browser_.WaitFor(
      "Number(document.getElementById('rate').dataset.total) === " + std::to_string(made), 10s))
      << browser_.Evaluate("document.getElementById('rate').dataset.total");
  EXPECT_TRUE(browser_.WaitFor(ItemCell(others[2], "held") + " === '9'", 10s)) << PageText();

  std::this_thread::sleep_for(1200ms);  // let the change highlights fade
  EXPECT_TRUE(browser_.Screenshot(ScreenshotPath()));
}

}  // namespace
}  // namespace allot::testing
