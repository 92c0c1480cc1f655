/* Prints the CPython layout facts that userspace/python/python_offsets.cpp ships, for
 * the interpreter whose headers it is compiled against:
 *   cc -DPy_BUILD_CORE -I<prefix>/include/python3.X -I<prefix>/include/python3.X/internal \
 *      dump_offsets.c -o dump && ./dump
 * tests/unit/python_offsets_test.cpp compiles it for every interpreter found on the
 * machine and compares its output with the shipped table. */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <stddef.h>
#include <stdio.h>
#include "internal/pycore_runtime.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_pystate.h"
#if PY_VERSION_HEX >= 0x030B0000
#include "internal/pycore_frame.h"
#include "internal/pycore_dict.h"
#include "internal/pycore_code.h"
#else
#include "frameobject.h"
/* Objects/dict-common.h, not installed before 3.11: the same layout in 3.9 and 3.10. */
struct _dictkeysobject {
	Py_ssize_t dk_refcnt;
	Py_ssize_t dk_size;
	void *dk_lookup;
	Py_ssize_t dk_usable;
	Py_ssize_t dk_nentries;
	char dk_indices[];
};
#endif
#if PY_VERSION_HEX >= 0x030C0000
#include "internal/pycore_moduleobject.h"
#else
/* Objects/moduleobject.c keeps it private before 3.12: the head, then md_dict. */
typedef struct { PyObject_HEAD PyObject *md_dict; } PyModuleObject;
#endif

/* The bytecode facts: which opcodes return, and how many inline cache units follow
 * each opcode (3.11+), as the specialised forms keep their base opcode's caches. */
#if PY_VERSION_HEX >= 0x030D0000
#define NEED_OPCODE_METADATA
#include "internal/pycore_opcode_metadata.h"
#elif PY_VERSION_HEX >= 0x030B0000
#define NEED_OPCODE_TABLES
#include "internal/pycore_opcode.h"
#else
#include "opcode.h"
#endif

#define P(name, value) printf("%s=%ld\n", name, (long)(value))

int main(void)
{
	printf("version=%d.%d\n", PY_MAJOR_VERSION, PY_MINOR_VERSION);
	P("runtime.interpreters_head", offsetof(_PyRuntimeState, interpreters.head));
#if PY_VERSION_HEX < 0x030C0000
	P("runtime.gilstate_tstate_current", offsetof(_PyRuntimeState, gilstate.tstate_current));
#else
	P("runtime.gilstate_tstate_current", -1);
#endif
#if PY_VERSION_HEX >= 0x030C0000
	P("interp.modules", offsetof(PyInterpreterState, imports.modules));
#else
	P("interp.modules", offsetof(PyInterpreterState, modules));
#endif
#if PY_VERSION_HEX >= 0x030B0000
	P("interp.threads_head", offsetof(PyInterpreterState, threads.head));
#else
	P("interp.threads_head", offsetof(PyInterpreterState, tstate_head));
#endif
	P("tstate.next", offsetof(PyThreadState, next));
#if PY_VERSION_HEX >= 0x030B0000
	P("tstate.native_thread_id", offsetof(PyThreadState, native_thread_id));
#else
	P("tstate.native_thread_id", -1);
#endif
#if PY_VERSION_HEX >= 0x030D0000
	P("tstate.current_frame", offsetof(PyThreadState, current_frame));
	P("tstate.cframe", -1);
#elif PY_VERSION_HEX >= 0x030B0000
	P("tstate.current_frame", offsetof(_PyCFrame, current_frame));
	P("tstate.cframe", offsetof(PyThreadState, cframe));
#else
	P("tstate.current_frame", offsetof(PyThreadState, frame));
	P("tstate.cframe", -1);
#endif
#if PY_VERSION_HEX >= 0x030D0000
	P("frame.code", offsetof(_PyInterpreterFrame, f_executable));
#elif PY_VERSION_HEX >= 0x030B0000
	P("frame.code", offsetof(_PyInterpreterFrame, f_code));
#else
	P("frame.code", offsetof(PyFrameObject, f_code));
#endif
#if PY_VERSION_HEX >= 0x030C0000
	P("frame.function", offsetof(_PyInterpreterFrame, f_funcobj));
#elif PY_VERSION_HEX >= 0x030B0000
	P("frame.function", offsetof(_PyInterpreterFrame, f_func));
#else
	P("frame.function", -1);
#endif
#if PY_VERSION_HEX >= 0x030B0000
	P("frame.previous", offsetof(_PyInterpreterFrame, previous));
	P("frame.localsplus", offsetof(_PyInterpreterFrame, localsplus));
	P("frame.owner", offsetof(_PyInterpreterFrame, owner));
#else
	P("frame.previous", offsetof(PyFrameObject, f_back));
	P("frame.localsplus", offsetof(PyFrameObject, f_localsplus));
	P("frame.owner", -1);
#endif
	P("type.tp_name", offsetof(PyTypeObject, tp_name));
	P("type.tp_basicsize", offsetof(PyTypeObject, tp_basicsize));
	P("type.tp_flags", offsetof(PyTypeObject, tp_flags));
	P("type.tp_dict", offsetof(PyTypeObject, tp_dict));
	P("type.tp_dictoffset", offsetof(PyTypeObject, tp_dictoffset));
	P("type.tp_mro", offsetof(PyTypeObject, tp_mro));
	P("heaptype.ht_cached_keys", offsetof(PyHeapTypeObject, ht_cached_keys));
	P("dict.ma_used", offsetof(PyDictObject, ma_used));
	P("dict.ma_keys", offsetof(PyDictObject, ma_keys));
	P("dict.ma_values", offsetof(PyDictObject, ma_values));
#if PY_VERSION_HEX >= 0x030B0000
	P("keys.dk_log2_size", offsetof(PyDictKeysObject, dk_log2_size));
	P("keys.dk_kind", offsetof(PyDictKeysObject, dk_kind));
	P("keys.dk_size", -1);
#else
	P("keys.dk_log2_size", -1);
	P("keys.dk_kind", -1);
	P("keys.dk_size", offsetof(PyDictKeysObject, dk_size));
#endif
	P("keys.dk_nentries", offsetof(PyDictKeysObject, dk_nentries));
	P("keys.dk_indices", offsetof(PyDictKeysObject, dk_indices));
	P("unicode.state", offsetof(PyASCIIObject, state));
	P("unicode.length", offsetof(PyASCIIObject, length));
	P("unicode.ascii_size", sizeof(PyASCIIObject));
	P("unicode.compact_size", sizeof(PyCompactUnicodeObject));
	P("module.md_dict", offsetof(PyModuleObject, md_dict));
	P("func.func_code", offsetof(PyFunctionObject, func_code));
	P("func.func_qualname", offsetof(PyFunctionObject, func_qualname));
	P("func.func_closure", offsetof(PyFunctionObject, func_closure));
	P("func.func_module", offsetof(PyFunctionObject, func_module));
	P("cell.ob_ref", offsetof(PyCellObject, ob_ref));
	P("code.co_argcount", offsetof(PyCodeObject, co_argcount));
	P("code.co_kwonlyargcount", offsetof(PyCodeObject, co_kwonlyargcount));
	P("code.co_flags", offsetof(PyCodeObject, co_flags));
	P("code.co_firstlineno", offsetof(PyCodeObject, co_firstlineno));
	P("code.co_filename", offsetof(PyCodeObject, co_filename));
	P("code.co_name", offsetof(PyCodeObject, co_name));
	P("code.co_consts", offsetof(PyCodeObject, co_consts));
#if PY_VERSION_HEX >= 0x030B0000
	P("code.co_qualname", offsetof(PyCodeObject, co_qualname));
	P("code.co_localsplusnames", offsetof(PyCodeObject, co_localsplusnames));
	P("code.co_cellvars", -1);
	P("code.co_freevars", -1);
	P("code.co_code_adaptive", offsetof(PyCodeObject, co_code_adaptive));
	P("code.co_code", -1);
#else
	P("code.co_qualname", -1);
	P("code.co_localsplusnames", offsetof(PyCodeObject, co_varnames));
	P("code.co_cellvars", offsetof(PyCodeObject, co_cellvars));
	P("code.co_freevars", offsetof(PyCodeObject, co_freevars));
	P("code.co_code_adaptive", -1);
	P("code.co_code", offsetof(PyCodeObject, co_code));
#endif
	P("bytes.ob_sval", offsetof(PyBytesObject, ob_sval));
	P("tuple.ob_item", offsetof(PyTupleObject, ob_item));
	P("var.ob_size", offsetof(PyVarObject, ob_size));
	P("float.ob_fval", offsetof(PyFloatObject, ob_fval));
#if PY_VERSION_HEX >= 0x030C0000
	P("long.digits", offsetof(PyLongObject, long_value.ob_digit));
#else
	P("long.digits", offsetof(PyLongObject, ob_digit));
#endif
	P("opcode.return_value", RETURN_VALUE);
#ifdef RETURN_CONST
	P("opcode.return_const", RETURN_CONST);
#else
	P("opcode.return_const", -1);
#endif
	P("opcode.load_const", LOAD_CONST);
	printf("opcode.caches=");
#if PY_VERSION_HEX >= 0x030B0000
	for (int op = 0, first = 1; op < 256; op++) {
		int n = _PyOpcode_Caches[_PyOpcode_Deopt[op]];
		if (n) {
			printf("%s%d:%d", first ? "" : " ", op, n);
			first = 0;
		}
	}
#endif
	printf("\n");
	return 0;
}
