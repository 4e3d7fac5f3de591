//===- AttnAttrs.td - attn dialect attributes --------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_IR_ATTNATTRS_TD
#define ATTN_DIALECT_ATTN_IR_ATTNATTRS_TD

include "attn/Dialect/Attn/IR/AttnBase.td"
include "attn/Dialect/Attn/IR/AttnEnums.td"

def Attn_PaddingModeAttr : EnumAttr<Attn_Dialect, Attn_PaddingModeEnum,
                                    "padding_mode"> {
  let description = [{
    Written `#attn<padding_mode zeros>` or `#attn<padding_mode border>`
    (the `padding_mode` attribute of `attn.deformable_sample`): what a
    sampling point outside the map reads, 0 (`zeros`) or the nearest border
    value (`border`), as `grid_sample`'s `padding_mode`.
  }];
}

def Attn_CoordinatesAttr : EnumAttr<Attn_Dialect, Attn_CoordinatesEnum,
                                    "coordinates"> {
  let description = [{
    Written `#attn<coordinates grid>` or `#attn<coordinates unit>`: the
    range of the normalized sampling locations of the internal
    `attn.bilinear_gather`, `grid_sample`'s [-1, 1] (`grid`, from
    `attn.deformable_sample`) or Deformable DETR's [0, 1] (`unit`, from
    `attn.ms_deform_attn`).
  }];
}

//===----------------------------------------------------------------------===//
// LoweringConfigAttr
//===----------------------------------------------------------------------===//

def Attn_LoweringConfigAttr : AttrDef<Attn_Dialect, "LoweringConfig"> {
  let mnemonic = "lowering_config";
  let summary = "how one attention op is tiled and which kernel tiles it uses";
  let description = [{
    The code-generation strategy of one attention op, written into the IR
    (IREE's `lowering_config`): a per-target pass chooses it
    (`-attn-cpu-select-lowering-config` for the host CPU), and the passes
    that tile and lower the op read it from the op instead of taking sizes as
    options. Ops carry it in the discardable attribute `lowering_config`;
    `attn.attention` and `attn.sliding_window_attention` pass it on to the
    `attn.online_attention` that `-attn-convert-to-online` makes of them,
    and tiling (`-attn-tile`, split-K) to every `attn.online_attention` and
    `attn.partial_attention` tile. A config already in the IR is kept, so a
    test or a user can pin one.

    Parameters (the verifier's ranges: `block_q` and `block_k` in
    [1, 4096], `split_keys` in [1, 4096], each register tile dimension in
    [1, 64]):

    - `block_q`: query rows per tile of `-attn-tile` (the parallel unit of
      work) and per query block of the kernel.
    - `block_k`: keys per block of the online softmax (the kernel's key loop
      and the portable decomposition's FlashAttention loop).
    - `split_keys`: key splits processed in parallel and merged by the
      logsumexp rule (flash-decoding); 1 = not split.
    - `qk_tile`, `pv_tile`: register tiles `[rows, vectors]` of the kernel's
      `S = Q K^T` (query rows x vectors of keys) and `O += P V` (query rows x
      vectors of `Dv`) for key blocks that every row of a query block sees
      whole.
    - `partial_qk_tile`, `partial_pv_tile`: the same for the other blocks
      (the diagonal of causal ops, the edges of a window or chunk, blocks
      with a mask or softcap).
    - `unit` (optional, default `f32`; CPU only): the arithmetic of the
      kernel's two products. `f32`: FMAs on inputs widened to f32.
      `bf16_dot`: bf16 operands (all of q, k and v), pair dot products with
      f32 accumulation on AVX512-BF16 (`vdpbf16ps`): K and V packed in pairs
      of keys or head-dim elements, P rounded to bf16 for `P V`, the softmax
      statistics in f32. `bf16_dot_emulated`: the same layouts and rounding
      with the dot product written in plain vector ops (shifts and f32
      FMAs), for CPUs without AVX512-BF16 (the tests run it there).
      `amx`: the same layouts on AMX-BF16 tiles (`tdpbf16ps`, 16x32 bf16
      operand tiles, 16x16 f32 accumulator tiles; D up to 256);
      `amx_emulated`: its tile operations in plain vector code.

    The CPU kernel fits the sizes to its tiles: `block_k` is rounded up to a
    multiple of every tile's key columns and its scratch rows to a multiple
    of every tile's rows, and a tile with fewer (static) rows than `block_q`
    gets a block of its rows.

    Example:

    ```mlir
    %o = attn.attention %q, %k, %v {causal, lowering_config = #attn.lowering_config<
             block_q = 128, block_k = 128, split_keys = 1, qk_tile = [6, 4],
             pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>}
        : tensor<1x12x1024x64xf32>, tensor<1x12x1024x64xf32>, tensor<1x12x1024x64xf32> -> tensor<1x12x1024x64xf32>
    ```
  }];
  let parameters = (ins
    AttrParameter<"int64_t", "query rows per tile">:$block_q,
    AttrParameter<"int64_t", "keys per online-softmax block">:$block_k,
    AttrParameter<"int64_t", "key splits (1 = not split)">:$split_keys,
    ArrayRefParameter<"int64_t", "[rows, vectors] of Q K^T, whole blocks">
        :$qk_tile,
    ArrayRefParameter<"int64_t", "[rows, vectors] of P V, whole blocks">
        :$pv_tile,
    ArrayRefParameter<"int64_t", "[rows, vectors] of Q K^T, other blocks">
        :$partial_qk_tile,
    ArrayRefParameter<"int64_t", "[rows, vectors] of P V, other blocks">
        :$partial_pv_tile,
    DefaultValuedParameter<"::mlir::attn::MatmulUnit",
        "::mlir::attn::MatmulUnit::f32",
        "arithmetic of the two products (CPU)">:$unit
  );
  let assemblyFormat = [{
    `<` `block_q` `=` $block_q `,` `block_k` `=` $block_k `,`
    `split_keys` `=` $split_keys `,`
    `qk_tile` `=` `[` $qk_tile `]` `,` `pv_tile` `=` `[` $pv_tile `]` `,`
    `partial_qk_tile` `=` `[` $partial_qk_tile `]` `,`
    `partial_pv_tile` `=` `[` $partial_pv_tile `]`
    (`,` `unit` `=` $unit^)? `>`
  }];
  let genVerifyDecl = 1;

  let extraClassDeclaration = [{
    /// The name of the discardable attribute that holds an op's config.
    static constexpr ::llvm::StringLiteral getAttrName() {
      return ::llvm::StringLiteral("lowering_config");
    }
  }];
}

#endif // ATTN_DIALECT_ATTN_IR_ATTNATTRS_TD
