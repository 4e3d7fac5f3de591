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
# Installation (docs/Install.md): every library made here is installed into
# the export set AttnMLIRTargets rather than MLIR's MLIRTargets (as CIRCT
# does), and cmake/CMakeLists.txt writes that set out as the CMake package
# AttnMLIR, with the targets as AttnMLIR::<name>.
#
#===------------------------------------------------------------------------===#

# Where `cmake --install` puts things, relative to the prefix; the layout
# of an LLVM install.
set(ATTN_INSTALL_BINDIR bin)
set(ATTN_INSTALL_LIBDIR lib${LLVM_LIBDIR_SUFFIX})
set(ATTN_INSTALL_INCLUDEDIR include)
set(ATTN_INSTALL_PACKAGEDIR ${ATTN_INSTALL_LIBDIR}/cmake/AttnMLIR)

# Installs library `name` into the AttnMLIRTargets export set and records it
# in ATTN_EXPORTED_LIBS. The installed headers' directory and C++17 become
# part of its interface, so that linking AttnMLIR::<name> is enough to
# include attn/... headers (AttnMLIRConfig.cmake adds MLIR's and LLVM's
# include directories).
function(attn_install_library name)
  target_compile_features(${name} INTERFACE cxx_std_17)
  install(TARGETS ${name}
    EXPORT AttnMLIRTargets
    ARCHIVE DESTINATION ${ATTN_INSTALL_LIBDIR} COMPONENT attn-libraries
    LIBRARY DESTINATION ${ATTN_INSTALL_LIBDIR} COMPONENT attn-libraries
    RUNTIME DESTINATION ${ATTN_INSTALL_BINDIR} COMPONENT attn-libraries
    INCLUDES DESTINATION ${ATTN_INSTALL_INCLUDEDIR})
  set_property(GLOBAL APPEND PROPERTY ATTN_EXPORTED_LIBS ${name})
endfunction()

# Installs the executables `ARGN` (defined with add_llvm_executable) into
# bin/ and the export set, as AttnMLIR::<name>, and records them in
# ATTN_EXPORTED_TOOLS. Their install RPATH also names LLVM's library
# directory: libMLIR.so is not on the default search path of a
# distribution's LLVM (Debian: /usr/lib/llvm-22/lib).
function(attn_install_tools)
  foreach(name ${ARGN})
    set_property(TARGET ${name} APPEND PROPERTY INSTALL_RPATH
      "${LLVM_LIBRARY_DIR}")
    install(TARGETS ${name}
      EXPORT AttnMLIRTargets
      RUNTIME DESTINATION ${ATTN_INSTALL_BINDIR} COMPONENT attn-tools)
    set_property(GLOBAL APPEND PROPERTY ATTN_EXPORTED_TOOLS ${name})
  endforeach()
endfunction()

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
                             DISABLE_INSTALL LINK_LIBS PUBLIC ${own_libs})
  elseif(kind STREQUAL "conversion")
    add_mlir_conversion_library(${name} ${ARG_UNPARSED_ARGUMENTS}
                                DISABLE_INSTALL LINK_LIBS PUBLIC ${own_libs})
  else()
    add_mlir_library(${name} ${ARG_UNPARSED_ARGUMENTS}
                     DISABLE_INSTALL LINK_LIBS PUBLIC ${own_libs})
  endif()
  if(mlir_libs)
    mlir_target_link_libraries(${name} PUBLIC ${mlir_libs})
  endif()
  attn_install_library(${name})
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
