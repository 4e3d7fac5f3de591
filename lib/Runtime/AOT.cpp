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
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::attn;
using mlir::attn::detail::DiagnosticCapture;
using mlir::attn::detail::makeError;

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
    if (llvm::Function *expanded = llvmModule.getFunction(signature.name)) {
      expanded->setName("__attn_expanded_" + signature.name);
      expanded->setLinkage(llvm::GlobalValue::InternalLinkage);
    }
    if (signature.name == "main" || !isCIdentifier(signature.name))
      continue;
    llvm::GlobalAlias::create(llvm::GlobalValue::ExternalLinkage,
                              signature.name, wrapper);
  }
}

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

/// Links the object at `objectPath` into the shared library `outputPath`.
static llvm::Error linkSharedLibrary(StringRef objectPath,
                                     StringRef outputPath) {
  llvm::Expected<std::string> clang = findClang();
  if (!clang)
    return clang.takeError();
  SmallString<128> logPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("attn-link", "log", logPath))
    return makeError("cannot create a temporary file: " + ec.message());
  llvm::FileRemover logRemover(logPath);
  std::string rpath = "-Wl,-rpath," ATTN_LLVM_LIBRARY_DIR;
  std::string libraryDir = "-L" ATTN_LLVM_LIBRARY_DIR;
  SmallVector<StringRef> args = {*clang,
                                 "-shared",
                                 "-o",
                                 outputPath,
                                 objectPath,
                                 libraryDir,
                                 "-Wl,--as-needed",
                                 "-lmlir_c_runner_utils",
                                 "-lomp",
                                 "-lm",
                                 rpath};
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

  // Shared library: object in a temporary file, linked next to `path` under
  // a temporary name, renamed into place with its header.
  SmallString<128> objectPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("attn", "o", objectPath))
    return makeError("cannot create a temporary object file: " + ec.message());
  llvm::FileRemover objectRemover(objectPath);
  if (llvm::Error error = writeFileAtomically(objectPath, code))
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
  if (llvm::Error error = linkSharedLibrary(objectPath, temporaryPath))
    return error;
  std::string stem = llvm::sys::path::stem(path).str();
  if (llvm::Error error =
          writeFileAtomically(headerPath, emitCHeader(functions, stem)))
    return error;
  if (std::error_code ec = llvm::sys::fs::rename(temporaryPath, path))
    return makeError("'" + path + "': cannot write output: " + ec.message());
  temporaryRemover.releaseFile();
  return llvm::Error::success();
}
