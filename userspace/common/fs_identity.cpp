#include "common/fs_identity.h"

#include <grp.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace bpfpads {
namespace {

// setfsuid() returns the previous value and never fails visibly: asking again with an
// invalid id (-1) reads the current one back.
bool set_fsuid(uid_t uid) {
  setfsuid(uid);
  return static_cast<uid_t>(setfsuid(static_cast<uid_t>(-1))) == uid;
}

bool set_fsgid(gid_t gid) {
  setfsgid(gid);
  return static_cast<gid_t>(setfsgid(static_cast<gid_t>(-1))) == gid;
}

// This thread only: the system call, not glibc's process-wide wrapper.
bool set_thread_groups(const std::vector<gid_t>& groups) {
  return syscall(SYS_setgroups, groups.size(), groups.empty() ? nullptr : groups.data()) == 0;
}

std::vector<gid_t> thread_groups() {
  int n = getgroups(0, nullptr);  // a plain read of this thread's credentials
  std::vector<gid_t> groups(n > 0 ? static_cast<size_t>(n) : 0);
  if (n > 0 && getgroups(n, groups.data()) != n) groups.clear();
  return groups;
}

}  // namespace

FsIdentity FsIdentity::of_user(uid_t uid, gid_t gid, const std::string& user_name) {
  FsIdentity who{uid, gid, {gid}, user_name.empty() ? std::to_string(uid) : user_name};
  if (user_name.empty()) return who;
  int n = 64;
  std::vector<gid_t> groups(static_cast<size_t>(n));
  if (getgrouplist(user_name.c_str(), gid, groups.data(), &n) < 0 && n > 64) {
    groups.resize(static_cast<size_t>(n));
    if (getgrouplist(user_name.c_str(), gid, groups.data(), &n) < 0) return who;
  }
  if (n > 0) {
    groups.resize(static_cast<size_t>(n));
    who.groups = std::move(groups);
  }
  return who;
}

AsFsIdentity::AsFsIdentity(const std::optional<FsIdentity>& who) {
  if (!who) return;
  old_uid_ = static_cast<uid_t>(setfsuid(static_cast<uid_t>(-1)));
  old_gid_ = static_cast<gid_t>(setfsgid(static_cast<gid_t>(-1)));
  old_groups_ = thread_groups();
  active_ = true;
  // Groups and gid first: once fsuid is not 0 the thread may no longer change them.
  ok_ = set_thread_groups(who->groups) && set_fsgid(who->gid) && set_fsuid(who->uid);
}

AsFsIdentity::~AsFsIdentity() {
  if (!active_) return;
  set_fsuid(old_uid_);  // back to root first: it gives the right to restore the rest
  set_fsgid(old_gid_);
  set_thread_groups(old_groups_);
}

}  // namespace bpfpads
