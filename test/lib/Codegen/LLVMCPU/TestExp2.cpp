//===- TestExp2.cpp - exp2 and OnlineSoftmax test pass ----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// -test-attn-exp2="target-cpu=<cpu>": gives a body to every private function
// declaration that names a builder in an attribute, so that execution tests
// (attn-run) can check the builders' values and FileCheck tests their
// structure:
//
//   func.func private @exp2(vector<8xf32>) -> vector<8xf32>
//       attributes {test.exp2}
//     -> return CPUTargetInfo::get(cpu).exp2(x)
//   func.func private @step(T, T, T, T, T) -> (T, T, T)
//       attributes {test.online_softmax = "step", test.scale = 0.5}
//     (m, l, acc, s, v) -> (m', l', acc'): one online-softmax step over one
//     key with raw score s (logit s * scale, scale 1 by default) and value v
//   func.func private @merge(T, T, T, T, T, T) -> (T, T, T)
//       attributes {test.online_softmax = "merge"}
//     (m1, l1, acc1, m2, l2, acc2) -> (m, l, acc): the logsumexp merge of two
//     partial states of disjoint key sets (as the split-K combine does)
//   func.func private @normalize(T, T) -> T
//       attributes {test.online_softmax = "normalize"}
//     (acc, l) -> acc / l, 0 where l = 0
//
// T is f32 or a vector of f32; the OnlineSoftmax builders use the target's
// exp2 (which falls back to math.exp2 on types other than the target's
// vector of f32).
//
//===----------------------------------------------------------------------===//

#include "TestPasses.h"

#include "attn/Codegen/LLVMCPU/CPUTargetInfo.h"
#include "attn/Dialect/Attn/Utils/OnlineSoftmax.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;
using namespace mlir::attn;

/// The (arguments, results) of each online-softmax builder function.
static std::optional<std::pair<unsigned, unsigned>>
onlineSoftmaxArity(StringRef kind) {
  if (kind == "step")
    return std::make_pair(5u, 3u);
  if (kind == "merge")
    return std::make_pair(6u, 3u);
  if (kind == "normalize")
    return std::make_pair(2u, 1u);
  return std::nullopt;
}

/// The results of builder `kind` on `args` (types checked by the caller).
static SmallVector<Value> buildOnlineSoftmax(OpBuilder &b, Location loc,
                                             const CPUTargetInfo &target,
                                             StringRef kind, ValueRange args,
                                             double scale) {
  auto exp2 = [&](OpBuilder &nb, Location nl, Value x) {
    return target.exp2(nb, nl, x);
  };
  OnlineSoftmax sm(b, loc, exp2);
  if (kind == "step") {
    Value m = args[0], l = args[1], acc = args[2], s = args[3], v = args[4];
    Value logit =
        scale == 1.0
            ? s
            : arith::MulFOp::create(b, loc, s, sm.constant(s.getType(), scale));
    Value mNew = sm.updateMax(m, logit);
    Value mSafe = sm.safeMax(mNew);
    Value p = sm.exp(s, sm.expOffset(mSafe), scale);
    Value alpha = sm.rescale(m, mSafe);
    Value pv = arith::MulFOp::create(b, loc, p, v);
    return {mNew, sm.updateSum(l, alpha, p), sm.updateAcc(acc, alpha, pv)};
  }
  if (kind == "merge") {
    Value m1 = args[0], l1 = args[1], acc1 = args[2], m2 = args[3],
          l2 = args[4], acc2 = args[5];
    Value m = sm.updateMax(m1, m2);
    Value w1 = sm.mergeWeight(m1, m), w2 = sm.mergeWeight(m2, m);
    // w1 x1 + w2 x2, as the split-K combine accumulates over splits.
    auto weighted = [&](Value x1, Value x2) {
      return sm.updateAcc(x1, w1, arith::MulFOp::create(b, loc, x2, w2));
    };
    Value l = weighted(l1, l2), acc = weighted(acc1, acc2);
    return {m, l, acc};
  }
  return {sm.normalize(args[0], args[1])};
}

namespace {
struct TestExp2Pass
    : public PassWrapper<TestExp2Pass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestExp2Pass)

  TestExp2Pass() = default;
  TestExp2Pass(const TestExp2Pass &pass) : PassWrapper(pass) {}

  StringRef getArgument() const final { return "test-attn-exp2"; }
  StringRef getDescription() const final {
    return "Give bodies built by CPUTargetInfo::exp2 and the OnlineSoftmax "
           "builders to declarations marked test.exp2 / test.online_softmax";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, math::MathDialect,
                    vector::VectorDialect, x86vector::X86VectorDialect>();
  }

  Option<std::string> targetCPU{
      *this, "target-cpu",
      llvm::cl::desc("LLVM CPU whose exp2 is built (e.g. haswell, "
                     "skylake-avx512; 'native' = host)"),
      llvm::cl::init("haswell")};
  Option<bool> makePublic{
      *this, "make-public",
      llvm::cl::desc("Make the functions given bodies public (to see them in "
                     "the machine code of attn-compile, which drops unused "
                     "private functions)"),
      llvm::cl::init(false)};

  void runOnOperation() override {
    CPUTargetInfo target = CPUTargetInfo::get(targetCPU);
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      bool marked =
          func->hasAttr("test.exp2") || func->hasAttr("test.online_softmax");
      if (failed(fill(func, target)))
        return signalPassFailure();
      if (marked && makePublic)
        func.setPublic();
    }
  }

  /// Builds the body of `func` if it is marked; failure (with a diagnostic)
  /// when it is marked but has the wrong signature.
  static LogicalResult fill(func::FuncOp func, const CPUTargetInfo &target) {
    bool isExp2 = func->hasAttr("test.exp2");
    auto kindAttr = func->getAttrOfType<StringAttr>("test.online_softmax");
    if (!isExp2 && !kindAttr)
      return success();
    if (!func.isExternal())
      return func.emitError("expected a declaration");
    FunctionType type = func.getFunctionType();
    std::pair<unsigned, unsigned> arity = {1, 1};
    if (kindAttr) {
      auto expected = onlineSoftmaxArity(kindAttr.getValue());
      if (!expected)
        return func.emitError("unknown test.online_softmax kind '")
               << kindAttr.getValue() << "'";
      arity = *expected;
    }
    Type t = type.getNumInputs() ? type.getInput(0) : Type();
    bool sameTypes =
        t && llvm::all_equal(type.getInputs()) &&
        llvm::all_of(type.getResults(), [&](Type r) { return r == t; });
    if (type.getNumInputs() != arity.first ||
        type.getNumResults() != arity.second || !sameTypes ||
        !getElementTypeOrSelf(t).isF32())
      return func.emitError("expected ")
             << arity.first << " arguments and " << arity.second
             << " results of one f32 or vector-of-f32 type, found " << type;

    OpBuilder b(func.getContext());
    Location loc = func.getLoc();
    b.setInsertionPointToStart(func.addEntryBlock());
    ValueRange args = func.getArguments();
    SmallVector<Value> results;
    if (isExp2) {
      results.push_back(target.exp2(b, loc, args[0]));
    } else {
      double scale = 1.0;
      if (auto s = func->getAttrOfType<FloatAttr>("test.scale"))
        scale = s.getValueAsDouble();
      results =
          buildOnlineSoftmax(b, loc, target, kindAttr.getValue(), args, scale);
    }
    func::ReturnOp::create(b, loc, results);
    func->removeAttr("test.exp2");
    func->removeAttr("test.online_softmax");
    func->removeAttr("test.scale");
    return success();
  }
};
} // namespace

void mlir::attn::test::registerTestExp2Pass() {
  PassRegistration<TestExp2Pass>();
}
