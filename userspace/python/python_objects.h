// Reads CPython objects in another process: type names, str, dicts, attributes of
// modules and classes. Every read is bounded (a string, a dict, an MRO) and returns an
// error for memory that is not what it claims to be: the target keeps running while
// we read, and an object may change or be freed under us.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "python/python_layout.h"
#include "python/remote_memory.h"

namespace bpfpads {

struct PyDictEntry {
  uint64_t key = 0;
  uint64_t value = 0;
};

class PythonObjects {
 public:
  PythonObjects(const RemoteMemory& memory, const PythonLayout& layout) : mem_(memory), layout_(layout) {}

  const RemoteMemory& memory() const { return mem_; }
  const PythonLayout& layout() const { return layout_; }

  Result<uint64_t> type_of(uint64_t object) const;
  // tp_name of the object's type: "dict", "function", "sklearn.tree._classes.X" for C types.
  Result<std::string> type_name(uint64_t object) const;
  // tp_name of a type object.
  Result<std::string> name_of_type(uint64_t type) const;
  // A str object as UTF-8, at most `max_chars` characters (more is an error).
  Result<std::string> str(uint64_t object, size_t max_chars = 4096) const;
  // The live entries of a dict, in insertion order, at most `max_entries`.
  Result<std::vector<PyDictEntry>> dict_entries(uint64_t dict, size_t max_entries = 1 << 20) const;
  // The key objects of a keys table by entry index (a class's cached keys, shared by
  // its instances' split values); null where an entry is empty.
  Result<std::vector<uint64_t>> keys_by_index(uint64_t keys, size_t max_entries = 4096) const;
  // The value under a str key, nullopt when absent.
  Result<std::optional<uint64_t>> dict_get(uint64_t dict, const std::string& key) const;

  // `name` on a module (its dict), a class (its dict, then along its MRO) or a
  // function; nullopt when it has none.
  Result<std::optional<uint64_t>> attribute(uint64_t object, const std::string& name) const;

 private:
  const RemoteMemory& mem_;
  const PythonLayout& layout_;
  mutable uint64_t str_type_ = 0;  // the address of `str`, once a key showed it
};

}  // namespace bpfpads
