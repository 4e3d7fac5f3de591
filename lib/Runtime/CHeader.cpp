//===- CHeader.cpp - C headers for shared libraries -----------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/CHeader.h"

#include <dlfcn.h>

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

using namespace mlir;
using namespace mlir::attn;

/// Keywords of C (C23) and C++ (C++20): not usable as function names in a
/// header that compiles as both.
// clang-format off
static constexpr StringLiteral kKeywords[] = {
    "_Alignas", "_Alignof", "_Atomic", "_BitInt", "_Bool", "_Complex",
    "_Generic", "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local",
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor",
    "bool", "break", "case", "catch", "char", "char8_t", "char16_t",
    "char32_t", "class", "co_await", "co_return", "co_yield", "compl",
    "concept", "const", "consteval", "constexpr", "constinit", "const_cast",
    "continue", "decltype", "default", "delete", "do", "double",
    "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false",
    "float", "for", "friend", "goto", "if", "inline", "int", "long",
    "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr",
    "operator", "or", "or_eq", "private", "protected", "public", "register",
    "reinterpret_cast", "requires", "restrict", "return", "short", "signed",
    "sizeof", "static", "static_assert", "static_cast", "struct", "switch",
    "template", "this", "thread_local", "throw", "true", "try", "typedef",
    "typeid", "typename", "typeof", "typeof_unqual", "union", "unsigned",
    "using", "virtual", "void", "volatile", "wchar_t", "while", "xor",
    "xor_eq"};
// clang-format on

bool mlir::attn::isCIdentifier(StringRef name) {
  if (name.empty() || llvm::isDigit(name.front()))
    return false;
  if (!llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return false;
  return !llvm::is_contained(kKeywords, name);
}

bool mlir::attn::isReservedLibrarySymbol(StringRef name) {
  return name == "attn_last_error" || name.starts_with("__attn_");
}

bool mlir::attn::isRuntimeLibrarySymbol(StringRef name) {
  if (name.starts_with("omp_") || name.starts_with("kmp_") ||
      name.starts_with("__kmp") || name == "memrefCopy")
    return true;
  std::string symbol = name.str();
  for (const char *library : {"libc.so.6", "libm.so.6"}) {
    // Both are loaded in every process; RTLD_NOLOAD only looks them up.
    void *handle = dlopen(library, RTLD_LAZY | RTLD_NOLOAD);
    if (!handle)
      continue;
    bool defined = dlsym(handle, symbol.c_str()) != nullptr;
    dlclose(handle);
    if (defined)
      return true;
  }
  return false;
}

/// True when <stdint.h> defines `name` (a type or a macro).
static bool isStdintName(StringRef name) {
  static const llvm::Regex stdintName(
      "^(u?int(8|16|32|64|ptr|max)_t|u?int_(least|fast)(8|16|32|64)_t|"
      "U?INT(8|16|32|64|MAX)_C|U?INT(_LEAST|_FAST)?(8|16|32|64)_(MAX|MIN)|"
      "U?INT(PTR|MAX)_(MAX|MIN)|(PTRDIFF|SIG_ATOMIC|SIZE|WCHAR|WINT)_(MAX|MIN)"
      ")$");
  return stdintName.match(name);
}

std::string
mlir::attn::getPlainSymbolConflict(StringRef name,
                                   ArrayRef<FunctionSignature> functions) {
  if (name == "main")
    return "a library's `main` would be taken for the program's";
  if (!isCIdentifier(name))
    return "its name is not a C identifier";
  if (isReservedLibrarySymbol(name))
    return ("the library's run-time support defines `" + name + "`").str();
  if (isRuntimeLibrarySymbol(name))
    return ("`" + name +
            "` is a function of the C, math or OpenMP run-time library, which "
            "the export would replace in the whole program")
        .str();
  if (name.starts_with("attn_memref_") || name.starts_with("ATTN_"))
    return ("the header defines names that start with `" +
            name.take_front(name.starts_with("ATTN_") ? 5 : 12) + "`")
        .str();
  if (isStdintName(name))
    return ("the header includes <stdint.h>, which defines `" + name + "`")
        .str();
  if (StringRef owner = name; owner.consume_back("_results"))
    for (const FunctionSignature &other : functions)
      if (other.name == owner && other.results.size() > 1 &&
          other.unsupportedReason.empty())
        return ("the header defines `" + name + "`, the results of @" + owner)
            .str();
  return "";
}

ArrayRef<StringRef> mlir::attn::getCheckedCPUFeatures() {
  static constexpr StringLiteral features[] = {
      // x86-64-v2
      "sse4.2", "popcnt",
      // x86-64-v3
      "avx", "avx2", "bmi", "bmi2", "fma", "f16c", "lzcnt", "movbe",
      // x86-64-v4
      "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl",
      // later extensions the kernels may use
      "avx512bf16", "avx512fp16", "avx512vnni", "avx512vbmi", "avxvnni",
      "amx-tile", "amx-bf16"};
  static const SmallVector<StringRef> list(std::begin(features),
                                           std::end(features));
  return list;
}

std::string HostCPUDescription::str() const {
  std::string text = "--cpu=" + flag;
  if (!name.empty() && name != flag)
    text += " (" + name + ")";
  return text;
}

std::string mlir::attn::getLinkFlag(StringRef fileName) {
  StringRef name = fileName;
  if (name.consume_front("lib") && name.consume_back(".so") && !name.empty())
    return ("-l" + name).str();
  return ("-l:" + fileName).str();
}

/// The C name of the descriptor struct of `spec`: `attn_memref_<R>d_<elt>`.
static std::string getDescriptorName(const TensorSpec &spec) {
  return ("attn_memref_" + Twine(spec.shape.size()) + "d_" +
          stringifyElementType(spec.elementType))
      .str();
}

std::string mlir::attn::emitCHeader(ArrayRef<FunctionSignature> functions,
                                    StringRef guardName,
                                    const CHeaderLibrary &library) {
  std::string text;
  llvm::raw_string_ostream os(text);
  // The guard's hash is filled in last, from the rest of the text.
  constexpr StringLiteral kHashPlaceholder = "@ATTN_HEADER_HASH@";
  std::string guard = "ATTN_GENERATED_";
  for (char c : guardName)
    guard += llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
  guard += ("_" + kHashPlaceholder + "_H").str();

  std::string fileName =
      library.fileName.empty() ? (guardName + ".so").str() : library.fileName;
  std::string headerName =
      (llvm::StringRef(fileName).rsplit('.').first + ".h").str();
  // The comment: paragraphs wrapped to 80 columns.
  auto paragraph = [&](StringRef text, StringRef indent = "") {
    SmallVector<StringRef> words;
    text.split(words, ' ', -1, /*KeepEmpty=*/false);
    std::string line = (" * " + indent).str();
    size_t empty = line.size();
    for (StringRef word : words) {
      if (line.size() > empty && line.size() + 1 + word.size() > 79) {
        os << line << "\n";
        line = (" * " + indent).str();
      }
      if (line.size() > empty)
        line += " ";
      line += word.str();
    }
    os << line << "\n";
  };
  auto blank = [&] { os << " *\n"; };

  os << "/* Generated by attn-mlir's attn-compile. Do not edit.\n";
  blank();
  paragraph("Library: " + fileName);
  if (library.cpu) {
    const HostCPUDescription &cpu = *library.cpu;
    std::string built = "Built for: " + cpu.str();
    if (cpu.flag == "native")
      built += ", the CPU of the machine that compiled it";
    paragraph(built + ".");
    std::string features = "Instruction-set extensions it may use:";
    if (cpu.features.empty())
      features += " none beyond baseline x86-64.";
    for (const std::string &feature : cpu.features)
      features += " " + feature;
    if (!cpu.features.empty())
      features += ". On a CPU that lacks one, every call returns an error "
                  "(attn_last_error) instead of running.";
    paragraph(features, "  ");
    paragraph("For a library that runs on other machines, compile with "
              "--cpu=x86-64-v3 (AVX2: Intel Haswell, AMD Zen and later) or "
              "--cpu=x86-64-v4 (AVX-512: Intel Skylake-SP, AMD Zen 4 and "
              "later).",
              "  ");
  }
  blank();
  paragraph("Linking a program against it, with " + headerName + " and " +
            fileName + " in DIR:");
  os << " *   cc app.c -IDIR -LDIR " << getLinkFlag(fileName)
     << " -Wl,-rpath,'$ORIGIN'\n";
  std::string runtime =
      "finds " + fileName +
      " when the program lies next to it; -Wl,-rpath,DIR instead finds it "
      "in DIR.";
  if (!library.runtimeLibraries.empty()) {
    runtime += " " + fileName + " needs";
    for (auto [index, name] : llvm::enumerate(library.runtimeLibraries))
      runtime += (index ? " and " : " ") + name;
    runtime += " from LLVM, which it looks for next to itself first "
               "(attn-compile copies it there unless --bundle-runtime=false), "
               "then on the system's library path.";
  }
  paragraph(runtime);
  blank();
  paragraph(
      "Every public function @f of the module is exported as "
      "_mlir_ciface_f (MLIR's C interface) and, unless the name is taken "
      "(`main`, not a C identifier, a C or math library function, a "
      "name this header defines: a note at the declarations says "
      "which), as plain f, with the same signature. Each tensor is passed as a "
      "pointer to a memref "
      "descriptor (sizes and strides in elements) of the function's "
      "type, offset 0 and packed row-major strides (strides[R-1] == "
      "1); a descriptor with other sizes, an offset or other strides "
      "is refused with an error. With one result, the first parameter points "
      "to the result's descriptor; with several, to a <f>_results "
      "struct; with none, it is absent. The function fills it with "
      "buffers it malloc'ed: release each with free(r.allocated). "
      "Arguments are only read. f16 and bf16 elements are raw uint16_t "
      "bit patterns, i1 one byte (0 or 1).");
  blank();
  paragraph("Both return 0 on success. They return non-zero without writing "
            "the results when a run-time check fails (a descriptor as above, "
            "sizes of dynamic dimensions that do not fit together) or the "
            "CPU lacks an "
            "extension the code uses; attn_last_error() then returns the "
            "message (for the calling thread; NULL after a call that "
            "succeeded).");
  os << " */\n";
  os << "#ifndef " << guard << "\n#define " << guard << "\n\n";
  os << "#include <stdint.h>\n\n";
  os << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  os << "#ifndef ATTN_LAST_ERROR_DECLARED\n#define ATTN_LAST_ERROR_DECLARED\n"
        "/* The message of the calling thread's last failed call, NULL after "
        "a call that\n"
        " * succeeded. Valid until the thread's next call. */\n"
        "const char *attn_last_error(void);\n#endif\n\n";

  // Descriptor types, each once, guarded across headers.
  SmallVector<std::string> emitted;
  auto emitDescriptor = [&](const TensorSpec &spec) {
    std::string name = getDescriptorName(spec);
    if (llvm::is_contained(emitted, name))
      return;
    emitted.push_back(name);
    std::string macro = StringRef(name).upper() + "_DEFINED";
    size_t rank = spec.shape.size();
    StringRef element = getCElementTypeName(spec.elementType);
    os << "#ifndef " << macro << "\n#define " << macro << "\n";
    os << "/* Descriptor of a rank-" << rank << " "
       << stringifyElementType(spec.elementType) << " memref. */\n";
    os << "typedef struct " << name << " {\n";
    os << "  " << element << " *allocated;\n";
    os << "  " << element << " *aligned;\n";
    os << "  int64_t offset;\n";
    if (rank > 0) {
      os << "  int64_t sizes[" << rank << "];\n";
      os << "  int64_t strides[" << rank << "];\n";
    }
    os << "} " << name << ";\n#endif\n\n";
  };
  for (const FunctionSignature &signature : functions) {
    if (!signature.unsupportedReason.empty())
      continue;
    for (const TensorSpec &spec : signature.arguments)
      emitDescriptor(spec);
    for (const TensorSpec &spec : signature.results)
      emitDescriptor(spec);
  }

  for (const FunctionSignature &signature : functions) {
    StringRef name = signature.name;
    // `_mlir_ciface_<f>` is declared when it is an identifier (`@int`'s
    // is); plain `<f>` when `f` is one too.
    if (!isCIdentifier(("_mlir_ciface_" + name).str())) {
      os << "/* @" << name
         << ": not declared, its name is not a C "
            "identifier. */\n\n";
      continue;
    }
    if (!signature.unsupportedReason.empty()) {
      os << "/* @" << name << ": not declared, " << signature.unsupportedReason
         << ". */\n\n";
      continue;
    }
    // The signature as a comment.
    os << "/* @" << name << "(";
    llvm::interleaveComma(signature.arguments, os,
                          [&](const TensorSpec &spec) { os << spec.str(); });
    os << ") -> (";
    llvm::interleaveComma(signature.results, os,
                          [&](const TensorSpec &spec) { os << spec.str(); });
    os << ")";
    if (signature.flops)
      os << ", " << llvm::format("%.6g", *signature.flops) << " FLOP";
    os << " */\n";

    std::string resultType;
    if (signature.results.size() == 1) {
      resultType = getDescriptorName(signature.results.front());
    } else if (signature.results.size() > 1) {
      resultType = (name + "_results").str();
      os << "typedef struct " << resultType << " {\n";
      for (auto [index, spec] : llvm::enumerate(signature.results))
        os << "  " << getDescriptorName(spec) << " result" << index << ";\n";
      os << "} " << resultType << ";\n";
    }
    std::string parameters;
    llvm::raw_string_ostream params(parameters);
    bool first = true;
    if (!resultType.empty()) {
      params << resultType << " *result";
      first = false;
    }
    for (auto [index, spec] : llvm::enumerate(signature.arguments)) {
      params << (first ? "" : ", ") << "const " << getDescriptorName(spec)
             << " *arg" << index;
      first = false;
    }
    if (first)
      params << "void";
    os << "int _mlir_ciface_" << name << "(" << parameters << ");\n";
    std::string conflict = getPlainSymbolConflict(name, functions);
    if (conflict.empty())
      os << "int " << name << "(" << parameters << ");\n";
    else if (name != "main")
      os << "/* No plain `" << name << "`: " << conflict << ". */\n";
    os << "\n";
  }
  os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n";
  os << "#endif /* " << guard << " */\n";
  std::string hash =
      llvm::utohexstr(llvm::xxh3_64bits(text), /*LowerCase=*/false,
                      /*Width=*/16);
  return llvm::join(llvm::split(text, kHashPlaceholder), hash);
}
