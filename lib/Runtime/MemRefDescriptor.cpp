//===- MemRefDescriptor.cpp - memref descriptors of run-time rank ---------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/MemRefDescriptor.h"

#include "llvm/ADT/STLExtras.h"

#include <cassert>
#include <memory>
#include <new>

using namespace mlir;
using namespace mlir::attn;

// The descriptors the runtime builds are the ones compiled code reads:
// check them against MLIR's own definition for every element type of the
// table and every rank up to kMaxCheckedMemRefRank.
#define ATTN_ELEMENT_TYPE(Name, Mnemonic, StorageType, ...)                    \
  static_assert(                                                               \
      hasStridedMemRefLayouts<StorageType>(                                    \
          std::make_integer_sequence<int, kMaxCheckedMemRefRank + 1>()),       \
      "MemRefDescriptorRef does not match StridedMemRefType<" #StorageType     \
      ", N>");
#include "attn/Runtime/ElementTypes.def"

// Descriptors placed back to back form the C struct of several results only
// when no member needs padding: every field is 8-byte aligned.
static_assert(alignof(MemRefDescriptorHeader) == alignof(int64_t) &&
                  sizeof(MemRefDescriptorHeader) % alignof(int64_t) == 0,
              "memref descriptors must pack without padding");

void MemRefDescriptorRef::setRowMajor(void *data,
                                      ArrayRef<int64_t> shape) const {
  assert(static_cast<int64_t>(shape.size()) == rank && "rank mismatch");
  header->allocated = data;
  header->aligned = data;
  header->offset = 0;
  MutableArrayRef<int64_t> sizes = getSizes(), strides = getStrides();
  int64_t stride = 1;
  for (int64_t dim = rank - 1; dim >= 0; --dim) {
    sizes[dim] = shape[dim];
    strides[dim] = stride;
    stride *= shape[dim];
  }
}

MemRefDescriptorList::MemRefDescriptorList(ArrayRef<int64_t> ranks)
    : ranks(ranks.begin(), ranks.end()) {
  for (int64_t rank : ranks) {
    assert(rank >= 0 && "negative rank");
    offsets.push_back(sizeInBytes);
    sizeInBytes += MemRefDescriptorRef::getSizeInBytes(rank);
  }
  if (ranks.empty())
    return;
  // operator new[] aligns the bytes for any fundamental type; the objects
  // of each descriptor are then created in place, zero-initialized.
  storage.reset(new std::byte[sizeInBytes]);
  for (auto [rank, offset] : llvm::zip(ranks, offsets)) {
    std::byte *address = storage.get() + offset;
    new (address) MemRefDescriptorHeader();
    std::uninitialized_value_construct_n(
        reinterpret_cast<int64_t *>(address + sizeof(MemRefDescriptorHeader)),
        2 * rank);
  }
}

MemRefDescriptorRef MemRefDescriptorList::operator[](size_t index) const {
  assert(index < ranks.size() && "descriptor index out of range");
  auto *header = std::launder(reinterpret_cast<MemRefDescriptorHeader *>(
      storage.get() + offsets[index]));
  return MemRefDescriptorRef(header, ranks[index]);
}
