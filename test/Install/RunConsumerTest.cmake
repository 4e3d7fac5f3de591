#===- RunConsumerTest.cmake - driver of the ctest install-consumer --------===#
#
# cmake -DATTN_BINARY_DIR=... -DCONSUMER_SOURCE_DIR=... -DWORK_DIR=...
#       -DGENERATOR=... [-DMAKE_PROGRAM=...] [-DCXX_COMPILER=...]
#       [-DCXX_COMPILER_LAUNCHER=...] [-DBUILD_TYPE=...]
#       -P RunConsumerTest.cmake
#
#   1. installs the build tree ATTN_BINARY_DIR into WORK_DIR/prefix (removed
#      first, so nothing is left from an earlier run);
#   2. runs the installed tools (`--help`), which must find libMLIR.so
#      through their install RPATH;
#   3. configures CONSUMER_SOURCE_DIR in WORK_DIR/build with only
#      -DAttnMLIR_DIR=WORK_DIR/prefix/lib/cmake/AttnMLIR, builds it, and
#      runs the program it builds.
#
#===------------------------------------------------------------------------===#

foreach(var ATTN_BINARY_DIR CONSUMER_SOURCE_DIR WORK_DIR GENERATOR)
  if(NOT ${var})
    message(FATAL_ERROR "RunConsumerTest.cmake: -D${var}=... is required")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/build)

# Runs a command; stops the test with `step` named when it fails.
function(run step)
  message(STATUS "[install-consumer] ${step}: ${ARGN}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "[install-consumer] ${step} failed (${rc}):\n${out}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})

run(install ${CMAKE_COMMAND} --install ${ATTN_BINARY_DIR} --prefix ${prefix})
foreach(file
    lib/cmake/AttnMLIR/AttnMLIRConfig.cmake
    lib/cmake/AttnMLIR/AttnMLIRConfigVersion.cmake
    lib/cmake/AttnMLIR/AttnMLIRTargets.cmake
    include/attn/Dialect/Attn/IR/AttnOps.h
    include/attn/Dialect/Attn/IR/AttnOps.h.inc
    include/attn/Dialect/Attn/IR/AttnOps.td
    include/attn/Runtime/ElementTypes.def)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "[install-consumer] not installed: ${file}")
  endif()
endforeach()

foreach(tool attn-compile attn-run)
  run(${tool} ${prefix}/bin/${tool} --help)
endforeach()
run(attn-opt ${prefix}/bin/attn-opt --help)
if(NOT run_output MATCHES "attn-cpu-pipeline")
  message(FATAL_ERROR "[install-consumer] the installed attn-opt --help "
                      "does not list --attn-cpu-pipeline")
endif()

set(configure_args -G ${GENERATOR} -S ${CONSUMER_SOURCE_DIR} -B ${build}
    -DAttnMLIR_DIR=${prefix}/lib/cmake/AttnMLIR)
if(MAKE_PROGRAM)
  list(APPEND configure_args -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
endif()
if(CXX_COMPILER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
endif()
if(CXX_COMPILER_LAUNCHER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_COMPILER_LAUNCHER})
endif()
if(BUILD_TYPE)
  list(APPEND configure_args -DCMAKE_BUILD_TYPE=${BUILD_TYPE})
endif()
# A sanitized build's libraries need the sanitizer runtimes in the consumer.
if(SANITIZE)
  list(APPEND configure_args "-DCMAKE_CXX_FLAGS=-fsanitize=${SANITIZE}"
       "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE}")
endif()
run(configure ${CMAKE_COMMAND} ${configure_args})
run(build ${CMAKE_COMMAND} --build ${build})
run(run ${build}/attn-consumer)
message(STATUS "[install-consumer] ${run_output}")
