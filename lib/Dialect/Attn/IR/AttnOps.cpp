//===- AttnOps.cpp - attn dialect ops ---------------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Verifiers and custom syntax of the graph-level ops. Each check is tagged
// with the constraint of docs/Spec.md it enforces (`// attention_c1`, ...).
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Support/Format.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// Shape-checking helpers
//===----------------------------------------------------------------------===//

/// Two extents are compatible when they are equal or either is dynamic.
static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static ShapedType shapedOf(Value v) { return cast<ShapedType>(v.getType()); }

/// Checks that `name` has rank `rank`; `layout` names its dimensions.
static LogicalResult checkRank(Operation *op, StringRef name, Value v,
                               int64_t rank, StringRef layout) {
  ShapedType t = shapedOf(v);
  if (t.getRank() == rank)
    return success();
  return op->emitOpError("expected '")
         << name << "' of rank " << rank << " (" << layout << "), found rank "
         << t.getRank() << " (" << v.getType() << ")";
}

/// Checks that dimension `idx` (called `dimName`) of `name` is `expected`,
/// which was taken from `source`. Dynamic extents are checked at run time.
static LogicalResult checkDim(Operation *op, StringRef name, Value v,
                              unsigned idx, StringRef dimName,
                              int64_t expected, StringRef source) {
  int64_t found = shapedOf(v).getDimSize(idx);
  if (compatible(found, expected))
    return success();
  return op->emitOpError("expected '")
         << name << "' dim " << idx << " (" << dimName << ") to be "
         << expected << " (" << source << "), found " << found << " (shape "
         << formatShape(shapedOf(v).getShape()) << ")";
}

/// Checks that `v` has the element type `expected` taken from `source`.
static LogicalResult checkElementType(Operation *op, StringRef name, Value v,
                                      Type expected, StringRef source) {
  Type found = shapedOf(v).getElementType();
  if (found == expected)
    return success();
  return op->emitOpError("expected '")
         << name << "' element type " << expected << " (as " << source
         << "), found " << found;
}

static LogicalResult checkPositiveFinite(Operation *op, StringRef name,
                                         std::optional<APFloat> value,
                                         bool allowNegative) {
  if (!value)
    return success();
  double d = value->convertToDouble();
  if (std::isfinite(d) && (allowNegative || d > 0.0))
    return success();
  InFlightDiagnostic diag = op->emitOpError("expected '")
                            << name << "' to be "
                            << (allowNegative ? "finite" : "finite and > 0")
                            << ", found ";
  // Spell non-finite values as MLIR's float syntax does not: inf, -inf, nan.
  if (std::isnan(d))
    return diag << "nan";
  if (std::isinf(d))
    return diag << (d < 0 ? "-inf" : "inf");
  return diag << d;
}

/// `1/sqrt(D)` unless `scale` is given.
static FailureOr<double> effectiveScale(std::optional<APFloat> scale,
                                        Value query) {
  if (scale)
    return scale->convertToDouble();
  int64_t d = shapedOf(query).getDimSize(3);
  if (ShapedType::isDynamic(d) || d <= 0)
    return failure();
  return 1.0 / std::sqrt(static_cast<double>(d));
}

/// Rejects discardable attributes without a dialect prefix: on these ops such
/// a name can only be a misspelt attribute (`{casual}` would otherwise be
/// kept and silently mean non-causal attention). Prefixed attributes
/// (`llvm.emit_c_interface`, ...) belong to other dialects and pass, and so
/// do the discardable attributes of our own listed in `known`
/// (`lowering_config`); `known` also names the inherent ones for the message.
static LogicalResult checkNoUnknownAttributes(Operation *op,
                                              ArrayRef<StringRef> known) {
  for (NamedAttribute attr : op->getDiscardableAttrs()) {
    StringRef name = attr.getName().getValue();
    // Prefixed names belong to other dialects; `known` may list discardable
    // attributes of our own (`lowering_config`).
    if (name.contains('.') || llvm::is_contained(known, name))
      continue;
    std::string list;
    llvm::raw_string_ostream os(list);
    llvm::interleaveComma(known, os);
    return op->emitOpError("has no attribute '")
           << name << "'" << (known.empty() ? "" : "; it takes: ")
           << (known.empty() ? "" : list);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Attention-like ops (attention, sliding_window_attention, dcmha)
//===----------------------------------------------------------------------===//

/// Verifies the operands shared by attention-like ops: Q [B, Hq, Lq, D],
/// K [B, Hkv, Lk, D], V [B, Hkv, Lk, Dv], optional mask [B|1, Hq|1, Lq, Lk],
/// result [B, Hq, Lq, Dv]. With `requireMHA`, Hq == Hkv.
static LogicalResult verifyAttentionOperands(Operation *op, Value query,
                                             Value key, Value value,
                                             Value mask, Value result,
                                             bool requireMHA) {
  // attention_c6: query, key, value and result are rank 4.
  if (failed(checkRank(op, "query", query, 4, "[B, Hq, Lq, D]")) ||
      failed(checkRank(op, "key", key, 4, "[B, Hkv, Lk, D]")) ||
      failed(checkRank(op, "value", value, 4, "[B, Hkv, Lk, Dv]")) ||
      failed(checkRank(op, "result", result, 4, "[B, Hq, Lq, Dv]")))
    return failure();

  // attention_c7: all float operands of one op share one element type.
  Type elt = shapedOf(query).getElementType();
  if (failed(checkElementType(op, "key", key, elt, "'query'")) ||
      failed(checkElementType(op, "value", value, elt, "'query'")) ||
      failed(checkElementType(op, "result", result, elt, "'query'")))
    return failure();

  ArrayRef<int64_t> q = shapedOf(query).getShape();
  ArrayRef<int64_t> k = shapedOf(key).getShape();
  ArrayRef<int64_t> v = shapedOf(value).getShape();
  int64_t b = q[0], hq = q[1], lq = q[2], d = q[3];
  int64_t hkv = k[1], lk = k[2], dv = v[3];

  // attention_c3: batch sizes agree, query/key share D, key/value share Lk.
  if (failed(checkDim(op, "key", key, 0, "B", b, "batch of 'query'")) ||
      failed(checkDim(op, "value", value, 0, "B", b, "batch of 'query'")) ||
      failed(checkDim(op, "key", key, 3, "D", d, "head dim of 'query'")) ||
      failed(checkDim(op, "value", value, 1, "Hkv", hkv, "heads of 'key'")) ||
      failed(checkDim(op, "value", value, 2, "Lk", lk, "length of 'key'")))
    return failure();

  if (requireMHA) {
    // dcmha_c1: MHA only.
    if (failed(checkDim(op, "key", key, 1, "H", hq,
                        "heads of 'query'; dcmha needs Hq == Hkv")))
      return failure();
  } else if (!ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hkv)) {
    // attention_c1: Hq % Hkv == 0 (and Hkv > 0: query heads map to K/V
    // heads).
    if (hkv == 0)
      return op->emitOpError("expected at least one 'key' head (Hkv), found "
                             "'key' shape ")
             << formatShape(k);
    if (hq % hkv != 0)
      return op->emitOpError("expected 'query' heads (Hq = ")
             << hq << ") to be a multiple of 'key' heads (Hkv = " << hkv
             << "), found 'query' shape " << formatShape(q)
             << " and 'key' shape " << formatShape(k);
  }

  // attention_c8: the result is [B, Hq, Lq, Dv].
  if (failed(checkDim(op, "result", result, 0, "B", b, "batch of 'query'")) ||
      failed(checkDim(op, "result", result, 1, "Hq", hq, "heads of 'query'")) ||
      failed(checkDim(op, "result", result, 2, "Lq", lq, "length of 'query'")) ||
      failed(checkDim(op, "result", result, 3, "Dv", dv, "head dim of 'value'")))
    return failure();

  if (!mask)
    return success();
  // attention_c6: the mask is rank 4.
  if (failed(checkRank(op, "mask", mask, 4, "[B or 1, Hq or 1, Lq, Lk]")))
    return failure();
  // attention_c7: the mask is i1 or the float type of the other operands.
  Type maskElt = shapedOf(mask).getElementType();
  if (!maskElt.isInteger(1) && maskElt != elt)
    return op->emitOpError("expected 'mask' element type i1 or ")
           << elt << " (as 'query'), found " << maskElt;
  // attention_c3: the mask broadcasts to [B, Hq, Lq, Lk].
  ArrayRef<int64_t> m = shapedOf(mask).getShape();
  auto checkBroadcastDim = [&](unsigned idx, StringRef dimName,
                               int64_t full) -> LogicalResult {
    if (compatible(m[idx], full) || m[idx] == 1)
      return success();
    return op->emitOpError("expected 'mask' dim ")
           << idx << " (" << dimName << ") to be 1 or " << full << ", found "
           << m[idx] << " (shape " << formatShape(m) << ")";
  };
  if (failed(checkBroadcastDim(0, "B", b)) ||
      failed(checkBroadcastDim(1, "Hq", hq)) ||
      failed(checkDim(op, "mask", mask, 2, "Lq", lq, "length of 'query'")) ||
      failed(checkDim(op, "mask", mask, 3, "Lk", lk, "length of 'key'")))
    return failure();
  return success();
}

/// C4: `window` has two values, each >= -1. C5: `chunk` > 0.
static LogicalResult verifyWindow(Operation *op, ArrayRef<int64_t> window,
                                  std::optional<int64_t> chunk) {
  // sliding_window_attention_c4
  if (window.size() != 2)
    return op->emitOpError("expected 'window' to hold exactly 2 values "
                           "(left, right), found ")
           << window.size();
  for (auto [i, w] : llvm::enumerate(window))
    if (w < -1)
      return op->emitOpError("expected 'window' ")
             << (i == 0 ? "left" : "right") << " extent >= -1, found " << w;
  // sliding_window_attention_c5
  if (chunk && *chunk <= 0)
    return op->emitOpError("expected 'chunk' > 0, found ") << *chunk;
  return success();
}

FailureOr<double> AttentionOp::getEffectiveScale() {
  return effectiveScale(getScale(), getQuery());
}

LogicalResult AttentionOp::verify() {
  if (failed(checkNoUnknownAttributes(
          *this, {"causal", "scale", "softcap",
                  LoweringConfigAttr::getAttrName()})) ||
      failed(verifyLoweringConfig(*this)))
    return failure();
  if (failed(verifyAttentionOperands(*this, getQuery(), getKey(), getValue(),
                                     getMask(), getResult(),
                                     /*requireMHA=*/false)))
    return failure();
  // attention_c2: softcap > 0.
  if (failed(checkPositiveFinite(*this, "softcap", getSoftcap(), false)))
    return failure();
  // attention_c9: scale is finite.
  return checkPositiveFinite(*this, "scale", getScale(), true);
}

FailureOr<double> SlidingWindowAttentionOp::getEffectiveScale() {
  return effectiveScale(getScale(), getQuery());
}

LogicalResult SlidingWindowAttentionOp::verify() {
  if (failed(checkNoUnknownAttributes(
          *this, {"window", "chunk", "causal", "scale", "softcap",
                  LoweringConfigAttr::getAttrName()})) ||
      failed(verifyLoweringConfig(*this)))
    return failure();
  if (failed(verifyAttentionOperands(*this, getQuery(), getKey(), getValue(),
                                     getMask(), getResult(),
                                     /*requireMHA=*/false)))
    return failure();
  // attention_c2 (shared): softcap > 0; attention_c9: scale finite.
  if (failed(checkPositiveFinite(*this, "softcap", getSoftcap(), false)) ||
      failed(checkPositiveFinite(*this, "scale", getScale(), true)))
    return failure();
  std::optional<int64_t> chunk;
  if (IntegerAttr attr = getChunkAttr())
    chunk = attr.getInt();
  return verifyWindow(*this, getWindow(), chunk);
}

//===----------------------------------------------------------------------===//
// Compose groups (attn.compose and the pre/post blocks of attn.dcmha)
//===----------------------------------------------------------------------===//

/// Verifies compose groups against scores `A` of shape [B, H, Lq, Lk];
/// `where` prefixes operand names (e.g. "pre ").
static LogicalResult verifyComposeGroups(Operation *op, StringRef where,
                                         ArrayRef<int64_t> a, Type elt,
                                         const ComposeGroups &g) {
  int64_t b = a[0], h = a[1], lq = a[2], lk = a[3];
  std::string prefix = where.str();
  auto name = [&](StringRef n) { return prefix + n.str(); };
  auto checkAll = [&](StringRef n, Value v, int64_t rank, StringRef layout,
                      ArrayRef<std::pair<int64_t, StringRef>> dims)
      -> LogicalResult {
    std::string full = name(n);
    if (failed(checkRank(op, full, v, rank, layout)) ||
        failed(checkElementType(op, full, v, elt, "the scores")))
      return failure();
    for (auto [idx, dim] : llvm::enumerate(dims)) {
      // The ranks come from the first operand of the pair, the rest from
      // the scores.
      std::string source = dim.second == "Cq"   ? "as '" + name("query_weights qw1") + "'"
                           : dim.second == "Ck" ? "as '" + name("key_weights kw1") + "'"
                                                : "from the scores [B, H, Lq, Lk]";
      if (failed(checkDim(op, full, v, idx, dim.second, dim.first, source)))
        return failure();
    }
    return success();
  };

  // compose_c2: static weights are [H, H].
  if (g.staticWeights &&
      failed(checkAll("static", g.staticWeights, 2, "[H, H]",
                      {{h, "H"}, {h, "H"}})))
    return failure();

  // compose_c3: query_weights come as a pair of [B, Lq, Cq, H].
  if (!g.qw1 != !g.qw2)
    return op->emitOpError("expected both '")
           << name("query_weights") << "' operands (qw1, qw2), found one";
  if (g.qw1) {
    int64_t cq = shapedOf(g.qw1).getRank() == 4
                     ? shapedOf(g.qw1).getDimSize(2)
                     : ShapedType::kDynamic;
    for (auto [n, v] : {std::make_pair("query_weights qw1", g.qw1),
                        std::make_pair("query_weights qw2", g.qw2)})
      if (failed(checkAll(n, v, 4, "[B, Lq, Cq, H]",
                          {{b, "B"}, {lq, "Lq"}, {cq, "Cq"}, {h, "H"}})))
        return failure();
  }

  // compose_c4: key_weights come as a pair of [B, Lk, Ck, H].
  if (!g.kw1 != !g.kw2)
    return op->emitOpError("expected both '")
           << name("key_weights") << "' operands (kw1, kw2), found one";
  if (g.kw1) {
    int64_t ck = shapedOf(g.kw1).getRank() == 4
                     ? shapedOf(g.kw1).getDimSize(2)
                     : ShapedType::kDynamic;
    for (auto [n, v] : {std::make_pair("key_weights kw1", g.kw1),
                        std::make_pair("key_weights kw2", g.kw2)})
      if (failed(checkAll(n, v, 4, "[B, Lk, Ck, H]",
                          {{b, "B"}, {lk, "Lk"}, {ck, "Ck"}, {h, "H"}})))
        return failure();
  }

  // compose_c5: gates are [B, Lq, H] and [B, Lk, H].
  if (g.queryGate && failed(checkAll("query_gate", g.queryGate, 3,
                                     "[B, Lq, H]",
                                     {{b, "B"}, {lq, "Lq"}, {h, "H"}})))
    return failure();
  if (g.keyGate && failed(checkAll("key_gate", g.keyGate, 3, "[B, Lk, H]",
                                   {{b, "B"}, {lk, "Lk"}, {h, "H"}})))
    return failure();
  return success();
}

static constexpr StringLiteral kComposeKeywords[] = {
    "static", "query_weights", "key_weights", "query_gate", "key_gate"};

/// Parses `static(%w)? query_weights(%a, %b)? key_weights(%c, %d)?
/// query_gate(%e)? key_gate(%f)?`, in that order.
static ParseResult
parseComposeGroups(OpAsmParser &parser,
                   std::optional<OpAsmParser::UnresolvedOperand> &w,
                   std::optional<OpAsmParser::UnresolvedOperand> &qw1,
                   std::optional<OpAsmParser::UnresolvedOperand> &qw2,
                   std::optional<OpAsmParser::UnresolvedOperand> &kw1,
                   std::optional<OpAsmParser::UnresolvedOperand> &kw2,
                   std::optional<OpAsmParser::UnresolvedOperand> &qdd,
                   std::optional<OpAsmParser::UnresolvedOperand> &kdd) {
  std::optional<OpAsmParser::UnresolvedOperand> *groups[][2] = {
      {&w, nullptr}, {&qw1, &qw2}, {&kw1, &kw2}, {&qdd, nullptr},
      {&kdd, nullptr}};
  for (auto [keyword, slots] : llvm::zip(kComposeKeywords, groups)) {
    if (failed(parser.parseOptionalKeyword(keyword)))
      continue;
    if (parser.parseLParen())
      return failure();
    for (unsigned i = 0; i < 2 && slots[i]; ++i) {
      OpAsmParser::UnresolvedOperand operand;
      // compose_c3, compose_c4: the weights come in pairs.
      if (i > 0 && failed(parser.parseOptionalComma()))
        return parser.emitError(parser.getCurrentLocation(), "expected 2 ")
               << "operands in '" << keyword << "(...)', found 1";
      if (parser.parseOperand(operand))
        return failure();
      *slots[i] = operand;
    }
    if (parser.parseRParen())
      return failure();
  }
  // A group written out of order, or a misspelt one, would otherwise surface
  // as an obscure "expected ':'" error. Only `{`, `:` or `)` may follow the
  // groups, so any keyword here is an error.
  StringRef stray;
  SMLoc loc = parser.getCurrentLocation();
  if (failed(parser.parseOptionalKeyword(&stray)))
    return success();
  if (llvm::is_contained(kComposeKeywords, stray))
    return parser.emitError(loc, "compose group '")
           << stray << "' is repeated or out of order; groups are written as "
           << "static, query_weights, key_weights, query_gate, key_gate";
  return parser.emitError(loc, "unknown compose group '")
         << stray << "'; expected one of static, query_weights, key_weights, "
         << "query_gate, key_gate";
}

/// Prints the present groups, separated by spaces, with a space before the
/// first one when `leadingSpace`.
static void printGroupList(OpAsmPrinter &p, bool leadingSpace, Value w,
                           Value qw1, Value qw2, Value kw1, Value kw2,
                           Value qdd, Value kdd) {
  Value groups[][2] = {{w, nullptr}, {qw1, qw2}, {kw1, kw2}, {qdd, nullptr},
                       {kdd, nullptr}};
  bool first = true;
  for (auto [keyword, vals] : llvm::zip(kComposeKeywords, groups)) {
    if (!vals[0] && !vals[1])
      continue;
    if (!first || leadingSpace)
      p << ' ';
    first = false;
    p << keyword << '(';
    if (vals[0])
      p << vals[0];
    if (vals[1])
      p << ", " << vals[1];
    p << ')';
  }
}

/// The format elides the space before the directive (an absent group list
/// must not leave a double space), so each group brings its own.
static void printComposeGroups(OpAsmPrinter &p, Operation *, Value w,
                               Value qw1, Value qw2, Value kw1, Value kw2,
                               Value qdd, Value kdd) {
  printGroupList(p, /*leadingSpace=*/true, w, qw1, qw2, kw1, kw2, qdd, kdd);
}

/// Parses an optional `<keyword>(<compose groups>)` block of attn.dcmha.
static ParseResult
parseComposeBlock(OpAsmParser &parser, StringRef keyword,
                  std::optional<OpAsmParser::UnresolvedOperand> &w,
                  std::optional<OpAsmParser::UnresolvedOperand> &qw1,
                  std::optional<OpAsmParser::UnresolvedOperand> &qw2,
                  std::optional<OpAsmParser::UnresolvedOperand> &kw1,
                  std::optional<OpAsmParser::UnresolvedOperand> &kw2,
                  std::optional<OpAsmParser::UnresolvedOperand> &qdd,
                  std::optional<OpAsmParser::UnresolvedOperand> &kdd) {
  if (succeeded(parser.parseOptionalKeyword(keyword)) &&
      (parser.parseLParen() ||
       parseComposeGroups(parser, w, qw1, qw2, kw1, kw2, qdd, kdd) ||
       parser.parseRParen()))
    return failure();
  // After the last block only the attribute dictionary or `:` may follow; a
  // `pre` here comes after `post` or twice.
  if (keyword != "post")
    return success();
  StringRef stray;
  SMLoc loc = parser.getCurrentLocation();
  if (succeeded(parser.parseOptionalKeyword(&stray, {"pre", "post"})))
    return parser.emitError(loc, "compose block '")
           << stray << "' is repeated or out of order; blocks are written as "
           << "pre(...) post(...)";
  return success();
}

static void printComposeBlock(OpAsmPrinter &p, Operation *op,
                              StringRef keyword, Value w, Value qw1, Value qw2,
                              Value kw1, Value kw2, Value qdd, Value kdd) {
  if (!w && !qw1 && !qw2 && !kw1 && !kw2 && !qdd && !kdd)
    return;
  p << ' ' << keyword << '(';
  printGroupList(p, /*leadingSpace=*/false, w, qw1, qw2, kw1, kw2, qdd, kdd);
  p << ')';
}

LogicalResult ComposeOp::verify() {
  if (failed(checkNoUnknownAttributes(*this, {})))
    return failure();
  // compose_c1: scores are [B, H, Lq, Lk] and the result has their shape.
  if (failed(checkRank(*this, "scores", getScores(), 4, "[B, H, Lq, Lk]")))
    return failure();
  Type elt = shapedOf(getScores()).getElementType();
  if (failed(checkElementType(*this, "result", getResult(), elt, "'scores'")) ||
      failed(checkRank(*this, "result", getResult(), 4, "[B, H, Lq, Lk]")))
    return failure();
  ArrayRef<int64_t> a = shapedOf(getScores()).getShape();
  static constexpr StringLiteral dimNames[] = {"B", "H", "Lq", "Lk"};
  for (unsigned i = 0; i < 4; ++i)
    if (failed(checkDim(*this, "result", getResult(), i, dimNames[i], a[i],
                        "as 'scores'")))
      return failure();
  return verifyComposeGroups(*this, "", a, elt, getGroups());
}

//===----------------------------------------------------------------------===//
// DCMHAOp
//===----------------------------------------------------------------------===//

FailureOr<double> DCMHAOp::getEffectiveScale() {
  return effectiveScale(getScale(), getQuery());
}

LogicalResult DCMHAOp::verify() {
  if (failed(checkNoUnknownAttributes(*this, {"causal", "scale", "window"})))
    return failure();
  if (failed(verifyAttentionOperands(*this, getQuery(), getKey(), getValue(),
                                     /*mask=*/nullptr, getResult(),
                                     /*requireMHA=*/true)))
    return failure();
  // attention_c9 (shared): scale is finite.
  if (failed(checkPositiveFinite(*this, "scale", getScale(), true)))
    return failure();
  if (std::optional<ArrayRef<int64_t>> window = getWindow())
    if (failed(verifyWindow(*this, *window, std::nullopt)))
      return failure();
  ArrayRef<int64_t> q = shapedOf(getQuery()).getShape();
  ArrayRef<int64_t> k = shapedOf(getKey()).getShape();
  SmallVector<int64_t> a = {q[0], q[1], q[2], k[2]};
  Type elt = shapedOf(getQuery()).getElementType();
  // dcmha_c2: the pre/post groups are compose groups over [B, H, Lq, Lk].
  if (failed(verifyComposeGroups(*this, "pre ", a, elt, getPreGroups())))
    return failure();
  return verifyComposeGroups(*this, "post ", a, elt, getPostGroups());
}

//===----------------------------------------------------------------------===//
// DeformableSampleOp
//===----------------------------------------------------------------------===//

LogicalResult DeformableSampleOp::verify() {
  if (failed(checkNoUnknownAttributes(*this, {"align_corners", "padding_mode"})))
    return failure();
  // deformable_sample_c1: input [N, Hin, Win, C], grid [N, Hout, Wout, 2],
  // result [N, Hout, Wout, C], one element type.
  if (failed(checkRank(*this, "input", getInput(), 4, "[N, Hin, Win, C]")) ||
      failed(checkRank(*this, "grid", getGrid(), 4, "[N, Hout, Wout, 2]")) ||
      failed(checkRank(*this, "result", getResult(), 4,
                       "[N, Hout, Wout, C]")))
    return failure();
  Type elt = shapedOf(getInput()).getElementType();
  if (failed(checkElementType(*this, "grid", getGrid(), elt, "'input'")) ||
      failed(checkElementType(*this, "result", getResult(), elt, "'input'")))
    return failure();
  ArrayRef<int64_t> in = shapedOf(getInput()).getShape();
  ArrayRef<int64_t> grid = shapedOf(getGrid()).getShape();
  if (failed(checkDim(*this, "grid", getGrid(), 0, "N", in[0],
                      "batch of 'input'")) ||
      // deformable_sample_c2: the grid holds (x, y) pairs.
      failed(checkDim(*this, "grid", getGrid(), 3, "xy", 2,
                      "an (x, y) pair")) ||
      failed(checkDim(*this, "result", getResult(), 0, "N", in[0],
                      "batch of 'input'")) ||
      failed(checkDim(*this, "result", getResult(), 1, "Hout", grid[1],
                      "from 'grid'")) ||
      failed(checkDim(*this, "result", getResult(), 2, "Wout", grid[2],
                      "from 'grid'")) ||
      failed(checkDim(*this, "result", getResult(), 3, "C", in[3],
                      "channels of 'input'")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// MSDeformAttnOp
//===----------------------------------------------------------------------===//

/// Checks that `shapes` holds a non-empty list of positive (H, W) pairs whose
/// areas sum to a 64-bit S; returns S.
static FailureOr<int64_t> verifySpatialShapes(Operation *op,
                                              ArrayRef<int64_t> shapes) {
  if (shapes.empty() || shapes.size() % 2 != 0)
    return op->emitOpError("expected 'spatial_shapes' to hold a non-empty "
                           "list of (H, W) pairs, found ")
           << shapes.size() << " values";
  int64_t total = 0;
  for (auto [i, s] : llvm::enumerate(shapes)) {
    if (s <= 0)
      return op->emitOpError("expected 'spatial_shapes' entries > 0, found ")
             << s << " at position " << i;
    int64_t area;
    if (i % 2 == 1 && (llvm::MulOverflow(shapes[i - 1], s, area) ||
                       llvm::AddOverflow(total, area, total)))
      return op->emitOpError("expected the sum of H_l*W_l over "
                             "'spatial_shapes' to fit in 64 bits, found an "
                             "overflow at position ")
             << i;
  }
  return total;
}

LogicalResult MSDeformAttnOp::verify() {
  if (failed(checkNoUnknownAttributes(*this, {"spatial_shapes"})))
    return failure();
  // ms_deform_attn_c5: value, sampling_locations, attention_weights and result
  // have ranks 4, 6, 5 and 3.
  if (failed(checkRank(*this, "value", getValue(), 4, "[N, S, M, D]")) ||
      failed(checkRank(*this, "sampling_locations", getSamplingLocations(), 6,
                       "[N, Lq, M, L, P, 2]")) ||
      failed(checkRank(*this, "attention_weights", getAttentionWeights(), 5,
                       "[N, Lq, M, L, P]")) ||
      failed(checkRank(*this, "result", getResult(), 3, "[N, Lq, M*D]")))
    return failure();
  // ms_deform_attn_c6: one element type.
  Type elt = shapedOf(getValue()).getElementType();
  if (failed(checkElementType(*this, "sampling_locations",
                              getSamplingLocations(), elt, "'value'")) ||
      failed(checkElementType(*this, "attention_weights",
                              getAttentionWeights(), elt, "'value'")) ||
      failed(checkElementType(*this, "result", getResult(), elt, "'value'")))
    return failure();

  // ms_deform_attn_c1: spatial_shapes holds positive (H_l, W_l) pairs.
  FailureOr<int64_t> sumOfLevels = verifySpatialShapes(*this, getSpatialShapes());
  if (failed(sumOfLevels))
    return failure();
  int64_t total = *sumOfLevels;
  ArrayRef<int64_t> shapes = getSpatialShapes();
  int64_t levels = shapes.size() / 2;

  ArrayRef<int64_t> val = shapedOf(getValue()).getShape();
  ArrayRef<int64_t> loc = shapedOf(getSamplingLocations()).getShape();
  int64_t n = val[0], m = val[2], d = val[3], lq = loc[1], p = loc[4];
  // ms_deform_attn_c2: value dim 1 == sum H_l * W_l.
  if (failed(checkDim(*this, "value", getValue(), 1, "S", total,
                      "sum of H_l*W_l over 'spatial_shapes'")))
    return failure();
  // ms_deform_attn_c3: locations and weights agree with value and levels.
  Value locs = getSamplingLocations(), w = getAttentionWeights();
  if (failed(checkDim(*this, "sampling_locations", locs, 0, "N", n,
                      "batch of 'value'")) ||
      failed(checkDim(*this, "sampling_locations", locs, 2, "M", m,
                      "heads of 'value'")) ||
      failed(checkDim(*this, "sampling_locations", locs, 3, "L", levels,
                      "levels in 'spatial_shapes'")) ||
      failed(checkDim(*this, "sampling_locations", locs, 5, "xy", 2,
                      "an (x, y) pair")) ||
      failed(checkDim(*this, "attention_weights", w, 0, "N", n,
                      "batch of 'value'")) ||
      failed(checkDim(*this, "attention_weights", w, 1, "Lq", lq,
                      "queries of 'sampling_locations'")) ||
      failed(checkDim(*this, "attention_weights", w, 2, "M", m,
                      "heads of 'value'")) ||
      failed(checkDim(*this, "attention_weights", w, 3, "L", levels,
                      "levels in 'spatial_shapes'")) ||
      failed(checkDim(*this, "attention_weights", w, 4, "P", p,
                      "points of 'sampling_locations'")))
    return failure();
  // ms_deform_attn_c4: result [N, Lq, M*D].
  int64_t md = ShapedType::kDynamic;
  if (!ShapedType::isDynamic(m) && !ShapedType::isDynamic(d) &&
      llvm::MulOverflow(m, d, md))
    return emitOpError("expected M*D of 'value' (shape ")
           << formatShape(val) << ") to fit in 64 bits";
  if (failed(checkDim(*this, "result", getResult(), 0, "N", n,
                      "batch of 'value'")) ||
      failed(checkDim(*this, "result", getResult(), 1, "Lq", lq,
                      "queries of 'sampling_locations'")) ||
      failed(checkDim(*this, "result", getResult(), 2, "M*D", md,
                      "heads times channels of 'value'")))
    return failure();
  // With M or D dynamic, a static result width is still a multiple of the
  // static one of the two.
  int64_t width = shapedOf(getResult()).getDimSize(2);
  if (ShapedType::isDynamic(md) && !ShapedType::isDynamic(width)) {
    for (auto [factor, what] : {std::make_pair(m, "heads M"),
                                std::make_pair(d, "channels D")})
      if (!ShapedType::isDynamic(factor) && factor > 0 && width % factor != 0)
        return emitOpError("expected 'result' dim 2 (M*D) to be a multiple "
                           "of the ")
               << what << " of 'value' (" << factor << "), found " << width
               << " (shape " << formatShape(shapedOf(getResult()).getShape())
               << ")";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// OnlineAttentionOp
//===----------------------------------------------------------------------===//

/// Checks that the shaped operands of a tiled form are all tensors or all
/// memrefs, like its destination `dest`.
static LogicalResult checkSameShapedKind(Operation *op, Value dest) {
  bool tensors = isa<RankedTensorType>(dest.getType());
  for (Value operand : op->getOperands())
    if (isa<ShapedType>(operand.getType()) &&
        isa<RankedTensorType>(operand.getType()) != tensors)
      return op->emitOpError("expected all shaped operands to be ")
             << (tensors ? "tensors" : "memrefs") << " like the destination, "
             << "found " << operand.getType();
  return success();
}

/// Checks shared by the two online forms: ranks, tensors vs memrefs, the
/// D/Lk relations, element types and the geometry attributes.
template <typename OpTy>
static LogicalResult verifyOnlineForm(OpTy op, Value firstDest) {
  if (failed(checkRank(op, "query", op.getQuery(), 4, "[B, Hq, Lq, D]")) ||
      failed(checkRank(op, "key", op.getKey(), 4, "[B, Hkv, Lk, D]")) ||
      failed(checkRank(op, "value", op.getValue(), 4, "[B, Hkv, Lk, Dv]")))
    return failure();
  if (op.getMask() &&
      failed(checkRank(op, "mask", op.getMask(), 4, "[B|1, Hq|1, Lq, Lk]")))
    return failure();
  if (failed(checkSameShapedKind(op, firstDest)))
    return failure();
  // Element types: q, k, v of one float type; the mask i8 (non-zero =
  // visible) or that float type (additive bias).
  Type elt = op.getQueryType().getElementType();
  if (!isa<FloatType>(elt))
    return op.emitOpError("expected a float element type for 'query', found ")
           << elt;
  for (auto [name, v] : {std::pair<StringRef, Value>{"key", op.getKey()},
                         {"value", op.getValue()}})
    if (cast<ShapedType>(v.getType()).getElementType() != elt)
      return op.emitOpError("expected '")
             << name << "' to have the element type of 'query' (" << elt
             << "), found " << cast<ShapedType>(v.getType()).getElementType();
  if (Value mask = op.getMask()) {
    Type mElt = cast<ShapedType>(mask.getType()).getElementType();
    if (!mElt.isInteger(8) && !mElt.isInteger(1) && mElt != elt)
      return op.emitOpError("expected 'mask' elements of i1, i8 or the "
                            "element type of 'query' (")
             << elt << "), found " << mElt;
  }
  if (failed(checkDim(op, "key", op.getKey(), 3, "D",
                      op.getQueryType().getDimSize(3), "head dim of 'query'")) ||
      failed(checkDim(op, "value", op.getValue(), 2, "Lk",
                      op.getKeyType().getDimSize(2), "length of 'key'")))
    return failure();
  if (FloatAttr scale = op.getScaleAttr();
      scale && !std::isfinite(scale.getValueAsDouble()))
    return op.emitOpError("expected a finite 'scale', found ")
           << scale.getValueAsDouble();
  if (op.getLeft() < -1 || op.getRight() < -1)
    return op.emitOpError("expected window extents >= -1, found (")
           << op.getLeft() << ", " << op.getRight() << ")";
  if (std::optional<int64_t> chunk = op.getChunkSize(); chunk && *chunk <= 0)
    return op.emitOpError("expected 'chunk' > 0, found ") << *chunk;
  return success();
}

/// Result types equal to the destinations on tensors, none on memrefs.
static LogicalResult verifyDestinationResults(Operation *op,
                                              ValueRange destinations) {
  bool tensors = isa<RankedTensorType>(destinations.front().getType());
  unsigned expected = tensors ? destinations.size() : 0;
  if (op->getNumResults() != expected)
    return op->emitOpError("expected ")
           << expected << " results on " << (tensors ? "tensors" : "memrefs")
           << ", found " << op->getNumResults();
  for (auto [dest, result] : llvm::zip(destinations, op->getResults()))
    if (dest.getType() != result.getType())
      return op->emitOpError("expected the result type to match the "
                             "destination ")
             << dest.getType() << ", found " << result.getType();
  return success();
}

LogicalResult OnlineAttentionOp::verify() {
  if (failed(verifyLoweringConfig(*this)) ||
      failed(checkRank(*this, "output", getOutput(), 4, "[B, Hq, Lq, Dv]")) ||
      failed(verifyOnlineForm(*this, getOutput())))
    return failure();
  if (failed(checkDim(*this, "output", getOutput(), 3, "Dv",
                      getValueType().getDimSize(3), "head dim of 'value'")))
    return failure();
  if (!isa<FloatType>(getOutputType().getElementType()))
    return emitOpError("expected a float element type for 'output', found ")
           << getOutputType().getElementType();
  return verifyDestinationResults(*this, getOutput());
}

LogicalResult PartialAttentionOp::verify() {
  if (failed(verifyLoweringConfig(*this)) ||
      failed(checkRank(*this, "acc", getAcc(), 4, "[B, Hq, Lq, Dv]")) ||
      failed(checkRank(*this, "max", getMax(), 3, "[B, Hq, Lq]")) ||
      failed(checkRank(*this, "sum", getSum(), 3, "[B, Hq, Lq]")) ||
      failed(verifyOnlineForm(*this, getAcc())))
    return failure();
  for (auto [name, v] : {std::pair<StringRef, Value>{"acc", getAcc()},
                         {"max", getMax()},
                         {"sum", getSum()}})
    if (!cast<ShapedType>(v.getType()).getElementType().isF32())
      return emitOpError("expected f32 elements for '")
             << name << "', found " << v.getType();
  if (failed(checkDim(*this, "acc", getAcc(), 3, "Dv",
                      getValueType().getDimSize(3), "head dim of 'value'")))
    return failure();
  ShapedType accType = getAccType();
  for (auto [name, v] :
       {std::pair<StringRef, Value>{"max", getMax()}, {"sum", getSum()}})
    for (int64_t d = 0; d < 3; ++d)
      if (failed(checkDim(*this, name, v, d, d == 2 ? "Lq" : "B/Hq",
                          accType.getDimSize(d), "the same dim of 'acc'")))
        return failure();
  return verifyDestinationResults(*this, {getAcc(), getMax(), getSum()});
}

/// Reads of every memref operand; writes of the destinations.
static void getDestinationStyleEffects(
    DestinationStyleOpInterface op,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    effects.emplace_back(MemoryEffects::Read::get(), &operand,
                         SideEffects::DefaultResource::get());
    if (op.isDpsInit(&operand))
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
  }
}

void PartialAttentionOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getDestinationStyleEffects(*this, effects);
}

void OnlineAttentionOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getDestinationStyleEffects(*this, effects);
}

//===----------------------------------------------------------------------===//
// OnlineDCMHAOp
//===----------------------------------------------------------------------===//

LogicalResult OnlineDCMHAOp::verify() {
  if (failed(checkRank(*this, "query", getQuery(), 4, "[B, H, Lq, D]")) ||
      failed(checkRank(*this, "key", getKey(), 4, "[B, H, Lk, D]")) ||
      failed(checkRank(*this, "value", getValue(), 4, "[B, H, Lk, Dv]")) ||
      failed(checkRank(*this, "output", getOutput(), 4, "[B, H, Lq, Dv]")))
    return failure();
  if (failed(checkSameShapedKind(*this, getOutput())))
    return failure();
  Type elt = getQueryType().getElementType();
  if (!isa<FloatType>(elt))
    return emitOpError("expected a float element type for 'query', found ")
           << elt;
  for (auto [name, v] : {std::pair<StringRef, Value>{"key", getKey()},
                         {"value", getValue()}})
    if (failed(checkElementType(*this, name, v, elt, "'query'")))
      return failure();
  if (!isa<FloatType>(getOutputType().getElementType()))
    return emitOpError("expected a float element type for 'output', found ")
           << getOutputType().getElementType();
  ArrayRef<int64_t> q = getQueryType().getShape();
  ArrayRef<int64_t> k = getKeyType().getShape();
  // MHA only: every head has its own K/V head.
  if (failed(checkDim(*this, "key", getKey(), 0, "B", q[0], "batch of 'query'")) ||
      failed(checkDim(*this, "key", getKey(), 1, "H", q[1], "heads of 'query'")) ||
      failed(checkDim(*this, "key", getKey(), 3, "D", q[3],
                      "head dim of 'query'")) ||
      failed(checkDim(*this, "value", getValue(), 0, "B", q[0],
                      "batch of 'query'")) ||
      failed(checkDim(*this, "value", getValue(), 1, "H", q[1],
                      "heads of 'query'")) ||
      failed(checkDim(*this, "value", getValue(), 2, "Lk", k[2],
                      "length of 'key'")) ||
      failed(checkDim(*this, "output", getOutput(), 0, "B", q[0],
                      "batch of 'query'")) ||
      failed(checkDim(*this, "output", getOutput(), 1, "H", q[1],
                      "heads of 'query'")) ||
      failed(checkDim(*this, "output", getOutput(), 2, "Lq", q[2],
                      "rows of 'query'")) ||
      failed(checkDim(*this, "output", getOutput(), 3, "Dv",
                      getValueType().getDimSize(3), "head dim of 'value'")))
    return failure();
  if (FloatAttr scale = getScaleAttr();
      scale && !std::isfinite(scale.getValueAsDouble()))
    return emitOpError("expected a finite 'scale', found ")
           << scale.getValueAsDouble();
  if (getLeft() < -1 || getRight() < -1)
    return emitOpError("expected window extents >= -1, found (")
           << getLeft() << ", " << getRight() << ")";
  SmallVector<int64_t> a = {q[0], q[1], q[2], k[2]};
  if (failed(verifyComposeGroups(*this, "pre ", a, elt, getPreGroups())) ||
      failed(verifyComposeGroups(*this, "post ", a, elt, getPostGroups())))
    return failure();
  return verifyDestinationResults(*this, getOutput());
}

void OnlineDCMHAOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getDestinationStyleEffects(*this, effects);
}

//===----------------------------------------------------------------------===//
// TiledComposeOp
//===----------------------------------------------------------------------===//

LogicalResult TiledComposeOp::verify() {
  if (failed(checkRank(*this, "scores", getScores(), 4, "[B, H, Lq, Lk]")) ||
      failed(checkRank(*this, "output", getOutput(), 4, "[B, H, Lq, Lk]")))
    return failure();
  if (failed(checkSameShapedKind(*this, getOutput())))
    return failure();
  Type elt = getScoresType().getElementType();
  if (!isa<FloatType>(elt))
    return emitOpError("expected a float element type for 'scores', found ")
           << elt;
  if (failed(checkElementType(*this, "output", getOutput(), elt, "'scores'")))
    return failure();
  ArrayRef<int64_t> a = getScoresType().getShape();
  static constexpr StringLiteral kDimNames[] = {"B", "H", "Lq", "Lk"};
  for (auto [i, name] : llvm::enumerate(kDimNames))
    if (failed(checkDim(*this, "output", getOutput(), i, name, a[i],
                        "as 'scores'")))
      return failure();
  if (failed(verifyComposeGroups(*this, "", a, elt, getGroups())))
    return failure();
  return verifyDestinationResults(*this, getOutput());
}

void TiledComposeOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getDestinationStyleEffects(*this, effects);
}

//===----------------------------------------------------------------------===//
// BilinearGatherOp
//===----------------------------------------------------------------------===//

LogicalResult BilinearGatherOp::verify() {
  if (failed(checkRank(*this, "value", getValue(), 4, "[N, S, M, D]")) ||
      failed(checkRank(*this, "locations", getLocations(), 6,
                       "[N, Q, M, L, P, 2]")) ||
      failed(checkRank(*this, "output", getOutput(), 4, "[N, Q, M, D]")))
    return failure();
  if (getWeights() && failed(checkRank(*this, "weights", getWeights(), 5,
                                       "[N, Q, M, L, P]")))
    return failure();
  if (failed(checkSameShapedKind(*this, getOutput())))
    return failure();
  for (Value operand : getOperands())
    if (!isa<FloatType>(shapedOf(operand).getElementType()))
      return emitOpError("expected float elements, found ")
             << operand.getType();
  FailureOr<int64_t> total = verifySpatialShapes(*this, getSpatialShapes());
  if (failed(total))
    return failure();
  ArrayRef<int64_t> val = getValueType().getShape();
  ArrayRef<int64_t> loc = getLocationsType().getShape();
  Value locs = getLocations(), out = getOutput();
  if (failed(checkDim(*this, "value", getValue(), 1, "S", *total,
                      "sum of H_l*W_l over 'spatial_shapes'")) ||
      failed(checkDim(*this, "locations", locs, 0, "N", val[0],
                      "batch of 'value'")) ||
      failed(checkDim(*this, "locations", locs, 2, "M", val[2],
                      "heads of 'value'")) ||
      failed(checkDim(*this, "locations", locs, 3, "L", getNumLevels(),
                      "levels in 'spatial_shapes'")) ||
      failed(checkDim(*this, "locations", locs, 5, "xy", 2,
                      "an (x, y) pair")) ||
      failed(checkDim(*this, "output", out, 0, "N", val[0],
                      "batch of 'value'")) ||
      failed(checkDim(*this, "output", out, 1, "Q", loc[1],
                      "queries of 'locations'")) ||
      failed(checkDim(*this, "output", out, 2, "M", val[2],
                      "heads of 'value'")) ||
      failed(checkDim(*this, "output", out, 3, "D", val[3],
                      "channels of 'value'")))
    return failure();
  // A named array: a braced list inside the range expression would die
  // before the loop body runs.
  static constexpr StringLiteral kWeightDims[] = {"N", "Q", "M", "L", "P"};
  if (Value w = getWeights())
    for (auto [d, name] : llvm::enumerate(kWeightDims))
      if (failed(checkDim(*this, "weights", w, d, name, loc[d],
                          "the same dim of 'locations'")))
        return failure();
  return verifyDestinationResults(*this, getOutput());
}

void BilinearGatherOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getDestinationStyleEffects(*this, effects);
}

#define GET_OP_CLASSES
#include "attn/Dialect/Attn/IR/AttnOps.cpp.inc"
