#include "store/sqlite_file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace allot::sqlite {

Expected<std::shared_ptr<FileLock>> FileLock::Acquire(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Fail(Unavailable("Opening '" + path + "' failed: " + std::strerror(errno) + "."));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return Fail(Unavailable("The database file '" + path +
                              "' is in use by another allot serve; one process owns a SQLite "
                              "database (use PostgreSQL to run several)."));
    }
    return Fail(Unavailable("Cannot lock '" + path + "': " + std::strerror(error) + "."));
  }
  return std::shared_ptr<FileLock>(new FileLock(fd));
}

FileLock::~FileLock() { ::close(fd_); }

}  // namespace allot::sqlite
