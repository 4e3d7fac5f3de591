//===- Runner.cpp - compile attn modules and run them ---------------------===//
//
// Part of the attn-mlir project.
//
// CompiledModule: the compiler driver (Compiler.cpp) and a Backend, put
// together for the tools.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/Runner.h"

#include "Detail.h"
#include "attn/Runtime/CHeader.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::attn;
using mlir::attn::detail::makeError;

//===----------------------------------------------------------------------===//
// BenchmarkResult
//===----------------------------------------------------------------------===//

double BenchmarkResult::min() const {
  return timesMs.empty() ? 0.0
                         : *std::min_element(timesMs.begin(), timesMs.end());
}

double BenchmarkResult::max() const {
  return timesMs.empty() ? 0.0
                         : *std::max_element(timesMs.begin(), timesMs.end());
}

double BenchmarkResult::median() const {
  if (timesMs.empty())
    return 0.0;
  std::vector<double> sorted = timesMs;
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

//===----------------------------------------------------------------------===//
// CompiledModule
//===----------------------------------------------------------------------===//

CompiledModule::CompiledModule(CompileOptions options,
                               std::unique_ptr<Backend> backend,
                               LoweredModule lowered)
    : options(std::move(options)), backend(std::move(backend)),
      context(std::move(lowered.context)), module(std::move(lowered.module)),
      functions(std::move(lowered.functions)) {}

CompiledModule::~CompiledModule() {
  // The loaded code must go before the module and context it came from.
  executable.reset();
  module = nullptr;
}

llvm::Expected<std::unique_ptr<CompiledModule>>
CompiledModule::compile(StringRef source, const CompileOptions &options,
                        StringRef bufferName) {
  if (llvm::Error error = verifyCompileOptions(options))
    return std::move(error);
  llvm::Expected<std::unique_ptr<Backend>> backend =
      createBackend(options.target);
  if (!backend)
    return backend.takeError();
  llvm::Expected<LoweredModule> lowered =
      lowerModule(source, **backend, options, bufferName);
  if (!lowered)
    return lowered.takeError();
  std::unique_ptr<CompiledModule> compiled(
      new CompiledModule(options, std::move(*backend), std::move(*lowered)));
  compiled->source = source.str();
  compiled->bufferName = bufferName.str();
  return compiled;
}

llvm::Expected<std::unique_ptr<CompiledModule>>
CompiledModule::compile(ModuleOp module, const CompileOptions &options) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, OpPrintingFlags().enableDebugInfo(/*enable=*/true,
                                                      /*prettyForm=*/false));
  return compile(text, options, "<module>");
}

llvm::Expected<std::unique_ptr<CompiledModule>>
CompiledModule::compileFile(StringRef path, const CompileOptions &options) {
  auto buffer = readSourceFile(path);
  if (!buffer)
    return buffer.takeError();
  return compile((*buffer)->getBuffer(), options,
                 path == "-" ? "<stdin>" : path);
}

const FunctionSignature *CompiledModule::lookupFunction(StringRef name) const {
  for (const FunctionSignature &signature : functions)
    if (signature.name == name)
      return &signature;
  return nullptr;
}

ModuleOp CompiledModule::getLoweredModule() const { return *module; }

ArrayRef<StringRef> CompiledModule::getIRStages() {
  static const StringRef stages[] = {"input", "lowered", "llvm", "asm"};
  return stages;
}

/// Emits `module` as the text artifact `kind` into a temporary file through
/// `backend` and returns its contents.
static llvm::Expected<std::string>
emitToString(const Backend &backend, ModuleOp module,
             ArrayRef<FunctionSignature> functions,
             const CompileOptions &options, EmitKind kind, StringRef suffix) {
  SmallString<128> path;
  if (std::error_code error =
          llvm::sys::fs::createTemporaryFile("attn-ir", suffix, path))
    return makeError("cannot create a temporary file: " + error.message());
  llvm::FileRemover remover(path);
  if (llvm::Error error = backend.emit(module, functions, options, kind, path))
    return std::move(error);
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return makeError("cannot read back '" + path +
                     "': " + buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

llvm::Expected<std::string> CompiledModule::getIR(StringRef stage) const {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (stage == "input") {
    std::unique_ptr<MLIRContext> inputContext = createRuntimeContext();
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(source, bufferName),
        llvm::SMLoc());
    OwningOpRef<ModuleOp> parsed =
        parseSourceFile<ModuleOp>(sourceMgr, inputContext.get());
    if (!parsed)
      return makeError("cannot re-parse '" + bufferName + "'");
    parsed->print(os);
    return text;
  }
  ModuleOp lowered = getLoweredModule();
  if (stage == "lowered") {
    lowered.print(os);
    return text;
  }
  if (stage == "llvm")
    return emitToString(*backend, lowered, functions, options,
                        EmitKind::LLVMIR, "ll");
  if (stage == "asm")
    return emitToString(*backend, lowered, functions, options,
                        EmitKind::Assembly, "s");
  return makeError("unknown IR stage '" + stage +
                   "': expected one of " +
                   llvm::join(getIRStages(), ", "));
}

llvm::Expected<std::string> CompiledModule::describeCodegen() const {
  std::unique_ptr<MLIRContext> inputContext = createRuntimeContext();
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(source, bufferName), llvm::SMLoc());
  OwningOpRef<ModuleOp> parsed =
      parseSourceFile<ModuleOp>(sourceMgr, inputContext.get());
  if (!parsed)
    return makeError("cannot re-parse '" + bufferName + "'");
  return backend->describeCodegen(*parsed, options);
}

llvm::Error CompiledModule::prepareJIT() {
  std::lock_guard<std::mutex> lock(executableMutex);
  if (executable)
    return llvm::Error::success();
  llvm::Expected<std::unique_ptr<Executable>> loaded =
      backend->load(*module, options);
  if (!loaded)
    return loaded.takeError();
  executable = std::move(*loaded);
  return llvm::Error::success();
}

llvm::Error CompiledModule::call(StringRef name, ArrayRef<HostTensor> inputs,
                                 std::vector<HostTensor> *results,
                                 double *elapsedMs) {
  const FunctionSignature *signature = lookupFunction(name);
  if (!signature) {
    std::string available;
    for (const FunctionSignature &function : functions)
      available += (available.empty() ? "@" : ", @") + function.name;
    return makeError("no public function @" + name + " in the module" +
                     (available.empty() ? Twine("; it has none")
                                        : "; available: " + available));
  }
  if (llvm::Error error = checkInputs(*signature, inputs))
    return error;
  if (llvm::Error error = prepareJIT())
    return error;
  return executable->call(*signature, inputs, results, elapsedMs);
}

llvm::Expected<std::vector<HostTensor>>
CompiledModule::invoke(StringRef name, ArrayRef<HostTensor> inputs) {
  std::vector<HostTensor> results;
  if (llvm::Error error = call(name, inputs, &results, nullptr))
    return std::move(error);
  return results;
}

llvm::Expected<BenchmarkResult>
CompiledModule::benchmark(StringRef name, ArrayRef<HostTensor> inputs,
                          unsigned repetitions) {
  BenchmarkResult result;
  for (unsigned i = 0; i <= repetitions; ++i) {
    double elapsed = 0;
    if (llvm::Error error = call(name, inputs, nullptr, &elapsed))
      return std::move(error);
    if (i > 0) // The first call is the warm-up.
      result.timesMs.push_back(elapsed);
  }
  return result;
}

llvm::Error CompiledModule::emit(EmitKind kind, StringRef path) {
  return backend->emit(*module, functions, options, kind, path);
}

std::string CompiledModule::getCHeader(StringRef guardName) const {
  return emitCHeader(functions, guardName);
}
