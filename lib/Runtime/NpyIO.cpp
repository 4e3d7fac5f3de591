//===- NpyIO.cpp - read and write numpy .npy files ------------------------===//
//
// Part of the attn-mlir project.
//
// The header dictionary is parsed and written by xtensor's npy support
// (xt::detail::parse_header / write_header, the code behind xt::load_npy and
// xt::dump_npy). We do not call xt::load_npy itself, because:
//  - it reads the 16-bit header length through plain `char`, which is signed
//    on x86-64, so a header of 128..255 mod 256 bytes (numpy writes 182 bytes
//    for high-rank shapes) is misread;
//  - it allocates the array the header claims before reading, and never
//    checks that the data was really there (a truncated file reads as
//    garbage);
//  - it can only return C++ element types, and numpy's float16 has none.
// So this file frames the file itself (magic, version, header length: fixed
// fields), hands the header text to xtensor, and validates the shape against
// the bytes present before copying anything.
//
// LLVM builds with -fno-exceptions; xtensor reports errors by throwing. This
// file alone is compiled with -fexceptions (see CMakeLists.txt), and every
// exception is turned into an llvm::Error here.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/NpyIO.h"
#include "attn/Support/Format.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <xtensor/xnpy.hpp>

#include <cstring>
#include <exception>
#include <limits>
#include <sstream>

using namespace mlir;
using namespace mlir::attn;

static llvm::Error makeError(StringRef file, const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "'" + file + "': " + message);
}

StringRef mlir::attn::getNpyDescr(ElementType type) {
  switch (type) {
#define ATTN_ELEMENT_TYPE(Name, Mnemonic, StorageType, ByteWidth, IsFloat,     \
                          NpyDescr, ...)                                       \
  case ElementType::Name:                                                      \
    return NpyDescr;
#include "attn/Runtime/ElementTypes.def"
  }
  llvm_unreachable("unknown element type");
}

/// Maps a numpy dtype descriptor to the element type it is read as.
static std::optional<ElementType> mapDescr(StringRef descr) {
#define ATTN_ELEMENT_TYPE(Name, Mnemonic, StorageType, ByteWidth, IsFloat,     \
                          NpyDescr, NpyReads, ...)                             \
  if (NpyReads && descr == NpyDescr)                                           \
    return ElementType::Name;
#define ATTN_NPY_READ_ALIAS(NpyDescr, Name)                                    \
  if (descr == NpyDescr)                                                       \
    return ElementType::Name;
#include "attn/Runtime/ElementTypes.def"
  return std::nullopt;
}

/// A readable name for a numpy dtype descriptor, for error messages.
static std::string describeDescr(StringRef descr) {
  if (descr.size() < 3)
    return ("'" + descr + "'").str();
  StringRef kind;
  switch (descr[1]) {
  case 'f':
    kind = "float";
    break;
  case 'i':
    kind = "int";
    break;
  case 'u':
    kind = "uint";
    break;
  case 'b':
    return ("bool ('" + descr + "')").str();
  case 'c':
    kind = "complex";
    break;
  default:
    return ("'" + descr + "'").str();
  }
  unsigned bytes = 0;
  if (descr.drop_front(2).getAsInteger(10, bytes))
    return ("'" + descr + "'").str();
  std::string name = (kind + Twine(bytes * 8)).str();
  if (descr[0] == '>')
    name += ", big-endian";
  return name + " ('" + descr.str() + "')";
}

/// The part of reading that may throw (xtensor's header parser). Returns an
/// empty string on success and the message of the first failure otherwise.
static std::string parseHeaderText(const std::string &header,
                                   std::string &descr, bool &fortranOrder,
                                   std::vector<std::size_t> &shape) {
  try {
    xt::detail::parse_header(header, descr, &fortranOrder, shape);
  } catch (const std::exception &e) {
    return e.what()[0] ? e.what() : "unknown error";
  } catch (...) {
    return "unknown error";
  }
  return "";
}

/// The shape tuple of a header, read strictly: `'shape'`, `:`, then `(`
/// decimal integers separated by commas (a trailing comma allowed, spaces
/// around the items) `)`. xtensor's parser reads `(1abc, 2)`, `(1.9,)` and
/// `(1 2)` as shapes and wraps sizes above 2^32 (`(1<<40,)` became `(1,)`),
/// so the shape is taken from here and xtensor only reads the dtype and
/// the order. std::nullopt when the tuple is malformed.
static std::optional<SmallVector<int64_t>> parseShapeTuple(StringRef header) {
  size_t key = header.find("'shape'");
  if (key == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(key + strlen("'shape'")).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  rest = rest.ltrim();
  if (!rest.consume_front("("))
    return std::nullopt;
  size_t close = rest.find(')');
  if (close == StringRef::npos)
    return std::nullopt;
  StringRef items = rest.take_front(close).trim();
  SmallVector<int64_t> shape;
  if (items.empty())
    return shape; // () : a scalar
  SmallVector<StringRef> parts;
  items.split(parts, ',');
  // A trailing comma leaves one empty item at the end: `(3,)`.
  if (parts.back().trim().empty())
    parts.pop_back();
  for (StringRef part : parts) {
    part = part.trim();
    if (part.empty() || !llvm::all_of(part, llvm::isDigit))
      return std::nullopt;
    int64_t size;
    if (part.getAsInteger(10, size)) // out of range for int64_t
      return std::nullopt;
    shape.push_back(size);
  }
  return shape;
}

llvm::Expected<HostTensor> mlir::attn::readNpy(llvm::MemoryBufferRef buffer) {
  StringRef file = buffer.getBufferIdentifier();
  StringRef bytes = buffer.getBuffer();

  // Fixed fields: magic, version, header length (little endian).
  static constexpr StringLiteral kMagic("\x93NUMPY");
  if (!bytes.starts_with(kMagic))
    return makeError(file, "not a .npy file: expected the magic string "
                           "'\\x93NUMPY' at the start");
  if (bytes.size() < kMagic.size() + 2)
    return makeError(file, "truncated .npy header: the file ends after the "
                           "magic string");
  unsigned major = static_cast<uint8_t>(bytes[6]);
  unsigned minor = static_cast<uint8_t>(bytes[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    return makeError(file, "unsupported .npy format version " + Twine(major) +
                               "." + Twine(minor) +
                               ": expected 1.0, 2.0 or 3.0");
  size_t lengthBytes = major == 1 ? 2 : 4;
  size_t prefix = kMagic.size() + 2 + lengthBytes;
  if (bytes.size() < prefix)
    return makeError(file, "truncated .npy header: the file ends inside the "
                           "header length field");
  uint64_t headerLength = 0;
  for (size_t i = 0; i < lengthBytes; ++i)
    headerLength |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[8 + i]))
                    << (8 * i);
  if (bytes.size() - prefix < headerLength)
    return makeError(file, "truncated .npy header: expected " +
                               Twine(headerLength) + " header bytes, found " +
                               Twine(bytes.size() - prefix));
  StringRef headerText = bytes.substr(prefix, headerLength);

  // Cases xtensor's parser does not guard against (it would index into an
  // empty string); reject them before handing the text over.
  std::string compact = headerText.str();
  llvm::erase(compact, ' ');
  size_t shapeKey = StringRef(compact).find("'shape'");
  if (headerText.empty() || headerText.back() != '\n' || compact.size() < 2 ||
      compact.front() != '{' || shapeKey == StringRef::npos ||
      !StringRef(compact).substr(shapeKey).starts_with("'shape':("))
    return makeError(file, "invalid .npy header: expected a dictionary "
                           "with 'descr', 'fortran_order' and 'shape' ending "
                           "in a newline, found '" +
                               headerText.rtrim().take_front(120) + "'");

  std::string descr;
  bool fortranOrder = false;
  std::vector<std::size_t> rawShape;
  std::string failure =
      parseHeaderText(headerText.str(), descr, fortranOrder, rawShape);
  if (!failure.empty())
    return makeError(file, "invalid .npy header (" + failure + "): '" +
                               headerText.rtrim().take_front(120) + "'");

  std::optional<SmallVector<int64_t>> strictShape = parseShapeTuple(headerText);
  if (!strictShape)
    return makeError(file, "invalid .npy header: expected 'shape' to be a "
                           "tuple of non-negative integers below 2^63, found "
                           "'" +
                               headerText.rtrim().take_front(120) + "'");
  SmallVector<int64_t> shape = std::move(*strictShape);

  std::optional<ElementType> type = mapDescr(descr);
  if (!type)
    return makeError(file, "unsupported .npy dtype " + describeDescr(descr) +
                               ": expected float32 ('<f4'), float16 ('<f2'), "
                               "bool ('|b1'), uint16 ('<u2', bfloat16 bits), "
                               "float64, int8, int16, int32 or int64 in little "
                               "endian");
  if (fortranOrder &&
      llvm::count_if(shape, [](int64_t s) { return s > 1; }) > 1)
    return makeError(file, "Fortran-order (column-major) .npy arrays are not "
                           "supported: expected C order; save the array with "
                           "numpy.ascontiguousarray");

  // The shape must describe exactly the bytes that follow the header.
  int64_t width = getElementByteWidth(*type);
  std::optional<int64_t> dataBytes = width;
  for (int64_t size : shape) {
    if (!dataBytes)
      break;
    dataBytes = llvm::checkedMul<int64_t>(*dataBytes, size);
  }
  if (!dataBytes)
    return makeError(file, "invalid .npy header: shape " +
                               formatShape(shape, ShapeStyle::Tuple) +
                               " is too large");
  uint64_t available = bytes.size() - prefix - headerLength;
  if (available < static_cast<uint64_t>(*dataBytes))
    return makeError(file, "truncated .npy data: shape " +
                               formatShape(shape, ShapeStyle::Tuple) + " of " +
                               describeDescr(descr) + " needs " +
                               Twine(*dataBytes) + " bytes, found " +
                               Twine(available));
  if (available > static_cast<uint64_t>(*dataBytes))
    return makeError(file, "corrupt .npy file: shape " +
                               formatShape(shape, ShapeStyle::Tuple) + " of " +
                               describeDescr(descr) + " needs " +
                               Twine(*dataBytes) + " bytes, found " +
                               Twine(available) + " (" +
                               Twine(available - *dataBytes) + " extra)");

  const auto *data =
      reinterpret_cast<const uint8_t *>(bytes.data() + prefix + headerLength);
  HostTensor tensor(*type, shape, ArrayRef<uint8_t>(data, *dataBytes));
  // numpy's bool is one byte that should be 0 or 1; normalize anything else.
  if (*type == ElementType::I1)
    for (uint8_t &b : tensor.getMutableBytes())
      b = b != 0;
  return tensor;
}

llvm::Expected<HostTensor> mlir::attn::readNpy(StringRef path) {
  if (llvm::sys::fs::is_directory(path))
    return makeError(path, "cannot read .npy file: is a directory");
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path,
                     "cannot read .npy file: " + buffer.getError().message());
  return readNpy((*buffer)->getMemBufferRef());
}

std::string mlir::attn::serializeNpy(const HostTensor &tensor) {
  std::vector<std::size_t> shape(tensor.getShape().begin(),
                                 tensor.getShape().end());
  std::ostringstream stream;
  // write_header only formats strings; it does not throw for valid input.
  xt::detail::write_header(stream, getNpyDescr(tensor.getElementType()).str(),
                           /*fortran_order=*/false, shape);
  ArrayRef<uint8_t> bytes = tensor.getBytes();
  stream.write(reinterpret_cast<const char *>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  return stream.str();
}

llvm::Error mlir::attn::writeNpy(StringRef path, const HostTensor &tensor) {
  std::string contents;
  try {
    contents = serializeNpy(tensor);
  } catch (const std::exception &e) {
    return makeError(path, Twine("cannot serialize .npy data: ") + e.what());
  }
  if (llvm::sys::fs::is_directory(path))
    return makeError(path, "cannot write .npy file: is a directory");
  llvm::Error error =
      llvm::writeToOutput(path, [&](llvm::raw_ostream &os) -> llvm::Error {
        os << contents;
        return llvm::Error::success();
      });
  if (error)
    return makeError(path, "cannot write .npy file: " +
                               llvm::toString(std::move(error)));
  return llvm::Error::success();
}
