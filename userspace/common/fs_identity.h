// The file-system identity of one thread. Under sudo, bpfpads is root next to a job
// that runs as the caller, and every place the caller can write (the working folder,
// ./mlruns, the job's output files) is one the job can change while bpfpads runs: a
// symlink placed there would lead root anywhere. Files bpfpads creates, reads or
// changes there are therefore touched as the caller: the kernel's own permission
// checks then stop what the caller could not do, and what is created is theirs from
// the start (no chown walk afterwards).
//
// Linux keeps fsuid, fsgid and the supplementary groups per thread, and the raw system
// calls change only the calling thread (glibc's setgroups() would change all of them),
// so the BPF work on other threads keeps its privileges.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace bpfpads {

struct FsIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, as initgroups() would set them
  std::string name;           // for messages

  // uid and gid with the groups the user database gives `user_name` (gid alone when the
  // name is unknown).
  static FsIdentity of_user(uid_t uid, gid_t gid, const std::string& user_name);
};

// While it lives, the calling thread opens, creates and reads files as `who`; nullopt
// changes nothing (bpfpads' own identity is the right one). Not movable: it must end
// on the thread that made it.
class AsFsIdentity {
 public:
  explicit AsFsIdentity(const std::optional<FsIdentity>& who);
  ~AsFsIdentity();
  AsFsIdentity(const AsFsIdentity&) = delete;
  AsFsIdentity& operator=(const AsFsIdentity&) = delete;

  // False when the kernel refused the switch; the thread then kept its identity and
  // the caller must not go on as if it had changed.
  bool ok() const { return ok_; }

 private:
  bool active_ = false;
  bool ok_ = true;
  uid_t old_uid_ = 0;
  gid_t old_gid_ = 0;
  std::vector<gid_t> old_groups_;
};

}  // namespace bpfpads
