#include "run/file_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <string>

namespace bpfpads {

std::optional<FileTail> FileTail::watch(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  // /proc/self/fd reopens the very file, even one deleted since it was opened.
  Fd reader(open(("/proc/self/fd/" + std::to_string(fd)).c_str(), O_RDONLY | O_CLOEXEC));
  if (!reader.valid()) return std::nullopt;
  FileTail t;
  t.fd_ = fd;
  t.reader_ = std::move(reader);
  t.dev_ = st.st_dev;
  t.ino_ = st.st_ino;
  t.mark_start();
  return t;
}

void FileTail::mark_start() {
  struct stat st {};
  int flags = fcntl(fd_, F_GETFL);
  off_t pos = flags >= 0 && !(flags & O_APPEND) ? lseek(fd_, 0, SEEK_CUR) : -1;
  // Appending writes go to the end, wherever our offset is.
  start_ = pos >= 0 ? pos : (fstat(reader_.get(), &st) == 0 ? st.st_size : 0);
}

Result<> FileTail::read_into(OutputTail& tail, size_t max_bytes) const {
  struct stat st {};
  if (fstat(reader_.get(), &st) != 0) return make_errno_error("fstat of the job's output file", errno, "output tail");
  off_t start = st.st_size < start_ ? 0 : start_;
  off_t from = std::max(start, st.st_size - static_cast<off_t>(max_bytes));
  std::string bytes(static_cast<size_t>(st.st_size - from), '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = pread(reader_.get(), bytes.data() + got, bytes.size() - got, from + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_errno_error("reading the job's output file", errno, "output tail");
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  bytes.resize(got);
  tail.append(bytes, from > start);
  return {};
}

bool is_dev_null(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

}  // namespace bpfpads
