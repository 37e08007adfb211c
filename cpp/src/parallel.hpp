// A fixed pool of worker threads for whole-array loops. Element-wise passes over
// large arrays are memory- and transcendental-bound and split evenly, so a
// static partition into one contiguous chunk per thread is enough.
#pragma once

#include <cstdint>
#include <functional>

namespace wirtinger::engine {

// Calls body(begin, end) over a partition of [0, n): on the calling thread alone
// when n is below `grain` (or from inside a worker), otherwise on every thread of
// the pool (sized to the machine; WIRTINGER_NUM_THREADS overrides).
void parallel_for(std::int64_t n, std::int64_t grain, const std::function<void(std::int64_t, std::int64_t)>& body);
int num_threads();

// Below this many elements a pass is not worth waking the workers for.
inline constexpr std::int64_t parallel_grain = std::int64_t(1) << 15;

}  // namespace wirtinger::engine
