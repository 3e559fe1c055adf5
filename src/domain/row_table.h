// The rows of one kind a batch has touched: each loaded once, at a stable
// address for the rest of the batch (the rules keep pointers), found by key
// through an open-addressing index, and handed on in the order they were
// first touched. A key that names no row is remembered as absent, so it is
// not loaded again.
//
// Not thread-safe: one batch, one thread.
#ifndef ALLOT_DOMAIN_ROW_TABLE_H_
#define ALLOT_DOMAIN_ROW_TABLE_H_

#include <boost/unordered/unordered_flat_map.hpp>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allot::domain {

template <typename Row>
class RowTable {
 public:
  struct Entry {
    std::optional<Row> row;  // nullopt: known not to exist
    // The key, when it is not the row's own id (an absent row, a composite
    // key): the index views it.
    std::string own_key;
    bool dirty = false;
    bool is_new = false;
  };

  // The entry for `key`, or nullptr if the batch has not touched it.
  Entry* Find(std::string_view key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : it->second;
  }

  // A new entry for `key` (not in the table): `row` may be absent. When the
  // row's own id is the key, pass `keyed_by_id`, and the key costs nothing.
  Entry& Add(std::string_view key, std::optional<Row> row, bool keyed_by_id) {
    Entry& entry = entries_.emplace_back();
    entry.row = std::move(row);
    std::string_view view;
    if constexpr (requires { entry.row->id; }) {
      if (keyed_by_id && entry.row) view = entry.row->id;
    }
    if (view.data() == nullptr) {
      entry.own_key.assign(key);
      view = entry.own_key;
    }
    index_.emplace(view, &entry);
    return entry;
  }

  // Every entry in the order it was added; the table is then empty.
  template <typename Visit>
  void Drain(Visit visit) {
    for (Entry& entry : entries_) visit(entry);
    index_.clear();
    entries_.clear();
  }

 private:
  std::deque<Entry> entries_;  // stable addresses
  boost::unordered_flat_map<std::string_view, Entry*> index_;
};

}  // namespace allot::domain

#endif  // ALLOT_DOMAIN_ROW_TABLE_H_
