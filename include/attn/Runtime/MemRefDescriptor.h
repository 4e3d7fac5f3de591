//===- MemRefDescriptor.h - memref descriptors of run-time rank -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// MLIR's C interface passes each ranked memref as a pointer to a descriptor
// `StridedMemRefType<T, N>` (mlir/ExecutionEngine/CRunnerUtils.h): two
// element pointers, an offset, then N sizes and N strides. The runtime knows
// ranks only at run time, so it cannot name that template; the types here
// lay out the same bytes for a rank given at run time, and
// MemRefDescriptor.cpp checks with static_assert that they match
// StridedMemRefType<T, N> for every element type of ElementTypes.def and
// every rank up to kMaxCheckedMemRefRank.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_MEMREFDESCRIPTOR_H
#define ATTN_RUNTIME_MEMREFDESCRIPTOR_H

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace mlir::attn {

/// The fields every ranked memref descriptor starts with, whatever its rank
/// and element type: the first three members of StridedMemRefType<T, N>.
struct MemRefDescriptorHeader {
  /// The pointer the buffer was allocated with: what `free` takes.
  void *allocated = nullptr;
  /// The pointer aligned for the element type; `offset` and the strides
  /// count from it.
  void *aligned = nullptr;
  /// Distance of the first element from `aligned`, in elements.
  int64_t offset = 0;
};

/// A view of a ranked memref descriptor whose rank is known at run time: a
/// MemRefDescriptorHeader followed by `int64_t sizes[rank]` and
/// `int64_t strides[rank]` (strides in elements), byte for byte
/// StridedMemRefType<T, rank> for any element type T. It does not own the
/// memory; MemRefDescriptorList does.
class MemRefDescriptorRef {
public:
  MemRefDescriptorRef(MemRefDescriptorHeader *header, int64_t rank)
      : header(header), rank(rank) {}

  /// Bytes of a descriptor of `rank`: sizeof(StridedMemRefType<T, rank>).
  static constexpr size_t getSizeInBytes(int64_t rank) {
    return sizeof(MemRefDescriptorHeader) +
           2 * static_cast<size_t>(rank) * sizeof(int64_t);
  }

  /// The number of dimensions (of sizes and of strides).
  int64_t getRank() const { return rank; }
  /// The header's fields; see MemRefDescriptorHeader.
  void *getAllocated() const { return header->allocated; }
  void *getAligned() const { return header->aligned; }
  int64_t getOffset() const { return header->offset; }

  /// The size of each dimension.
  MutableArrayRef<int64_t> getSizes() const {
    return {getTrailing(), static_cast<size_t>(rank)};
  }
  /// The stride of each dimension, in elements.
  MutableArrayRef<int64_t> getStrides() const {
    return {getTrailing() + rank, static_cast<size_t>(rank)};
  }

  /// The descriptor's address: what a C-interface function takes for a
  /// memref argument.
  void *getAddress() const { return header; }

  /// Makes the descriptor a dense row-major (C-order) view of the buffer at
  /// `data`: allocated = aligned = `data`, offset 0, sizes `shape` and
  /// strides the products of the sizes that follow each dimension.
  /// `shape.size()` must equal the rank.
  void setRowMajor(void *data, ArrayRef<int64_t> shape) const;

private:
  int64_t *getTrailing() const {
    return reinterpret_cast<int64_t *>(header + 1);
  }

  MemRefDescriptorHeader *header;
  int64_t rank;
};

/// Zero-initialized storage for memref descriptors of the given ranks, back
/// to back without padding: the layout of a C struct whose members are these
/// descriptors, which is how the C interface returns several results (the
/// first descriptor alone is the one-result case).
class MemRefDescriptorList {
public:
  /// Creates one zero-filled descriptor per entry of `ranks` (each >= 0).
  explicit MemRefDescriptorList(ArrayRef<int64_t> ranks = {});

  MemRefDescriptorList(MemRefDescriptorList &&) = default;
  MemRefDescriptorList &operator=(MemRefDescriptorList &&) = default;

  /// The number of descriptors.
  size_t size() const { return ranks.size(); }
  bool empty() const { return ranks.empty(); }

  /// The descriptor at `index` (< size()).
  MemRefDescriptorRef operator[](size_t index) const;

  /// The address of the first descriptor (of the struct of them all);
  /// nullptr when the list is empty.
  void *data() const { return storage.get(); }

  /// The bytes of all descriptors together.
  size_t getSizeInBytes() const { return sizeInBytes; }

private:
  SmallVector<int64_t, 4> ranks;
  /// Byte offset of each descriptor in `storage`.
  SmallVector<size_t, 4> offsets;
  size_t sizeInBytes = 0;
  std::unique_ptr<std::byte[]> storage;
};

/// True when MemRefDescriptorRef lays out a descriptor of `Rank` exactly as
/// StridedMemRefType<T, Rank>: same member offsets, size and alignment.
template <typename T, int Rank> constexpr bool hasStridedMemRefLayout() {
  using Upstream = StridedMemRefType<T, Rank>;
  using Header = MemRefDescriptorHeader;
  bool matches =
      offsetof(Upstream, basePtr) == offsetof(Header, allocated) &&
      offsetof(Upstream, data) == offsetof(Header, aligned) &&
      offsetof(Upstream, offset) == offsetof(Header, offset) &&
      sizeof(Upstream) == MemRefDescriptorRef::getSizeInBytes(Rank) &&
      alignof(Upstream) == alignof(Header);
  if constexpr (Rank == 0) {
    return matches;
  } else {
    return matches && offsetof(Upstream, sizes) == sizeof(Header) &&
           offsetof(Upstream, strides) ==
               sizeof(Header) + Rank * sizeof(int64_t);
  }
}

/// hasStridedMemRefLayout<T, Rank> for every Rank of the sequence.
template <typename T, int... Ranks>
constexpr bool hasStridedMemRefLayouts(std::integer_sequence<int, Ranks...>) {
  return (hasStridedMemRefLayout<T, Ranks>() && ...);
}

/// The highest rank whose layout MemRefDescriptor.cpp checks (ranks
/// 0 ... kMaxCheckedMemRefRank); the layout rule is the same for any rank.
inline constexpr int kMaxCheckedMemRefRank = 8;

} // namespace mlir::attn

#endif // ATTN_RUNTIME_MEMREFDESCRIPTOR_H
