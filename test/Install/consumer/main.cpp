//===- main.cpp - a program that uses an installed attn-mlir --------------===//
//
// Part of the attn-mlir project.
//
// Built against `cmake --install` output only (test/Install): registers the
// attn dialect and passes, parses a small attn.attention module, lowers it
// with the CPU pipeline, then compiles and runs it with the runtime API and
// checks the result against a plain loop. Exits 0 on success.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/InitAllDialects.h"
#include "attn/InitAllPasses.h"
#include "attn/Pipelines/Pipelines.h"
#include "attn/Runtime/Runner.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

// Grouped-query attention (4 query heads, 2 KV heads), causal, Lq < Lk.
constexpr int64_t B = 1, Hq = 4, Hkv = 2, Lq = 6, Lk = 10, D = 16;

const char *const kSource = R"mlir(
func.func @main(%q: tensor<1x4x6x16xf32>, %k: tensor<1x2x10x16xf32>,
                %v: tensor<1x2x10x16xf32>) -> tensor<1x4x6x16xf32> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x4x6x16xf32>, tensor<1x2x10x16xf32>, tensor<1x2x10x16xf32>
      -> tensor<1x4x6x16xf32>
  return %o : tensor<1x4x6x16xf32>
}
)mlir";

int fail(const llvm::Twine &message) {
  llvm::errs() << "attn-consumer: FAIL: " << message << "\n";
  return 1;
}

std::vector<float> makeInput(int64_t size, int seed) {
  std::vector<float> values(size);
  for (int64_t i = 0; i < size; ++i)
    values[i] = std::sin(0.37f * static_cast<float>(i) + seed);
  return values;
}

// softmax(scale * Q K^T) V per (b, h, i), in double; key j is visible from
// query i when j <= i + (Lk - Lq) (causal, aligned to the bottom right).
std::vector<double> referenceAttention(const std::vector<float> &q,
                                       const std::vector<float> &k,
                                       const std::vector<float> &v) {
  std::vector<double> out(B * Hq * Lq * D, 0.0);
  double scale = 1.0 / std::sqrt(static_cast<double>(D));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < Hq; ++h) {
      int64_t kvh = h / (Hq / Hkv);
      for (int64_t i = 0; i < Lq; ++i) {
        int64_t visible = std::min(Lk, i + (Lk - Lq) + 1);
        std::vector<double> s(visible);
        double maxS = -INFINITY;
        for (int64_t j = 0; j < visible; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < D; ++d)
            dot += static_cast<double>(q[((b * Hq + h) * Lq + i) * D + d]) *
                   k[((b * Hkv + kvh) * Lk + j) * D + d];
          s[j] = scale * dot;
          maxS = std::max(maxS, s[j]);
        }
        double sum = 0;
        for (double &x : s)
          sum += (x = std::exp(x - maxS));
        for (int64_t j = 0; j < visible; ++j)
          for (int64_t d = 0; d < D; ++d)
            out[((b * Hq + h) * Lq + i) * D + d] +=
                s[j] / sum * v[((b * Hkv + kvh) * Lk + j) * D + d];
      }
    }
  return out;
}

} // namespace

int main() {
  // 1. Register the dialects and passes; parse.
  mlir::DialectRegistry registry;
  mlir::attn::registerAllDialects(registry);
  mlir::attn::registerAllPasses();
  if (!mlir::PassPipelineInfo::lookup("attn-cpu-pipeline"))
    return fail("registerAllPasses did not register --attn-cpu-pipeline");

  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kSource, &context);
  if (!module)
    return fail("cannot parse the attn module");
  int numAttention = 0;
  module->walk([&](mlir::attn::AttentionOp) { ++numAttention; });
  if (numAttention != 1)
    return fail("expected one attn.attention op");

  // 2. Lower it with the CPU pipeline, built from C++ (Pipelines.h).
  mlir::PassManager pm(&context);
  mlir::attn::CPUPipelineOptions pipelineOptions;
  pipelineOptions.numThreads = 1;
  mlir::attn::buildCPUPipeline(pm, pipelineOptions);
  if (mlir::failed(pm.run(*module)))
    return fail("the CPU pipeline failed");
  int numAttnOps = 0;
  module->walk([&](mlir::Operation *op) {
    if (op->getDialect() && op->getDialect()->getNamespace() == "attn")
      ++numAttnOps;
  });
  if (numAttnOps != 0)
    return fail("attn ops are left after the CPU pipeline");
  if (!module->lookupSymbol("_mlir_ciface_main"))
    return fail("the lowered module has no _mlir_ciface_main");

  // 3. Compile and run it with the runtime API (Runner.h).
  mlir::attn::CompileOptions options;
  options.numThreads = 1;
  auto compiled = mlir::attn::CompiledModule::compile(kSource, options);
  if (!compiled)
    return fail("compile: " + llvm::toString(compiled.takeError()));

  std::vector<float> q = makeInput(B * Hq * Lq * D, 1);
  std::vector<float> k = makeInput(B * Hkv * Lk * D, 2);
  std::vector<float> v = makeInput(B * Hkv * Lk * D, 3);
  std::vector<mlir::attn::HostTensor> inputs = {
      mlir::attn::HostTensor::fromF32({B, Hq, Lq, D}, q),
      mlir::attn::HostTensor::fromF32({B, Hkv, Lk, D}, k),
      mlir::attn::HostTensor::fromF32({B, Hkv, Lk, D}, v)};
  auto results = (*compiled)->invoke("main", inputs);
  if (!results)
    return fail("invoke: " + llvm::toString(results.takeError()));
  if (results->size() != 1 ||
      (*results)[0].getTypeString() != "1x4x6x16xf32")
    return fail("expected one 1x4x6x16xf32 result");

  std::vector<double> expected = referenceAttention(q, k, v);
  std::vector<double> actual = (*results)[0].toDoubles();
  double maxError = 0;
  for (size_t i = 0; i < expected.size(); ++i)
    maxError = std::max(maxError, std::abs(actual[i] - expected[i]));
  if (!(maxError <= 1e-4))
    return fail("max abs error " + std::to_string(maxError) + " > 1e-4");

  llvm::outs() << "attn-consumer: PASS (" << expected.size()
               << " values, max abs error " << maxError << ")\n";
  return 0;
}
