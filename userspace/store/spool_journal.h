// The spool journal: one append-only file per run, one record per line:
//   <crc32 of the JSON, 8 lowercase hex> <JSON object with "seq" and "t">\n
//
// Why a line-per-record file and not SQLite: appends are one write(2) each (the collector
// never waits on a lock or a transaction), a crash can only tear the last line, and a
// damaged line is skipped on its own: the CRC finds it, the newline resynchronises, and
// the records before and after it still ship. `seq` numbers every record the writer
// meant to store, so a record that never reached the disk (ENOSPC) shows up as a gap.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace bpfpads {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  ~UniqueFd();
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

std::string encode_journal_line(const nlohmann::json& record);

// nullopt and a reason when the line is damaged (bad CRC, not JSON, no seq/t).
std::optional<nlohmann::json> decode_journal_line(std::string_view line, std::string& problem);

struct JournalProblem {
  size_t line = 0;   // 1-based line number in the journal
  std::string what;  // "CRC mismatch"
};

struct JournalScan {
  std::vector<nlohmann::json> records;
  std::vector<JournalProblem> problems;  // one per damaged line
  size_t consumed = 0;                   // bytes of complete lines read
};

// Complete lines of `text`; a last line without its newline is left unconsumed (a writer
// may be in the middle of it). Line numbers in problems start at `first_line`.
JournalScan decode_journal(std::string_view text, size_t first_line = 1);

// The writer's end: O_APPEND, and an exclusive flock held for the writer's lifetime so
// `bpfpads sync` leaves a live run's journal alone.
class JournalWriter {
 public:
  static Result<JournalWriter> create(const std::filesystem::path& path);
  // The whole line or nothing: on a failed or short write the file is cut back.
  Result<> append(const std::string& line);
  Result<> sync();  // fdatasync: called in batches by the sender, never per record
  const std::filesystem::path& path() const { return path_; }

 private:
  JournalWriter(UniqueFd fd, std::filesystem::path path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::filesystem::path path_;
  off_t size_ = 0;
};

// Reads what was appended since the last call.
class JournalReader {
 public:
  static Result<JournalReader> open(const std::filesystem::path& path);
  Result<JournalScan> read_new();
  // Bytes after the last newline (a torn final record once the writer is gone).
  size_t pending_bytes() const { return pending_.size(); }
  int fd() const { return fd_.get(); }

 private:
  explicit JournalReader(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
  off_t offset_ = 0;
  size_t line_no_ = 1;
  std::string pending_;
};

}  // namespace bpfpads
