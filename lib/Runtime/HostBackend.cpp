//===- HostBackend.cpp - the host CPU backend -----------------------------===//
//
// Part of the attn-mlir project.
//
// The "cpu" Backend: lowering with buildCPUPipeline, the JIT
// (mlir::ExecutionEngine) and calls of `_mlir_ciface_<f>` on host tensors
// through memref descriptors (MemRefDescriptor.h). Emission is in AOT.cpp.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/HostBackend.h"

#include "Detail.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Pipelines/Pipelines.h"
#include "attn/Runtime/AOT.h"
#include "attn/Runtime/MemRefDescriptor.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <chrono>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace mlir;
using namespace mlir::attn;
using mlir::attn::detail::DiagnosticCapture;
using mlir::attn::detail::makeError;

//===----------------------------------------------------------------------===//
// Run-time errors raised by kernels
//===----------------------------------------------------------------------===//

// A failed `cf.assert` in a kernel (a run-time shape check, see
// docs/CodeGen.md) lowers to `puts(message); abort()`. In the JIT both
// symbols resolve to the hooks below: while a call is in flight, the message
// is kept and `abort` unwinds back to HostExecutable::call with longjmp, so
// the caller gets an llvm::Error naming the check instead of a dead process.
// The checks run before the kernel allocates or forks threads (the attn
// ops' at the top of the function, the linalg ops' there too when their
// sizes come from the arguments: -attn-insert-shape-checks), so nothing is
// skipped but JIT frames.
namespace {
struct KernelAbortScope {
  jmp_buf target;
  std::string message;
};
thread_local KernelAbortScope *activeAbortScope = nullptr;
} // namespace

extern "C" int attnKernelPuts(const char *message) {
  if (!activeAbortScope)
    return std::puts(message);
  activeAbortScope->message = message;
  return 0;
}

extern "C" void attnKernelAbort() {
  if (activeAbortScope)
    longjmp(activeAbortScope->target, 1);
  std::abort();
}

//===----------------------------------------------------------------------===//
// LLVM target setup
//===----------------------------------------------------------------------===//

void mlir::attn::detail::initializeNativeTarget() {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    return true;
  }();
  (void)initialized;
}

/// Resolves "native" to the host CPU name and its features; keeps other
/// names as given (with the CPU's default features).
static std::pair<std::string, std::string> resolveCPU(StringRef cpu) {
  if (cpu != "native")
    return {cpu.str(), ""};
  llvm::SubtargetFeatures features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features.AddFeature(feature.getKey(), feature.getValue());
  return {llvm::sys::getHostCPUName().str(), features.getString()};
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
mlir::attn::createHostTargetMachine(StringRef cpu) {
  attn::detail::initializeNativeTarget();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string message;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, message);
  if (!target)
    return makeError("no LLVM target for the host triple '" + triple.str() +
                     "': " + message);
  auto [cpuName, features] = resolveCPU(cpu);
  // Validate the name against the target's CPU table without creating a
  // subtarget for it (that would warn on stderr about unknown names).
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!subtarget || !subtarget->isCPUStringValid(cpuName))
    return makeError("unknown CPU '" + cpu + "' for target '" + triple.str() +
                     "': expected 'native' or an LLVM CPU name such as "
                     "'x86-64-v3', 'skylake-avx512', 'sapphirerapids' or "
                     "'znver4' (see `llc -mcpu=help`)");
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpuName, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return makeError("cannot create an LLVM target machine for CPU '" + cpu +
                     "'");
  return machine;
}

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

namespace {
/// The descriptors of one call of a C-interface function, and the results
/// it returned, which it frees unless they were handed on.
struct Invocation {
  Invocation(const FunctionSignature &signature, ArrayRef<HostTensor> inputs);
  ~Invocation() { freeResults(); }

  /// Frees the result buffers the kernel allocated, once each.
  void freeResults();

  /// The C interface's arguments: the result struct first (when there are
  /// results), then one descriptor per argument.
  SmallVector<void *> interfacePointers() {
    SmallVector<void *> pointers;
    if (!results.empty())
      pointers.push_back(results.data());
    for (size_t index = 0, e = arguments.size(); index < e; ++index)
      pointers.push_back(arguments[index].getAddress());
    return pointers;
  }

  const FunctionSignature &signature;
  /// One descriptor per argument: row-major views of the inputs.
  MemRefDescriptorList arguments;
  /// The result descriptors, back to back (the C struct of descriptors).
  MemRefDescriptorList results;
  /// Input buffer ranges: results pointing into them are not freed.
  SmallVector<std::pair<const uint8_t *, const uint8_t *>> inputRanges;
  bool ran = false;
};
} // namespace

static SmallVector<int64_t> getRanks(ArrayRef<HostTensor> tensors) {
  return llvm::map_to_vector(
      tensors, [](const HostTensor &tensor) { return tensor.getRank(); });
}

static SmallVector<int64_t> getRanks(ArrayRef<TensorSpec> specs) {
  return llvm::map_to_vector(specs, [](const TensorSpec &spec) {
    return static_cast<int64_t>(spec.shape.size());
  });
}

Invocation::Invocation(const FunctionSignature &signature,
                       ArrayRef<HostTensor> inputs)
    : signature(signature), arguments(getRanks(inputs)),
      results(getRanks(signature.results)) {
  // Row-major descriptors over the caller's buffers. The kernel only reads
  // them (arguments are marked `bufferization.writable = false`).
  for (auto [index, input] : llvm::enumerate(inputs)) {
    arguments[index].setRowMajor(const_cast<void *>(input.data()),
                                 input.getShape());
    auto *begin = static_cast<const uint8_t *>(input.data());
    inputRanges.push_back({begin, begin + input.getSizeInBytes()});
  }
}

void Invocation::freeResults() {
  if (!ran)
    return;
  SmallVector<void *> freed;
  for (size_t index = 0, e = results.size(); index < e; ++index) {
    void *allocated = results[index].getAllocated();
    // 0xdeadbeef marks a memref.get_global buffer in MLIR's lowering.
    if (!allocated || reinterpret_cast<uintptr_t>(allocated) == 0xdeadbeef ||
        llvm::is_contained(freed, allocated))
      continue;
    auto *bytes = static_cast<const uint8_t *>(allocated);
    if (llvm::any_of(inputRanges, [&](auto range) {
          return bytes >= range.first && bytes < range.second;
        }))
      continue;
    freed.push_back(allocated);
    std::free(allocated);
  }
  ran = false;
}

/// Copies a strided buffer of `shape` into a row-major `destination`.
static void copyStrided(const uint8_t *source, ArrayRef<int64_t> shape,
                        ArrayRef<int64_t> strides, int64_t width,
                        uint8_t *destination) {
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  if (count == 0)
    return;
  // Contiguous row-major (ignoring strides of size-1 dimensions)?
  bool contiguous = true;
  int64_t expected = 1;
  for (int64_t dim = rank - 1; dim >= 0; --dim) {
    if (shape[dim] != 1 && strides[dim] != expected)
      contiguous = false;
    expected *= shape[dim];
  }
  if (contiguous) {
    std::memcpy(destination, source, count * width);
    return;
  }
  SmallVector<int64_t> index(rank, 0);
  for (int64_t linear = 0; linear < count; ++linear) {
    int64_t offset = 0;
    for (int64_t dim = 0; dim < rank; ++dim)
      offset += index[dim] * strides[dim];
    std::memcpy(destination + linear * width, source + offset * width, width);
    for (int64_t dim = rank - 1; dim >= 0; --dim) {
      if (++index[dim] < shape[dim])
        break;
      index[dim] = 0;
    }
  }
}

/// Copies the results of `invocation` into dense host tensors, checking
/// their sizes against the signature.
static llvm::Error copyResults(const Invocation &invocation,
                               std::vector<HostTensor> &tensors) {
  const FunctionSignature &signature = invocation.signature;
  for (auto [index, spec] : llvm::enumerate(signature.results)) {
    MemRefDescriptorRef descriptor = invocation.results[index];
    ArrayRef<int64_t> sizes = descriptor.getSizes();
    ArrayRef<int64_t> strides = descriptor.getStrides();
    for (auto [dim, want, have] : llvm::enumerate(spec.shape, sizes))
      if (have < 0 || (!ShapedType::isDynamic(want) && want != have))
        return makeError("result #" + Twine(index) + " of @" + signature.name +
                         " has size " + Twine(have) + " in dimension " +
                         Twine(dim) + ", but its type is " + spec.str());
    HostTensor tensor(spec.elementType, sizes);
    const auto *aligned = static_cast<const uint8_t *>(descriptor.getAligned());
    int64_t width = getElementByteWidth(spec.elementType);
    if (tensor.getNumElements() > 0)
      copyStrided(aligned + descriptor.getOffset() * width, sizes, strides,
                  width, tensor.getMutableBytes().data());
    tensors.push_back(std::move(tensor));
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// HostExecutable
//===----------------------------------------------------------------------===//

namespace {
/// A lowered module JIT-compiled for the host.
class HostExecutable final : public Executable {
public:
  /// `externals`: the functions the module declares without a body, which
  /// the JIT resolves from the process when a call first needs them.
  HostExecutable(std::unique_ptr<ExecutionEngine> engine,
                 std::function<llvm::Error()> afterCall,
                 std::vector<std::string> externals)
      : engine(std::move(engine)), afterCall(std::move(afterCall)),
        externals(std::move(externals)) {}

  llvm::Error call(const FunctionSignature &signature,
                   ArrayRef<HostTensor> inputs,
                   std::vector<HostTensor> *results,
                   double *elapsedMs) override;

private:
  /// The declared functions that nothing defines ("@ext, @g"), or "".
  std::string findUnresolvedExternals();

  std::unique_ptr<ExecutionEngine> engine;
  std::function<llvm::Error()> afterCall;
  std::vector<std::string> externals;
};
} // namespace

std::string HostExecutable::findUnresolvedExternals() {
  std::string unresolved;
  for (const std::string &name : externals) {
    auto address = engine->lookup(name);
    if (address)
      continue;
    llvm::consumeError(address.takeError());
    unresolved += (unresolved.empty() ? "@" : ", @") + name;
  }
  return unresolved;
}

llvm::Error HostExecutable::call(const FunctionSignature &signature,
                                 ArrayRef<HostTensor> inputs,
                                 std::vector<HostTensor> *results,
                                 double *elapsedMs) {
  StringRef name = signature.name;
  std::string entry = ("_mlir_ciface_" + name).str();
  auto function = engine->lookupPacked(entry);
  if (!function) {
    std::string message = llvm::toString(function.takeError());
    // The usual cause: a call of a function declared without a body.
    std::string unresolved = findUnresolvedExternals();
    if (!unresolved.empty())
      return makeError("cannot run @" + name + ": the module calls " +
                       unresolved +
                       ", declared without a body, which neither the module "
                       "nor the process defines (JIT-compiled modules link "
                       "only the C library, libm and the OpenMP runtime)");
    return makeError("cannot find the C interface of @" + name +
                     " in the JIT-compiled module: " + message);
  }

  Invocation invocation(signature, inputs);
  // The packed entry point takes the address of each C-interface pointer.
  SmallVector<void *> pointers = invocation.interfacePointers();
  SmallVector<void *> packed;
  for (void *&pointer : pointers)
    packed.push_back(&pointer);

  KernelAbortScope abortScope;
  activeAbortScope = &abortScope;
  if (setjmp(abortScope.target) != 0) {
    activeAbortScope = nullptr;
    return makeError("@" + name + " stopped at a run-time check: " +
                     abortScope.message +
                     formatDynamicArgumentSizes(signature, inputs));
  }
  auto start = std::chrono::steady_clock::now();
  (*function)(packed.data());
  auto stop = std::chrono::steady_clock::now();
  activeAbortScope = nullptr;
  invocation.ran = true;
  if (afterCall)
    if (llvm::Error error = afterCall())
      return makeError("@" + name + " failed: " + llvm::toString(std::move(error)));
  if (elapsedMs)
    *elapsedMs =
        std::chrono::duration<double, std::milli>(stop - start).count();
  if (!results)
    return llvm::Error::success();
  return copyResults(invocation, *results);
}

//===----------------------------------------------------------------------===//
// LibraryExecutable
//===----------------------------------------------------------------------===//

namespace {
/// A shared library written by attn-compile, called through its
/// `__attn_invoke` (see AOT.h).
class LibraryExecutable final : public Executable {
public:
  using InvokeFn = int (*)(int64_t, void **);
  using LastErrorFn = const char *(*)();

  LibraryExecutable(std::vector<FunctionSignature> functions, InvokeFn invoke,
                    LastErrorFn lastError)
      : functions(std::move(functions)), invoke(invoke), lastError(lastError) {}

  llvm::Error call(const FunctionSignature &signature,
                   ArrayRef<HostTensor> inputs,
                   std::vector<HostTensor> *results,
                   double *elapsedMs) override;

private:
  std::vector<FunctionSignature> functions;
  InvokeFn invoke;
  LastErrorFn lastError;
};
} // namespace

llvm::Error LibraryExecutable::call(const FunctionSignature &signature,
                                    ArrayRef<HostTensor> inputs,
                                    std::vector<HostTensor> *results,
                                    double *elapsedMs) {
  auto found = llvm::find_if(functions, [&](const FunctionSignature &f) {
    return f.name == signature.name;
  });
  if (found == functions.end())
    return makeError("no public function @" + signature.name +
                     " in the library");
  int64_t index = found - functions.begin();

  Invocation invocation(signature, inputs);
  SmallVector<void *> pointers = invocation.interfacePointers();

  auto start = std::chrono::steady_clock::now();
  int status = invoke(index, pointers.data());
  auto stop = std::chrono::steady_clock::now();
  if (status != 0) {
    const char *message = lastError();
    if (!message)
      return makeError("@" + signature.name + " failed without a message");
    return makeError(message);
  }
  invocation.ran = true;
  if (elapsedMs)
    *elapsedMs =
        std::chrono::duration<double, std::milli>(stop - start).count();
  if (!results)
    return llvm::Error::success();
  return copyResults(invocation, *results);
}

llvm::Expected<HostLibrary> mlir::attn::loadHostLibrary(StringRef path) {
  auto cannotLoad = [&](const Twine &why) {
    return makeError("'" + path + "': cannot load shared library: " + why);
  };
  if (!llvm::sys::fs::exists(path))
    return cannotLoad("No such file or directory");
  if (llvm::sys::fs::is_directory(path))
    return cannotLoad("is a directory");
  // dlopen searches the library path for a name without a slash.
  SmallString<256> absolute(path);
  if (std::error_code ec = llvm::sys::fs::make_absolute(absolute))
    return makeError("'" + path + "': " + ec.message());
  dlerror();
  void *handle = dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *message = dlerror();
    return cannotLoad(message ? message : "unknown error");
  }
  // The library stays loaded: its OpenMP threads may outlive any call.
  auto *infoText =
      static_cast<const char *>(dlsym(handle, kLibraryInfoSymbol.data()));
  auto invoke = reinterpret_cast<LibraryExecutable::InvokeFn>(
      dlsym(handle, kLibraryInvokeSymbol.data()));
  auto lastError = reinterpret_cast<LibraryExecutable::LastErrorFn>(
      dlsym(handle, kLastErrorSymbol.data()));
  if (!infoText || !invoke || !lastError)
    return makeError("'" + path +
                     "' is not a shared library written by attn-compile: it "
                     "has no " +
                     (!infoText ? kLibraryInfoSymbol
                      : !invoke ? kLibraryInvokeSymbol
                                : kLastErrorSymbol) +
                     " symbol");
  llvm::Expected<LibraryInfo> info = parseLibraryInfo(infoText);
  if (!info)
    return makeError("'" + path + "': " + llvm::toString(info.takeError()));
  HostLibrary library;
  library.info = std::move(*info);
  library.executable = std::make_unique<LibraryExecutable>(
      library.info.functions, invoke, lastError);
  return library;
}

//===----------------------------------------------------------------------===//
// HostBackend
//===----------------------------------------------------------------------===//

namespace {
/// The host CPU backend: see HostBackend.h.
class HostBackend final : public Backend {
public:
  StringRef getName() const override { return "cpu"; }

  llvm::Error verifyOptions(const CompileOptions &options) const override;

  void buildLoweringPipeline(OpPassManager &pm,
                             const CompileOptions &options) const override;

  llvm::Expected<std::unique_ptr<Executable>>
  load(ModuleOp module, const CompileOptions &options) const override;

  llvm::Expected<std::string>
  describeCodegen(ModuleOp module,
                  const CompileOptions &options) const override;

  llvm::Error emit(ModuleOp module, ArrayRef<FunctionSignature> functions,
                   const CompileOptions &options, EmitKind kind,
                   StringRef path) const override {
    return emitHostArtifact(module, functions, options.cpu, kind, path);
  }
};
} // namespace

/// Sets the options of buildCPUPipeline from `options`.
static void setPipelineOptions(CPUPipelineOptions &pipelineOptions,
                               const CompileOptions &options) {
  pipelineOptions.targetCPU = options.cpu;
  pipelineOptions.numThreads = options.numThreads;
  pipelineOptions.blockQ = options.blockQ;
  pipelineOptions.blockK = options.blockK;
  if (options.gatherBlockQ > 0)
    pipelineOptions.gatherBlockQ = options.gatherBlockQ;
  if (options.dcmhaBlockQ > 0)
    pipelineOptions.dcmhaBlockQ = options.dcmhaBlockQ;
  pipelineOptions.splitKeys = options.splitKeys;
  pipelineOptions.unit = options.unit;
  pipelineOptions.decomposeAll = options.decomposeAll;
}

llvm::Expected<std::string>
HostBackend::describeCodegen(ModuleOp module,
                             const CompileOptions &options) const {
  std::string text;
  llvm::raw_string_ostream os(text);
  // The CPU's vector features that decide the kernels.
  llvm::StringMap<bool> features;
  std::string cpu = options.cpu;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    features = llvm::sys::getHostCPUFeatures();
  } else {
    SmallVector<StringRef> list;
    llvm::X86::getFeaturesForCPU(cpu, list);
    for (StringRef feature : list)
      features[feature] = true;
  }
  os << "cpu " << cpu << (options.cpu == "native" ? " (this machine)" : "")
     << ":";
  for (StringRef feature : {"avx2", "fma", "avx512f", "avx512bf16",
                            "avx512fp16", "amx-bf16"})
    os << " " << feature << (features.lookup(feature) ? "" : " no") << ",";
  text.pop_back();
  os << "\n";
  // The configs the pipeline's first pass chooses, on a copy.
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  PassManager pm(module->getContext());
  CPUPipelineOptions pipelineOptions;
  setPipelineOptions(pipelineOptions, options);
  buildCPUSelectLoweringConfigPipeline(pm, pipelineOptions);
  if (failed(pm.run(*copy)))
    return makeError("cannot choose the lowering configs");
  copy->walk([&](Operation *op) {
    LoweringConfigAttr config = getLoweringConfig(op);
    if (!config)
      return;
    if (auto loc = dyn_cast<FileLineColLoc>(op->getLoc()))
      os << loc.getFilename().getValue() << ":" << loc.getLine() << ":"
         << loc.getColumn();
    else
      os << op->getLoc();
    os << ": " << op->getName() << ": unit "
       << stringifyMatmulUnit(config.getUnit()) << ", " << config << "\n";
  });
  return text;
}

/// Linux gives a process AMX tile state only on request: when the lowered
/// `module` calls AMX intrinsics (the attention kernel's `amx` unit), asks
/// for it once (arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA), as the
/// kernel documentation, Documentation/arch/x86/xstate.rst, describes).
static llvm::Error requestAMXIfUsed(ModuleOp module) {
  bool usesAMX = false;
  module.walk([&](LLVM::CallIntrinsicOp call) {
    usesAMX |= call.getIntrin().starts_with("llvm.x86.tile");
  });
  if (!usesAMX)
    return llvm::Error::success();
  constexpr long kArchReqXcompPerm = 0x1023, kXFeatureXTileData = 18;
  if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXFeatureXTileData) != 0)
    return makeError(llvm::Twine("Linux refused the AMX tile state "
                                 "(arch_prctl(ARCH_REQ_XCOMP_PERM, "
                                 "XFEATURE_XTILEDATA): ") +
                     std::strerror(errno) +
                     "): compile with --unit=bf16_dot or --unit=f32");
  return llvm::Error::success();
}

llvm::Error HostBackend::verifyOptions(const CompileOptions &options) const {
  // GPU options are refused rather than ignored, so that a typo shows.
  if (options.gpuTensorCores != "auto")
    return makeError("--gpu-tensor-cores='" + options.gpuTensorCores +
                     "' applies to --target=cuda and --target=opencl only "
                     "(this is --target=cpu)");
  if (!options.gpuChip.empty())
    return makeError("--gpu-chip='" + options.gpuChip +
                     "' applies to --target=cuda only (this is --target=cpu)");
  if (options.cpu.empty())
    return makeError("invalid --cpu='': expected 'native' or an LLVM CPU name");
  if (options.cpu == "native")
    return llvm::Error::success();
  auto machine = createHostTargetMachine(options.cpu);
  if (!machine)
    return makeError("invalid --cpu='" + options.cpu +
                     "': " + llvm::toString(machine.takeError()));
  return llvm::Error::success();
}

void HostBackend::buildLoweringPipeline(OpPassManager &pm,
                                        const CompileOptions &options) const {
  CPUPipelineOptions pipelineOptions;
  setPipelineOptions(pipelineOptions, options);
  buildCPUPipeline(pm, pipelineOptions);
}

llvm::Expected<std::unique_ptr<Executable>>
HostBackend::load(ModuleOp module, const CompileOptions &options) const {
  // The JIT compiles for this machine. Code tuned for a `--cpu` with vector
  // features it lacks holds intrinsics that the host's code generator
  // cannot select (LLVM aborts) or that would trap: refuse it here.
  if (options.cpu != "native") {
    SmallVector<StringRef> cpuFeatures;
    llvm::X86::getFeaturesForCPU(options.cpu, cpuFeatures);
    llvm::StringMap<bool> host = llvm::sys::getHostCPUFeatures();
    SmallVector<StringRef> missing;
    for (StringRef feature : cpuFeatures)
      if (llvm::is_contained({"avx2", "fma", "f16c", "avx512f", "avx512bf16",
                              "avx512fp16", "amx-bf16"},
                             feature) &&
          !host.lookup(feature))
        missing.push_back(feature);
    if (!missing.empty())
      return makeError("--cpu='" + options.cpu + "' has " +
                       llvm::join(missing, ", ") +
                       ", which this machine lacks: code compiled for it "
                       "cannot run here (attn-compile builds libraries for "
                       "other CPUs)");
  }
  if (llvm::Error error = requestAMXIfUsed(module))
    return std::move(error);
  return loadHostJIT(module, {}, nullptr);
}

llvm::Expected<std::unique_ptr<Executable>> mlir::attn::loadHostJIT(
    ModuleOp module, ArrayRef<std::pair<std::string, void *>> extraSymbols,
    std::function<llvm::Error()> afterCall) {
  attn::detail::initializeNativeTarget();

  // The JIT runs on this machine: always host code, at -O3.
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto machine = builder->createTargetMachine();
  if (!machine)
    return machine.takeError();
  llvm::TargetMachine *machinePtr = machine->get();
  auto transformer = makeOptimizingTransformer(/*optLevel=*/3,
                                               /*sizeLevel=*/0, machinePtr);

  SmallVector<std::string> libraries;
  for (StringRef name : {"libomp.so", "libmlir_c_runner_utils.so"}) {
    SmallString<256> path(ATTN_LLVM_LIBRARY_DIR);
    llvm::sys::path::append(path, name);
    if (llvm::sys::fs::exists(path))
      libraries.push_back(path.str().str());
  }
  SmallVector<StringRef> libraryRefs(libraries.begin(), libraries.end());

  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  engineOptions.sharedLibPaths = libraryRefs;
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;

  llvm::SourceMgr sourceMgr;
  DiagnosticCapture diagnostics(sourceMgr, module.getContext());
  auto created =
      ExecutionEngine::create(module, engineOptions, std::move(*machine));
  if (!created) {
    std::string message = llvm::toString(created.takeError());
    return makeError(
        diagnostics.take("cannot JIT-compile the module: " + message));
  }
  std::unique_ptr<ExecutionEngine> engine = std::move(*created);
  std::vector<std::pair<std::string, void *>> extra(extraSymbols.begin(),
                                                    extraSymbols.end());
  engine->registerSymbols([extra](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("puts")] = {
        llvm::orc::ExecutorAddr::fromPtr(&attnKernelPuts),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("abort")] = {
        llvm::orc::ExecutorAddr::fromPtr(&attnKernelAbort),
        llvm::JITSymbolFlags::Exported};
    for (const auto &[name, address] : extra)
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                 llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  // Static constructors run now (GPU host code loads its kernel modules in
  // one); calls through lookupPacked would not run them.
  engine->initialize();
  std::vector<std::string> externals;
  module.walk([&](LLVM::LLVMFuncOp function) {
    if (function.isExternal())
      externals.push_back(function.getSymName().str());
  });
  return std::make_unique<HostExecutable>(
      std::move(engine), std::move(afterCall), std::move(externals));
}

std::unique_ptr<Backend> mlir::attn::createHostBackend() {
  return std::make_unique<HostBackend>();
}
