#include "tmpfs_mount.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace allot::testing {

std::unique_ptr<TmpfsMount> TmpfsMount::Create(std::int64_t size_bytes, std::string* error) {
  std::string dir = (std::filesystem::temp_directory_path() / "allot-tmpfs-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    *error = std::string("mkdtemp: ") + std::strerror(errno);
    return nullptr;
  }
  const std::string options = "size=" + std::to_string(size_bytes) + ",mode=0700";
  if (mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    *error = "mount -t tmpfs -o " + options + " " + dir + ": " + std::strerror(errno) +
             (geteuid() != 0 ? " (not running as root)" : "");
    rmdir(dir.c_str());
    return nullptr;
  }
  return std::unique_ptr<TmpfsMount>(new TmpfsMount(std::move(dir)));
}

TmpfsMount::~TmpfsMount() {
  umount2(path_.c_str(), MNT_DETACH);
  rmdir(path_.c_str());
}

std::int64_t TmpfsMount::FreeBytes() const {
  struct statvfs stats {};
  if (statvfs(path_.c_str(), &stats) != 0) return -1;
  return static_cast<std::int64_t>(stats.f_bavail) * static_cast<std::int64_t>(stats.f_frsize);
}

std::int64_t FillUntilFull(const std::string& path, std::string* error) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = "open " + path + ": " + std::strerror(errno);
    return -1;
  }
  std::vector<char> chunk(64 * 1024, 'x');
  std::int64_t written = 0;
  // Ever smaller writes take the last partial pages too.
  for (std::size_t size = chunk.size(); size > 0;) {
    const ssize_t n = write(fd, chunk.data(), size);
    if (n > 0) {
      written += n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno != ENOSPC) {
      *error = "write " + path + ": " + std::strerror(errno);
      close(fd);
      return -1;
    } else {
      size /= 2;
    }
  }
  close(fd);
  return written;
}

}  // namespace allot::testing
