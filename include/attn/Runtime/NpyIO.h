//===- NpyIO.h - read and write numpy .npy files ----------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// `.npy` (numpy's array file format, versions 1.0-3.0) for `attn-run` and the
// bindings. Supported dtypes and the element types they map to (the numpy
// columns of ElementTypes.def):
//
//   '<f4' float32  <-> f32        '<f8' float64 <-> f64
//   '<f2' float16  <-> f16        '|b1' bool    <-> i1 (one byte, 0 or 1)
//   '<u2' uint16 and '<i2' int16  -> i16; bf16 is written as '<u2'
//   '|i1' int8 / '|u1' uint8 -> i8; '<i4' -> i32; '<i8' -> i64
//
// bfloat16 travels as numpy uint16 holding the upper 16 bits of a float32
// (numpy has no bfloat16): read it as i16 and reinterpret it with
// HostTensor::bitcastElementType(ElementType::BF16).
//
// Only C-order (row-major), little-endian data is accepted; a Fortran-order,
// big-endian, object or otherwise unsupported array is an error naming the
// file. Header parsing and writing use xtensor's npy support
// (xtensor/xnpy.hpp).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_NPYIO_H
#define ATTN_RUNTIME_NPYIO_H

#include "attn/Runtime/HostTensor.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"

namespace mlir::attn {

/// Reads the `.npy` file at `path`. Errors (missing file, not an `.npy`,
/// corrupt or truncated header or data, Fortran order, unsupported dtype)
/// name the file and say what was expected and found.
llvm::Expected<HostTensor> readNpy(StringRef path);

/// Reads `.npy` data from memory; `buffer`'s identifier names it in errors.
llvm::Expected<HostTensor> readNpy(llvm::MemoryBufferRef buffer);

/// Serializes `tensor` into `.npy` bytes (C order, little endian).
std::string serializeNpy(const HostTensor &tensor);

/// Writes `tensor` to `path` atomically: the data goes to a temporary file
/// next to `path` that replaces `path` only when complete, so a failure
/// never leaves a partial file behind.
llvm::Error writeNpy(StringRef path, const HostTensor &tensor);

/// Returns the numpy dtype descriptor written for `type` ("<f4", "|b1", ...).
StringRef getNpyDescr(ElementType type);

} // namespace mlir::attn

#endif // ATTN_RUNTIME_NPYIO_H
