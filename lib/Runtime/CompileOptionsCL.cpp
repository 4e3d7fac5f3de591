//===- CompileOptionsCL.cpp - code-generation flags of the tools -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/InitAllPasses.h"
#include "attn/Runtime/CompileOptionsCL.h"
#include "attn/Runtime/Runner.h"

#include "attn/Support/Version.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <cstdlib>

using namespace mlir::attn;
using llvm::StringRef;
using llvm::Twine;
namespace cl = llvm::cl;

CompileOptionsCL::CompileOptionsCL(cl::OptionCategory &category,
                                   llvm::StringRef cpuHelp)
    : cpu("cpu", cl::desc(cpuHelp), cl::value_desc("name"),
          cl::init("native"), cl::cat(category)),
      numThreads("num-threads",
                 cl::desc("Threads of the parallel tile loop (default: 0 = "
                          "OpenMP's default)"),
                 cl::init(0), cl::cat(category)),
      blockQ("block-q", cl::desc("Query rows per tile (default: 0 = automatic)"),
             cl::init(0), cl::cat(category)),
      blockK("block-k", cl::desc("Keys per inner block (default: 0 = automatic)"),
             cl::init(0), cl::cat(category)),
      gatherBlockQ("gather-block-q",
                   cl::desc("Queries per tile of the gathers of "
                            "attn.deformable_sample and attn.ms_deform_attn "
                            "(default: 0 = automatic)"),
                   cl::init(0), cl::cat(category)),
      dcmhaBlockQ("dcmha-block-q",
                  cl::desc("Query rows per tile of attn.dcmha, all heads "
                           "(default: 0 = automatic)"),
                  cl::init(0), cl::cat(category)),
      splitKeys("split-keys",
                cl::desc("Key splits of attention, processed in parallel and "
                         "merged (flash-decoding): 0 = automatic (decode "
                         "shapes; the default), 1 = never, N = N splits"),
                cl::init(0), cl::cat(category)),
      unit("unit",
           cl::desc("Arithmetic of bf16 attention on the CPU: auto (bf16 "
                    "pair dot products, vdpbf16ps, where the CPU has "
                    "AVX512-BF16, else f32; the default), f32 (inputs "
                    "widened to f32), bf16_dot, amx (AMX-BF16 tiles; "
                    "chosen only on request), bf16_dot_emulated, "
                    "amx_emulated (those kernels without the unit, for "
                    "testing)"),
           cl::init("auto"), cl::cat(category)),
      decomposeAll(
          "decompose-all",
          cl::desc("Lower attention through the portable linalg "
                   "decomposition instead of the vector kernel (slower; for "
                   "cross-checking; default: off)"),
          cl::init(false), cl::cat(category)),
      gpuTensorCores(
          "gpu-tensor-cores",
          cl::desc("GPU targets: f16/bf16 attention on tensor cores: auto "
                   "(cuda: on, opencl: off; the default), on (opencl: the "
                   "warp mapping emulated in workgroup memory), off, wgmma "
                   "(cuda only: the sm_90a warpgroup mapping, PTX for "
                   "sm_90a)"),
          cl::init("auto"), cl::cat(category)),
      gpuChip("gpu-chip",
              cl::desc("cuda target: the NVIDIA GPU architecture to compile "
                       "for, such as sm_80, sm_90 or sm_90a (default: sm_80, "
                       "or sm_90a with --gpu-tensor-cores=wgmma)"),
              cl::init(""), cl::cat(category)) {}

CompileOptions CompileOptionsCL::get() const {
  CompileOptions options;
  options.cpu = cpu;
  options.numThreads = numThreads;
  options.blockQ = blockQ;
  options.blockK = blockK;
  options.gatherBlockQ = gatherBlockQ;
  options.dcmhaBlockQ = dcmhaBlockQ;
  options.splitKeys = splitKeys;
  options.unit = unit;
  options.decomposeAll = decomposeAll;
  options.gpuTensorCores = gpuTensorCores;
  options.gpuChip = gpuChip;
  return options;
}

void mlir::attn::registerToolCLOptions(cl::OptionCategory &category) {
  // Every pass the pipelines run, by name, so that the pass manager's
  // --mlir-print-ir-{before,after}=<pass> flags can name them.
  mlir::registerAllPasses();
  mlir::attn::registerAllPasses();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::HideUnrelatedOptions(category);
  // MLIR's own options (IR printing, timing, threading) stay visible.
  for (auto &entry : cl::getRegisteredOptions())
    if (entry.first.starts_with("mlir-"))
      entry.second->setHiddenFlag(cl::NotHidden);
  cl::SetVersionPrinter(
      [](llvm::raw_ostream &os) { mlir::attn::printVersion(os); });
}

void mlir::attn::parseToolCommandLine(int argc, const char *const *argv,
                                       StringRef overview) {
  std::string messages;
  llvm::raw_string_ostream errs(messages);
  if (cl::ParseCommandLineOptions(argc, argv, overview, &errs))
    return;
  // LLVM writes "<tool>: <message>" lines; the first is the error, the
  // others ("Did you mean ...") are notes. (Errors of an option's value go
  // straight to stderr, already named after the option.)
  StringRef tool = llvm::sys::path::filename(argv[0]);
  if (StringRef(messages).trim().empty())
    std::exit(1);
  SmallVector<StringRef> lines;
  StringRef(messages).rtrim().split(lines, '\n');
  for (auto [i, line] : llvm::enumerate(lines)) {
    StringRef text = line;
    text.consume_front((tool + ": ").str());
    if (i == 0)
      llvm::WithColor::error(llvm::errs(), tool) << text.trim() << "\n";
    else
      llvm::WithColor::note(llvm::errs(), tool) << text.trim() << "\n";
  }
  std::exit(1);
}

int mlir::attn::reportToolError(StringRef toolName, StringRef inputFile,
                                const Twine &message) {
  std::string text = message.str();
  if (StringRef(text).starts_with((inputFile + ":").str()))
    llvm::errs() << text << "\n";
  else
    llvm::WithColor::error(llvm::errs(), toolName) << text << "\n";
  return 1;
}

int mlir::attn::reportToolError(StringRef toolName, StringRef inputFile,
                                llvm::Error error) {
  return reportToolError(toolName, inputFile, llvm::toString(std::move(error)));
}

llvm::Error mlir::attn::printCodegenReport(StringRef toolName,
                                           const CompiledModule &module) {
  llvm::Expected<std::string> report = module.describeCodegen();
  if (!report)
    return report.takeError();
  for (StringRef line : llvm::split(StringRef(*report).rtrim(), '\n'))
    llvm::errs() << toolName << ": " << line << "\n";
  return llvm::Error::success();
}
