# Warning flags and sanitizers shared by every eichub target.
add_library(eichub_warnings INTERFACE)
target_compile_options(eichub_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough)
if(EICHUB_WERROR)
  target_compile_options(eichub_warnings INTERFACE -Werror)
endif()
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
