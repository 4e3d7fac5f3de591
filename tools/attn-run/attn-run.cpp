//===- attn-run.cpp - JIT-compile an attn module and run it -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// `attn-run model.mlir --function=main --input=@q.npy --input=@k.npy
// --output=@out.npy` compiles the module for the host CPU, checks the inputs
// against the function's signature, runs it and writes (or summarizes) the
// results. `--benchmark=N` times N calls after one warm-up.
// `--backend=reference` evaluates the function with the float64 reference
// evaluator (lib/Reference) instead, with the same checks and outputs.
// `attn-run --module=model.so ...` runs a shared library written by
// attn-compile instead of compiling: its functions' signatures are embedded
// in it (loadHostLibrary, HostBackend.h). Modelled on iree-run-module.
//
//===----------------------------------------------------------------------===//

#include "attn/Reference/Reference.h"
#include "attn/Runtime/CompileOptionsCL.h"
#include "attn/Runtime/FlopCount.h"
#include "attn/Runtime/HostBackend.h"
#include "attn/Runtime/NpyIO.h"
#include "attn/Runtime/Runner.h"
#include "attn/Support/Progress.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <limits>

#ifdef __GLIBC__
#include <malloc.h>
#endif

using namespace mlir;
using namespace mlir::attn;
namespace cl = llvm::cl;

static cl::OptionCategory category("attn-run options");

static cl::opt<std::string>
    inputFile(cl::Positional,
              cl::desc("<input .mlir file> (or --module=<library.so>)"),
              cl::init(""), cl::cat(category));

static cl::opt<std::string> modulePath(
    "module",
    cl::desc("Run a shared library written by attn-compile instead of "
             "compiling a .mlir file (the functions' signatures are embedded "
             "in it)"),
    cl::value_desc("library.so"), cl::cat(category));

static cl::opt<std::string> functionName("function",
                                         cl::desc("Function to run (default: main)"),
                                         cl::value_desc("name"),
                                         cl::init("main"), cl::cat(category));

static cl::list<std::string>
    inputs("input",
           cl::desc("One per function argument, in order: @file.npy "
                    "(float32, float16, bool for i1, ...) or bf16:@file.npy "
                    "(bfloat16 bits stored as uint16)"),
           cl::value_desc("spec"), cl::cat(category));

static cl::list<std::string>
    outputs("output",
            cl::desc("One per result, in order: @file.npy (without "
                     "--output, results are summarized on stdout)"),
            cl::value_desc("spec"), cl::cat(category));

static cl::opt<unsigned>
    benchmarkRuns("benchmark",
                  cl::desc("Time N calls after one warm-up and print min, "
                           "median, max and GFLOP/s (default: 0, no "
                           "timing)"),
                  cl::value_desc("N"), cl::init(0), cl::cat(category));

static cl::opt<bool>
    verbose("verbose",
            cl::desc("Print how the code is generated (on stderr, before "
                     "running): the CPU's vector features and each "
                     "attention op's lowering config with its arithmetic "
                     "unit (f32, bf16_dot, ...)"),
            cl::init(false), cl::cat(category));

static cl::opt<std::string>
    backend("backend",
            cl::desc("Where to run: cpu (JIT-compiled code; the default), "
                     "opencl (GPU kernels through OpenCL: PoCL on a CPU), "
                     "cuda (GPU kernels on an NVIDIA GPU), or reference (the "
                     "float64 reference evaluator, the test oracle)"),
            cl::value_desc("name"), cl::init("cpu"), cl::cat(category));

// --target=cuda reads as attn-compile's flag does; it names the same
// compiled backends (cpu, opencl, cuda) as --backend.
static cl::alias targetAlias("target",
                             cl::desc("Alias for --backend (cpu, opencl or "
                                      "cuda, as attn-compile --target)"),
                             cl::aliasopt(backend), cl::cat(category));

static CompileOptionsCL
    compileFlags(category, "CPU the pipeline tunes for: native (the default) "
                           "or an LLVM CPU name (the JIT always emits host "
                           "code)");

static constexpr StringLiteral kToolName = "attn-run";

/// The code-generation flags of CompileOptionsCL: attn-compile's choice for
/// a library, so an error with --module.
static constexpr StringLiteral kCodegenFlags[] = {
    "cpu",        "num-threads",   "block-q",    "block-k",
    "gather-block-q", "dcmha-block-q", "split-keys", "unit", "decompose-all"};

static int fail(const Twine &message) {
  return reportToolError(kToolName, inputFile, message);
}
static int fail(llvm::Error error) {
  return reportToolError(kToolName, inputFile, std::move(error));
}

/// A parsed `--input` / `--output` value.
struct FileSpec {
  std::string path;
  bool bf16 = false;
};

/// Parses "@file" or (for inputs) "bf16:@file".
static llvm::Expected<FileSpec> parseFileSpec(StringRef flag, StringRef value,
                                              bool allowBF16) {
  FileSpec spec;
  StringRef rest = value;
  if (allowBF16 && rest.consume_front("bf16:"))
    spec.bf16 = true;
  if (!rest.consume_front("@") || rest.empty())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "invalid --" + flag + "='" + value + "': expected '@<file>.npy'" +
            (allowBF16 ? " or 'bf16:@<file>.npy'" : ""));
  spec.path = rest.str();
  return spec;
}

/// Reads one `--input`; bf16 inputs must hold 16-bit integer data.
static llvm::Expected<HostTensor> readInput(const FileSpec &spec) {
  llvm::Expected<HostTensor> tensor = readNpy(spec.path);
  if (!tensor || !spec.bf16)
    return tensor;
  if (tensor->getElementType() != ElementType::I16)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "'" + spec.path +
            "': bf16: expected uint16 data holding bfloat16 bits, found " +
            stringifyElementType(tensor->getElementType()) + " (numpy dtype '" +
            getNpyDescr(tensor->getElementType()) + "')");
  tensor->bitcastElementType(ElementType::BF16);
  return tensor;
}

/// Checks that `path` can be created: not a directory, in an existing
/// directory.
static llvm::Error checkWritable(StringRef path) {
  auto error = [&](const Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot write output '" + path +
                                       "': " + why);
  };
  if (llvm::sys::fs::is_directory(path))
    return error("is a directory");
  StringRef parent = llvm::sys::path::parent_path(path);
  if (parent.empty())
    parent = ".";
  if (!llvm::sys::fs::is_directory(parent))
    return error("directory '" + parent + "' does not exist");
  if (llvm::sys::fs::access(parent, llvm::sys::fs::AccessMode::Write))
    return error("directory '" + parent + "' is not writable");
  return llvm::Error::success();
}

/// Prints the shape, element type and a short summary of `tensor`.
static void printSummary(llvm::raw_ostream &os, unsigned index,
                         const HostTensor &tensor) {
  os << "result #" << index << ": tensor<" << tensor.getTypeString() << ">\n";
  int64_t count = tensor.getNumElements();
  if (count == 0) {
    os << "  (no elements)\n";
    return;
  }
  double min = std::numeric_limits<double>::infinity();
  double max = -min, sum = 0;
  int64_t finite = 0, nans = 0, infs = 0;
  for (int64_t i = 0; i < count; ++i) {
    double value = tensor.getElementAsDouble(i);
    if (std::isnan(value)) {
      ++nans;
      continue;
    }
    if (std::isinf(value)) {
      ++infs;
      continue;
    }
    ++finite;
    min = std::min(min, value);
    max = std::max(max, value);
    sum += value;
  }
  os << "  ";
  if (finite > 0)
    os << llvm::format("min %.6g, max %.6g, mean %.6g", min, max,
                       sum / static_cast<double>(finite));
  else
    os << "no finite values";
  if (nans)
    os << ", " << nans << " NaN";
  if (infs)
    os << ", " << infs << " Inf";
  os << "\n  [";
  int64_t shown = std::min<int64_t>(count, 8);
  for (int64_t i = 0; i < shown; ++i)
    os << (i ? ", " : "") << llvm::format("%.6g", tensor.getElementAsDouble(i));
  if (shown < count)
    os << ", ... (" << count << " values)";
  os << "]\n";
}

/// The reference evaluator's element kind for `type` (values are float64;
/// the evaluator rounds arguments to the function's argument types).
static reference::ElementKind getReferenceKind(ElementType type) {
  switch (type) {
  case ElementType::F16:
    return reference::ElementKind::F16;
  case ElementType::BF16:
    return reference::ElementKind::BF16;
  case ElementType::I1:
    return reference::ElementKind::I1;
  default:
    return reference::ElementKind::F32;
  }
}

/// Runs `func` with the float64 reference evaluator; results are rounded to
/// the function's result element types.
static llvm::Expected<std::vector<HostTensor>>
runReference(func::FuncOp func, const FunctionSignature &signature,
             ArrayRef<HostTensor> inputs) {
  std::vector<reference::Tensor> arguments;
  for (const HostTensor &input : inputs) {
    reference::Tensor argument;
    argument.shape.assign(input.getShape().begin(), input.getShape().end());
    argument.data = input.toDoubles();
    argument.kind = getReferenceKind(input.getElementType());
    arguments.push_back(std::move(argument));
  }
  auto values = reference::evaluate(func, arguments);
  if (!values)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "reference evaluation of @" + signature.name +
            " failed: " + llvm::toString(values.takeError()));
  if (values->size() != signature.results.size())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "reference evaluation of @" + signature.name + " returned " +
            Twine(values->size()) + " results, expected " +
            Twine(signature.results.size()));
  std::vector<HostTensor> results;
  for (auto [spec, value] : llvm::zip(signature.results, *values)) {
    if (static_cast<int64_t>(value.data.size()) != value.numElements())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "reference evaluation of @" +
                                         signature.name +
                                         " returned a malformed tensor");
    results.push_back(
        HostTensor::fromDoubles(spec.elementType, value.shape, value.data));
  }
  return results;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  registerToolCLOptions(category);
  parseToolCommandLine(
      argc, argv,
      "attn-mlir runner: JIT-compiles a module and runs a function on .npy "
      "inputs\n\n"
      "  attn-run model.mlir --function=main --input=@q.npy --input=@k.npy "
      "--input=@v.npy --output=@o.npy\n");

  // Flags first: nothing is read or compiled when one is wrong.
  bool useModule = modulePath.getNumOccurrences() > 0;
  if (useModule && modulePath.empty())
    return fail("invalid --module='': expected the path of a shared library "
                "written by attn-compile");
  if (!useModule && inputFile.empty())
    return fail("no input: expected a .mlir file, or --module=<library.so>");
  if (useModule && !inputFile.empty())
    return fail("expected a .mlir file or --module=<library.so>, not both");
  if (backend != "cpu" && backend != "opencl" && backend != "cuda" &&
      backend != "reference")
    return fail("invalid --backend='" + backend +
                "': expected cpu, opencl, cuda or reference");
  if (useModule && backend != "cpu")
    return fail("--backend=" + backend +
                " needs the .mlir file: --module runs the compiled library");
  if (useModule) {
    auto &registered = cl::getRegisteredOptions();
    for (StringRef flag : kCodegenFlags) {
      auto it = registered.find(flag);
      if (it != registered.end() && it->second->getNumOccurrences() > 0)
        return fail("--" + flag +
                    " has no effect with --module: the library's code was "
                    "generated by attn-compile (pass it there)");
    }
  }
  // The name of the input in messages.
  std::string source = useModule ? modulePath : inputFile;
  CompileOptions options = compileFlags.get();
  // The options are checked for the backend that compiles (GPU options are
  // refused for the CPU).
  if (backend == "opencl" || backend == "cuda")
    options.target = backend;
  if (llvm::Error error = verifyCompileOptions(options))
    return fail(llvm::toString(std::move(error)));
  std::vector<FileSpec> inputSpecs, outputSpecs;
  for (const std::string &value : inputs) {
    auto spec = parseFileSpec("input", value, /*allowBF16=*/true);
    if (!spec)
      return fail(spec.takeError());
    inputSpecs.push_back(*spec);
  }
  for (const std::string &value : outputs) {
    auto spec = parseFileSpec("output", value, /*allowBF16=*/false);
    if (!spec)
      return fail(spec.takeError());
    if (llvm::Error error = checkWritable(spec->path))
      return fail(std::move(error));
    outputSpecs.push_back(*spec);
  }

  // Inputs, then the module; check the call before running anything.
  std::vector<HostTensor> tensors;
  std::vector<std::string> names;
  for (const FileSpec &spec : inputSpecs) {
    llvm::Expected<HostTensor> tensor = readInput(spec);
    if (!tensor)
      return fail(tensor.takeError());
    tensors.push_back(std::move(*tensor));
    names.push_back(spec.path);
  }

  // The backend: its function signatures, a way to call one and to time it.
  std::unique_ptr<CompiledModule> compiled;
  std::unique_ptr<MLIRContext> context;
  OwningOpRef<ModuleOp> parsed;
  std::optional<HostLibrary> library;
  std::vector<FunctionSignature> functions;
  if (useModule) {
    auto loaded = loadHostLibrary(modulePath);
    if (!loaded)
      return fail(loaded.takeError());
    library = std::move(*loaded);
    functions = library->info.functions;
  } else if (backend != "reference") {
    // Compile only the function that runs.
    options.entryPoints.push_back(functionName);
    options.target = backend;
    ProgressNotice progress(kToolName, "compiling " + inputFile);
    auto module = CompiledModule::compileFile(inputFile, options);
    if (!module)
      return fail(module.takeError());
    compiled = std::move(*module);
    if (verbose)
      if (llvm::Error error = printCodegenReport(kToolName, *compiled))
        return fail(std::move(error));
    functions.assign(compiled->getFunctions().begin(),
                     compiled->getFunctions().end());
  } else {
    context = createRuntimeContext();
    auto module = parseModuleFile(inputFile, *context);
    if (!module)
      return fail(module.takeError());
    parsed = std::move(*module);
    for (auto func : parsed->getOps<func::FuncOp>())
      if (!func.isPrivate() && !func.isExternal())
        functions.push_back(getFunctionSignature(func));
  }

  const FunctionSignature *signature = nullptr;
  for (const FunctionSignature &function : functions)
    if (function.name == functionName)
      signature = &function;
  if (!signature) {
    std::string available;
    for (const FunctionSignature &function : functions)
      available += (available.empty() ? "@" : ", @") + function.name;
    return fail("'" + source + "': no public function @" + functionName +
                (available.empty() ? Twine("; the module has none")
                                   : "; available: " + available));
  }
  if (llvm::Error error = checkInputs(*signature, tensors, names)) {
    std::string message = llvm::toString(std::move(error));
    // Point bfloat16 users at the bf16: prefix.
    for (auto [spec, tensor] : llvm::zip(signature->arguments, tensors))
      if (spec.elementType == ElementType::BF16 &&
          tensor.getElementType() == ElementType::I16) {
        message += "; pass bfloat16 bits stored as uint16 with "
                   "--input=bf16:@<file>.npy";
        break;
      }
    return fail(message);
  }
  if (!outputSpecs.empty() && outputSpecs.size() != signature->results.size())
    return fail("@" + functionName + " has " +
                Twine(signature->results.size()) +
                (signature->results.size() == 1 ? " result" : " results") +
                " but " + Twine(outputSpecs.size()) + " --output " +
                (outputSpecs.size() == 1 ? "was" : "were") +
                " given: expected one --output per result, or none");

  auto run = [&]() -> llvm::Expected<std::vector<HostTensor>> {
    if (library) {
      std::vector<HostTensor> values;
      if (llvm::Error error =
              library->executable->call(*signature, tensors, &values, nullptr))
        return std::move(error);
      return values;
    }
    if (compiled)
      return compiled->invoke(functionName, tensors);
    auto func = parsed->lookupSymbol<func::FuncOp>(functionName);
    ProgressNotice progress(kToolName, "evaluating @" + functionName +
                                           " with the reference evaluator");
    return runReference(func, *signature, tensors);
  };
  auto results = run();
  if (!results)
    return fail(results.takeError());

  if (outputSpecs.empty()) {
    for (auto [index, tensor] : llvm::enumerate(*results))
      printSummary(llvm::outs(), index, tensor);
  } else {
    for (auto [spec, tensor] : llvm::zip(outputSpecs, *results))
      if (llvm::Error error = writeNpy(spec.path, tensor))
        return fail(std::move(error));
  }

  if (benchmarkRuns > 0) {
#ifdef __GLIBC__
    // The compiled functions allocate their results with malloc. glibc maps
    // blocks above its mmap threshold (at most 32 MB) fresh from the kernel
    // on every call, so each timed call would pay a page fault per 4 KB of
    // output (about 10 ms for a 40 MB result) that a caching allocator, as
    // frameworks use, does not. Repeated calls reuse heap blocks instead.
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
    llvm::Expected<BenchmarkResult> timing = BenchmarkResult();
    if (library) {
      // As CompiledModule::benchmark: one warm-up, then timed calls.
      for (unsigned i = 0; i <= benchmarkRuns; ++i) {
        double elapsed = 0;
        if (llvm::Error error = library->executable->call(*signature, tensors,
                                                          nullptr, &elapsed)) {
          timing = std::move(error);
          break;
        }
        if (i > 0)
          timing->timesMs.push_back(elapsed);
      }
    } else if (compiled) {
      timing = compiled->benchmark(functionName, tensors, benchmarkRuns);
    } else {
      for (unsigned i = 0; i <= benchmarkRuns && timing; ++i) {
        auto start = std::chrono::steady_clock::now();
        auto repeated = run();
        auto stop = std::chrono::steady_clock::now();
        if (!repeated) {
          timing = repeated.takeError();
          break;
        }
        if (i > 0) // The first call is the warm-up.
          timing->timesMs.push_back(
              std::chrono::duration<double, std::milli>(stop - start).count());
      }
    }
    if (!timing)
      return fail(timing.takeError());
    llvm::raw_ostream &os = llvm::outs();
    os << "benchmark @" << functionName << ": " << benchmarkRuns
       << (benchmarkRuns == 1 ? " run" : " runs") << " after 1 warm-up\n";
    os << llvm::format("  min     %.4f ms\n", timing->min());
    os << llvm::format("  median  %.4f ms\n", timing->median());
    os << llvm::format("  max     %.4f ms\n", timing->max());
    // With dynamic sizes the count is taken at the inputs' shapes.
    std::optional<double> flops = signature->flops;
    if (!flops && !useModule) {
      std::unique_ptr<MLIRContext> countContext = createRuntimeContext();
      auto module = parseModuleFile(inputFile, *countContext);
      if (!module) {
        llvm::consumeError(module.takeError());
      } else if (auto func =
                     (*module)->lookupSymbol<func::FuncOp>(functionName)) {
        SmallVector<ArrayRef<int64_t>> shapes;
        for (const HostTensor &tensor : tensors)
          shapes.push_back(tensor.getShape());
        flops = countFlops(func, shapes);
      }
    }
    if (flops && timing->median() > 0)
      os << llvm::format("  GFLOP/s %.3f (at the median; %.6g FLOP per call)\n",
                         *flops / (timing->median() * 1e6), *flops);
  }
  return 0;
}
