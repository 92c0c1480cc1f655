#include "run/guard_channel.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bpfpads::guard_channel {
namespace {

bool read_exactly(int fd, char* out, size_t n, Fd* passed) {
  size_t got = 0;
  while (got < n) {
    iovec iov{out + got, n - got};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t r = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      int fd_in = -1;
      std::memcpy(&fd_in, CMSG_DATA(c), sizeof(int));
      if (passed) passed->reset(fd_in);
      else close(fd_in);
    }
    got += static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

bool send_message(int socket, char type, const std::string& payload, int pass_fd) {
  std::string frame(1, type);
  uint32_t len = static_cast<uint32_t>(payload.size());
  frame.append(reinterpret_cast<const char*>(&len), sizeof(len));
  frame += payload;
  size_t sent = 0;
  bool fd_sent = pass_fd < 0;
  while (sent < frame.size()) {
    iovec iov{frame.data() + sent, frame.size() - sent};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (!fd_sent) {
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    }
    ssize_t r = sendmsg(socket, &msg, MSG_NOSIGNAL);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    fd_sent = true;
    sent += static_cast<size_t>(r);
  }
  return true;
}

std::optional<Message> receive_message(int socket) {
  Message m;
  char header[1 + sizeof(uint32_t)];
  if (!read_exactly(socket, header, sizeof(header), &m.passed)) return std::nullopt;
  m.type = header[0];
  uint32_t len = 0;
  std::memcpy(&len, header + 1, sizeof(len));
  if (len > (1u << 20)) return std::nullopt;  // nobody but us writes here: a broken stream
  m.payload.resize(len);
  if (len && !read_exactly(socket, m.payload.data(), len, nullptr)) return std::nullopt;
  return m;
}

std::string encode_int(int32_t value) { return std::string(reinterpret_cast<const char*>(&value), sizeof(value)); }

int32_t decode_int(const std::string& payload) {
  int32_t v = 0;
  if (payload.size() == sizeof(v)) std::memcpy(&v, payload.data(), sizeof(v));
  return v;
}

}  // namespace bpfpads::guard_channel
