//===- AOT.cpp - ahead-of-time emission for the host ----------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/AOT.h"

#include "Detail.h"
#include "attn/Runtime/CHeader.h"
#include "attn/Runtime/HostBackend.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

using namespace mlir;
using namespace mlir::attn;
using mlir::attn::detail::DiagnosticCapture;
using mlir::attn::detail::makeError;

/// Renames MLIR's expanded-argument function `name` (which the C interface
/// `_mlir_ciface_<name>` calls) and makes it internal, freeing the plain
/// symbol; the optimizer inlines it.
static void hideExpandedFunction(llvm::Module &llvmModule, StringRef name) {
  // (A public @free was lowered as __attn_expanded_free already; `free` is
  // then the C library's, a declaration.)
  llvm::Function *expanded = llvmModule.getFunction(name);
  if (expanded && !expanded->isDeclaration()) {
    expanded->setName("__attn_expanded_" + name);
    expanded->setLinkage(llvm::GlobalValue::InternalLinkage);
  }
}

/// Exports each public function `f` as the plain symbol `f`, an alias of
/// `_mlir_ciface_f`; the expanded-argument function that MLIR names `f`
/// becomes internal (and is inlined by the optimizer).
static void exportCInterfaceAliases(llvm::Module &llvmModule,
                                    ArrayRef<FunctionSignature> functions) {
  for (const FunctionSignature &signature : functions) {
    llvm::Function *wrapper =
        llvmModule.getFunction("_mlir_ciface_" + signature.name);
    if (!wrapper)
      continue;
    hideExpandedFunction(llvmModule, signature.name);
    if (!getPlainSymbolConflict(signature.name, functions).empty())
      continue;
    llvm::GlobalAlias::create(llvm::GlobalValue::ExternalLinkage,
                              signature.name, wrapper);
  }
}

/// Prepares the module of a shared library for its run-time support
/// (getLibrarySupportSource): each supported public function's C interface
/// `_mlir_ciface_f` becomes the hidden `__attn_body_<index>` that the
/// exported status-returning entry points call, and `cf.assert`'s `puts` and
/// `abort` become the hidden hooks that record the message and return to
/// the entry point.
static void prepareLibraryEntryPoints(llvm::Module &llvmModule,
                                      ArrayRef<FunctionSignature> functions) {
  for (auto [index, signature] : llvm::enumerate(functions)) {
    llvm::Function *wrapper =
        llvmModule.getFunction("_mlir_ciface_" + signature.name);
    if (!wrapper)
      continue;
    hideExpandedFunction(llvmModule, signature.name);
    // Functions the host API cannot call keep MLIR's C interface.
    if (!signature.unsupportedReason.empty())
      continue;
    wrapper->setName("__attn_body_" + Twine(index));
    wrapper->setVisibility(llvm::GlobalValue::HiddenVisibility);
  }
  auto redirect = [&](StringRef from, StringRef to, bool noReturn) {
    llvm::Function *callee = llvmModule.getFunction(from);
    if (!callee || !callee->isDeclaration())
      return;
    llvm::Function *hook = llvm::Function::Create(
        callee->getFunctionType(), llvm::GlobalValue::ExternalLinkage, to,
        llvmModule);
    hook->setVisibility(llvm::GlobalValue::HiddenVisibility);
    hook->addFnAttr(llvm::Attribute::NoUnwind);
    if (noReturn) {
      hook->addFnAttr(llvm::Attribute::NoReturn);
      hook->addFnAttr(llvm::Attribute::Cold);
    }
    callee->replaceAllUsesWith(hook);
    callee->eraseFromParent();
  };
  redirect("puts", "__attn_check_message", /*noReturn=*/false);
  redirect("abort", "__attn_check_failed", /*noReturn=*/true);
}

//===----------------------------------------------------------------------===//
// The CPU
//===----------------------------------------------------------------------===//

static HostCPUDescription describeTargetMachine(StringRef cpu,
                                                llvm::TargetMachine &machine) {
  HostCPUDescription description;
  description.flag = cpu.str();
  description.name = machine.getTargetCPU().str();
  const llvm::MCSubtargetInfo *subtarget = machine.getMCSubtargetInfo();
  for (StringRef feature : getCheckedCPUFeatures())
    if (subtarget && subtarget->checkFeatures(("+" + feature).str()))
      description.features.push_back(feature.str());
  return description;
}

llvm::Expected<HostCPUDescription> mlir::attn::describeHostCPU(StringRef cpu) {
  auto machine = createHostTargetMachine(cpu);
  if (!machine)
    return machine.takeError();
  return describeTargetMachine(cpu, **machine);
}

//===----------------------------------------------------------------------===//
// Library info
//===----------------------------------------------------------------------===//

/// "tensor<2x?x64xf32>" back to a TensorSpec.
static std::optional<TensorSpec> parseTensorSpec(StringRef text) {
  if (!text.consume_front("tensor<") || !text.consume_back(">"))
    return std::nullopt;
  SmallVector<StringRef> parts;
  text.split(parts, 'x');
  std::optional<ElementType> elementType = parseElementType(parts.back());
  if (!elementType)
    return std::nullopt;
  TensorSpec spec;
  spec.elementType = *elementType;
  for (StringRef dim : ArrayRef(parts).drop_back()) {
    int64_t size;
    if (dim == "?")
      spec.shape.push_back(ShapedType::kDynamic);
    else if (!dim.getAsInteger(10, size) && size >= 0)
      spec.shape.push_back(size);
    else
      return std::nullopt;
  }
  return spec;
}

std::string mlir::attn::formatLibraryInfo(const LibraryInfo &info) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "attn-library 1\n";
  os << "cpu " << info.cpu.flag << " " << info.cpu.name;
  for (const std::string &feature : info.cpu.features)
    os << " " << feature;
  os << "\n";
  for (const FunctionSignature &signature : info.functions) {
    os << "function " << signature.name << "\n";
    for (const TensorSpec &spec : signature.arguments)
      os << "arg " << spec.str() << "\n";
    for (const TensorSpec &spec : signature.results)
      os << "result " << spec.str() << "\n";
    if (signature.flops)
      os << "flops " << llvm::format("%.17g", *signature.flops) << "\n";
    if (!signature.unsupportedReason.empty()) {
      std::string reason = signature.unsupportedReason;
      std::replace(reason.begin(), reason.end(), '\n', ' ');
      os << "unsupported " << reason << "\n";
    }
  }
  return text;
}

llvm::Expected<LibraryInfo> mlir::attn::parseLibraryInfo(StringRef text) {
  LibraryInfo info;
  SmallVector<StringRef> lines;
  text.split(lines, '\n', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  if (lines.empty() || lines.front() != "attn-library 1")
    return makeError("unknown library info format: expected 'attn-library 1' "
                     "as its first line");
  for (auto [number, line] : llvm::enumerate(ArrayRef(lines).drop_front())) {
    auto [key, value] = line.split(' ');
    auto malformed = [&, line = line, number = number] {
      return makeError("malformed library info, line " + Twine(number + 2) +
                       ": '" + line + "'");
    };
    FunctionSignature *current =
        info.functions.empty() ? nullptr : &info.functions.back();
    if (key == "cpu") {
      SmallVector<StringRef> words;
      value.split(words, ' ', -1, /*KeepEmpty=*/false);
      if (words.size() < 2)
        return malformed();
      info.cpu.flag = words[0].str();
      info.cpu.name = words[1].str();
      for (StringRef word : ArrayRef(words).drop_front(2))
        info.cpu.features.push_back(word.str());
    } else if (key == "function") {
      if (value.empty())
        return malformed();
      info.functions.emplace_back();
      info.functions.back().name = value.str();
    } else if (key == "arg" || key == "result") {
      std::optional<TensorSpec> spec = parseTensorSpec(value);
      if (!current || !spec)
        return malformed();
      (key == "arg" ? current->arguments : current->results).push_back(*spec);
    } else if (key == "flops") {
      double flops;
      if (!current || value.getAsDouble(flops))
        return malformed();
      current->flops = flops;
    } else if (key == "unsupported") {
      if (!current)
        return malformed();
      current->unsupportedReason = value.str();
    } else {
      return malformed();
    }
  }
  return info;
}

//===----------------------------------------------------------------------===//
// The run-time support of shared libraries
//===----------------------------------------------------------------------===//

/// `text` as a C string literal, split into lines of at most about 72
/// characters after each newline it holds.
static std::string toCStringLiteral(StringRef text) {
  std::string literal = "\"";
  size_t lineStart = 0;
  for (char c : text) {
    switch (c) {
    case '"':
      literal += "\\\"";
      break;
    case '\\':
      literal += "\\\\";
      break;
    case '\n':
      literal += "\\n";
      break;
    default:
      if (llvm::isPrint(c)) {
        literal += c;
      } else {
        // Three octal digits: never read together with a following digit.
        char octal[8];
        std::snprintf(octal, sizeof(octal), "\\%03o",
                      static_cast<unsigned>(static_cast<unsigned char>(c)));
        literal += octal;
      }
    }
    if (c == '\n' || literal.size() - lineStart > 72) {
      literal += "\"\n    \"";
      lineStart = literal.size();
    }
  }
  return literal + "\"";
}

std::string
mlir::attn::getLibrarySupportSource(ArrayRef<FunctionSignature> functions,
                                    const HostCPUDescription &cpu,
                                    bool requestAMX) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << R"C(/* Run-time support of a shared library written by attn-mlir's
 * attn-compile (lib/Runtime/AOT.cpp): the exported entry points, which
 * return a status instead of aborting on a failed run-time check, the CPU
 * check and attn_last_error. Compiled for the baseline x86-64 CPU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTN_EXPORT __attribute__((visibility("default")))
#define ATTN_HIDDEN __attribute__((visibility("hidden")))

/* The calling thread's message. Every attn library of a process uses the
 * first-loaded definition of this symbol (it is exported and called through
 * the PLT), so attn_last_error() reports the failures of all of them. */
ATTN_EXPORT __attribute__((noinline)) char *__attn_error_slot(void) {
  static _Thread_local char message[1024];
  return message;
}

ATTN_EXPORT const char *attn_last_error(void) {
  const char *message = __attn_error_slot();
  return message[0] ? message : NULL;
}

static void attn_set_error(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(__attn_error_slot(), 1024, format, args);
  va_end(args);
}

/* The entry point running on this thread, and the message of the failed
 * check (cf.assert lowers to puts(message); abort()). */
static _Thread_local jmp_buf *attn_check_target;
static _Thread_local const char *attn_check_text;

ATTN_HIDDEN void __attn_check_message(const char *message) {
  attn_check_text = message;
}

ATTN_HIDDEN __attribute__((noreturn)) void __attn_check_failed(void) {
  if (attn_check_target)
    longjmp(*attn_check_target, 1);
  /* A check on a thread that did not enter through an entry point. */
  fprintf(stderr, "attn: a run-time check failed: %s\n",
          attn_check_text ? attn_check_text : "(no message)");
  fflush(stderr);
  abort();
}

)C";
  os << "static const char attn_cpu[] = " << toCStringLiteral(cpu.str())
     << ";\n\n";
  os << "/* The first extension the code needs that this CPU lacks, or NULL. "
        "*/\nstatic const char *attn_missing_feature(void) {\n";
  if (!cpu.features.empty())
    os << "  __builtin_cpu_init();\n";
  for (const std::string &feature : cpu.features)
    os << "  if (!__builtin_cpu_supports(\"" << feature << "\"))\n"
       << "    return \"" << feature << "\";\n";
  os << "  return NULL;\n}\n\n";
  if (requestAMX)
    os << R"C(#include <errno.h>
#include <sys/syscall.h>

/* glibc declares it only for _DEFAULT_SOURCE, which this C99 file does not
 * define. */
extern long syscall(long number, ...);

/* The code uses AMX tiles, whose state Linux gives a process only on
 * request: 0 when granted (asked once per process), else the errno. */
static int attn_request_amx(void) {
  static int status = -1;
  if (status < 0)
    status = syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */,
                     18 /* XFEATURE_XTILEDATA */) == 0 ? 0 : errno;
  return status;
}

)C";
  else
    os << "static int attn_request_amx(void) { return 0; }\n\n";
  os << R"C(/* Clears the message; checks the CPU and, for AMX code, asks for the
 * tile state. */
static int attn_enter(const char *function) {
  const char *missing;
  int amx;
  __attn_error_slot()[0] = '\0';
  missing = attn_missing_feature();
  if (missing) {
    attn_set_error("@%s cannot run on this CPU: the library was built for "
                   "%s and uses %s, which this CPU lacks", function, attn_cpu,
                   missing);
    return 0;
  }
  amx = attn_request_amx();
  if (amx) {
    attn_set_error("@%s cannot run: Linux refused the AMX tile state "
                   "(arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA): "
                   "%s)", function, strerror(amx));
    return 0;
  }
  return 1;
}

static void attn_set_check_error(const char *function) {
  attn_set_error("@%s stopped at a run-time check: %s", function,
                 attn_check_text ? attn_check_text : "(no message)");
}

/* Appends `text` to the message (truncating at its capacity). */
static void attn_append(const char *text) {
  char *slot = __attn_error_slot();
  size_t used = strlen(slot);
  snprintf(slot + used, 1024 - used, "%s", text);
}

/* The words after the pointers of a memref descriptor {allocated, aligned,
 * offset, sizes[rank], strides[rank]}: offset, then sizes and strides. */
static int64_t *attn_descriptor_words(const void *descriptor) {
  return (int64_t *)((char *)descriptor + 2 * sizeof(void *));
}

/* Appends "[v0, v1, ...]" (with `dynamic`, a negative value as "?"). */
static void attn_append_list(const int64_t *values, int count, int dynamic) {
  char text[64];
  int d;
  attn_append("[");
  for (d = 0; d < count; ++d) {
    if (dynamic && values[d] < 0)
      snprintf(text, sizeof text, "%s?", d ? ", " : "");
    else
      snprintf(text, sizeof text, "%s%lld", d ? ", " : "",
               (long long)values[d]);
    attn_append(text);
  }
  attn_append("]");
}

/* Appends "<label> = [s0, s1, ...]": the sizes of a memref descriptor. */
static void attn_append_sizes(const char *label, const void *descriptor,
                              int rank) {
  attn_append(label);
  attn_append(" = ");
  attn_append_list(attn_descriptor_words(descriptor) + 1, rank, 0);
}

/* Checks the descriptor of argument `label` of type `shape` (-1: dynamic):
 * the code reads it by the type's identity layout, so its sizes must be the
 * type's (and not negative), its offset 0 and its strides packed row-major
 * (for dimensions of more than one element). 0 with the message set when
 * it is not. */
static int attn_check_argument(const char *function, const char *label,
                               const void *descriptor, int rank,
                               const int64_t *shape) {
  const int64_t *words = attn_descriptor_words(descriptor);
  const int64_t *sizes = words + 1, *strides = words + 1 + rank;
  int64_t packed[64], expected = 1;
  int d, stridesOk = 1;
  for (d = 0; d < rank; ++d) {
    if (sizes[d] >= 0 && (shape[d] < 0 || sizes[d] == shape[d]))
      continue;
    attn_set_error("@%s: %s: expected sizes ", function, label);
    attn_append_list(shape, rank, 1);
    attn_append(", found ");
    attn_append_list(sizes, rank, 0);
    return 0;
  }
  if (words[0] != 0) {
    attn_set_error("@%s: %s: expected a descriptor with offset 0 (the "
                   "function takes identity-layout memrefs), found offset "
                   "%lld", function, label, (long long)words[0]);
    return 0;
  }
  for (d = rank - 1; d >= 0; --d) {
    if (d < 64)
      packed[d] = expected;
    if (sizes[d] > 1 && strides[d] != expected)
      stridesOk = 0;
    expected *= sizes[d];
  }
  if (!stridesOk) {
    attn_set_error("@%s: %s: expected packed row-major strides ", function,
                   label);
    attn_append_list(packed, rank < 64 ? rank : 64, 0);
    attn_append(", found ");
    attn_append_list(strides, rank, 0);
    return 0;
  }
  return 1;
}

/* Gives `result` a buffer of its own, a copy of the packed elements it
 * shares with an earlier result (a function that returns one value twice
 * fills both descriptors with one buffer, and each is to be freed). */
static int attn_unshare_result(const char *function, void *result, int rank,
                               int64_t elementBytes) {
  int64_t *words = attn_descriptor_words(result);
  int64_t bytes = elementBytes;
  char **pointers = (char **)result;
  char *copy;
  int d;
  for (d = 0; d < rank; ++d)
    bytes *= words[1 + d];
  copy = (char *)malloc(bytes > 0 ? bytes : 1);
  if (!copy) {
    attn_set_error("@%s: out of memory for a copy of a result", function);
    return 0;
  }
  memcpy(copy, pointers[1] + words[0] * elementBytes, bytes);
  pointers[0] = pointers[1] = copy;
  words[0] = 0;
  return 1;
}

)C";

  auto parameterList = [](size_t count, bool withTypes) {
    std::string list;
    for (size_t i = 0; i < count; ++i)
      list += (i ? ", " : "") + std::string(withTypes ? "void *" : "") + "p" +
              std::to_string(i);
    if (count == 0 && withTypes)
      list = "void";
    return list;
  };

  SmallVector<std::pair<size_t, size_t>> entries; // (index, pointer count)
  for (auto [index, signature] : llvm::enumerate(functions)) {
    if (!signature.unsupportedReason.empty())
      continue;
    size_t count =
        (signature.results.empty() ? 0 : 1) + signature.arguments.size();
    entries.push_back({index, count});
    std::string params = parameterList(count, true);
    std::string args = parameterList(count, false);
    std::string name = toCStringLiteral(signature.name);
    os << "/* @" << (isCIdentifier(signature.name) ? signature.name : "...")
       << " */\n";
    size_t resultPointers = signature.results.empty() ? 0 : 1;
    os << "ATTN_HIDDEN void __attn_body_" << index << "(" << params << ");\n";
    for (auto [argIndex, spec] : llvm::enumerate(signature.arguments)) {
      if (spec.shape.empty())
        continue;
      os << "static const int64_t attn_shape_" << index << "_" << argIndex
         << "[] = {";
      llvm::interleaveComma(spec.shape, os, [&](int64_t size) {
        os << (ShapedType::isDynamic(size) ? -1 : size);
      });
      os << "};\n";
    }
    os << "static int attn_call_" << index << "(" << params << ") {\n"
       << "  jmp_buf target;\n"
       << "  if (!attn_enter(" << name << "))\n    return 1;\n";
    // Descriptors the code would misread are refused before it runs.
    for (auto [argIndex, spec] : llvm::enumerate(signature.arguments)) {
      os << "  if (!attn_check_argument(" << name << ", "
         << toCStringLiteral(argumentLabel(signature, argIndex)) << ", p"
         << resultPointers + argIndex << ", " << spec.shape.size() << ", ";
      if (spec.shape.empty())
        os << "NULL";
      else
        os << "attn_shape_" << index << "_" << argIndex;
      os << "))\n    return 1;\n";
    }
    os << "  if (setjmp(target)) {\n"
       << "    attn_check_target = NULL;\n"
       << "    attn_set_check_error(" << name << ");\n";
    // The sizes of the dynamic arguments, as formatDynamicArgumentSizes
    // writes them for the JIT.
    bool first = true;
    for (auto [argIndex, spec] : llvm::enumerate(signature.arguments)) {
      if (llvm::none_of(spec.shape, ShapedType::isDynamic))
        continue;
      os << "    attn_append(\"" << (first ? " (dynamic sizes: " : ", ")
         << "\");\n"
         << "    attn_append_sizes("
         << toCStringLiteral(argumentLabel(signature, argIndex)) << ", p"
         << resultPointers + argIndex << ", " << spec.shape.size() << ");\n";
      first = false;
    }
    if (!first)
      os << "    attn_append(\")\");\n";
    os << "    return 1;\n  }\n"
       << "  attn_check_target = &target;\n"
       << "  __attn_body_" << index << "(" << args << ");\n"
       << "  attn_check_target = NULL;\n";
    // Results i < j with one buffer: j gets a copy. Several results lie in
    // one struct, their descriptors one after another (8-byte words).
    if (signature.results.size() > 1) {
      SmallVector<size_t> offsets;
      size_t offset = 0;
      for (const TensorSpec &spec : signature.results) {
        offsets.push_back(offset);
        offset += 8 * (3 + 2 * spec.shape.size());
      }
      auto allocated = [&](size_t j) {
        return "*(void **)((char *)p0 + " + std::to_string(offsets[j]) + ")";
      };
      for (size_t j = 1; j < offsets.size(); ++j) {
        os << "  if (";
        for (size_t i = 0; i < j; ++i)
          os << (i ? " || " : "") << allocated(j) << " == " << allocated(i);
        os << ") {\n    if (!attn_unshare_result(" << name << ", (char *)p0 + "
           << offsets[j] << ", " << signature.results[j].shape.size() << ", "
           << getElementByteWidth(signature.results[j].elementType)
           << "))\n      return 1;\n  }\n";
      }
    }
    os << "  return 0;\n}\n";
    // The exported names, through assembler names: any symbol name works.
    SmallVector<std::string, 2> symbols = {"_mlir_ciface_" + signature.name};
    if (getPlainSymbolConflict(signature.name, functions).empty())
      symbols.push_back(signature.name);
    for (auto [which, symbol] : llvm::enumerate(symbols)) {
      std::string local =
          "attn_export_" + std::to_string(index) + "_" + std::to_string(which);
      os << "ATTN_EXPORT int " << local << "(" << params << ") __asm__("
         << toCStringLiteral(symbol) << ");\n"
         << "int " << local << "(" << params << ") {\n"
         << "  return attn_call_" << index << "(" << args << ");\n}\n";
    }
    os << "\n";
  }

  os << "/* Calls function #index of __attn_library_info with its descriptor "
        "pointers\n * (results first), for attn-run --module. */\n"
        "ATTN_EXPORT int __attn_invoke(int64_t index, void **p) {\n"
        "  switch (index) {\n";
  for (auto [index, count] : entries) {
    os << "  case " << index << ":\n    return attn_call_" << index << "(";
    for (size_t i = 0; i < count; ++i)
      os << (i ? ", " : "") << "p[" << i << "]";
    os << ");\n";
  }
  os << "  default:\n    break;\n  }\n"
        "  attn_set_error(\"no function #%lld in this library\", "
        "(long long)index);\n"
        "  return 1;\n}\n\n";

  LibraryInfo info;
  info.cpu = cpu;
  info.functions.assign(functions.begin(), functions.end());
  os << "ATTN_EXPORT const char __attn_library_info[] =\n    "
     << toCStringLiteral(formatLibraryInfo(info)) << ";\n";
  return text;
}

//===----------------------------------------------------------------------===//
// Files and linking
//===----------------------------------------------------------------------===//

/// Writes `contents` to `path` atomically.
static llvm::Error writeFileAtomically(StringRef path, StringRef contents) {
  if (llvm::Error error = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
        os << contents;
        return llvm::Error::success();
      }))
    return makeError("'" + path + "': cannot write output: " +
                     llvm::toString(std::move(error)));
  return llvm::Error::success();
}

/// Finds clang: the one next to LLVM's tools, else clang-22 / clang on PATH.
static llvm::Expected<std::string> findClang() {
  SmallString<256> bundled(ATTN_LLVM_TOOLS_DIR);
  llvm::sys::path::append(bundled, "clang");
  if (llvm::sys::fs::can_execute(bundled))
    return bundled.str().str();
  for (StringRef name : {"clang-22", "clang"})
    if (llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName(name))
      return *path;
  return makeError("cannot find clang to link the shared library: looked for "
                   "'" +
                   bundled + "' and for clang-22 / clang on PATH");
}

/// compiler-rt's builtins archive of the clang that links, when installed
/// (Debian: libclang-rt-22-dev): it has the conversions LLVM calls for types
/// the CPU lacks (`__truncsfbf2` for bf16 without AVX512-BF16), which
/// libgcc of older GCCs does not. Its symbols are hidden.
static std::optional<std::string> findBuiltinsArchive() {
  SmallString<256> resource(ATTN_LLVM_LIBRARY_DIR);
  llvm::sys::path::append(resource, "clang", Twine(LLVM_VERSION_MAJOR), "lib");
  for (StringRef relative :
       {"linux/libclang_rt.builtins-x86_64.a",
        "x86_64-pc-linux-gnu/libclang_rt.builtins.a",
        "x86_64-unknown-linux-gnu/libclang_rt.builtins.a"}) {
    SmallString<256> path(resource);
    llvm::sys::path::append(path, relative);
    if (llvm::sys::fs::exists(path))
      return path.str().str();
  }
  return std::nullopt;
}

/// Links the object at `objectPath` and the run-time support source at
/// `supportPath` into the shared library `outputPath`, whose DT_SONAME is
/// `soname`, with RUNPATH `$ORIGIN`.
static llvm::Error linkSharedLibrary(StringRef objectPath,
                                     StringRef supportPath,
                                     StringRef outputPath, StringRef soname) {
  llvm::Expected<std::string> clang = findClang();
  if (!clang)
    return clang.takeError();
  SmallString<128> logPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("attn-link", "log", logPath))
    return makeError("cannot create a temporary file: " + ec.message());
  llvm::FileRemover logRemover(logPath);
  // LLVM's library directory is searched at link time only: the library
  // looks for its run-time libraries next to itself ($ORIGIN, see
  // bundleRuntimeLibraries), then on the system's library path.
  std::string libraryDir = "-L" ATTN_LLVM_LIBRARY_DIR;
  std::string sonameFlag = ("-Wl,-soname," + soname).str();
  SmallVector<StringRef> args = {*clang, "-shared", "-o", outputPath,
                                 // The support source: portable C.
                                 "-x", "c", "-std=c11", "-O2", "-fPIC",
                                 "-fsemantic-interposition", supportPath, "-x",
                                 "none", objectPath};
  std::optional<std::string> builtins = findBuiltinsArchive();
  if (builtins)
    args.push_back(*builtins);
  args.append({libraryDir, "-Wl,--as-needed", "-lomp",
               "-lm", "-Wl,-z,defs", "-Wl,--enable-new-dtags",
               "-Wl,-rpath,$ORIGIN", sonameFlag});
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath),
                                          StringRef(logPath)};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*clang, args, std::nullopt, redirects,
                                         /*SecondsToWait=*/0,
                                         /*MemoryLimit=*/0, &message);
  if (status == 0)
    return llvm::Error::success();
  std::string log;
  if (auto buffer = llvm::MemoryBuffer::getFile(logPath))
    log = (*buffer)->getBuffer().rtrim().str();
  return makeError("linking '" + outputPath + "' with " + *clang + " failed" +
                   (message.empty() ? "" : ": " + message) +
                   (log.empty() ? "" : "\n" + log));
}

llvm::Error mlir::attn::emitHostArtifact(ModuleOp module,
                                         ArrayRef<FunctionSignature> functions,
                                         StringRef cpu, EmitKind kind,
                                         StringRef path) {
  if (path != "-" && llvm::sys::fs::is_directory(path))
    return makeError("'" + path + "': cannot write output: is a directory");
  if (path == "-" &&
      (kind == EmitKind::Object || kind == EmitKind::SharedLibrary))
    return makeError("cannot write an object or shared library to stdout: "
                     "expected a file name");
  if (kind == EmitKind::MLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    return writeFileAtomically(path, text);
  }

  auto machine = createHostTargetMachine(cpu);
  if (!machine)
    return machine.takeError();

  llvm::SourceMgr sourceMgr;
  DiagnosticCapture diagnostics(sourceMgr, module.getContext());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "attn");
  if (!llvmModule)
    return makeError(diagnostics.take("cannot translate the module to LLVM "
                                      "IR"));
  ExecutionEngine::setupTargetTripleAndDataLayout(llvmModule.get(),
                                                  machine->get());
  // AMX tiles (the attention kernel's amx unit) need the process's tile
  // state, which the library's entry points request.
  bool usesAMX = llvm::any_of(llvmModule->functions(), [](llvm::Function &f) {
    return f.getName().starts_with("llvm.x86.tdpbf16ps");
  });
  if (kind == EmitKind::SharedLibrary)
    prepareLibraryEntryPoints(*llvmModule, functions);
  else
    exportCInterfaceAliases(*llvmModule, functions);
  auto optimize = makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0,
                                            machine->get());
  if (llvm::Error error = optimize(llvmModule.get()))
    return makeError("cannot optimize the LLVM IR: " +
                     llvm::toString(std::move(error)));

  if (kind == EmitKind::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    return writeFileAtomically(path, text);
  }

  SmallString<0> code;
  {
    llvm::raw_svector_ostream os(code);
    llvm::legacy::PassManager codegen;
    llvm::CodeGenFileType fileType = kind == EmitKind::Assembly
                                         ? llvm::CodeGenFileType::AssemblyFile
                                         : llvm::CodeGenFileType::ObjectFile;
    if ((*machine)->addPassesToEmitFile(codegen, os, nullptr, fileType))
      return makeError("the LLVM target cannot emit this file type");
    codegen.run(*llvmModule);
  }
  if (kind != EmitKind::SharedLibrary)
    return writeFileAtomically(path, code);

  // Shared library: object and run-time support in temporary files, linked
  // next to `path` under a temporary name, renamed into place with its
  // header.
  SmallString<128> objectPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("attn", "o", objectPath))
    return makeError("cannot create a temporary object file: " + ec.message());
  llvm::FileRemover objectRemover(objectPath);
  if (llvm::Error error = writeFileAtomically(objectPath, code))
    return error;
  HostCPUDescription cpuDescription = describeTargetMachine(cpu, **machine);
  SmallString<128> supportPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("attn-support", "c", supportPath))
    return makeError("cannot create a temporary source file: " + ec.message());
  llvm::FileRemover supportRemover(supportPath);
  if (llvm::Error error = writeFileAtomically(
          supportPath,
          getLibrarySupportSource(functions, cpuDescription, usesAMX)))
    return error;

  SmallString<256> headerPath(path);
  llvm::sys::path::replace_extension(headerPath, "h");
  if (headerPath == path)
    return makeError("'" + path +
                     "': the shared library needs a name other than the "
                     "header's ('.h')");
  SmallString<256> temporaryPath;
  int fd = -1;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%",
                                                           fd, temporaryPath))
    return makeError("'" + path + "': cannot write output: " + ec.message());
  llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  llvm::FileRemover temporaryRemover(temporaryPath);
  StringRef fileName = llvm::sys::path::filename(path);
  if (llvm::Error error =
          linkSharedLibrary(objectPath, supportPath, temporaryPath, fileName))
    return error;
  CHeaderLibrary library;
  library.fileName = fileName.str();
  library.cpu = cpuDescription;
  llvm::Expected<SmallVector<std::string>> runtimeLibraries =
      getNeededRuntimeLibraries(temporaryPath);
  if (!runtimeLibraries)
    return runtimeLibraries.takeError();
  library.runtimeLibraries = std::move(*runtimeLibraries);
  std::string stem = llvm::sys::path::stem(path).str();
  if (llvm::Error error = writeFileAtomically(
          headerPath, emitCHeader(functions, stem, library)))
    return error;
  if (std::error_code ec = llvm::sys::fs::rename(temporaryPath, path))
    return makeError("'" + path + "': cannot write output: " + ec.message());
  temporaryRemover.releaseFile();
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Run-time libraries
//===----------------------------------------------------------------------===//

/// Appends the DT_NEEDED entries of the ELF file in `buffer` to `needed`.
static llvm::Error readNeededEntries(StringRef path,
                                     llvm::MemoryBufferRef buffer,
                                     SmallVectorImpl<std::string> &needed) {
  auto fail = [&](const Twine &why) {
    return makeError("'" + path + "': cannot read its dynamic section: " + why);
  };
  auto file = llvm::object::ELF64LEFile::create(buffer.getBuffer());
  if (!file)
    return fail(llvm::toString(file.takeError()));
  auto entries = file->dynamicEntries();
  if (!entries)
    return fail(llvm::toString(entries.takeError()));
  uint64_t stringTable = 0, stringSize = 0;
  SmallVector<uint64_t> neededOffsets;
  for (const auto &entry : *entries) {
    switch (entry.getTag()) {
    case llvm::ELF::DT_STRTAB:
      stringTable = entry.getPtr();
      break;
    case llvm::ELF::DT_STRSZ:
      stringSize = entry.getVal();
      break;
    case llvm::ELF::DT_NEEDED:
      neededOffsets.push_back(entry.getVal());
      break;
    default:
      break;
    }
  }
  if (neededOffsets.empty())
    return llvm::Error::success();
  auto strings = file->toMappedAddr(stringTable);
  if (!strings)
    return fail(llvm::toString(strings.takeError()));
  const char *base = reinterpret_cast<const char *>(*strings);
  const char *end = buffer.getBufferEnd();
  auto read = [&](uint64_t offset) -> llvm::Expected<std::string> {
    if (offset >= stringSize || base + offset >= end)
      return fail("a string offset lies outside its string table");
    return std::string(
        base + offset,
        strnlen(base + offset, std::min<uint64_t>(stringSize - offset,
                                                  end - (base + offset))));
  };
  for (uint64_t offset : neededOffsets) {
    auto name = read(offset);
    if (!name)
      return name.takeError();
    needed.push_back(*name);
  }
  return llvm::Error::success();
}

llvm::Expected<SmallVector<std::string>>
mlir::attn::getNeededLibraries(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError("'" + path +
                     "': cannot read: " + buffer.getError().message());
  SmallVector<std::string> needed;
  if (llvm::Error error =
          readNeededEntries(path, (*buffer)->getMemBufferRef(), needed))
    return std::move(error);
  return needed;
}

llvm::Expected<SmallVector<std::string>>
mlir::attn::getNeededRuntimeLibraries(StringRef path) {
  auto needed = getNeededLibraries(path);
  if (!needed)
    return needed.takeError();
  SmallVector<std::string> runtime;
  for (const std::string &name : *needed) {
    SmallString<256> candidate(ATTN_LLVM_LIBRARY_DIR);
    llvm::sys::path::append(candidate, name);
    if (llvm::sys::fs::exists(candidate))
      runtime.push_back(name);
  }
  return runtime;
}

/// True when the files at `a` and `b` have the same contents.
static bool haveSameContents(StringRef a, StringRef b) {
  auto first = llvm::MemoryBuffer::getFile(a, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  auto second = llvm::MemoryBuffer::getFile(b, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  return first && second && (*first)->getBuffer() == (*second)->getBuffer();
}

llvm::Expected<SmallVector<std::string>>
mlir::attn::bundleRuntimeLibraries(StringRef path) {
  auto runtime = getNeededRuntimeLibraries(path);
  if (!runtime)
    return runtime.takeError();
  SmallString<256> directory(path);
  llvm::sys::path::remove_filename(directory);
  if (directory.empty())
    directory = ".";
  for (const std::string &name : *runtime) {
    SmallString<256> source(ATTN_LLVM_LIBRARY_DIR);
    llvm::sys::path::append(source, name);
    SmallString<256> destination(directory);
    llvm::sys::path::append(destination, name);
    if (llvm::sys::fs::equivalent(source, destination) ||
        haveSameContents(source, destination))
      continue;
    auto fail = [&](const Twine &why) {
      return makeError("cannot copy '" + source + "' to '" + destination +
                       "': " + why);
    };
    SmallString<256> temporaryPath;
    int fd = -1;
    if (std::error_code ec = llvm::sys::fs::createUniqueFile(
            destination + ".tmp-%%%%%%", fd, temporaryPath))
      return fail(ec.message());
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
    llvm::FileRemover temporaryRemover(temporaryPath);
    if (std::error_code ec = llvm::sys::fs::copy_file(source, temporaryPath))
      return fail(ec.message());
    if (std::error_code ec = llvm::sys::fs::setPermissions(
            temporaryPath, llvm::sys::fs::all_read |
                               llvm::sys::fs::owner_write |
                               llvm::sys::fs::all_exe))
      return fail(ec.message());
    if (std::error_code ec = llvm::sys::fs::rename(temporaryPath, destination))
      return fail(ec.message());
    temporaryRemover.releaseFile();
  }
  return std::move(*runtime);
}
