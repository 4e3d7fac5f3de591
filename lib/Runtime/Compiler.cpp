//===- Compiler.cpp - parse attn modules and lower them -------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/Compiler.h"

#include "Detail.h"
#include "attn/Dialect/Attn/IR/AttnDialect.h"
#include "attn/InitAllDialects.h"
#include "attn/Runtime/Backend.h"
#include "attn/Runtime/CHeader.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::attn;
using mlir::attn::detail::DiagnosticCapture;
using mlir::attn::detail::makeError;

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

llvm::Error mlir::attn::verifyCompileOptions(const CompileOptions &options) {
  // Messages name the options as the tools and the pipeline spell them.
  llvm::Expected<std::unique_ptr<Backend>> backend =
      createBackend(options.target);
  if (!backend)
    return backend.takeError();
  // Each size flag: its valid range and what 0 means, as the tools spell it.
  struct SizeFlag {
    StringRef flag;
    int64_t value, max;
    StringRef zero, unit;
  };
  for (const SizeFlag &f :
       {SizeFlag{"num-threads", options.numThreads, kMaxThreads,
                 "0 (OpenMP default)", "threads"},
        SizeFlag{"block-q", options.blockQ, kMaxLoweringBlock,
                 "0 (automatic)", "rows"},
        SizeFlag{"block-k", options.blockK, kMaxLoweringBlock,
                 "0 (automatic)", "keys"},
        SizeFlag{"gather-block-q", options.gatherBlockQ, kMaxGatherBlock,
                 "0 (automatic)", "queries"},
        SizeFlag{"dcmha-block-q", options.dcmhaBlockQ, kMaxDCMHABlock,
                 "0 (automatic)", "rows"},
        SizeFlag{"split-keys", options.splitKeys, kMaxKeySplits,
                 "0 (automatic), 1 (never)", "key splits"}})
    if (f.value < 0 || f.value > f.max)
      return makeError("invalid --" + f.flag + "=" + Twine(f.value) +
                       ": expected " + f.zero + " or a number of " + f.unit +
                       " up to " + Twine(f.max));
  if (options.unit != "auto" && !symbolizeMatmulUnit(options.unit))
    return makeError("invalid --unit='" + options.unit +
                     "': expected auto, f32, bf16_dot, bf16_dot_emulated, "
                     "amx or amx_emulated");
  return (*backend)->verifyOptions(options);
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

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

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
mlir::attn::readSourceFile(StringRef path) {
  if (path != "-" && llvm::sys::fs::is_directory(path))
    return makeError("'" + path + "': cannot read MLIR file: is a directory");
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer)
    return makeError("'" + path + "': cannot read MLIR file: " +
                     buffer.getError().message());
  return std::move(*buffer);
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

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

/// The name prefixes of the module's private functions, and of its public
/// functions named after run-time library functions, while it is lowered.
static constexpr llvm::StringLiteral kPrivatePrefix = "__attn_private_";
static constexpr llvm::StringLiteral kPublicPrefix = "__attn_public_";

/// Renames the functions whose names could meet the lowering's, marks the
/// public functions for the C interface and their tensor arguments
/// read-only, so that the kernel never writes into caller memory.
static void prepareForLowering(ModuleOp module) {
  MLIRContext *context = module.getContext();
  // Private functions with a body are the module's own: they get names the
  // lowering cannot meet (a private @malloc would clash with the allocator
  // it declares) and, after it, internal linkage (restorePublicNames), so a
  // library exports its public functions only. A public function named
  // after a run-time library function (@free) keeps its C interface
  // `_mlir_ciface_free` but is lowered under another name, for the same
  // reason.
  SymbolTable symbols(module);
  for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
    if (func.isExternal())
      continue;
    StringRef prefix = kPrivatePrefix;
    if (!func.isPrivate()) {
      if (!isRuntimeLibrarySymbol(func.getSymName()))
        continue;
      prefix = kPublicPrefix;
    }
    std::string name = (prefix + func.getSymName()).str();
    for (unsigned n = 1; symbols.lookup(name); ++n)
      name = (prefix + func.getSymName() + "_" + Twine(n)).str();
    (void)symbols.rename(func, StringAttr::get(context, name));
  }
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

/// After lowering: the renamed private functions of prepareForLowering get
/// internal linkage; a renamed public function `f` gets back its C interface
/// `_mlir_ciface_f`, and its expanded-argument form becomes the internal
/// `__attn_expanded_f` (as the AOT path names it).
static void restorePublicNames(ModuleOp module) {
  MLIRContext *context = module.getContext();
  SymbolTable symbols(module);
  StringRef ciface = "_mlir_ciface_";
  SmallVector<std::pair<LLVM::LLVMFuncOp, std::string>> renames;
  for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
    StringRef name = func.getSymName();
    if (func.isExternal())
      continue;
    if (name.starts_with(kPrivatePrefix)) {
      func.setLinkage(LLVM::Linkage::Internal);
    } else if (name.consume_front(kPublicPrefix)) {
      func.setLinkage(LLVM::Linkage::Internal);
      renames.push_back({func, ("__attn_expanded_" + name).str()});
    } else if (name.consume_front(ciface) &&
               name.consume_front(kPublicPrefix)) {
      renames.push_back({func, (ciface + name).str()});
    }
  }
  for (auto &[func, name] : renames)
    (void)symbols.rename(func, StringAttr::get(context, name));
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

/// The SSA name (`%query`) that the argument at `loc` has in the source
/// buffer `bufferId` of `sourceMgr`, or "" when `loc` points elsewhere: the
/// parser gives a function argument the location of its name.
static std::string getArgumentName(Location loc, llvm::SourceMgr &sourceMgr,
                                   unsigned bufferId) {
  const llvm::MemoryBuffer *buffer = sourceMgr.getMemoryBuffer(bufferId);
  auto fileLoc = dyn_cast<FileLineColLoc>(loc);
  if (!fileLoc || fileLoc.getFilename() != buffer->getBufferIdentifier())
    return "";
  llvm::SMLoc start = sourceMgr.FindLocForLineAndColumn(
      bufferId, fileLoc.getLine(), fileLoc.getColumn());
  if (!start.isValid())
    return "";
  StringRef rest(start.getPointer(),
                 buffer->getBufferEnd() - start.getPointer());
  if (!rest.starts_with("%"))
    return "";
  size_t end = rest.find_if_not(
      [](char c) { return llvm::isAlnum(c) || StringRef("_$.-").contains(c); },
      1);
  return rest.take_front(end).str();
}

llvm::Expected<LoweredModule>
mlir::attn::lowerModule(StringRef source, const Backend &backend,
                        const CompileOptions &options, StringRef bufferName) {
  LoweredModule result;
  result.context = createRuntimeContext();
  MLIRContext *context = result.context.get();

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(source, bufferName), llvm::SMLoc());
  DiagnosticCapture diagnostics(sourceMgr, context);

  result.module = parseSourceFile<ModuleOp>(sourceMgr, context);
  if (!result.module)
    return makeError(diagnostics.take(
        ("cannot parse '" + bufferName + "' as an MLIR module").str()));
  ModuleOp module = *result.module;

  if (llvm::Error error =
          selectEntryPoints(module, options.entryPoints, bufferName))
    return std::move(error);
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    FunctionSignature signature = getFunctionSignature(func);
    for (BlockArgument argument : func.getArguments())
      signature.argumentNames.push_back(getArgumentName(
          argument.getLoc(), sourceMgr, sourceMgr.getMainFileID()));
    result.functions.push_back(std::move(signature));
  }

  prepareForLowering(module);
  PassManager pm(context, ModuleOp::getOperationName());
  // The tools' --mlir-print-ir-* and --mlir-timing flags, when registered.
  (void)applyPassManagerCLOptions(pm);
  applyDefaultTimingPassManagerCLOptions(pm);
  backend.buildLoweringPipeline(pm, options);
  if (failed(pm.run(module)))
    return makeError(
        diagnostics.take(("cannot lower '" + bufferName + "' with the " +
                          backend.getName().upper() + " pipeline")
                             .str()));
  restorePublicNames(module);
  return result;
}
