# Warning flags and sanitizers shared by every eichub target.
add_library(eichub_warnings INTERFACE)
target_compile_options(eichub_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough)
if(EICHUB_WERROR)
  target_compile_options(eichub_warnings INTERFACE -Werror)
endif()
if(EICHUB_SANITIZE)
  target_compile_options(eichub_warnings INTERFACE -fsanitize=${EICHUB_SANITIZE} -fno-omit-frame-pointer
                                                   -fno-sanitize-recover=all)
  target_link_options(eichub_warnings INTERFACE -fsanitize=${EICHUB_SANITIZE})
endif()
