#include "store/spool_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "store/spool_journal.h"

namespace bpfpads {
namespace fs = std::filesystem;

void SpoolState::note(std::string message) {
  messages.push_back(std::move(message));
  if (messages.size() > 10) messages.erase(messages.begin());
}

Result<SpoolState> load_spool_state(const fs::path& path) {
  SpoolState s;
  std::ifstream in(path);
  if (!in) return s;
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_object()) return make_error("spool state file is damaged; remove it to resend the run "
                                        "from the start (the server ignores repeated points)", path.string());
  s.server_run_id = j.value("server_run_id", "");
  s.experiment_id = j.value("experiment_id", "");
  s.artifact_uri = j.value("artifact_uri", "");
  s.next_seq = j.value("next_seq", uint64_t{0});
  s.rejected = j.value("rejected", uint64_t{0});
  s.damaged = j.value("damaged", uint64_t{0});
  s.damaged_upto_line = j.value("damaged_upto_line", uint64_t{0});
  s.missing = j.value("missing", uint64_t{0});
  s.from_memory = j.value("from_memory", uint64_t{0});
  s.run_rejected = j.value("run_rejected", false);
  s.finished = j.value("finished", false);
  s.problems_tagged = j.value("problems_tagged", true);
  s.messages = j.value("messages", std::vector<std::string>{});
  return s;
}

Result<> save_spool_state(const fs::path& path, const SpoolState& s) {
  const nlohmann::json j = {{"server_run_id", s.server_run_id}, {"experiment_id", s.experiment_id},
                            {"artifact_uri", s.artifact_uri},   {"next_seq", s.next_seq},
                            {"rejected", s.rejected},           {"damaged", s.damaged},
                            {"missing", s.missing},            {"from_memory", s.from_memory},
                            {"damaged_upto_line", s.damaged_upto_line},{"run_rejected", s.run_rejected},
                            {"finished", s.finished},           {"problems_tagged", s.problems_tagged},
                            {"messages", s.messages}};
  const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const fs::path tmp = path.string() + ".tmp";
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.valid()) return make_errno_error("cannot write the spool state", errno, tmp.string());
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd.get()) != 0)
      return make_errno_error("cannot write the spool state", errno ? errno : ENOSPC, tmp.string());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return make_errno_error("cannot replace the spool state", errno, path.string());
  UniqueFd dir(::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) (void)::fsync(dir.get());
  return {};
}

}  // namespace bpfpads
