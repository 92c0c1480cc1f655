// The guard's socket protocol: a message is a type byte, a 32-bit length and that many
// bytes, optionally with one descriptor passed beside it (SCM_RIGHTS).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kernel/bpf_handles.h"

namespace bpfpads::guard_channel {

// bpfpads -> guard
inline constexpr char kWatchTracked = 'M';  // descriptor: the tracked-process map
inline constexpr char kSpawnJob = 'S';
inline constexpr char kReleaseJob = 'R';
inline constexpr char kRunCreated = 'U';    // payload: the run id
inline constexpr char kRunFinished = 'F';
// guard -> bpfpads
inline constexpr char kJobPid = 'P';        // payload: int32 PID, or -errno of a failed fork
inline constexpr char kJobExecd = 'X';      // payload: int32 errno of a failed exec, or 0
inline constexpr char kJobEnded = 'W';      // payload: int32 wait(2) status

struct Message {
  char type = 0;
  std::string payload;
  Fd passed;  // the descriptor that came with it, if any
};

// Whole message or false (the peer is gone, or the socket failed).
bool send_message(int socket, char type, const std::string& payload = {}, int pass_fd = -1);
// Blocks for one whole message; nullopt at end of file or on an error.
std::optional<Message> receive_message(int socket);

std::string encode_int(int32_t value);
int32_t decode_int(const std::string& payload);

}  // namespace bpfpads::guard_channel
