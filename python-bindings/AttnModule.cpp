//===- AttnModule.cpp - the `attn._attn` Python extension -----------------===//
//
// Part of the attn-mlir project.
//
// A thin pybind11 layer over the C++ compile-and-run API
// (attn/Runtime/Runner.h): CompiledModule becomes `Executable`, a public
// function `Function`, HostTensor numpy arrays. Everything about compiling,
// checking a call and running it is the runtime's; this file converts
// Python values and maps errors to Python exceptions. The Python-facing
// wrapper (source text or path, `exe.main`) is attn/__init__.py; the
// user documentation is docs/Python.md.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/Runner.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Error.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace py = pybind11;
using namespace mlir;
using namespace mlir::attn;

namespace {

//===----------------------------------------------------------------------===//
// Exceptions
//===----------------------------------------------------------------------===//

/// attn.Error (RuntimeError) and attn.CompileError (attn.Error), created at
/// import.
py::object errorType;
py::object compileErrorType;

[[noreturn]] void raiseError(const py::object &type,
                             const std::string &message) {
  PyErr_SetString(type.ptr(), message.c_str());
  throw py::error_already_set();
}

/// Consumes `error` and returns its message.
std::string takeMessage(llvm::Error error) {
  return llvm::toString(std::move(error));
}

//===----------------------------------------------------------------------===//
// Compile options
//===----------------------------------------------------------------------===//

/// The keyword arguments of attn.compile, in the order docs/Python.md lists
/// them, each with the CompileOptions field it sets.
struct OptionSetter {
  const char *name;
  void (*set)(CompileOptions &, const py::handle &);
};

template <int64_t CompileOptions::*Field>
void setInt(CompileOptions &options, const py::handle &value) {
  if (!py::isinstance<py::int_>(value) || py::isinstance<py::bool_>(value))
    throw py::type_error("expected an int, got " +
                         py::str(py::type::of(value)).cast<std::string>());
  try {
    options.*Field = value.cast<int64_t>();
  } catch (const py::cast_error &) {
    throw py::value_error("expected an int in the 64-bit range, got " +
                          py::str(value).cast<std::string>());
  }
}

const OptionSetter kOptions[] = {
    {"num_threads", setInt<&CompileOptions::numThreads>},
    {"block_q", setInt<&CompileOptions::blockQ>},
    {"block_k", setInt<&CompileOptions::blockK>},
    {"split_keys", setInt<&CompileOptions::splitKeys>},
    {"gather_block_q", setInt<&CompileOptions::gatherBlockQ>},
    {"dcmha_block_q", setInt<&CompileOptions::dcmhaBlockQ>},
    {"cpu",
     [](CompileOptions &options, const py::handle &value) {
       if (!py::isinstance<py::str>(value))
         throw py::type_error("expected a str");
       options.cpu = value.cast<std::string>();
     }},
    {"unit",
     [](CompileOptions &options, const py::handle &value) {
       if (!py::isinstance<py::str>(value))
         throw py::type_error("expected a str: 'auto', 'f32', 'bf16_dot', "
                              "'bf16_dot_emulated', 'amx' or "
                              "'amx_emulated'");
       options.unit = value.cast<std::string>();
     }},
    {"gpu_tensor_cores",
     [](CompileOptions &options, const py::handle &value) {
       if (!py::isinstance<py::str>(value))
         throw py::type_error("expected a str: 'auto', 'on' or 'off'");
       options.gpuTensorCores = value.cast<std::string>();
     }},
    {"gpu_chip",
     [](CompileOptions &options, const py::handle &value) {
       if (!py::isinstance<py::str>(value))
         throw py::type_error("expected a str such as 'sm_80' or 'sm_90a'");
       options.gpuChip = value.cast<std::string>();
     }},
    {"decompose_all",
     [](CompileOptions &options, const py::handle &value) {
       if (!py::isinstance<py::bool_>(value))
         throw py::type_error("expected a bool");
       options.decomposeAll = value.cast<bool>();
     }},
    {"entry_points",
     [](CompileOptions &options, const py::handle &value) {
       if (py::isinstance<py::str>(value))
         throw py::type_error("expected a list of function names");
       for (py::handle name : value) {
         if (!py::isinstance<py::str>(name))
           throw py::type_error("expected a list of function names");
         options.entryPoints.push_back(name.cast<std::string>());
       }
     }},
};

std::vector<std::string> getOptionNames() {
  std::vector<std::string> names;
  for (const OptionSetter &option : kOptions)
    names.push_back(option.name);
  return names;
}

/// CompileOptions from attn.compile's `target` and keyword arguments; an
/// unknown name or a value of the wrong type is a TypeError naming it, an
/// out-of-range value a ValueError (verifyCompileOptions' message).
CompileOptions makeOptions(const std::string &target, const py::dict &kwargs) {
  CompileOptions options;
  options.target = target;
  for (auto [key, value] : kwargs) {
    std::string name = py::str(key).cast<std::string>();
    const OptionSetter *setter =
        llvm::find_if(kOptions, [&](const OptionSetter &option) {
          return name == option.name;
        });
    if (setter == std::end(kOptions)) {
      std::string valid;
      for (const OptionSetter &option : kOptions)
        valid += (valid.empty() ? "" : ", ") + std::string(option.name);
      throw py::type_error("compile() got an unexpected keyword argument '" +
                           name + "'; the options are: " + valid);
    }
    try {
      setter->set(options, value);
    } catch (py::type_error &e) {
      throw py::type_error("compile() option '" + name + "': " + e.what());
    } catch (py::value_error &e) {
      throw py::value_error("compile() option '" + name + "': " + e.what());
    }
  }
  if (llvm::Error error = verifyCompileOptions(options)) {
    // The message spells options as the tools' flags (--split-keys); name
    // them as compile() takes them (split_keys).
    std::string message = takeMessage(std::move(error));
    SmallVector<std::string> names = {"target"};
    for (const OptionSetter &option : kOptions)
      names.push_back(option.name);
    for (const std::string &name : names) {
      std::string flag = "--" + name;
      std::replace(flag.begin(), flag.end(), '_', '-');
      for (size_t at = message.find(flag); at != std::string::npos;
           at = message.find(flag, at))
        message.replace(at, flag.size(), name);
    }
    throw py::value_error(message);
  }
  return options;
}

//===----------------------------------------------------------------------===//
// numpy <-> HostTensor
//===----------------------------------------------------------------------===//

/// The numpy dtype of the arrays that hold `type` (bf16: uint16 bits).
py::dtype getDtype(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return py::dtype("float32");
  case ElementType::F16:
    return py::dtype("float16");
  case ElementType::BF16:
    return py::dtype("uint16");
  case ElementType::F64:
    return py::dtype("float64");
  case ElementType::I1:
    return py::dtype("bool");
  case ElementType::I8:
    return py::dtype("int8");
  case ElementType::I16:
    return py::dtype("int16");
  case ElementType::I32:
    return py::dtype("int32");
  case ElementType::I64:
    return py::dtype("int64");
  }
  return py::dtype("float32");
}

/// The element type of a numpy array of `dtype` passed for a parameter of
/// element type `expected`; std::nullopt for dtypes without one.
std::optional<ElementType> getElementType(const py::dtype &dtype,
                                          ElementType expected) {
  std::string name = py::str(dtype.attr("name")).cast<std::string>();
  // bfloat16: its bits in uint16, or ml_dtypes.bfloat16 where installed.
  if (name == "bfloat16" || (name == "uint16" && expected == ElementType::BF16))
    return ElementType::BF16;
  static const std::pair<const char *, ElementType> table[] = {
      {"float32", ElementType::F32}, {"float16", ElementType::F16},
      {"float64", ElementType::F64}, {"bool", ElementType::I1},
      {"int8", ElementType::I8},     {"uint8", ElementType::I8},
      {"int16", ElementType::I16},   {"uint16", ElementType::I16},
      {"int32", ElementType::I32},   {"int64", ElementType::I64}};
  for (auto [numpyName, type] : table)
    if (name == numpyName)
      return type;
  return std::nullopt;
}

/// A numpy array owning `tensor` (moved into a capsule): no copy.
py::array toArray(HostTensor tensor) {
  auto *owned = new HostTensor(std::move(tensor));
  py::capsule owner(owned, [](void *pointer) {
    delete static_cast<HostTensor *>(pointer);
  });
  std::vector<py::ssize_t> shape(owned->getShape().begin(),
                                 owned->getShape().end());
  return py::array(getDtype(owned->getElementType()), shape,
                   owned->getNumElements() ? owned->data() : nullptr, owner);
}

//===----------------------------------------------------------------------===//
// Executable and Function
//===----------------------------------------------------------------------===//

/// How a call's inputs reached the kernel.
struct CallStats {
  int64_t calls = 0;
  /// Inputs passed as they are (borrowed numpy buffers).
  int64_t inputsBorrowed = 0;
  /// Inputs copied first (not C-contiguous, misaligned, byte-swapped, or not
  /// a numpy array).
  int64_t inputsCopied = 0;
};

/// attn.Executable: a CompiledModule.
struct PyExecutable {
  std::unique_ptr<CompiledModule> module;
  CallStats stats;
};

/// "argument #1 of @main ('%key')", as checkInputs names an argument.
std::string describeArgument(const FunctionSignature &signature,
                             size_t index) {
  std::string text =
      "argument #" + std::to_string(index) + " of @" + signature.name;
  if (index < signature.argumentNames.size() &&
      !signature.argumentNames[index].empty())
    text += " ('" + signature.argumentNames[index] + "')";
  return text;
}

/// "@main(%q: tensor<2x8xf32>, ...) -> tensor<2x8xf32>".
std::string formatSignature(const FunctionSignature &signature) {
  // Without a host signature the recorded arguments are partial.
  if (!signature.unsupportedReason.empty())
    return "@" + signature.name +
           " (not callable: " + signature.unsupportedReason + ")";
  std::string text = "@" + signature.name + "(";
  for (auto [index, spec] : llvm::enumerate(signature.arguments)) {
    if (index)
      text += ", ";
    if (index < signature.argumentNames.size() &&
        !signature.argumentNames[index].empty())
      text += signature.argumentNames[index] + ": ";
    text += spec.str();
  }
  text += ") -> ";
  if (signature.results.size() == 1)
    return text + signature.results[0].str();
  text += "(";
  for (auto [index, spec] : llvm::enumerate(signature.results))
    text += (index ? ", " : "") + spec.str();
  return text + ")";
}

/// attn.Function: one public function of an executable.
struct PyFunction {
  std::shared_ptr<PyExecutable> executable;
  const FunctionSignature *signature;

  /// The call's arguments in signature order: the positional ones, then
  /// keyword ones by the names of the function's arguments (`q=` for
  /// `%q`).
  std::vector<py::object> bindArguments(const py::args &args,
                                        const py::kwargs &kwargs) const {
    const FunctionSignature &sig = *signature;
    size_t count = sig.arguments.size();
    auto countError = [&](size_t given) {
      return py::type_error(
          "@" + sig.name + " expects " + std::to_string(count) + " argument" +
          (count == 1 ? "" : "s") + " (" + formatSignature(sig) + "), got " +
          std::to_string(given));
    };
    if (args.size() > count)
      throw countError(args.size() + kwargs.size());
    std::vector<py::object> bound(count);
    for (size_t index = 0; index < args.size(); ++index)
      bound[index] = py::reinterpret_borrow<py::object>(args[index]);
    for (auto [key, value] : kwargs) {
      std::string name = py::str(key).cast<std::string>();
      size_t index = 0;
      while (index < count && (index >= sig.argumentNames.size() ||
                               sig.argumentNames[index] != "%" + name))
        ++index;
      if (index == count)
        throw py::type_error("@" + sig.name + " has no argument named '" +
                             name + "' (" + formatSignature(sig) + ")");
      if (bound[index])
        throw py::type_error(describeArgument(sig, index) +
                             ": given twice, by position and as '" + name +
                             "='");
      bound[index] = py::reinterpret_borrow<py::object>(value);
    }
    for (size_t index = 0; index < count; ++index)
      if (!bound[index])
        throw countError(args.size() + kwargs.size());
    return bound;
  }

  py::object call(const py::args &args, const py::kwargs &kwargs) {
    const FunctionSignature &sig = *signature;
    if (!sig.unsupportedReason.empty())
      raiseError(errorType, "cannot run @" + sig.name + ": " +
                           sig.unsupportedReason);
    std::vector<py::object> bound = bindArguments(args, kwargs);
    py::module_ numpy = py::module_::import("numpy");
    // The arrays whose buffers the call reads (the arguments, or the
    // copies and conversions made of them) stay alive in `keepAlive`.
    std::vector<py::array> keepAlive;
    std::vector<HostTensor> inputs;
    int64_t borrowed = 0, copied = 0;
    for (size_t index = 0; index < bound.size(); ++index) {
      const TensorSpec &spec = sig.arguments[index];
      py::handle arg = bound[index];
      if (arg.is_none())
        throw py::type_error(describeArgument(sig, index) +
                             ": expected an array for " + spec.str() +
                             ", found None");
      bool isArray = py::isinstance<py::array>(arg);
      if (!isArray && spec.elementType == ElementType::BF16)
        throw py::type_error(describeArgument(sig, index) +
                             ": expected a numpy array of bfloat16 bits "
                             "(uint16; see attn.bf16_from_f32) for " +
                             spec.str());
      // Python scalars, lists and tuples take the parameter's dtype; other
      // objects (torch tensors, memoryviews, array.array) keep their own,
      // which is checked below as a numpy array's is.
      py::object converted = py::reinterpret_borrow<py::object>(arg);
      if (!isArray) {
        bool plain =
            py::isinstance<py::bool_>(arg) || py::isinstance<py::int_>(arg) ||
            py::isinstance<py::float_>(arg) || py::isinstance<py::list>(arg) ||
            py::isinstance<py::tuple>(arg);
        try {
          converted =
              plain ? numpy.attr("asarray")(arg, getDtype(spec.elementType))
                    : numpy.attr("asarray")(arg);
        } catch (py::error_already_set &error) {
          throw py::type_error(
              describeArgument(sig, index) + ": cannot convert " +
              py::str(py::type::of(arg)).cast<std::string>() +
              " to an array for " + spec.str() + ": " + error.what());
        }
      }
      py::array array = py::reinterpret_borrow<py::array>(converted);
      std::optional<ElementType> type =
          getElementType(array.dtype(), spec.elementType);
      if (!type)
        throw py::type_error(
            describeArgument(sig, index) + ": expected element type " +
            stringifyElementType(spec.elementType).str() + " (" + spec.str() +
            ", numpy " +
            py::str(getDtype(spec.elementType)).cast<std::string>() +
            "), found numpy dtype " +
            py::str(array.dtype()).cast<std::string>());
      // Passed as it is when the layout allows; otherwise copied into a
      // C-contiguous, aligned, native-endian array that lives until the
      // call returns. Converted non-arrays count as copies.
      int flags = py::detail::array_proxy(array.ptr())->flags;
      bool usable = (flags & py::detail::npy_api::NPY_ARRAY_C_CONTIGUOUS_) &&
                    (flags & py::detail::npy_api::NPY_ARRAY_ALIGNED_) &&
                    array.dtype().attr("isnative").cast<bool>();
      if (!usable) {
        array = py::reinterpret_borrow<py::array>(numpy.attr("array")(
            array, array.dtype().attr("newbyteorder")("="),
            py::arg("order") = "C"));
      }
      keepAlive.push_back(array);
      if (isArray && usable)
        ++borrowed;
      else
        ++copied;
      std::vector<int64_t> shape(array.shape(), array.shape() + array.ndim());
      inputs.push_back(HostTensor::borrow(*type, shape, array.data()));
    }
    // The runtime checks the call (element types, ranks, sizes); a dtype
    // mismatch is a TypeError, a shape mismatch a ValueError.
    if (llvm::Error error =
            checkInputs(sig, inputs, ArrayRef(sig.argumentNames))) {
      std::string message = takeMessage(std::move(error));
      for (auto [spec, input] : llvm::zip(sig.arguments, inputs))
        if (spec.elementType != input.getElementType())
          throw py::type_error(message);
      throw py::value_error(message);
    }
    llvm::Expected<std::vector<HostTensor>> results =
        std::vector<HostTensor>();
    {
      py::gil_scoped_release release;
      results = executable->module->invoke(sig.name, inputs);
    }
    if (!results)
      raiseError(errorType, takeMessage(results.takeError()));
    CallStats &stats = executable->stats;
    ++stats.calls;
    stats.inputsBorrowed += borrowed;
    stats.inputsCopied += copied;
    if (results->size() == 1)
      return toArray(std::move(results->front()));
    py::tuple tuple(results->size());
    for (size_t i = 0; i < results->size(); ++i)
      tuple[i] = toArray(std::move((*results)[i]));
    return tuple;
  }
};

std::shared_ptr<PyExecutable>
wrapCompiled(llvm::Expected<std::unique_ptr<CompiledModule>> compiled) {
  if (!compiled)
    raiseError(compileErrorType, takeMessage(compiled.takeError()));
  auto executable = std::make_shared<PyExecutable>();
  executable->module = std::move(*compiled);
  return executable;
}

PyFunction lookupFunction(const std::shared_ptr<PyExecutable> &executable,
                          const std::string &name, bool attribute) {
  const FunctionSignature *signature =
      executable->module->lookupFunction(name);
  if (signature)
    return PyFunction{executable, signature};
  std::string available;
  for (const FunctionSignature &function :
       executable->module->getFunctions())
    available += (available.empty() ? "@" : ", @") + function.name;
  std::string message = "no public function @" + name + " in the module" +
                        (available.empty() ? "; it has none"
                                           : "; available: " + available);
  if (attribute)
    throw py::attribute_error(message);
  throw py::key_error(message);
}

} // namespace

PYBIND11_MODULE(_attn, m) {
  m.doc() = "attn-mlir's compile-and-run API (the extension behind `attn`)";

  errorType = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "attn.Error", "A call failed at run time (for example a run-time check).",
      PyExc_RuntimeError, nullptr));
  compileErrorType = py::reinterpret_steal<py::object>(
      PyErr_NewExceptionWithDoc("attn.CompileError",
                                "The module cannot be parsed, verified or "
                                "lowered; the message holds the diagnostics.",
                                errorType.ptr(), nullptr));
  m.attr("Error") = errorType;
  m.attr("CompileError") = compileErrorType;
  m.attr("COMPILE_OPTIONS") = getOptionNames();
  {
    std::vector<std::string> stages;
    for (StringRef stage : CompiledModule::getIRStages())
      stages.push_back(stage.str());
    m.attr("IR_STAGES") = stages;
  }

  py::class_<FunctionSignature>(m, "Signature",
                                "The tensor signature of a public function.")
      .def_property_readonly(
          "name", [](const FunctionSignature &s) { return s.name; })
      .def_property_readonly(
          "arguments",
          [](const FunctionSignature &s) {
            std::vector<std::string> types;
            for (const TensorSpec &spec : s.arguments)
              types.push_back(spec.str());
            return types;
          },
          "The argument types, e.g. 'tensor<2x?x64xf32>'.")
      .def_property_readonly(
          "argument_names",
          [](const FunctionSignature &s) {
            return std::vector<std::string>(s.argumentNames.begin(),
                                            s.argumentNames.end());
          },
          "The arguments' names in the source ('%query'; '' if unknown).")
      .def_property_readonly(
          "results",
          [](const FunctionSignature &s) {
            std::vector<std::string> types;
            for (const TensorSpec &spec : s.results)
              types.push_back(spec.str());
            return types;
          })
      .def_property_readonly(
          "flops",
          [](const FunctionSignature &s) { return s.flops; },
          "FLOPs of one call, or None when unknown.")
      .def("__str__", &formatSignature)
      .def("__repr__", [](const FunctionSignature &s) {
        return "<attn.Signature " + formatSignature(s) + ">";
      });

  py::class_<PyFunction>(m, "Function",
                         "A public function of an Executable; call it on "
                         "numpy arrays.")
      .def("__call__", &PyFunction::call,
           "Runs the function on numpy arrays (positional, or by argument "
           "name: q=... for %q); returns an array, or a tuple of them.")
      .def_property_readonly(
          "name", [](const PyFunction &f) { return f.signature->name; })
      .def_property_readonly("signature",
                             [](const PyFunction &f) { return *f.signature; })
      .def("__repr__", [](const PyFunction &f) {
        return "<attn.Function " + formatSignature(*f.signature) + ">";
      });

  py::class_<PyExecutable, std::shared_ptr<PyExecutable>>(
      m, "Executable", "A compiled module (attn.compile).")
      .def_property_readonly(
          "functions",
          [](const PyExecutable &e) {
            return std::vector<FunctionSignature>(
                e.module->getFunctions().begin(),
                e.module->getFunctions().end());
          },
          "The public functions' signatures, in module order.")
      .def("__getitem__",
           [](const std::shared_ptr<PyExecutable> &e, const std::string &name) {
             return lookupFunction(e, name, /*attribute=*/false);
           })
      .def("__getattr__",
           [](const std::shared_ptr<PyExecutable> &e, const std::string &name) {
             return lookupFunction(e, name, /*attribute=*/true);
           })
      .def("__contains__",
           [](const PyExecutable &e, const std::string &name) {
             return e.module->lookupFunction(name) != nullptr;
           })
      .def(
          "ir",
          [](const PyExecutable &e, const std::string &stage) {
            llvm::Expected<std::string> text = e.module->getIR(stage);
            if (!text)
              throw py::value_error(takeMessage(text.takeError()));
            return *text;
          },
          py::arg("stage") = "lowered",
          "The module at `stage` (attn.IR_STAGES) as text.")
      .def_property_readonly(
          "target",
          [](const PyExecutable &e) { return e.module->getOptions().target; })
      .def_property_readonly(
          "stats",
          [](const PyExecutable &e) {
            py::dict stats;
            stats["calls"] = e.stats.calls;
            stats["inputs_borrowed"] = e.stats.inputsBorrowed;
            stats["inputs_copied"] = e.stats.inputsCopied;
            return stats;
          },
          "Counts of calls and of inputs passed without a copy (borrowed) "
          "or copied first.");

  m.def(
      "_compile_text",
      [](const std::string &text, const std::string &bufferName,
         const std::string &target, const py::dict &kwargs) {
        CompileOptions options = makeOptions(target, kwargs);
        llvm::Expected<std::unique_ptr<CompiledModule>> compiled = nullptr;
        {
          py::gil_scoped_release release;
          compiled = CompiledModule::compile(text, options, bufferName);
        }
        return wrapCompiled(std::move(compiled));
      },
      py::arg("text"), py::arg("buffer_name"), py::arg("target"),
      py::arg("options"));
  m.def(
      "_compile_file",
      [](const std::string &path, const std::string &target,
         const py::dict &kwargs) {
        CompileOptions options = makeOptions(target, kwargs);
        llvm::Expected<std::unique_ptr<CompiledModule>> compiled = nullptr;
        {
          py::gil_scoped_release release;
          compiled = CompiledModule::compileFile(path, options);
        }
        return wrapCompiled(std::move(compiled));
      },
      py::arg("path"), py::arg("target"), py::arg("options"));
}
