#===- CopyGeneratedDocs.cmake - refresh docs/Dialects -----------------------===#
#
# Run by the `attn-doc` target in script mode:
#   cmake -DGENERATED_DIR=<build>/docs -DDEST_DIR=<src>/docs/Dialects -P ...
# Copies every generated *.md under GENERATED_DIR (flattened) into DEST_DIR,
# rewriting a file only when its content changed.
#
#===------------------------------------------------------------------------===#

if(NOT GENERATED_DIR OR NOT DEST_DIR)
  message(FATAL_ERROR "usage: cmake -DGENERATED_DIR=... -DDEST_DIR=... -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

file(GLOB_RECURSE pages LIST_DIRECTORIES false "${GENERATED_DIR}/*.md")
if(NOT pages)
  message(FATAL_ERROR "no generated documentation under ${GENERATED_DIR}; build `mlir-doc` first")
endif()
file(MAKE_DIRECTORY "${DEST_DIR}")
foreach(page IN LISTS pages)
  get_filename_component(name "${page}" NAME)
  # configure_file with COPYONLY leaves an identical destination untouched.
  configure_file("${page}" "${DEST_DIR}/${name}" COPYONLY)
endforeach()
