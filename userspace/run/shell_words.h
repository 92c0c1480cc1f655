#pragma once
#include <string>
#include <vector>
namespace bpfpads {
// Quotes a word for a POSIX shell only when it needs it: "a b" -> 'a b'.
std::string shell_quote(const std::string& word);
// argv as one command line a user could paste into a shell.
std::string join_shell_words(const std::vector<std::string>& argv);
}  // namespace bpfpads
