//===- AttnOps.td - attn dialect graph-level ops -----------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
// The graph-level ops users write. Their semantics and numbered constraints
// are those of docs/Spec.md; every verifier check is tagged with the label of
// the constraint it enforces (e.g. `// attention_c1`).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_IR_ATTNOPS_TD
#define ATTN_DIALECT_ATTN_IR_ATTNOPS_TD

include "attn/Dialect/Attn/IR/AttnBase.td"
include "attn/Dialect/Attn/IR/AttnAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/TilingInterface.td"
include "mlir/Dialect/Linalg/IR/LinalgInterfaces.td"

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

def Attn_AttentionOp : Attn_Op<"attention", [Pure]> {
  let summary = "scaled dot-product attention (MHA, GQA/MQA, causal, masks, softcap)";
  let description = [{
    Scaled dot-product attention, `softmax(cap(scale * Q @ K^T) + bias) @ V`
    (see `docs/Spec.md#attnattention`):

    ```
    O[b,h,i,:] = sum_j P[b,h,i,j] * V[b,kvh(h),j,:]
    P[b,h,i,:] = softmax_j(S[b,h,i,j])    over visible j; invisible j get P = 0
    S[b,h,i,j] = cap(scale * dot(Q[b,h,i,:], K[b,kvh(h),j,:])) + bias[b,h,i,j]
    kvh(h)     = h / (Hq / Hkv)
    cap(s)     = softcap * tanh(s / softcap)
    ```

    `query` is `[B, Hq, Lq, D]`, `key` is `[B, Hkv, Lk, D]`, `value` is
    `[B, Hkv, Lk, Dv]` and the result is `[B, Hq, Lq, Dv]`; `Hq` must be a
    multiple of `Hkv` (grouped-query attention; MHA when equal).

    The optional `mask` is `[B or 1, Hq or 1, Lq, Lk]`: with `i1` elements,
    `true` marks a visible key; with the float element type it is an additive
    bias, and a `-inf` entry makes that key invisible. `scale` defaults to
    `1/sqrt(D)`. `causal` makes key `j` visible from query `i` only when
    `j <= i + (Lk - Lq)` (bottom-right aligned, as FlashAttention). `softcap`
    enables Gemma 2's logit soft-capping. A query row with no visible key
    yields zeros. Accumulation is in f32.

    Example:

    ```mlir
    %o = attn.attention %q, %k, %v {causal, scale = 0.125 : f32}
        : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32>, tensor<2x2x256x64xf32> -> tensor<2x8x128x64xf32>
    ```
  }];

  let arguments = (ins Attn_FloatTensor:$query,
                       Attn_FloatTensor:$key,
                       Attn_FloatTensor:$value,
                       Optional<Attn_MaskTensor>:$mask,
                       OptionalAttr<F32Attr>:$scale,
                       UnitAttr:$causal,
                       OptionalAttr<F32Attr>:$softcap);
  let results = (outs Attn_FloatTensor:$result);

  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` $mask^)? attr-dict
    `:` type(operands) `->` type($result)
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// The softmax scale: the `scale` attribute, or `1/sqrt(D)` when absent
    /// (requires a static `D`; returns failure otherwise).
    FailureOr<double> getEffectiveScale();
  }];
}

//===----------------------------------------------------------------------===//
// SlidingWindowAttentionOp
//===----------------------------------------------------------------------===//

def Attn_SlidingWindowAttentionOp
    : Attn_Op<"sliding_window_attention", [Pure]> {
  let summary = "sliding-window and chunked local attention";
  let description = [{
    `attn.attention` restricted to a band of keys around each query (see
    `docs/Spec.md#attnsliding_window_attention`). With `i' = i + (Lk - Lq)`,
    key `j` is visible from query `i` iff
    `i' - left <= j <= i' + right` for `window = array<i64: left, right>`
    (`-1` leaves that side unbounded), and, when `chunk` is given, iff also
    `floor(i'/chunk) == floor(j/chunk)` (chunked local attention as in
    Llama 4). `causal` forces `right = 0`. The operands, the other attributes
    and the result are those of `attn.attention`. Mistral-style attention is
    `window = array<i64: 4095, 0>`.

    Example:

    ```mlir
    %o = attn.sliding_window_attention %q, %k, %v {window = array<i64: 256, 0>}
        : tensor<1x16x2048x64xf32>, tensor<1x16x2048x64xf32>, tensor<1x16x2048x64xf32> -> tensor<1x16x2048x64xf32>
    ```
  }];

  let arguments = (ins Attn_FloatTensor:$query,
                       Attn_FloatTensor:$key,
                       Attn_FloatTensor:$value,
                       Optional<Attn_MaskTensor>:$mask,
                       DenseI64ArrayAttr:$window,
                       OptionalAttr<I64Attr>:$chunk,
                       OptionalAttr<F32Attr>:$scale,
                       UnitAttr:$causal,
                       OptionalAttr<F32Attr>:$softcap);
  let results = (outs Attn_FloatTensor:$result);

  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` $mask^)? attr-dict
    `:` type(operands) `->` type($result)
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// See AttentionOp::getEffectiveScale.
    FailureOr<double> getEffectiveScale();
    /// Left window extent, -1 when unbounded.
    int64_t getWindowLeft() { return getWindow()[0]; }
    /// Right window extent after `causal` (which forces 0), -1 when unbounded.
    int64_t getWindowRight() { return getCausal() ? 0 : getWindow()[1]; }
    /// The chunk size as a signed value, when present.
    std::optional<int64_t> getChunkSize() {
      if (IntegerAttr attr = getChunkAttr())
        return attr.getInt();
      return std::nullopt;
    }
  }];
}

//===----------------------------------------------------------------------===//
// ComposeOp
//===----------------------------------------------------------------------===//

def Attn_ComposeOp : Attn_Op<"compose", [Pure, AttrSizedOperandSegments]> {
  let summary = "DCMHA cross-head composition (DCFormer)";
  let description = [{
    Mixes a score or probability tensor `A` across heads, per query `t` and
    key `s`, as DCFormer's `CrossHeadProjection` (Xiao et al., "Improving
    Transformers with Dynamically Composable Multi-Head Attention", ICML 2024;
    see `docs/Spec.md#attncompose`):

    ```
    out[b,h,t,s] = sum_g A[b,g,t,s] * W[g,h]                    (W = identity if absent)
                 + sum_c qw2[b,t,c,h] * sum_g qw1[b,t,c,g] * A[b,g,t,s]
                 + sum_c kw2[b,s,c,h] * sum_g kw1[b,s,c,g] * A[b,g,t,s]
                 + A[b,h,t,s] * (qdd[b,t,h] + kdd[b,s,h])
    ```

    `A` is `[B, H, Lq, Lk]`; `static(W)` is `[H, H]` (DCFormer's trained
    static weights are `W = w + I`); `query_weights(qw1, qw2)` are
    `[B, Lq, Cq, H]`; `key_weights(kw1, kw2)` are `[B, Lk, Ck, H]`;
    `query_gate(qdd)` is `[B, Lq, H]` and `key_gate(kdd)` is `[B, Lk, H]`.
    Any subset of the groups may be present, written in this order.

    Example:

    ```mlir
    %c = attn.compose %s query_weights(%qw1, %qw2) key_weights(%kw1, %kw2) query_gate(%qdd) key_gate(%kdd)
        : tensor<1x16x512x512xf32>, tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>,
          tensor<1x512x2x16xf32>, tensor<1x512x16xf32>, tensor<1x512x16xf32> -> tensor<1x16x512x512xf32>
    ```
  }];

  let arguments = (ins Attn_FloatTensor:$scores,
                       Optional<Attn_FloatTensor>:$static_weights,
                       Optional<Attn_FloatTensor>:$query_weights1,
                       Optional<Attn_FloatTensor>:$query_weights2,
                       Optional<Attn_FloatTensor>:$key_weights1,
                       Optional<Attn_FloatTensor>:$key_weights2,
                       Optional<Attn_FloatTensor>:$query_gate,
                       Optional<Attn_FloatTensor>:$key_gate);
  let results = (outs Attn_FloatTensor:$result);

  let assemblyFormat = [{
    $scores `` custom<ComposeGroups>($static_weights, $query_weights1,
        $query_weights2, $key_weights1, $key_weights2, $query_gate, $key_gate)
    attr-dict `:` type(operands) `->` type($result)
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// The compose groups.
    ComposeGroups getGroups() {
      return {getStaticWeights(), getQueryWeights1(), getQueryWeights2(),
              getKeyWeights1(), getKeyWeights2(), getQueryGate(),
              getKeyGate()};
    }
  }];
}

//===----------------------------------------------------------------------===//
// DCMHAOp
//===----------------------------------------------------------------------===//

def Attn_DCMHAOp : Attn_Op<"dcmha", [Pure, AttrSizedOperandSegments]> {
  let summary = "fused dynamically composable multi-head attention";
  let description = [{
    Attention whose logits pass through a pre-softmax `attn.compose` and whose
    probabilities pass through a post-softmax `attn.compose` (DCFormer; see
    `docs/Spec.md#attndcmha`):

    ```
    S = scale * Q @ K^T -> compose_pre -> mask -> softmax -> compose_post -> @ V
    ```

    `query` is `[B, H, Lq, D]`, `key` `[B, H, Lk, D]`, `value` `[B, H, Lk, Dv]`
    (MHA only; `Lq != Lk` is allowed); the result is `[B, H, Lq, Dv]`. The
    optional `pre(...)` and `post(...)` hold the groups of `attn.compose`
    (against `A = [B, H, Lq, Lk]`) in the same order; an absent one is the
    identity. `scale` defaults to `1/sqrt(D)`; `causal` and `window` mask as
    in `attn.sliding_window_attention`. Masked positions get probability 0
    before `compose_post`; a row with no visible key yields zeros.

    Example:

    ```mlir
    %o = attn.dcmha %q, %k, %v pre(query_weights(%a1, %a2) query_gate(%ag)) post(key_gate(%bg)) {causal}
        : tensor<1x16x256x64xf32>, tensor<1x16x256x64xf32>, tensor<1x16x256x64xf32>,
          tensor<1x256x2x16xf32>, tensor<1x256x2x16xf32>, tensor<1x256x16xf32>, tensor<1x256x16xf32>
        -> tensor<1x16x256x64xf32>
    ```
  }];

  let arguments = (ins Attn_FloatTensor:$query,
                       Attn_FloatTensor:$key,
                       Attn_FloatTensor:$value,
                       Optional<Attn_FloatTensor>:$pre_static_weights,
                       Optional<Attn_FloatTensor>:$pre_query_weights1,
                       Optional<Attn_FloatTensor>:$pre_query_weights2,
                       Optional<Attn_FloatTensor>:$pre_key_weights1,
                       Optional<Attn_FloatTensor>:$pre_key_weights2,
                       Optional<Attn_FloatTensor>:$pre_query_gate,
                       Optional<Attn_FloatTensor>:$pre_key_gate,
                       Optional<Attn_FloatTensor>:$post_static_weights,
                       Optional<Attn_FloatTensor>:$post_query_weights1,
                       Optional<Attn_FloatTensor>:$post_query_weights2,
                       Optional<Attn_FloatTensor>:$post_key_weights1,
                       Optional<Attn_FloatTensor>:$post_key_weights2,
                       Optional<Attn_FloatTensor>:$post_query_gate,
                       Optional<Attn_FloatTensor>:$post_key_gate,
                       OptionalAttr<F32Attr>:$scale,
                       UnitAttr:$causal,
                       OptionalAttr<DenseI64ArrayAttr>:$window);
  let results = (outs Attn_FloatTensor:$result);

  // `pre(...)`/`post(...)` wrap the compose groups; ODS optional groups cannot
  // nest, so each block is a custom directive sharing ComposeGroups' printer.
  // The empty literals stop ODS from printing a space before an absent block;
  // the directives print their own leading space.
  let assemblyFormat = [{
    $query `,` $key `,` $value
    `` custom<ComposeBlock>("\"pre\"", $pre_static_weights, $pre_query_weights1,
        $pre_query_weights2, $pre_key_weights1, $pre_key_weights2,
        $pre_query_gate, $pre_key_gate)
    `` custom<ComposeBlock>("\"post\"", $post_static_weights, $post_query_weights1,
        $post_query_weights2, $post_key_weights1, $post_key_weights2,
        $post_query_gate, $post_key_gate)
    attr-dict `:` type(operands) `->` type($result)
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// See AttentionOp::getEffectiveScale.
    FailureOr<double> getEffectiveScale();
    /// The compose groups before and after the softmax.
    ComposeGroups getPreGroups() {
      return {getPreStaticWeights(), getPreQueryWeights1(),
              getPreQueryWeights2(), getPreKeyWeights1(), getPreKeyWeights2(),
              getPreQueryGate(), getPreKeyGate()};
    }
    ComposeGroups getPostGroups() {
      return {getPostStaticWeights(), getPostQueryWeights1(),
              getPostQueryWeights2(), getPostKeyWeights1(),
              getPostKeyWeights2(), getPostQueryGate(), getPostKeyGate()};
    }
  }];
}

//===----------------------------------------------------------------------===//
// DeformableSampleOp
//===----------------------------------------------------------------------===//

def Attn_DeformableSampleOp : Attn_Op<"deformable_sample", [Pure]> {
  let summary = "bilinear sampling at deformed points (grid_sample, channels-last)";
  let description = [{
    `torch.nn.functional.grid_sample(mode="bilinear")` in channels-last layout,
    the K/V sampling of DAT (Xia et al., "Vision Transformer with Deformable
    Attention", CVPR 2022; see `docs/Spec.md#attndeformable_sample`):

    ```
    out[n,y,x,:] = bilinear(input[n,:,:,:], grid[n,y,x,0] (x), grid[n,y,x,1] (y))
    ```

    `input` is `[N, Hin, Win, C]`, `grid` is `[N, Hout, Wout, 2]` holding
    `(x, y)` normalized to `[-1, 1]`, the result is `[N, Hout, Wout, C]`.
    `align_corners = true` maps `x` to `(x+1)/2*(Win-1)`, `false` (default) to
    `((x+1)*Win-1)/2`. `padding_mode` `zeros` (default) gives 0 for corners
    outside the map, `border` clamps coordinates. A non-finite coordinate
    contributes zero in both modes; no coordinate reads outside `input`.

    Example:

    ```mlir
    %s = attn.deformable_sample %x, %grid {align_corners = true, padding_mode = #attn<padding_mode border>}
        : tensor<2x14x14x32xf32>, tensor<2x7x7x2xf32> -> tensor<2x7x7x32xf32>
    ```
  }];

  let arguments = (ins Attn_FloatTensor:$input,
                       Attn_FloatTensor:$grid,
                       DefaultValuedAttr<BoolAttr, "false">:$align_corners,
                       DefaultValuedAttr<Attn_PaddingModeAttr,
                           "::mlir::attn::PaddingMode::zeros">:$padding_mode);
  let results = (outs Attn_FloatTensor:$result);

  let assemblyFormat = [{
    $input `,` $grid attr-dict `:` type(operands) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// MSDeformAttnOp
//===----------------------------------------------------------------------===//

def Attn_MSDeformAttnOp : Attn_Op<"ms_deform_attn", [Pure]> {
  let summary = "multi-scale deformable attention (Deformable DETR)";
  let description = [{
    Deformable DETR's multi-scale deformable attention core (Zhu et al.,
    ICLR 2021, `ms_deform_attn_core_pytorch`; see
    `docs/Spec.md#attnms_deform_attn`):

    ```
    out[n,q,m*D:(m+1)*D] = sum_l sum_p w[n,q,m,l,p] * bilinear_l(value[n,:,m,:], loc[n,q,m,l,p])
    ```

    `value` is `[N, S, M, D]` with `S = sum_l H_l*W_l` (levels concatenated,
    each row-major `(y, x)`); `sampling_locations` is `[N, Lq, M, L, P, 2]`
    holding `(x, y)` in `[0, 1]`; `attention_weights` is `[N, Lq, M, L, P]`;
    `spatial_shapes = array<i64: H0, W0, H1, W1, ...>` gives the static level
    sizes; the result is `[N, Lq, M*D]`. `bilinear_l` samples level `l` at
    `x*W_l - 0.5`, `y*H_l - 0.5` with zero padding (grid_sample,
    `align_corners=False`). Non-finite or far coordinates contribute zero.

    Example:

    ```mlir
    %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 100, 150, 50, 75, 25, 38, 13, 19>}
        : tensor<1x19947x8x32xf32>, tensor<1x300x8x4x4x2xf32>, tensor<1x300x8x4x4xf32> -> tensor<1x300x256xf32>
    ```
  }];

  let arguments = (ins Attn_FloatTensor:$value,
                       Attn_FloatTensor:$sampling_locations,
                       Attn_FloatTensor:$attention_weights,
                       DenseI64ArrayAttr:$spatial_shapes);
  let results = (outs Attn_FloatTensor:$result);

  let assemblyFormat = [{
    $value `,` $sampling_locations `,` $attention_weights attr-dict
    `:` type(operands) `->` type($result)
  }];
  let hasVerifier = 1;
}


//===----------------------------------------------------------------------===//
// Internal tiled forms (created by the compiler's passes)
//===----------------------------------------------------------------------===//

// Accessors shared by the two online forms.
defvar AttnOnlineFormAccessors = [{
    /// Signed window extents (-1 = unbounded) and chunk size.
    int64_t getLeft() { return getWindowLeftAttr().getInt(); }
    int64_t getRight() { return getWindowRightAttr().getInt(); }
    std::optional<int64_t> getChunkSize() {
      if (IntegerAttr attr = getChunkAttr())
        return attr.getInt();
      return std::nullopt;
    }
    /// Whether a window side or a chunk hides some keys from some queries
    /// (causal included; masks aside), so that visible key ranges differ
    /// between query rows.
    bool restrictsKeys() {
      return getLeft() >= 0 || getRight() >= 0 || getChunkSize().has_value();
    }
    /// The logit scale: the `scale` attribute, else 1/sqrt(D) of a static
    /// head dim D; std::nullopt when it is only known at run time.
    std::optional<double> getStaticScale() {
      if (FloatAttr attr = getScaleAttr())
        return attr.getValueAsDouble();
      ShapedType kType = getKeyType();
      if (kType.isDynamicDim(3))
        return std::nullopt;
      return 1.0 / std::sqrt(static_cast<double>(kType.getDimSize(3)));
    }
    /// Shaped types of the operands.
    ShapedType getQueryType() { return cast<ShapedType>(getQuery().getType()); }
    ShapedType getKeyType() { return cast<ShapedType>(getKey().getType()); }
    ShapedType getValueType() { return cast<ShapedType>(getValue().getType()); }
}];

def Attn_OnlineAttentionOp : Attn_Op<"online_attention", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DeclareOpInterfaceMethods<AggregatedOpInterface, ["decomposeOperation"]>,
    DeclareOpInterfaceMethods<TilingInterface, [
        "getLoopIteratorTypes", "getIterationDomain", "getTiledImplementation",
        "getResultTilePosition"]>]> {
  let summary = "destination-style fused attention with an online softmax";
  let description = [{
    The tiled form of `attn.attention` and `attn.sliding_window_attention`
    that every lowering consumes (today the CPU kernel and the portable linalg
    decomposition; FlashAttention, Dao et
    al. 2022; IREE's `online_attention`). It writes `output[b,h,i,:]` =
    softmax-weighted sum of `value` rows over the keys visible from query row
    `i`, visiting keys block by block with a running row max and row sum
    (online softmax), so the `Lq x Lk` score matrix is never built.

    Visibility, with `p = query_offset + i` the query's position in key
    coordinates: key `j` is visible iff `window_left == -1 or j >= p -
    window_left`, `window_right == -1 or j <= p + window_right`, when `chunk`
    is set `floor(p/chunk) == floor(j/chunk)`, and the mask allows it.
    `causal` is `window_right = 0`. Tiling along the query rows adds the tile
    offset to `query_offset`, so tiles keep the untiled geometry.

    Operands: `query` `[B, Hq, Lq, D]`, `key` `[B, Hkv, Lk, D]`, `value`
    `[B, Hkv, Lk, Dv]` (head `h` reads KV head `h / (Hq / Hkv)`: GQA without
    copying K/V), optional `mask` `[B|1, Hq|1, Lq, Lk]` of `i8` (non-zero =
    visible) or the float type (additive bias; `-inf` = invisible), and the
    destination `output` `[B, Hq, Lq, Dv]`. `scale` multiplies the logits;
    without it the scale is 1/sqrt(D) of the run-time head dim D (SPEC
    §1.1). `softcap` caps the scaled logits before the bias. Rows without a visible
    key are written as zeros. Accumulation is in f32. Works on tensors (one
    result) and on memrefs (no result).

    The iteration domain is `(b, h, i)`, all parallel; with `Hq != Hkv` a
    tile along `h` spans one head or whole groups of `Hq / Hkv` heads (a
    GQA group stacked into one tile reads its K/V once). On tensors the op
    decomposes (AggregatedOpInterface) into `attn.partial_attention` over
    all keys on a fresh state, followed by the normalization `acc / sum`;
    tiling that op's key dimension gives the FlashAttention loop in `linalg`
    (the portable lowering).

    Example:

    ```mlir
    %o = attn.online_attention ins(%q, %k, %v offset %off
           : tensor<1x1x64x64xf32>, tensor<1x1x512x64xf32>, tensor<1x1x512x64xf32>)
           outs(%init : tensor<1x1x64x64xf32>)
           {scale = 0.125 : f32, window_left = -1 : i64, window_right = 0 : i64}
           -> tensor<1x1x64x64xf32>
    ```
  }];

  let arguments = (ins AnyShaped:$query,
                       AnyShaped:$key,
                       AnyShaped:$value,
                       Optional<AnyShaped>:$mask,
                       Index:$query_offset,
                       AnyShaped:$output,
                       OptionalAttr<F32Attr>:$scale,
                       OptionalAttr<F32Attr>:$softcap,
                       DefaultValuedAttr<I64Attr, "-1">:$window_left,
                       DefaultValuedAttr<I64Attr, "-1">:$window_right,
                       OptionalAttr<I64Attr>:$chunk);
  let results = (outs Variadic<AnyRankedTensor>:$result);

  let assemblyFormat = [{
    `ins` `(` $query `,` $key `,` $value (`mask` $mask^)? `offset` $query_offset
    `:` type($query) `,` type($key) `,` type($value) (`,` type($mask)^)? `)`
    `outs` `(` $output `:` type($output) `)` attr-dict (`->` type($result)^)?
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = AttnOnlineFormAccessors # [{
    /// DestinationStyleOpInterface: the one destination is `output`.
    MutableOperandRange getDpsInitsMutable() { return getOutputMutable(); }
    ShapedType getOutputType() { return cast<ShapedType>(getOutput().getType()); }
  }];
}

def Attn_PartialAttentionOp : Attn_Op<"partial_attention", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DeclareOpInterfaceMethods<AggregatedOpInterface, ["decomposeOperation"]>,
    DeclareOpInterfaceMethods<TilingInterface, [
        "getLoopIteratorTypes", "getIterationDomain", "getTiledImplementation",
        "getResultTilePosition"]>]> {
  let summary = "online-softmax step of attention over a range of keys";
  let description = [{
    The partial online form of attention (IREE's `online_attention`; the
    flash-decoding split of Dao et al., 2023): it updates a running state
    `(acc, max, sum)` with the keys of `key`/`value`, without normalizing.
    For each query row `i` at position `p = query_offset + i` and each key
    `j` of the range at position `key_offset + j`, visible as for
    `attn.online_attention` (window, chunk, mask), with the scores
    `s_j = cap(scale * q . k_j) + bias_j`:

    ```
    max'[i]   = max(max[i], max_j s_j)
    a         = exp(max[i] - max'_0[i])      max'_0 = max' == -inf ? 0 : max'
    sum'[i]   = a sum[i] + sum_j exp(s_j - max'_0[i])
    acc'[i,:] = a acc[i,:] + sum_j exp(s_j - max'_0[i]) v_j
    ```

    A fresh state is `(0, -inf, 0)`; the result of attention over all keys
    is `acc / sum` (0 where `sum` is 0). States of disjoint key ranges
    merge by the logsumexp rule, which is what splitting the key dimension
    (split-K, for decode) relies on.

    Operands: `query` `[B, Hq, Lq, D]`, `key` `[B, Hkv, Lk, D]`, `value`
    `[B, Hkv, Lk, Dv]`, optional `mask` `[B|1, Hq|1, Lq, Lk]` (`i8` or the
    float type, as for `attn.online_attention`), the positions of the first
    query and the first key, and the f32 destinations `acc`
    `[B, Hq, Lq, Dv]`, `max` and `sum` `[B, Hq, Lq]`, which hold the state
    on entry. Works on tensors (three results) and memrefs (none).

    The iteration domain is `(b, h, i, j)`: parallel over batch, heads and
    query rows, a reduction over keys. Tiling `j` slices K, V and the mask
    and adds the tile offset to `key_offset`; a sequential loop over key
    tiles is the FlashAttention loop, parallel key tiles merged afterwards
    are split-K. On tensors the op decomposes into one online step in
    `linalg`.

    Example:

    ```mlir
    %acc, %m, %l = attn.partial_attention
           ins(%q, %k, %v offset %qoff key_offset %koff
           : tensor<1x4x1x128xf32>, tensor<1x1x2048x128xf32>, tensor<1x1x2048x128xf32>)
           outs(%acc0, %m0, %l0 : tensor<1x4x1x128xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>)
           {scale = 0.0883 : f32}
           -> tensor<1x4x1x128xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>
    ```
  }];

  let arguments = (ins AnyShaped:$query,
                       AnyShaped:$key,
                       AnyShaped:$value,
                       Optional<AnyShaped>:$mask,
                       Index:$query_offset,
                       Index:$key_offset,
                       AnyShaped:$acc,
                       AnyShaped:$max,
                       AnyShaped:$sum,
                       OptionalAttr<F32Attr>:$scale,
                       OptionalAttr<F32Attr>:$softcap,
                       DefaultValuedAttr<I64Attr, "-1">:$window_left,
                       DefaultValuedAttr<I64Attr, "-1">:$window_right,
                       OptionalAttr<I64Attr>:$chunk);
  let results = (outs Variadic<AnyRankedTensor>:$result);

  let assemblyFormat = [{
    `ins` `(` $query `,` $key `,` $value (`mask` $mask^)? `offset` $query_offset
    `key_offset` $key_offset
    `:` type($query) `,` type($key) `,` type($value) (`,` type($mask)^)? `)`
    `outs` `(` $acc `,` $max `,` $sum `:` type($acc) `,` type($max) `,`
    type($sum) `)` attr-dict (`->` type($result)^)?
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = AttnOnlineFormAccessors # [{
    /// DestinationStyleOpInterface: `acc`, `max` and `sum`.
    MutableOperandRange getDpsInitsMutable() {
      unsigned start = getAccMutable().getOperandNumber();
      return MutableOperandRange(getOperation(), start, 3);
    }
    ShapedType getAccType() { return cast<ShapedType>(getAcc().getType()); }
  }];
}

def Attn_OnlineDCMHAOp : Attn_Op<"online_dcmha", [
    AttrSizedOperandSegments,
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DeclareOpInterfaceMethods<TilingInterface, [
        "getLoopIteratorTypes", "getIterationDomain", "getTiledImplementation",
        "getResultTilePosition"]>]> {
  let summary = "destination-style fused DCMHA over query rows";
  let description = [{
    The tiled form of `attn.dcmha` that every lowering consumes (today the
    CPU kernel). It writes `output[b,:,i,:]`, the DCMHA result of query row
    `i` for all `H` heads (SPEC §1.4):

    ```
    S = scale * Q K^T -> compose_pre -> mask -> softmax -> compose_post -> @ V
    ```

    without building the `Lq x Lk` score matrix of any head: a lowering
    visits keys block by block, each block holding all heads (compose mixes
    heads), in two sweeps (docs/CodeGen.md#dcmha): the first gathers each
    row's softmax max and sum of the pre-composed logits, the second
    recomputes them, normalizes, post-composes and accumulates `P V`.

    Visibility as for `attn.online_attention`, with `p = query_offset + i`:
    key `j` is visible iff `window_left == -1 or j >= p - window_left` and
    `window_right == -1 or j <= p + window_right` (causal is `window_right =
    0`). Masked keys have probability 0 before `compose_post`; a row without
    a visible key is 0 before `compose_post` too.

    Operands: `query` `[B, H, Lq, D]`, `key` `[B, H, Lk, D]`, `value`
    `[B, H, Lk, Dv]`, the `pre(...)` and `post(...)` compose groups of
    `attn.dcmha` (query-indexed operands `[B, Lq, ...]` cover this op's
    rows; key-indexed ones all `Lk` keys), the position of the first query
    row, and the destination `output` `[B, H, Lq, Dv]`. `scale` multiplies
    the logits; without it the scale is 1/sqrt(D) of the run-time D.
    Accumulation is in f32. Works on tensors (one result) and on memrefs
    (no result).

    The iteration domain is `(b, i)`, both parallel; a tile holds all heads
    and reads whole K/V and key-indexed compose operands.

    Example:

    ```mlir
    %o = attn.online_dcmha %q, %k, %v pre(query_gate(%g)) offset %off
           outs(%init) {scale = 0.125 : f32, window_left = -1 : i64, window_right = 0 : i64}
           : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>,
             tensor<1x16x4xf32>, index, tensor<1x4x16x8xf32> -> tensor<1x4x16x8xf32>
    ```
  }];

  let arguments = (ins AnyShaped:$query,
                       AnyShaped:$key,
                       AnyShaped:$value,
                       Optional<AnyShaped>:$pre_static_weights,
                       Optional<AnyShaped>:$pre_query_weights1,
                       Optional<AnyShaped>:$pre_query_weights2,
                       Optional<AnyShaped>:$pre_key_weights1,
                       Optional<AnyShaped>:$pre_key_weights2,
                       Optional<AnyShaped>:$pre_query_gate,
                       Optional<AnyShaped>:$pre_key_gate,
                       Optional<AnyShaped>:$post_static_weights,
                       Optional<AnyShaped>:$post_query_weights1,
                       Optional<AnyShaped>:$post_query_weights2,
                       Optional<AnyShaped>:$post_key_weights1,
                       Optional<AnyShaped>:$post_key_weights2,
                       Optional<AnyShaped>:$post_query_gate,
                       Optional<AnyShaped>:$post_key_gate,
                       Index:$query_offset,
                       AnyShaped:$output,
                       OptionalAttr<F32Attr>:$scale,
                       DefaultValuedAttr<I64Attr, "-1">:$window_left,
                       DefaultValuedAttr<I64Attr, "-1">:$window_right);
  let results = (outs Variadic<AnyRankedTensor>:$result);

  // The types are those of all operands in order (the offset's is `index`),
  // then the result's on tensors.
  let assemblyFormat = [{
    $query `,` $key `,` $value
    `` custom<ComposeBlock>("\"pre\"", $pre_static_weights, $pre_query_weights1,
        $pre_query_weights2, $pre_key_weights1, $pre_key_weights2,
        $pre_query_gate, $pre_key_gate)
    `` custom<ComposeBlock>("\"post\"", $post_static_weights, $post_query_weights1,
        $post_query_weights2, $post_key_weights1, $post_key_weights2,
        $post_query_gate, $post_key_gate)
    `offset` $query_offset `outs` `(` $output `)` attr-dict `:`
    type(operands) (`->` type($result)^)?
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// DestinationStyleOpInterface: the one destination is `output`.
    MutableOperandRange getDpsInitsMutable() { return getOutputMutable(); }
    /// The compose groups before and after the softmax.
    ComposeGroups getPreGroups() {
      return {getPreStaticWeights(), getPreQueryWeights1(),
              getPreQueryWeights2(), getPreKeyWeights1(), getPreKeyWeights2(),
              getPreQueryGate(), getPreKeyGate()};
    }
    ComposeGroups getPostGroups() {
      return {getPostStaticWeights(), getPostQueryWeights1(),
              getPostQueryWeights2(), getPostKeyWeights1(),
              getPostKeyWeights2(), getPostQueryGate(), getPostKeyGate()};
    }
    int64_t getLeft() { return getWindowLeftAttr().getInt(); }
    int64_t getRight() { return getWindowRightAttr().getInt(); }
    std::optional<int64_t> getChunkSize() { return std::nullopt; }
    ShapedType getQueryType() { return cast<ShapedType>(getQuery().getType()); }
    ShapedType getKeyType() { return cast<ShapedType>(getKey().getType()); }
    ShapedType getValueType() { return cast<ShapedType>(getValue().getType()); }
    ShapedType getOutputType() { return cast<ShapedType>(getOutput().getType()); }
  }];
}

def Attn_TiledComposeOp : Attn_Op<"tiled_compose", [
    AttrSizedOperandSegments,
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DeclareOpInterfaceMethods<TilingInterface, [
        "getLoopIteratorTypes", "getIterationDomain", "getTiledImplementation",
        "getResultTilePosition"]>]> {
  let summary = "destination-style DCMHA cross-head composition";
  let description = [{
    The tiled form of `attn.compose` that every lowering consumes (today the
    CPU kernel): `output[b,:,t,s]` is the composition of `scores[b,:,t,s]`
    across heads by the groups (SPEC §1.3; the math is
    `buildComposeHeads` in `attn/Dialect/Attn/Utils/ComposeHeads.h`).

    Operands: `scores` `[B, H, Lq, Lk]`, the groups of `attn.compose` in
    its order (query-indexed ones `[B, Lq, ...]` cover this op's rows;
    key-indexed ones all `Lk` keys), and the destination `output` of the
    shape of `scores`, which is overwritten. Works on tensors (one result)
    and on memrefs (no result).

    The iteration domain is `(b, t)`, both parallel; a tile holds all heads
    and keys of its rows.

    Example:

    ```mlir
    %c = attn.tiled_compose %s outs(%init) query_gate(%g)
           : tensor<1x4x16x32xf32>, tensor<1x16x4xf32>, tensor<1x4x16x32xf32>
           -> tensor<1x4x16x32xf32>
    ```
  }];

  let arguments = (ins AnyShaped:$scores,
                       Optional<AnyShaped>:$static_weights,
                       Optional<AnyShaped>:$query_weights1,
                       Optional<AnyShaped>:$query_weights2,
                       Optional<AnyShaped>:$key_weights1,
                       Optional<AnyShaped>:$key_weights2,
                       Optional<AnyShaped>:$query_gate,
                       Optional<AnyShaped>:$key_gate,
                       AnyShaped:$output);
  let results = (outs Variadic<AnyRankedTensor>:$result);

  // `outs` comes before the groups: their parser rejects any keyword right
  // after them, so that a misspelt group gets a clear error.
  let assemblyFormat = [{
    $scores `outs` `(` $output `)`
    `` custom<ComposeGroups>($static_weights, $query_weights1,
        $query_weights2, $key_weights1, $key_weights2, $query_gate, $key_gate)
    attr-dict `:` type(operands) (`->` type($result)^)?
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// DestinationStyleOpInterface: the one destination is `output`.
    MutableOperandRange getDpsInitsMutable() { return getOutputMutable(); }
    /// The compose groups.
    ComposeGroups getGroups() {
      return {getStaticWeights(), getQueryWeights1(), getQueryWeights2(),
              getKeyWeights1(), getKeyWeights2(), getQueryGate(),
              getKeyGate()};
    }
    ShapedType getScoresType() { return cast<ShapedType>(getScores().getType()); }
  }];
}

def Attn_BilinearGatherOp : Attn_Op<"bilinear_gather", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DeclareOpInterfaceMethods<AggregatedOpInterface, ["decomposeOperation"]>,
    DeclareOpInterfaceMethods<TilingInterface, [
        "getLoopIteratorTypes", "getIterationDomain", "getTiledImplementation",
        "getResultTilePosition"]>]> {
  let summary = "destination-style weighted sum of bilinear samples";
  let description = [{
    The tiled form of `attn.deformable_sample` and `attn.ms_deform_attn`
    that every lowering consumes (the CPU kernel and the portable linalg
    decomposition). For every batch `n`, query `q` and head `m`:

    ```
    output[n,q,m,:] = sum_l sum_p weights[n,q,m,l,p] *
                      bilinear(level l of value[n,:,m,:], locations[n,q,m,l,p,:])
    ```

    `value` is `[N, S, M, D]` with the levels of `spatial_shapes = [H0, W0,
    H1, W1, ...]` concatenated along `S` (each row-major `(y, x)`, channels
    last); `locations` is `[N, Q, M, L, P, 2]` holding normalized `(x, y)`;
    the optional `weights` `[N, Q, M, L, P]` default to 1; the destination
    `output` is `[N, Q, M, D]` and is overwritten. `coordinates = grid`
    (torch grid_sample, `[-1, 1]`) maps `x` to `(x+1)/2*(W-1)` with
    `align_corners` and `((x+1)*W-1)/2` without; `coordinates = unit`
    (Deformable DETR, `[0, 1]`) maps it to `x*W - 0.5` (the same point as
    `align_corners = false` on `2x-1`). `padding_mode = zeros` reads 0 for
    corners outside the level; `border` clamps the pixel coordinates into
    it first. A non-finite coordinate contributes zero, and no coordinate
    reads outside `value` (the corner math is in
    `attn/Dialect/Attn/Utils/BilinearSampling.h`). Accumulation is in f32.
    Works on tensors (one result) and on memrefs (no result).

    `attn.deformable_sample` is the case `M = 1`, `L = 1`, `P = 1` without
    weights (its input map and grid reshaped); `attn.ms_deform_attn` the case
    `coordinates = unit`, `padding_mode = zeros` (its result reshaped).

    The iteration domain is `(n, q, m)`, all parallel; a tile reads whole
    levels of its heads. On tensors the op decomposes
    (AggregatedOpInterface) into a `linalg.generic` over `(n, q, m, l, p, d)`
    that gathers with `tensor.extract` (the portable lowering).

    Example:

    ```mlir
    %o = attn.bilinear_gather
           ins(%value, %loc weights %w : tensor<1x30x2x8xf32>,
               tensor<1x5x2x2x2x2xf32>, tensor<1x5x2x2x2xf32>)
           outs(%init : tensor<1x5x2x8xf32>)
           {spatial_shapes = array<i64: 4, 6, 2, 3>, coordinates = #attn<coordinates unit>}
           -> tensor<1x5x2x8xf32>
    ```
  }];

  let arguments = (ins AnyShaped:$value,
                       AnyShaped:$locations,
                       Optional<AnyShaped>:$weights,
                       AnyShaped:$output,
                       DenseI64ArrayAttr:$spatial_shapes,
                       DefaultValuedAttr<BoolAttr, "false">:$align_corners,
                       DefaultValuedAttr<Attn_PaddingModeAttr,
                           "::mlir::attn::PaddingMode::zeros">:$padding_mode,
                       DefaultValuedAttr<Attn_CoordinatesAttr,
                           "::mlir::attn::Coordinates::grid">:$coordinates);
  let results = (outs Variadic<AnyRankedTensor>:$result);

  let assemblyFormat = [{
    `ins` `(` $value `,` $locations (`weights` $weights^)?
    `:` type($value) `,` type($locations) (`,` type($weights)^)? `)`
    `outs` `(` $output `:` type($output) `)` attr-dict (`->` type($result)^)?
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// DestinationStyleOpInterface: the one destination is `output`.
    MutableOperandRange getDpsInitsMutable() { return getOutputMutable(); }
    ShapedType getValueType() { return cast<ShapedType>(getValue().getType()); }
    ShapedType getLocationsType() {
      return cast<ShapedType>(getLocations().getType());
    }
    ShapedType getOutputType() { return cast<ShapedType>(getOutput().getType()); }
    /// Number of levels (pairs in `spatial_shapes`).
    int64_t getNumLevels() { return getSpatialShapes().size() / 2; }
    /// Height and width of level `l`.
    int64_t getLevelHeight(int64_t l) { return getSpatialShapes()[2 * l]; }
    int64_t getLevelWidth(int64_t l) { return getSpatialShapes()[2 * l + 1]; }
    /// First row of level `l` along `value`'s S dimension.
    int64_t getLevelStart(int64_t l) {
      int64_t start = 0;
      for (int64_t i = 0; i < l; ++i)
        start += getLevelHeight(i) * getLevelWidth(i);
      return start;
    }
  }];
}

#endif // ATTN_DIALECT_ATTN_IR_ATTNOPS_TD
