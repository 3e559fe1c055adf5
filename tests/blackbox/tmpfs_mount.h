// A small tmpfs mounted on a fresh temporary directory, for tests that need
// a file system that fills up. Mounting needs root (CAP_SYS_ADMIN); CI runs
// as root. The destructor unmounts (lazily, so a process still holding a
// file open cannot keep it mounted) and removes the directory.
#ifndef ALLOT_TESTS_BLACKBOX_TMPFS_MOUNT_H_
#define ALLOT_TESTS_BLACKBOX_TMPFS_MOUNT_H_

#include <cstdint>
#include <memory>
#include <string>

namespace allot::testing {

class TmpfsMount {
 public:
  // Mounts a tmpfs of `size_bytes`; nullptr (with the reason in *error) if
  // the directory cannot be made or the mount is refused.
  static std::unique_ptr<TmpfsMount> Create(std::int64_t size_bytes, std::string* error);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  const std::string& path() const { return path_; }
  // Bytes still free (statvfs).
  std::int64_t FreeBytes() const;

 private:
  explicit TmpfsMount(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Writes a file at `path` until the file system refuses more (ENOSPC).
// Returns the bytes written, or -1 (with *error) on any other failure.
std::int64_t FillUntilFull(const std::string& path, std::string* error);

}  // namespace allot::testing

#endif  // ALLOT_TESTS_BLACKBOX_TMPFS_MOUNT_H_
