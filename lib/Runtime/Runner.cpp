//===- Runner.cpp - compile attn modules and run them on the host ---------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/Runner.h"

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/InitAllDialects.h"
#include "attn/Pipelines/Pipelines.h"
#include "attn/Runtime/MemRefDescriptor.h"
#include "attn/Support/Format.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <algorithm>
#include <chrono>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstdlib>
#include <numeric>

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// Run-time errors raised by kernels
//===----------------------------------------------------------------------===//

// A failed `cf.assert` in a kernel (a run-time shape check, see
// docs/CodeGen.md) lowers to `puts(message); abort()`. In the JIT both
// symbols resolve to the hooks below: while a call is in flight, the message
// is kept and `abort` unwinds back to CompiledModule::call with longjmp, so the
// caller gets an llvm::Error naming the check instead of a dead process. The
// checks run before the kernel allocates or forks threads, so nothing is
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


#ifndef ATTN_LLVM_LIBRARY_DIR
#define ATTN_LLVM_LIBRARY_DIR "/usr/lib/llvm-22/lib"
#endif
#ifndef ATTN_LLVM_TOOLS_DIR
#define ATTN_LLVM_TOOLS_DIR "/usr/lib/llvm-22/bin"
#endif

static llvm::Error makeError(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// LLVM target setup
//===----------------------------------------------------------------------===//

static void initializeNativeTarget() {
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

/// Creates a target machine for the host triple and `cpu` ("native" or an
/// LLVM CPU name), position-independent, at -O3.
static llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(StringRef cpu) {
  initializeNativeTarget();
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

llvm::Error mlir::attn::verifyCompileOptions(const CompileOptions &options) {
  // Messages name the options as the tools and the pipeline spell them.
  if (options.target == "cuda")
    return makeError("--target=cuda is not implemented yet: only --target=cpu "
                     "is available");
  if (options.target != "cpu")
    return makeError("invalid --target='" + options.target +
                     "': expected cpu");
  if (options.numThreads < 0)
    return makeError("invalid --num-threads=" + Twine(options.numThreads) +
                     ": expected 0 (OpenMP default) or a positive thread count");
  if (options.blockQ < 0)
    return makeError("invalid --block-q=" + Twine(options.blockQ) +
                     ": expected 0 (automatic) or a positive number of rows");
  if (options.blockK < 0)
    return makeError("invalid --block-k=" + Twine(options.blockK) +
                     ": expected 0 (automatic) or a positive number of keys");
  if (options.cpu.empty())
    return makeError("invalid --cpu='': expected 'native' or an LLVM CPU name");
  if (options.cpu != "native") {
    auto machine = createTargetMachine(options.cpu);
    if (!machine)
      return makeError("invalid --cpu='" + options.cpu +
                       "': " + llvm::toString(machine.takeError()));
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Signatures
//===----------------------------------------------------------------------===//

std::string TensorSpec::str() const {
  return "tensor<" + formatTensorType(shape, elementType) + ">";
}

static std::string typeToString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

/// "f32, f16, ... or i64": the element types of ElementTypes.def.
static std::string listElementTypes() {
  std::string text;
  ArrayRef<ElementType> types = getAllElementTypes();
  for (auto [index, type] : llvm::enumerate(types)) {
    if (index > 0)
      text += index + 1 == types.size() ? " or " : ", ";
    text += stringifyElementType(type);
  }
  return text;
}

/// Converts `type` to a TensorSpec, or sets `reason`.
static std::optional<TensorSpec> convertType(Type type, StringRef what,
                                             std::string &reason) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  std::optional<ElementType> elementType;
  if (tensorType)
    elementType = getElementTypeOf(tensorType.getElementType());
  if (!tensorType || !elementType) {
    if (reason.empty())
      reason = (what + " has type '" + typeToString(type) +
                "'; only ranked tensors of " + listElementTypes() +
                " are supported")
                   .str();
    return std::nullopt;
  }
  TensorSpec spec;
  spec.elementType = *elementType;
  spec.shape.assign(tensorType.getShape().begin(), tensorType.getShape().end());
  return spec;
}

FunctionSignature mlir::attn::getFunctionSignature(func::FuncOp func) {
  FunctionSignature signature;
  signature.name = func.getSymName().str();
  FunctionType type = func.getFunctionType();
  for (auto [index, argType] : llvm::enumerate(type.getInputs()))
    if (auto spec = convertType(argType, "argument #" + std::to_string(index),
                                signature.unsupportedReason))
      signature.arguments.push_back(*spec);
  for (auto [index, resultType] : llvm::enumerate(type.getResults()))
    if (auto spec = convertType(resultType, "result #" + std::to_string(index),
                                signature.unsupportedReason))
      signature.results.push_back(*spec);
  signature.flops = countFlops(func);
  return signature;
}

/// The shape of an input as the messages of checkInputs show it: `2x4x8`,
/// or `scalar ()` for rank 0.
static std::string describeInputShape(const HostTensor &input) {
  if (input.getRank() == 0)
    return "scalar ()";
  return formatShape(input.getShape(), ShapeStyle::Dims);
}

llvm::Error mlir::attn::checkInputs(const FunctionSignature &signature,
                                    ArrayRef<HostTensor> inputs,
                                    ArrayRef<std::string> inputNames) {
  StringRef name = signature.name;
  if (!signature.unsupportedReason.empty())
    return makeError("cannot run @" + name + ": " +
                     signature.unsupportedReason);
  size_t expected = signature.arguments.size();
  if (inputs.size() != expected)
    return makeError("@" + name + " expects " + Twine(expected) +
                     (expected == 1 ? " argument" : " arguments") + " but " +
                     Twine(inputs.size()) +
                     (inputs.size() == 1 ? " input was" : " inputs were") +
                     " given");
  for (auto [index, spec, input] :
       llvm::enumerate(signature.arguments, inputs)) {
    std::string where = ("argument #" + Twine(index) + " of @" + name).str();
    if (index < inputNames.size())
      where += " ('" + inputNames[index] + "')";
    if (input.getElementType() != spec.elementType)
      return makeError(where + ": expected element type " +
                       stringifyElementType(spec.elementType) + " (" +
                       spec.str() + "), found " +
                       stringifyElementType(input.getElementType()) +
                       " (shape " + describeInputShape(input) + ")");
    if (input.getRank() != static_cast<int64_t>(spec.shape.size()))
      return makeError(where + ": expected rank " + Twine(spec.shape.size()) +
                       " (" + spec.str() + "), found rank " +
                       Twine(input.getRank()) + " (shape " +
                       describeInputShape(input) + ")");
    for (auto [dim, want, have] :
         llvm::enumerate(spec.shape, input.getShape())) {
      if (ShapedType::isDynamic(want))
        continue;
      if (want != have)
        return makeError(where + ": expected size " + Twine(want) +
                         " in dimension " + Twine(dim) + " (" + spec.str() +
                         "), found " + Twine(have) + " (shape " +
                         describeInputShape(input) + ")");
    }
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// FLOP counting
//===----------------------------------------------------------------------===//

/// Number of visible (query, key) pairs for one (batch, head), counting the
/// causal, window and chunk restrictions (docs/Spec.md 1.1-1.2).
static double
countVisiblePairs(int64_t lq, int64_t lk, bool causal,
                  std::optional<std::pair<int64_t, int64_t>> window,
                  std::optional<int64_t> chunk) {
  double total = 0;
  for (int64_t i = 0; i < lq; ++i) {
    int64_t shifted = i + (lk - lq);
    int64_t lo = 0, hi = lk - 1;
    if (causal)
      hi = std::min(hi, shifted);
    if (window) {
      if (window->first >= 0)
        lo = std::max(lo, shifted - window->first);
      if (window->second >= 0)
        hi = std::min(hi, shifted + window->second);
    }
    if (chunk && *chunk > 0) {
      int64_t start = llvm::divideFloorSigned(shifted, *chunk) * *chunk;
      lo = std::max(lo, start);
      hi = std::min(hi, start + *chunk - 1);
    }
    if (hi >= lo)
      total += static_cast<double>(hi - lo + 1);
  }
  return total;
}

/// FLOPs of one attention op, or std::nullopt for dynamic shapes.
static std::optional<double>
countAttentionFlops(Value query, Value value, Value key, bool causal,
                    std::optional<std::pair<int64_t, int64_t>> window,
                    std::optional<int64_t> chunk) {
  auto queryType = dyn_cast<RankedTensorType>(query.getType());
  auto keyType = dyn_cast<RankedTensorType>(key.getType());
  auto valueType = dyn_cast<RankedTensorType>(value.getType());
  if (!queryType || !keyType || !valueType || !queryType.hasStaticShape() ||
      !keyType.hasStaticShape() || !valueType.hasStaticShape() ||
      queryType.getRank() != 4 || keyType.getRank() != 4 ||
      valueType.getRank() != 4)
    return std::nullopt;
  int64_t batch = queryType.getDimSize(0), heads = queryType.getDimSize(1);
  int64_t lq = queryType.getDimSize(2), d = queryType.getDimSize(3);
  int64_t lk = keyType.getDimSize(2), dv = valueType.getDimSize(3);
  double pairs = countVisiblePairs(lq, lk, causal, window, chunk);
  return pairs * 2.0 * static_cast<double>(d + dv) *
         static_cast<double>(batch) * static_cast<double>(heads);
}

std::optional<double> mlir::attn::countFlops(func::FuncOp func) {
  double total = 0;
  bool counted = false, unknown = false;
  func.walk([&](Operation *op) {
    std::optional<double> flops;
    if (auto attention = dyn_cast<AttentionOp>(op)) {
      flops = countAttentionFlops(attention.getQuery(), attention.getValue(),
                                  attention.getKey(), attention.getCausal(),
                                  std::nullopt, std::nullopt);
    } else if (auto sliding = dyn_cast<SlidingWindowAttentionOp>(op)) {
      ArrayRef<int64_t> window = sliding.getWindow();
      std::optional<std::pair<int64_t, int64_t>> bounds;
      if (window.size() == 2)
        bounds = std::make_pair(window[0], window[1]);
      std::optional<int64_t> chunk;
      if (auto value = sliding.getChunk())
        chunk = static_cast<int64_t>(*value);
      flops = countAttentionFlops(sliding.getQuery(), sliding.getValue(),
                                  sliding.getKey(), sliding.getCausal(), bounds,
                                  chunk);
    } else if (isa<AttnDialect>(op->getDialect())) {
      unknown = true;
      return;
    } else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      if (!linalg::isaContractionOpInterface(linalgOp))
        return;
      double points = 1;
      for (int64_t range : linalgOp.getStaticLoopRanges()) {
        if (ShapedType::isDynamic(range)) {
          unknown = true;
          return;
        }
        points *= static_cast<double>(range);
      }
      flops = 2.0 * points;
    } else {
      return;
    }
    if (!flops) {
      unknown = true;
      return;
    }
    total += *flops;
    counted = true;
  });
  if (!counted || unknown)
    return std::nullopt;
  return total;
}

//===----------------------------------------------------------------------===//
// BenchmarkResult, EmitKind
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

std::optional<EmitKind> mlir::attn::parseEmitKind(StringRef name) {
  return llvm::StringSwitch<std::optional<EmitKind>>(name)
      .Case("mlir", EmitKind::MLIR)
      .Case("llvm", EmitKind::LLVMIR)
      .Case("asm", EmitKind::Assembly)
      .Case("obj", EmitKind::Object)
      .Case("so", EmitKind::SharedLibrary)
      .Default(std::nullopt);
}

//===----------------------------------------------------------------------===//
// Compilation
//===----------------------------------------------------------------------===//

namespace {
/// Collects the diagnostics emitted while it lives, printed with their
/// source lines, instead of writing them to stderr.
class DiagnosticCapture {
public:
  DiagnosticCapture(llvm::SourceMgr &sourceMgr, MLIRContext *context)
      : os(text), handler(sourceMgr, context, os) {}

  /// The collected text, or `fallback` when nothing was reported.
  std::string take(StringRef fallback) {
    StringRef trimmed = StringRef(text).rtrim();
    return trimmed.empty() ? fallback.str() : trimmed.str();
  }

private:
  std::string text;
  llvm::raw_string_ostream os;
  SourceMgrDiagnosticHandler handler;
};
} // namespace

CompiledModule::CompiledModule() = default;
CompiledModule::~CompiledModule() {
  // The JIT must go before the context it was created from.
  engine.reset();
  module = nullptr;
}

std::unique_ptr<MLIRContext> mlir::attn::createRuntimeContext() {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllToLLVMIRTranslations(registry);
  auto context = std::make_unique<MLIRContext>(registry);
  context->loadAllAvailableDialects();
  // Errors go to users of attn-run / attn-compile: the message and its
  // source location, without a dump of the (often huge) lowered op.
  context->printOpOnDiagnostic(false);
  return context;
}

/// Marks the public functions for the C interface and their tensor
/// arguments read-only, so that the kernel never writes into caller memory.
static void prepareForLowering(ModuleOp module) {
  MLIRContext *context = module.getContext();
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(context));
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
      if (!isa<TensorType>(func.getArgument(i).getType()))
        continue;
      if (!func.getArgAttr(
              i, bufferization::BufferizationDialect::kWritableAttrName))
        func.setArgAttr(i,
                        bufferization::BufferizationDialect::kWritableAttrName,
                        BoolAttr::get(context, false));
    }
  }
}

/// Keeps only `entryPoints` public (all public functions when empty) and
/// drops the functions nothing uses any more.
static llvm::Error selectEntryPoints(ModuleOp module,
                                     ArrayRef<std::string> entryPoints,
                                     StringRef bufferName) {
  if (entryPoints.empty())
    return llvm::Error::success();
  SmallVector<func::FuncOp> publicFunctions;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isPrivate() && !func.isExternal())
      publicFunctions.push_back(func);
  for (const std::string &name : entryPoints) {
    if (llvm::any_of(publicFunctions, [&](func::FuncOp func) {
          return func.getSymName() == name;
        }))
      continue;
    std::string available;
    for (func::FuncOp func : publicFunctions)
      available += (available.empty() ? "@" : ", @") + func.getSymName().str();
    return makeError("'" + bufferName + "': no public function @" + name +
                     (available.empty() ? Twine("; the module has none")
                                        : "; available: " + available));
  }
  for (func::FuncOp func : publicFunctions)
    if (!llvm::is_contained(entryPoints, func.getSymName()))
      func.setPrivate();
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  pm.addPass(createSymbolDCEPass());
  if (failed(pm.run(module)))
    return makeError("'" + bufferName + "': cannot drop unused functions");
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<CompiledModule>>
CompiledModule::compile(StringRef source, const CompileOptions &options,
                        StringRef bufferName) {
  if (llvm::Error error = verifyCompileOptions(options))
    return std::move(error);

  std::unique_ptr<CompiledModule> result(new CompiledModule());
  result->options = options;
  result->context = createRuntimeContext();
  MLIRContext *context = result->context.get();

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(source, bufferName), llvm::SMLoc());
  DiagnosticCapture diagnostics(sourceMgr, context);

  result->module = parseSourceFile<ModuleOp>(sourceMgr, context);
  if (!result->module)
    return makeError(diagnostics.take(
        ("cannot parse '" + bufferName + "' as an MLIR module").str()));
  ModuleOp module = *result->module;

  if (llvm::Error error = selectEntryPoints(module, options.entryPoints,
                                            bufferName))
    return std::move(error);
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isPrivate() && !func.isExternal())
      result->functions.push_back(getFunctionSignature(func));

  prepareForLowering(module);
  PassManager pm(context, ModuleOp::getOperationName());
  (void)applyPassManagerCLOptions(pm);
  CPUPipelineOptions pipelineOptions;
  pipelineOptions.targetCPU = options.cpu;
  pipelineOptions.numThreads = options.numThreads;
  pipelineOptions.blockQ = options.blockQ;
  pipelineOptions.blockK = options.blockK;
  pipelineOptions.decomposeAll = options.decomposeAll;
  buildCPUPipeline(pm, pipelineOptions);
  if (failed(pm.run(module)))
    return makeError(diagnostics.take(
        ("cannot lower '" + bufferName + "' with the CPU pipeline").str()));
  return result;
}

llvm::Expected<std::unique_ptr<CompiledModule>>
CompiledModule::compile(ModuleOp module, const CompileOptions &options) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, OpPrintingFlags().enableDebugInfo(/*enable=*/true,
                                                      /*prettyForm=*/false));
  return compile(text, options, "<module>");
}

/// Reads an MLIR file ("-" = stdin), with errors naming it.
static llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readSourceFile(StringRef path) {
  if (path != "-" && llvm::sys::fs::is_directory(path))
    return makeError("'" + path + "': cannot read MLIR file: is a directory");
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer)
    return makeError("'" + path + "': cannot read MLIR file: " +
                     buffer.getError().message());
  return std::move(*buffer);
}

llvm::Expected<std::unique_ptr<CompiledModule>>
CompiledModule::compileFile(StringRef path, const CompileOptions &options) {
  auto buffer = readSourceFile(path);
  if (!buffer)
    return buffer.takeError();
  return compile((*buffer)->getBuffer(), options,
                 path == "-" ? "<stdin>" : path);
}

llvm::Expected<OwningOpRef<ModuleOp>>
mlir::attn::parseModuleFile(StringRef path, MLIRContext &context) {
  auto buffer = readSourceFile(path);
  if (!buffer)
    return buffer.takeError();
  StringRef name = path == "-" ? "<stdin>" : path;
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy((*buffer)->getBuffer(), name),
      llvm::SMLoc());
  DiagnosticCapture diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return makeError(diagnostics.take(
        ("cannot parse '" + name + "' as an MLIR module").str()));
  return module;
}

const FunctionSignature *CompiledModule::lookupFunction(StringRef name) const {
  for (const FunctionSignature &signature : functions)
    if (signature.name == name)
      return &signature;
  return nullptr;
}

ModuleOp CompiledModule::getLoweredModule() const { return *module; }

//===----------------------------------------------------------------------===//
// JIT and invocation
//===----------------------------------------------------------------------===//

llvm::Error CompiledModule::prepareJIT() {
  if (engine)
    return llvm::Error::success();
  initializeNativeTarget();

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
  DiagnosticCapture diagnostics(sourceMgr, context.get());
  auto created =
      ExecutionEngine::create(*module, engineOptions, std::move(*machine));
  if (!created) {
    std::string message = llvm::toString(created.takeError());
    return makeError(
        diagnostics.take("cannot JIT-compile the module: " + message));
  }
  engine = std::move(*created);
  engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("puts")] = {
        llvm::orc::ExecutorAddr::fromPtr(&attnKernelPuts),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("abort")] = {
        llvm::orc::ExecutorAddr::fromPtr(&attnKernelAbort),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  return llvm::Error::success();
}

static SmallVector<int64_t> getRanks(ArrayRef<HostTensor> tensors) {
  return llvm::map_to_vector(
      tensors, [](const HostTensor &tensor) { return tensor.getRank(); });
}

static SmallVector<int64_t> getRanks(ArrayRef<TensorSpec> specs) {
  return llvm::map_to_vector(specs, [](const TensorSpec &spec) {
    return static_cast<int64_t>(spec.shape.size());
  });
}

struct CompiledModule::Invocation {
  const FunctionSignature *signature = nullptr;
  /// One descriptor per argument: row-major views of the inputs.
  MemRefDescriptorList arguments;
  /// The result descriptors, back to back (the C struct of descriptors).
  MemRefDescriptorList results;
  /// Input buffer ranges: results pointing into them are not freed.
  SmallVector<std::pair<const uint8_t *, const uint8_t *>> inputRanges;
  bool ran = false;

  /// Frees the result buffers the kernel allocated, once each.
  void freeResults() {
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

  ~Invocation() { freeResults(); }
};

llvm::Error CompiledModule::call(StringRef name, ArrayRef<HostTensor> inputs,
                                 Invocation &invocation, double *elapsedMs) {
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

  std::string entry = ("_mlir_ciface_" + name).str();
  auto function = engine->lookupPacked(entry);
  if (!function)
    return makeError(
        "cannot find the C interface of @" + name +
        " in the JIT-compiled module: " + llvm::toString(function.takeError()));

  invocation.signature = signature;
  invocation.results = MemRefDescriptorList(getRanks(signature->results));
  invocation.arguments = MemRefDescriptorList(getRanks(inputs));

  // Row-major descriptors over the caller's buffers. The kernel only reads
  // them (arguments are marked `bufferization.writable = false`).
  for (auto [index, input] : llvm::enumerate(inputs)) {
    invocation.arguments[index].setRowMajor(const_cast<void *>(input.data()),
                                            input.getShape());
    auto *begin = static_cast<const uint8_t *>(input.data());
    invocation.inputRanges.push_back({begin, begin + input.getSizeInBytes()});
  }

  // The C interface takes the result struct first (when there are
  // results), then one descriptor per argument; the packed entry point
  // takes the address of each of those pointers.
  SmallVector<void *> pointers;
  if (!invocation.results.empty())
    pointers.push_back(invocation.results.data());
  for (size_t index = 0, e = invocation.arguments.size(); index < e; ++index)
    pointers.push_back(invocation.arguments[index].getAddress());
  SmallVector<void *> packed;
  for (void *&pointer : pointers)
    packed.push_back(&pointer);

  KernelAbortScope abortScope;
  activeAbortScope = &abortScope;
  if (setjmp(abortScope.target) != 0) {
    activeAbortScope = nullptr;
    return makeError("@" + name + " stopped at a run-time check: " +
                     abortScope.message);
  }
  auto start = std::chrono::steady_clock::now();
  (*function)(packed.data());
  auto stop = std::chrono::steady_clock::now();
  activeAbortScope = nullptr;
  invocation.ran = true;
  if (elapsedMs)
    *elapsedMs =
        std::chrono::duration<double, std::milli>(stop - start).count();
  return llvm::Error::success();
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

llvm::Expected<std::vector<HostTensor>>
CompiledModule::invoke(StringRef name, ArrayRef<HostTensor> inputs) {
  Invocation invocation;
  if (llvm::Error error = call(name, inputs, invocation, nullptr))
    return std::move(error);

  std::vector<HostTensor> results;
  for (auto [index, spec] : llvm::enumerate(invocation.signature->results)) {
    MemRefDescriptorRef descriptor = invocation.results[index];
    ArrayRef<int64_t> sizes = descriptor.getSizes();
    ArrayRef<int64_t> strides = descriptor.getStrides();
    for (auto [dim, want, have] : llvm::enumerate(spec.shape, sizes))
      if (have < 0 || (!ShapedType::isDynamic(want) && want != have))
        return makeError("result #" + Twine(index) + " of @" + name +
                         " has size " + Twine(have) + " in dimension " +
                         Twine(dim) + ", but its type is " + spec.str());
    HostTensor tensor(spec.elementType, sizes);
    const auto *aligned =
        static_cast<const uint8_t *>(descriptor.getAligned());
    int64_t width = getElementByteWidth(spec.elementType);
    if (tensor.getNumElements() > 0)
      copyStrided(aligned + descriptor.getOffset() * width, sizes, strides,
                  width, tensor.getMutableBytes().data());
    results.push_back(std::move(tensor));
  }
  return results;
}

llvm::Expected<BenchmarkResult>
CompiledModule::benchmark(StringRef name, ArrayRef<HostTensor> inputs,
                          unsigned repetitions) {
  BenchmarkResult result;
  for (unsigned i = 0; i <= repetitions; ++i) {
    Invocation invocation;
    double elapsed = 0;
    if (llvm::Error error = call(name, inputs, invocation, &elapsed))
      return std::move(error);
    if (i > 0) // The first call is the warm-up.
      result.timesMs.push_back(elapsed);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Ahead-of-time emission
//===----------------------------------------------------------------------===//

/// True for names usable as C identifiers.
static bool isCIdentifier(StringRef name) {
  if (name.empty() || llvm::isDigit(name.front()))
    return false;
  return llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
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

llvm::Error CompiledModule::emit(EmitKind kind, StringRef path) {
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

  auto machine = createTargetMachine(options.cpu);
  if (!machine)
    return machine.takeError();

  llvm::SourceMgr sourceMgr;
  DiagnosticCapture diagnostics(sourceMgr, context.get());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, "attn");
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
  if (llvm::Error error = writeFileAtomically(headerPath, getCHeader(stem)))
    return error;
  if (std::error_code ec = llvm::sys::fs::rename(temporaryPath, path))
    return makeError("'" + path + "': cannot write output: " + ec.message());
  temporaryRemover.releaseFile();
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// C header
//===----------------------------------------------------------------------===//

static std::string getDescriptorName(const TensorSpec &spec) {
  return ("attn_memref_" + Twine(spec.shape.size()) + "d_" +
          stringifyElementType(spec.elementType))
      .str();
}

std::string CompiledModule::getCHeader(StringRef guardName) const {
  std::string text;
  llvm::raw_string_ostream os(text);
  std::string guard = "ATTN_GENERATED_";
  for (char c : guardName)
    guard += llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
  guard += "_H";

  os << "/* Generated by attn-mlir. Do not edit.\n"
        " *\n"
        " * Every public function @f of the module is exported twice with "
        "the same\n"
        " * signature: as _mlir_ciface_f (MLIR's C interface) and, unless it "
        "is named\n"
        " * `main` or is not a C identifier, as plain f. Each tensor is "
        "passed as a\n"
        " * pointer to a memref descriptor (sizes and strides in elements,\n"
        " * row-major: strides[R-1] == 1). With one result, the first "
        "parameter\n"
        " * points to the result's descriptor; with several, to a\n"
        " * <f>_results struct; with none, it is absent. The function fills "
        "it with\n"
        " * buffers it malloc'ed: release each with free(r.allocated). "
        "Arguments are\n"
        " * only read. f16 and bf16 elements are raw uint16_t bit patterns, "
        "i1 one\n"
        " * byte (0 or 1). Link with -l<library> (it needs libomp from "
        "LLVM).\n"
        " */\n";
  os << "#ifndef " << guard << "\n#define " << guard << "\n\n";
  os << "#include <stdint.h>\n\n";
  os << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

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
    if (!isCIdentifier(name)) {
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
    os << "void _mlir_ciface_" << name << "(" << parameters << ");\n";
    if (name != "main")
      os << "void " << name << "(" << parameters << ");\n";
    os << "\n";
  }
  os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n";
  os << "#endif /* " << guard << " */\n";
  return text;
}
