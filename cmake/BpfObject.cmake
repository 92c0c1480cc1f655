# bpf_object(NAME SOURCE): compile a CO-RE BPF program with clang and wrap it in a
# bpftool skeleton. Creates the interface target NAME_skel that exposes NAME.skel.h.
# clang and bpftool run in sequence in one command: a skeleton generated while clang
# still writes the object silently gets a stale layout (shared/research/ebpf-lab.md).

find_program(BPF_CLANG NAMES clang clang-16 clang-15 clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

set(BPF_VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "BTF used to generate vmlinux.h")
set(BPF_GEN_DIR ${CMAKE_BINARY_DIR}/bpf-gen)
file(MAKE_DIRECTORY ${BPF_GEN_DIR})

if(NOT EXISTS ${BPF_VMLINUX_BTF})
  message(FATAL_ERROR "${BPF_VMLINUX_BTF} is missing: bpfpads needs a kernel built with "
                      "CONFIG_DEBUG_INFO_BTF=y (or set BPF_VMLINUX_BTF to a BTF file).")
endif()
add_custom_command(
  OUTPUT ${BPF_GEN_DIR}/vmlinux.h
  COMMAND ${BPFTOOL} btf dump file ${BPF_VMLINUX_BTF} format c > ${BPF_GEN_DIR}/vmlinux.h.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${BPF_GEN_DIR}/vmlinux.h.tmp ${BPF_GEN_DIR}/vmlinux.h
  COMMENT "Generating vmlinux.h from ${BPF_VMLINUX_BTF}")
add_custom_target(bpf_vmlinux_h DEPENDS ${BPF_GEN_DIR}/vmlinux.h)

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(BPF_TARGET_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(BPF_TARGET_ARCH arm64)
else()
  set(BPF_TARGET_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()

# bpf_object(NAME SOURCE...): each source is compiled on its own, then
# `bpftool gen object` links them into NAME.bpf.o (maps declared __weak in a shared
# header become one map), and the skeleton NAME.skel.h is generated from that.
function(bpf_object NAME)
  set(obj ${BPF_GEN_DIR}/${NAME}.bpf.o)
  set(skel ${BPF_GEN_DIR}/${NAME}.skel.h)
  file(GLOB bpf_headers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bpf/*.h)
  set(parts)
  foreach(src ${ARGN})
    get_filename_component(stem ${src} NAME_WE)
    set(part ${BPF_GEN_DIR}/${NAME}.${stem}.o)
    add_custom_command(
      OUTPUT ${part}
      COMMAND ${BPF_CLANG} -O2 -g -target bpf -D__TARGET_ARCH_${BPF_TARGET_ARCH}
              -I${BPF_GEN_DIR} -I${CMAKE_SOURCE_DIR}/bpf
              -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}
              -Wall -Werror -Wno-unused-function
              -c ${CMAKE_CURRENT_SOURCE_DIR}/${src} -o ${part}
      DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${src} ${bpf_headers} ${BPF_GEN_DIR}/vmlinux.h
      COMMENT "BPF ${NAME}: clang ${src}")
    list(APPEND parts ${part})
  endforeach()
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen object ${obj} ${parts}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${NAME} > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${parts}
    COMMENT "BPF ${NAME}: bpftool gen object + gen skeleton")
  add_custom_target(${NAME}_skel_gen DEPENDS ${skel})
  add_library(${NAME}_skel INTERFACE)
  add_dependencies(${NAME}_skel ${NAME}_skel_gen)
  target_include_directories(${NAME}_skel INTERFACE ${BPF_GEN_DIR} ${CMAKE_SOURCE_DIR}/bpf)
endfunction()
