#===- AddAttn.cmake - thin wrappers over AddMLIR ----------------------------===#
#
# As CIRCT does: each library is recorded in a project-wide list so that tools
# link exactly our libraries (never GLOBAL PROPERTY MLIR_DIALECT_LIBS, which
# against an installed MLIR names every upstream dialect).
#
# Upstream MLIR libraries named in LINK_LIBS are routed through
# mlir_target_link_libraries, so that with MLIR_LINK_MLIR_DYLIB they resolve to
# the one libMLIR.so (static copies next to it would register dialects twice).
# LINK_LIBS must come last in the argument list.
#
#===------------------------------------------------------------------------===#

function(_attn_add_library kind name)
  cmake_parse_arguments(ARG "" "" "LINK_LIBS" ${ARGN})
  set(own_libs)
  set(mlir_libs)
  foreach(lib ${ARG_LINK_LIBS})
    if(lib STREQUAL "PUBLIC" OR lib STREQUAL "PRIVATE")
      continue()
    endif()
    if(lib MATCHES "^MLIR" AND NOT lib MATCHES "^MLIRAttn")
      list(APPEND mlir_libs ${lib})
    else()
      list(APPEND own_libs ${lib})
    endif()
  endforeach()
  if(kind STREQUAL "dialect")
    add_mlir_dialect_library(${name} ${ARG_UNPARSED_ARGUMENTS}
                             LINK_LIBS PUBLIC ${own_libs})
  elseif(kind STREQUAL "conversion")
    add_mlir_conversion_library(${name} ${ARG_UNPARSED_ARGUMENTS}
                                LINK_LIBS PUBLIC ${own_libs})
  else()
    add_mlir_library(${name} ${ARG_UNPARSED_ARGUMENTS}
                     LINK_LIBS PUBLIC ${own_libs})
  endif()
  if(mlir_libs)
    mlir_target_link_libraries(${name} PUBLIC ${mlir_libs})
  endif()
endfunction()

# A dialect-level library (IR, Transforms); recorded in ATTN_DIALECT_LIBS.
function(add_attn_dialect_library name)
  set_property(GLOBAL APPEND PROPERTY ATTN_DIALECT_LIBS ${name})
  _attn_add_library(dialect ${ARGV})
endfunction()

# A conversion library; recorded in ATTN_CONVERSION_LIBS.
function(add_attn_conversion_library name)
  set_property(GLOBAL APPEND PROPERTY ATTN_CONVERSION_LIBS ${name})
  _attn_add_library(conversion ${ARGV})
endfunction()

# Any other library (pipelines, runtime, reference); recorded in ATTN_LIBS.
function(add_attn_library name)
  set_property(GLOBAL APPEND PROPERTY ATTN_LIBS ${name})
  _attn_add_library(other ${ARGV})
endfunction()
