// Batched Jacobians of a traced program (vmap of jacfwd/jacrev/wirtinger
// under jit): the program compiled once into a per-sample plan
// (batch_kernel.hpp), then run for every sample of a batch on the thread pool.
#pragma once

#include <stdexcept>
#include <vector>

#include "batch_kernel.hpp"
#include "program.hpp"

namespace wirtinger::engine::batch {

// A program the per-sample plan cannot express (a primitive without a per-sample
// form, such as a custom rule or a running product): the caller falls back to
// batching op by op.
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// How a program input enters a batch, in this order among the inputs: with
// directions of its own (a differentiated argument, a value per sample), as
// data (a value per sample, no directions), or shared (one value for every
// sample, no directions: an argument vmap does not map, such as the weights of
// a network, which change from call to call and so are not baked in).
enum class InputKind : std::uint8_t { Differentiated, Mapped, Shared };

struct Plan {
  DType precision = DType::f64;          // f32 or f64: every slot is evaluated in this real type
  std::vector<Instr> code;
  std::vector<Slot> slots;
  std::vector<std::int64_t> index;
  std::vector<std::complex<double>> consts;  // in double; run() narrows them for f32 plans
  std::int64_t N = 0;                        // directions: the elements of all inputs
  std::int64_t workspace = 0;                // complex elements per sample
  std::int64_t scratch = 0;                  // its offset of the unary partials' scratch
  std::vector<InputKind> input_kind;         // per program input
  std::vector<std::int32_t> input_slot;      // per program input (-1 for a shared one)
  std::vector<std::int64_t> input_offset;    // its first direction (-1 without directions)
  std::vector<bool> input_complex;
  std::vector<DType> input_dtype;
  std::vector<Shape> input_shape;            // one sample's (a shared input's whole shape)
  // The steps that read shared inputs and no sample's value: evaluated once per
  // run (call_consts) into their places in consts.
  struct PerCall {
    Program::Step step;        // its sources index per_call; unused for a shared input
    std::int32_t input = -1;   // a shared input: which program input it is
    std::int64_t offset = -1;  // where slots read its values in consts; -1: none does
  };
  std::vector<PerCall> per_call;
  std::vector<std::int32_t> output_slot;     // per program output
  std::vector<DType> output_dtype;
  std::vector<Shape> output_shape;
};

// kinds: one per program input, in the order of InputKind.
Plan compile(const Program& p, const std::vector<InputKind>& kinds);

// One array a run writes: output k's Jacobian with respect to input j in a form
// of the README's mathematics section, in dtype (a real one takes the real part; Norms is float64).
struct Request {
  std::int32_t output = 0, input = 0;
  Form form = Form::DZ;
  DType dtype = DType::c128;
};

// The batch size, after checking the inputs (every program input, a shared one
// without a batch axis) against the traced ones.
std::int64_t check_inputs(const Plan& plan, const std::vector<Shape>& shapes, const std::vector<DType>& dtypes);
// consts with this run's values of the steps that read shared inputs.
std::vector<std::complex<double>> call_consts(const Plan& plan, const std::vector<Tensor>& shared);
// The shape of a request's array: (batch, *out, *in), or (batch, 2) for Norms.
Shape request_shape(const Plan& plan, const Request& r, std::int64_t batch);
// What the body reads and writes, over the caller's storage (host or device);
// srcs: one per program input (a shared one's is not read).
std::vector<Input> kernel_inputs(const Plan& plan, const std::vector<const void*>& srcs);
std::vector<Write> kernel_writes(const Plan& plan, const std::vector<Request>& reqs, const std::vector<void*>& dsts);

// The requested arrays, written straight from each sample's workspace.
// A real input x enters as z with A = B = ½ ∂/∂x (README, The mathematics in brief).
std::vector<Tensor> run(const Plan& plan, const std::vector<Tensor>& inputs, const std::vector<Request>& reqs);

}  // namespace wirtinger::engine::batch
