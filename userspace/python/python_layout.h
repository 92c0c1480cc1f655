// Where CPython keeps what bpfpads reads from outside, per minor version (x86-64,
// default build: not free-threaded, no debug build). Produced by compiling
// tools/python_offsets/dump_offsets.c against each version's own headers;
// tests/unit/python_layout_test.cpp compiles it again for every interpreter on the
// machine and compares. -1: the field does not exist in that version.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bpfpads {

struct PythonLayout {
  int major = 3;
  int minor = 0;
  long runtime_interpreters_head = -1;
  long runtime_gilstate_tstate_current = -1;
  long interp_modules = -1;
  long interp_threads_head = -1;
  long tstate_next = -1;
  long tstate_native_thread_id = -1;
  long tstate_current_frame = -1;
  long tstate_cframe = -1;
  long frame_code = -1;
  long frame_function = -1;  // the frame's function object (3.11+; older frames have none)
  long frame_previous = -1;
  long frame_localsplus = -1;
  long frame_owner = -1;
  long type_tp_name = -1;
  long type_tp_basicsize = -1;
  long type_tp_flags = -1;
  long type_tp_dict = -1;
  long type_tp_dictoffset = -1;
  long type_tp_mro = -1;
  long heaptype_ht_cached_keys = -1;
  long dict_ma_used = -1;
  long dict_ma_keys = -1;
  long dict_ma_values = -1;
  long keys_dk_log2_size = -1;
  long keys_dk_kind = -1;
  long keys_dk_size = -1;
  long keys_dk_nentries = -1;
  long keys_dk_indices = -1;
  long unicode_state = -1;
  long unicode_length = -1;
  long unicode_ascii_size = -1;
  long unicode_compact_size = -1;
  long module_md_dict = -1;
  long func_func_code = -1;
  long func_func_qualname = -1;
  long func_func_closure = -1;
  long func_func_module = -1;
  long cell_ob_ref = -1;
  long code_co_argcount = -1;
  long code_co_kwonlyargcount = -1;
  long code_co_flags = -1;
  long code_co_firstlineno = -1;
  long code_co_filename = -1;
  long code_co_name = -1;
  long code_co_consts = -1;
  long code_co_qualname = -1;
  long code_co_localsplusnames = -1;  // co_varnames before 3.11
  long code_co_cellvars = -1;  // before 3.11: with co_freevars, after co_varnames in the frame
  long code_co_freevars = -1;
  long code_co_code_adaptive = -1;
  long code_co_code = -1;
  long bytes_ob_sval = -1;
  long tuple_ob_item = -1;
  long var_ob_size = -1;
  long float_ob_fval = -1;
  long long_digits = -1;

  // Every field as "group.name" with its value, in the dump tool's order and spelling.
  std::vector<std::pair<std::string, long>> facts() const;
};

// The layout of CPython major.minor, or nullopt for a version bpfpads cannot read.
std::optional<PythonLayout> python_layout(int major, int minor);

// "3.9, 3.10, ...": the versions that python_layout() knows.
std::string supported_python_versions();

}  // namespace bpfpads
