#include "store/spool_journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "store/spool_crc32.h"

namespace bpfpads {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

std::string encode_journal_line(const nlohmann::json& record) {
  const std::string text = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  char crc[16];
  std::snprintf(crc, sizeof(crc), "%08x ", crc32(text));
  return crc + text + "\n";
}

std::optional<nlohmann::json> decode_journal_line(std::string_view line, std::string& problem) {
  if (line.size() < 10 || line[8] != ' ') {
    problem = "not a journal record";
    return std::nullopt;
  }
  uint32_t want = 0;
  for (size_t i = 0; i < 8; ++i) {
    const char c = line[i];
    const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) {
      problem = "not a journal record";
      return std::nullopt;
    }
    want = want << 4 | static_cast<uint32_t>(v);
  }
  const std::string_view text = line.substr(9);
  if (crc32(text) != want) {
    problem = "CRC mismatch";
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned() || !j.contains("t") ||
      !j["t"].is_string()) {
    problem = "record without seq or type";
    return std::nullopt;
  }
  return j;
}

JournalScan decode_journal(std::string_view text, size_t first_line) {
  JournalScan scan;
  size_t line_no = first_line;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;
    std::string problem;
    if (auto rec = decode_journal_line(text.substr(pos, nl - pos), problem))
      scan.records.push_back(std::move(*rec));
    else
      scan.problems.push_back({line_no, problem});
    pos = nl + 1;
    ++line_no;
  }
  scan.consumed = pos;
  return scan;
}

Result<JournalWriter> JournalWriter::create(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600));
  if (!fd.valid()) return make_errno_error("cannot create the spool journal", errno, path.string());
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0)
    return make_errno_error("cannot lock the spool journal", errno, path.string());
  return JournalWriter(std::move(fd), path);
}

Result<> JournalWriter::append(const std::string& line) {
  const ssize_t n = ::write(fd_.get(), line.data(), line.size());
  if (n == static_cast<ssize_t>(line.size())) {
    size_ += n;
    return {};
  }
  const int err = n < 0 ? errno : ENOSPC;
  // Never leave half a line: the next record would be glued to it and both lost.
  if (n > 0 && ::ftruncate(fd_.get(), size_) != 0) {
    // Could not cut it back: end the torn line so only this record is lost.
    if (::write(fd_.get(), "\n", 1) == 1) size_ += n + 1;
  }
  return make_errno_error("cannot append to the spool journal", err, path_.string());
}

Result<> JournalWriter::sync() {
  if (::fdatasync(fd_.get()) != 0) return make_errno_error("fdatasync failed", errno, path_.string());
  return {};
}

Result<JournalReader> JournalReader::open(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return make_errno_error("cannot open the spool journal", errno, path.string());
  return JournalReader(std::move(fd));
}

Result<JournalScan> JournalReader::read_new() {
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::pread(fd_.get(), buf, sizeof(buf), offset_);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_errno_error("cannot read the spool journal", errno);
    }
    if (n == 0) break;
    pending_.append(buf, static_cast<size_t>(n));
    offset_ += n;
  }
  JournalScan scan = decode_journal(pending_, line_no_);
  line_no_ += scan.records.size() + scan.problems.size();
  pending_.erase(0, scan.consumed);
  return scan;
}

}  // namespace bpfpads
