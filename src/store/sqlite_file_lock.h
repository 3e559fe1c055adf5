// Ownership of a database file by one process: an exclusive flock(2) on the
// file itself, held from open to exit. A second `allot serve` on the same
// file is refused at once, while readers that do not ask for it
// (`allot audit`, `sqlite3`, the store's own read connections) read on:
// flock locks are separate from the POSIX byte-range locks SQLite uses.
//
// The descriptor must be closed only after every SQLite connection of this
// process to the file is: closing any descriptor of a file drops the
// process's POSIX locks on it. The store's writer and reader share the lock
// and are destroyed before it.
#ifndef ALLOT_STORE_SQLITE_FILE_LOCK_H_
#define ALLOT_STORE_SQLITE_FILE_LOCK_H_

#include <memory>
#include <string>

#include "allot/error.h"

namespace allot::sqlite {

class FileLock {
 public:
  // Creates the file if it is missing. kUnavailable naming the file when
  // another process (or another store in this one) holds it.
  static Expected<std::shared_ptr<FileLock>> Acquire(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_FILE_LOCK_H_
