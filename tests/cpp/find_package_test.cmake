# Run with cmake -P: install the wirtinger build at WIRTINGER_BINARY_DIR into a
# scratch prefix, then configure, build and run the consumer project against
# that prefix alone, as a user of `find_package(wirtinger)` would.
foreach(_var WIRTINGER_BINARY_DIR CONSUMER_SOURCE_DIR WORK_DIR CMAKE_CXX_COMPILER GENERATOR)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "find_package_test.cmake needs -D${_var}=...")
  endif()
endforeach()

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${_rc}):\n${_out}\n${_err}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(_prefix "${WORK_DIR}/prefix")
run_step("cmake --install" ${CMAKE_COMMAND} --install "${WIRTINGER_BINARY_DIR}" --prefix "${_prefix}")
run_step("configuring the consumer" ${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${WORK_DIR}/build"
  -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release
  "-DCMAKE_PREFIX_PATH=${_prefix}")
# Found in the scratch prefix, not in some other installation.
file(STRINGS "${WORK_DIR}/build/CMakeCache.txt" _found REGEX "^wirtinger_DIR:")
string(FIND "${_found}" "${_prefix}/" _at)
if(NOT _at GREATER -1)
  message(FATAL_ERROR "the consumer found wirtinger outside ${_prefix}: ${_found}")
endif()
run_step("building the consumer" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")
find_program(_consumer NAMES consumer PATHS "${WORK_DIR}/build" "${WORK_DIR}/build/Release" NO_DEFAULT_PATH)
if(NOT _consumer)
  message(FATAL_ERROR "the consumer executable was not built")
endif()
run_step("running the consumer" "${_consumer}")
message(STATUS "find_package(wirtinger) from ${_prefix}: ok")
