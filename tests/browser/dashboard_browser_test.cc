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

// A waiting list on a sold-out item: the page shows each entry as the feed
// tells it (waiting with its place, then offered when units come back) and
// the units kept for the list in the item's withheld column.
TEST_F(DashboardBrowserTest, ShowsWaitingListsLive) {
  Api api(server_.port());
  ASSERT_EQ(api.CreateItem("tee", 2, std::nullopt, "Tee").status, 201);
  Response hold = api.Reserve("ann", "tee", 2, 300);
  ASSERT_EQ(hold.status, 201) << Describe(hold);

  ASSERT_TRUE(browser_.Open("http://127.0.0.1:" + std::to_string(server_.port()) + "/"));
  ASSERT_TRUE(browser_.WaitFor("document.getElementById('status').dataset.state === 'live'",
                               kPageTimeout))
      << PageText();
  Response bob = api.Post("/items/tee/waitlist", R"({"userId":"bob","qty":1})");
  Response cat = api.Post("/items/tee/waitlist", R"({"userId":"cat","qty":2})");
  ASSERT_EQ(bob.status, 201) << Describe(bob);
  ASSERT_EQ(cat.status, 201) << Describe(cat);
  const std::string bob_row = "document.querySelector('[data-entry-id=\"" + IdOf(bob) + "\"]')";
  const std::string cat_row = "document.querySelector('[data-entry-id=\"" + IdOf(cat) + "\"]')";
  EXPECT_TRUE(browser_.WaitFor(bob_row + "?.dataset.status === 'waiting' && " + cat_row +
                                   "?.querySelector('.position').textContent === '#2'",
                               10s))
      << PageText();

  // The hold is cancelled: bob is offered one unit, cat needs two and
  // waits, and the unit left is withheld for cat.
  ASSERT_EQ(api.CancelReservation(IdOf(hold)).status, 200);
  EXPECT_TRUE(browser_.WaitFor(bob_row + "?.dataset.status === 'offered' && " + cat_row +
                                   "?.dataset.status === 'waiting' && " +
                                   ItemCell("tee", "withheld") + " === '1' && " +
                                   ItemCell("tee", "available") + " === '0'",
                               10s))
      << PageText();
}

// A draw opened, entered and run after the page loaded: the page shows it
// open, counts its entries, and shows it drawn with its offers.
TEST_F(DashboardBrowserTest, ShowsDrawsLive) {
  Api api(server_.port());
  ASSERT_EQ(api.CreateItem("cap", 5, std::nullopt, "Cap").status, 201);
  ASSERT_TRUE(browser_.Open("http://127.0.0.1:" + std::to_string(server_.port()) + "/"));
  ASSERT_TRUE(browser_.WaitFor("document.getElementById('status').dataset.state === 'live'",
                               kPageTimeout))
      << PageText();
  Response opened = api.Post("/draws", R"({"id":"drop","itemId":"cap","units":2,)"
                                       R"("closesAt":"2099-01-01T00:00:00.000Z"})");
  ASSERT_EQ(opened.status, 201) << Describe(opened);
  const std::string row = "document.querySelector('[data-draw-id=\"drop\"]')";
  EXPECT_TRUE(browser_.WaitFor(row + "?.dataset.status === 'open'", 10s)) << PageText();
  for (const char* user : {"ann", "bob", "cat"}) {
    ASSERT_EQ(api.Post("/draws/drop/entries", std::string(R"({"userId":")") + user +
                                                  R"(","qty":1})")
                  .status,
              201);
  }
  EXPECT_TRUE(browser_.WaitFor(row + "?.querySelector('.count').textContent === '3 entries'", 10s))
      << PageText();
  ASSERT_EQ(api.Post("/draws/drop/run", "{}").status, 200);
  EXPECT_TRUE(browser_.WaitFor(row + "?.dataset.status === 'drawn' && " + row +
                                   ".querySelector('.count').textContent === '3 entries · 2 offers'",
                               10s))
      << PageText();
}

}  // namespace
}  // namespace allot::testing
