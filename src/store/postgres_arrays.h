// PostgreSQL array literals in text format, for set-based statements that
// take a whole column of a batch as one parameter ($1::text[] with unnest),
// so a batch of thousands of rows is one statement, not thousands.
#ifndef ALLOT_STORE_POSTGRES_ARRAYS_H_
#define ALLOT_STORE_POSTGRES_ARRAYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace allot::pg {

// Builds "{...}" one element at a time. Text elements are always quoted and
// escaped, so any string (empty, "NULL", with quotes or commas) round-trips.
class ArrayBuilder {
 public:
  ArrayBuilder() : text_("{") {}

  void Add(std::string_view text);
  void Add(const std::string& text) { Add(std::string_view(text)); }
  void Add(const char* text) { Add(std::string_view(text)); }
  void Add(std::int64_t value);
  void Add(const std::optional<std::string>& text);
  void Add(const std::optional<std::int64_t>& value);
  void AddNull();

  std::size_t size() const { return size_; }
  // The literal; the builder is left empty.
  std::string Take();

 private:
  void Separate();

  std::string text_;
  std::size_t size_ = 0;
};

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_ARRAYS_H_
