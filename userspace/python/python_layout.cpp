#include "python/python_layout.h"

#include <array>

namespace bpfpads {
namespace {

constexpr int kFirstMinor = 9;  // the columns below: 3.9, 3.10, 3.11, 3.12, 3.13
constexpr size_t kVersions = 5;

struct Row {
  const char* name;
  long PythonLayout::*field;
  std::array<long, kVersions> by_minor;
};

// clang-format off
const Row kRows[] = {
    {"runtime.interpreters_head",       &PythonLayout::runtime_interpreters_head,       {  32,   32,   40,   40,  632}},
    {"runtime.gilstate_tstate_current", &PythonLayout::runtime_gilstate_tstate_current, { 568,  568,  576,   -1,   -1}},
    {"interp.modules",                  &PythonLayout::interp_modules,                  { 856,  856,  888,  944, 7656}},
    {"interp.threads_head",             &PythonLayout::interp_threads_head,             {   8,    8,   16,   72, 7344}},
    {"tstate.next",                     &PythonLayout::tstate_next,                     {   8,    8,    8,    8,    8}},
    {"tstate.native_thread_id",         &PythonLayout::tstate_native_thread_id,         {  -1,   -1,  160,  144,  160}},
    {"tstate.current_frame",            &PythonLayout::tstate_current_frame,            {  24,   24,    8,    0,   72}},
    {"tstate.cframe",                   &PythonLayout::tstate_cframe,                   {  -1,   -1,   56,   56,   -1}},
    {"frame.code",                      &PythonLayout::frame_code,                      {  32,   32,   32,    0,    0}},
    {"frame.function",                  &PythonLayout::frame_function,                  {  -1,   -1,    0,   16,   16}},
    {"frame.previous",                  &PythonLayout::frame_previous,                  {  24,   24,   48,    8,    8}},
    {"frame.localsplus",                &PythonLayout::frame_localsplus,                { 360,  352,   72,   72,   72}},
    {"frame.owner",                     &PythonLayout::frame_owner,                     {  -1,   -1,   69,   70,   70}},
    {"type.tp_name",                    &PythonLayout::type_tp_name,                    {  24,   24,   24,   24,   24}},
    {"type.tp_basicsize",               &PythonLayout::type_tp_basicsize,               {  32,   32,   32,   32,   32}},
    {"type.tp_flags",                   &PythonLayout::type_tp_flags,                   { 168,  168,  168,  168,  168}},
    {"type.tp_dict",                    &PythonLayout::type_tp_dict,                    { 264,  264,  264,  264,  264}},
    {"type.tp_dictoffset",              &PythonLayout::type_tp_dictoffset,              { 288,  288,  288,  288,  288}},
    {"type.tp_mro",                     &PythonLayout::type_tp_mro,                     { 344,  344,  344,  344,  344}},
    {"heaptype.ht_cached_keys",         &PythonLayout::heaptype_ht_cached_keys,         { 864,  872,  872,  880,  880}},
    {"dict.ma_used",                    &PythonLayout::dict_ma_used,                    {  16,   16,   16,   16,   16}},
    {"dict.ma_keys",                    &PythonLayout::dict_ma_keys,                    {  32,   32,   32,   32,   32}},
    {"dict.ma_values",                  &PythonLayout::dict_ma_values,                  {  40,   40,   40,   40,   40}},
    {"keys.dk_log2_size",               &PythonLayout::keys_dk_log2_size,               {  -1,   -1,    8,    8,    8}},
    {"keys.dk_kind",                    &PythonLayout::keys_dk_kind,                    {  -1,   -1,   10,   10,   10}},
    {"keys.dk_size",                    &PythonLayout::keys_dk_size,                    {   8,    8,   -1,   -1,   -1}},
    {"keys.dk_nentries",                &PythonLayout::keys_dk_nentries,                {  32,   32,   24,   24,   24}},
    {"keys.dk_indices",                 &PythonLayout::keys_dk_indices,                 {  40,   40,   32,   32,   32}},
    {"unicode.state",                   &PythonLayout::unicode_state,                   {  32,   32,   32,   32,   32}},
    {"unicode.length",                  &PythonLayout::unicode_length,                  {  16,   16,   16,   16,   16}},
    {"unicode.ascii_size",              &PythonLayout::unicode_ascii_size,              {  48,   48,   48,   40,   40}},
    {"unicode.compact_size",            &PythonLayout::unicode_compact_size,            {  72,   72,   72,   56,   56}},
    {"module.md_dict",                  &PythonLayout::module_md_dict,                  {  16,   16,   16,   16,   16}},
    {"func.func_code",                  &PythonLayout::func_func_code,                  {  16,   48,   48,   48,   48}},
    {"func.func_qualname",              &PythonLayout::func_func_qualname,              { 104,   40,   40,   40,   40}},
    {"func.func_closure",               &PythonLayout::func_func_closure,               {  48,   72,   72,   72,   72}},
    {"func.func_module",                &PythonLayout::func_func_module,                {  88,  104,  104,  104,  104}},
    {"cell.ob_ref",                     &PythonLayout::cell_ob_ref,                     {  16,   16,   16,   16,   16}},
    {"code.co_argcount",                &PythonLayout::code_co_argcount,                {  16,   16,   56,   52,   52}},
    {"code.co_kwonlyargcount",          &PythonLayout::code_co_kwonlyargcount,          {  24,   24,   64,   60,   60}},
    {"code.co_flags",                   &PythonLayout::code_co_flags,                   {  36,   36,   48,   48,   48}},
    {"code.co_firstlineno",             &PythonLayout::code_co_firstlineno,             {  40,   40,   72,   68,   68}},
    {"code.co_filename",                &PythonLayout::code_co_filename,                { 104,  104,  112,  112,  112}},
    {"code.co_name",                    &PythonLayout::code_co_name,                    { 112,  112,  120,  120,  120}},
    {"code.co_consts",                  &PythonLayout::code_co_consts,                  {  56,   56,   24,   24,   24}},
    {"code.co_qualname",                &PythonLayout::code_co_qualname,                {  -1,   -1,  128,  128,  128}},
    {"code.co_localsplusnames",         &PythonLayout::code_co_localsplusnames,         {  72,   72,   96,   96,   96}},
    {"code.co_cellvars",                &PythonLayout::code_co_cellvars,                {  88,   88,   -1,   -1,   -1}},
    {"code.co_freevars",                &PythonLayout::code_co_freevars,                {  80,   80,   -1,   -1,   -1}},
    {"code.co_code_adaptive",           &PythonLayout::code_co_code_adaptive,           {  -1,   -1,  184,  192,  200}},
    {"code.co_code",                    &PythonLayout::code_co_code,                    {  48,   48,   -1,   -1,   -1}},
    {"bytes.ob_sval",                   &PythonLayout::bytes_ob_sval,                   {  32,   32,   32,   32,   32}},
    {"tuple.ob_item",                   &PythonLayout::tuple_ob_item,                   {  24,   24,   24,   24,   24}},
    {"var.ob_size",                     &PythonLayout::var_ob_size,                     {  16,   16,   16,   16,   16}},
    {"float.ob_fval",                   &PythonLayout::float_ob_fval,                   {  16,   16,   16,   16,   16}},
    {"long.digits",                     &PythonLayout::long_digits,                     {  24,   24,   24,   24,   24}},
};
// clang-format on

}  // namespace

std::vector<std::pair<std::string, long>> PythonLayout::facts() const {
  std::vector<std::pair<std::string, long>> out;
  for (const Row& row : kRows) out.emplace_back(row.name, this->*row.field);
  return out;
}

std::optional<PythonLayout> python_layout(int major, int minor) {
  if (major != 3 || minor < kFirstMinor || minor >= kFirstMinor + static_cast<int>(kVersions)) return std::nullopt;
  PythonLayout l;
  l.major = major;
  l.minor = minor;
  for (const Row& row : kRows) l.*row.field = row.by_minor[static_cast<size_t>(minor - kFirstMinor)];
  return l;
}

std::string supported_python_versions() { return "3.9 to 3.13"; }

}  // namespace bpfpads
