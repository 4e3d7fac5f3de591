//===- Pipelines.h - attn lowering pipelines --------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PIPELINES_PIPELINES_H
#define ATTN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class OpPassManager;
namespace attn {

/// Upper bounds of the thread count and of the queries per gather tile
/// (the lowering-config sizes are bounded by the dialect: kMaxLoweringBlock,
/// kMaxKeySplits, kMaxDCMHABlock).
constexpr int64_t kMaxThreads = 1024;
constexpr int64_t kMaxGatherBlock = 1 << 20;

/// Options of `--attn-cpu-pipeline`: a module of `func.func`s holding `attn`
/// ops and upstream tensor ops, lowered to the LLVM dialect for a host CPU.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<std::string> targetCPU{
      *this, "target-cpu",
      llvm::cl::desc("CPU to generate vector code for ('native' = host; a "
                     "name such as 'sapphirerapids', 'znver4', 'x86-64')"),
      llvm::cl::init("native")};
  PassOptions::Option<int64_t> numThreads{
      *this, "num-threads",
      llvm::cl::desc("threads of the parallel tile loop (0 = OpenMP default, "
                     "1 = no threading)"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> decomposeAll{
      *this, "decompose-all",
      llvm::cl::desc("lower every attention tile through the portable linalg "
                     "decomposition instead of the vector kernel"),
      llvm::cl::init(false)};
  // Overrides of the lowering-config heuristics
  // (-attn-cpu-select-lowering-config), for tuning and tests.
  PassOptions::Option<int64_t> blockQ{
      *this, "block-q",
      llvm::cl::desc("query rows per tile (0 = chosen per op)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> gatherBlockQ{
      *this, "gather-block-q",
      llvm::cl::desc("queries per tile of the bilinear gathers of "
                     "attn.deformable_sample and attn.ms_deform_attn"),
      llvm::cl::init(32)};
  PassOptions::Option<int64_t> dcmhaBlockQ{
      *this, "dcmha-block-q",
      llvm::cl::desc("query rows per tile of attn.dcmha (all heads; rounded "
                     "up to the vector width)"),
      llvm::cl::init(16)};
  PassOptions::Option<int64_t> blockK{
      *this, "block-k",
      llvm::cl::desc("keys per inner block (0 = chosen per op)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> splitKeys{
      *this, "split-keys",
      llvm::cl::desc("key splits of attention, processed in parallel and "
                     "merged by the logsumexp rule (flash-decoding): 0 = "
                     "chosen per op (decode shapes only), 1 = never, N > 1 "
                     "= N splits"),
      llvm::cl::init(0)};
  PassOptions::Option<std::string> unit{
      *this, "unit",
      llvm::cl::desc("arithmetic of bf16 attention's products: 'auto' (chosen "
                     "per op: bf16_dot where the CPU has AVX512-BF16), "
                     "'f32', 'bf16_dot', 'bf16_dot_emulated', 'amx', "
                     "'amx_emulated'"),
      llvm::cl::init("auto")};
  PassOptions::ListOption<int64_t> qkTile{
      *this, "qk-tile",
      llvm::cl::desc("register tile 'rows,vectors' of Q K^T for every key "
                     "block (empty = chosen per op)")};
  PassOptions::ListOption<int64_t> pvTile{
      *this, "pv-tile",
      llvm::cl::desc("register tile 'rows,vectors' of P V for every key "
                     "block (empty = chosen per op)")};
};

/// Adds the passes of `--attn-cpu-pipeline` to `pm` (anchored on
/// `builtin.module`): a lowering config for every attention op (the target
/// and the overrides of `options` go to `-attn-cpu-select-lowering-config`
/// only; the later passes read the config), attn ops to the tiled
/// online-softmax form, vector code, bufferization, OpenMP threads, and the
/// LLVM dialect with C interfaces (`_mlir_ciface_<name>`) for every public
/// function. Invalid options (num-threads outside [0, kMaxThreads],
/// gather-block-q outside [1, kMaxGatherBlock], dcmha-block-q outside
/// [1, kMaxDCMHABlock], a target-cpu that is neither 'native' nor an x86
/// CPU LLVM knows) make the pipeline a single pass that fails with a
/// message naming the option; block-q, block-k, split-keys, unit and the
/// tiles are checked by -attn-cpu-select-lowering-config.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// The first step of buildCPUPipeline alone: a lowering config for every
/// attention op (`-attn-cpu-select-lowering-config` with the target and the
/// overrides of `options`), for reports of what the pipeline will choose.
void buildCPUSelectLoweringConfigPipeline(OpPassManager &pm,
                                          const CPUPipelineOptions &options);

/// Options of `--attn-gpu-pipeline`: attention ops mapped onto GPU
/// workgroups (docs/gpu.md), device code for NVVM (PTX/cubin) or SPIR-V
/// (OpenCL), host code in the LLVM dialect calling the `mgpu*` runtime.
struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  PassOptions::Option<std::string> target{
      *this, "target",
      llvm::cl::desc("device code: 'nvvm' (PTX and cubin for NVIDIA GPUs) or "
                     "'spirv' (OpenCL SPIR-V kernels, e.g. for PoCL)"),
      llvm::cl::init("nvvm")};
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("NVVM: the SM version, e.g. sm_80, sm_90"),
      llvm::cl::init("sm_80")};
  PassOptions::Option<std::string> features{
      *this, "features", llvm::cl::desc("NVVM: PTX features"),
      llvm::cl::init("+ptx80")};
  PassOptions::Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("NVVM: the CUDA toolkit whose libdevice (exp2, fma, "
                     "tanh) and ptxas are used (empty = $CUDA_HOME, else "
                     "/usr/local/cuda)"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("what gpu-module-to-binary embeds: 'isa' (PTX text or "
                     "SPIR-V), 'bin' (cubin, through ptxas), 'fatbin', or "
                     "'none' (keep the gpu.module as IR)"),
      llvm::cl::init("isa")};
  PassOptions::Option<std::string> tensorCores{
      *this, "tensor-cores",
      llvm::cl::desc("f16/bf16 attention on tensor cores (mma.m16n8k16 "
                     "warp tiles): 'auto' (nvvm: on; spirv: off), 'on' "
                     "(spirv: emulated in workgroup memory, for checking the "
                     "mapping on OpenCL), 'wgmma' (the warpgroup mapping: "
                     "nvvm: wgmma, needs chip=sm_90a; spirv: emulated), "
                     "'off'; 'auto' and 'on' take the warpgroup mapping "
                     "with chip=sm_90a"),
      llvm::cl::init("auto")};
  PassOptions::Option<int64_t> sharedMemoryBytes{
      *this, "shared-memory-bytes",
      llvm::cl::desc("workgroup (shared) memory per workgroup, in bytes"),
      llvm::cl::init(48 * 1024)};
  PassOptions::Option<int64_t> maxThreads{
      *this, "max-threads",
      llvm::cl::desc("most threads (query rows) per workgroup"),
      llvm::cl::init(128)};
  PassOptions::Option<int64_t> blockQ{
      *this, "block-q",
      llvm::cl::desc("query rows per workgroup (0 = chosen per op)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> blockK{
      *this, "block-k",
      llvm::cl::desc("keys per staged block (0 = 16, or 8 when Dv > 64)"),
      llvm::cl::init(0)};
};

/// Adds the passes of `--attn-gpu-pipeline` to `pm` (anchored on
/// `builtin.module`; docs/gpu.md): a check that every attn op can be mapped
/// (split-K cannot yet), lowering configs for a GPU, attn ops to their tiled
/// forms (`online_attention`, `bilinear_gather`, `tiled_compose`,
/// `online_dcmha`), bufferization, tiles onto workgroups and threads (FMA
/// or tensor-core warps for attention, gathers, compose, DCMHA), kernel
/// outlining, device buffers and copies around each launch, the device leaf of
/// `options.target`, host code to the LLVM dialect with C interfaces, and
/// the device module serialized into a `gpu.binary` (unless `format=none`).
void buildGPUPipeline(OpPassManager &pm, const GPUPipelineOptions &options);

/// Registers `--attn-cpu-pipeline` (and later pipelines) with the global
/// pass registry.
void registerPipelines();

} // namespace attn
} // namespace mlir

#endif // ATTN_PIPELINES_PIPELINES_H
