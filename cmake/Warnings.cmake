# Warning flags and sanitizers shared by every eichub target.
add_library(eichub_warnings INTERFACE)
target_compile_options(eichub_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough)
# clang checks the thread-safety annotations (federation/common/thread_annotations.h): guarded
# state touched without its Mutex held is an error with EICHUB_WERROR. GCC has no such check.
target_compile_options(eichub_warnings INTERFACE $<$<CXX_COMPILER_ID:Clang>:-Wthread-safety>)
if(EICHUB_WERROR)
  target_compile_options(eichub_warnings INTERFACE -Werror)
endif()
# GCC 12 at -O3 (Release) reports out-of-bounds and overlapping copies inside libstdc++ that
# cannot happen, wherever it inlines a short string or byte vector copy ("w" + std::to_string(i),
# vector::insert of a span, a std::map<Bytes> compare): GCC bugs 105329, 105651 and the -O3
# middle-end family of meta-bug 56456, fixed in GCC 13. Off for that build only; RelWithDebInfo
# (-O2, the default and ops/build's) and clang keep these warnings as errors.
set(gcc12_release
    $<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>,$<CONFIG:Release>>)
target_compile_options(eichub_warnings INTERFACE
  "$<${gcc12_release}:-Wno-restrict;-Wno-array-bounds;-Wno-stringop-overread;-Wno-stringop-overflow>")
if(EICHUB_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "EICHUB_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  if(EICHUB_SANITIZE AND NOT EICHUB_SANITIZE STREQUAL "address,undefined")
    message(FATAL_ERROR "EICHUB_FUZZ runs under address,undefined only")
  endif()
  set(EICHUB_SANITIZE "address,undefined")
  # Coverage feedback for every eichub target; only the fuzz binaries link libFuzzer's main.
  target_compile_options(eichub_warnings INTERFACE -fsanitize=fuzzer-no-link)
endif()
if(EICHUB_SANITIZE)
  target_compile_options(eichub_warnings INTERFACE -fsanitize=${EICHUB_SANITIZE} -fno-omit-frame-pointer
                                                   -fno-sanitize-recover=all)
  target_link_options(eichub_warnings INTERFACE -fsanitize=${EICHUB_SANITIZE})
endif()
