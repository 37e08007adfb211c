// Tensor's allocation (and the pool that recycles large buffers), and the shape
// arithmetic every operation shares.
#include "tensor.hpp"

#include <wirtinger/scalar.hpp>

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>
#include <new>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace wirtinger::engine {

std::string shape_str(const Shape& s) {
  std::ostringstream os;
  os << "(";
  for (std::size_t i = 0; i < s.size(); ++i) os << s[i] << (s.size() == 1 ? "," : (i + 1 < s.size() ? ", " : ""));
  os << ")";
  return os.str();
}

namespace {
// The non-throwing form: AddressSanitizer ends the process when the throwing
// operator new fails, where a failed allocation must be a MemoryError.
void* fresh(std::size_t bytes) { return ::operator new(bytes, std::align_val_t(64), std::nothrow); }

// Large buffers are kept for reuse instead of being returned to the system: a
// fresh multi-megabyte allocation costs a page fault per 4 KiB on first touch,
// which costs more than the arithmetic of an element-wise pass over it. AD
// allocates the same shapes over and over, so exact sizes (rounded to pages)
// are reused.
class BufferPool {
 public:
  static constexpr std::size_t min_pooled = std::size_t(1) << 16;
  static constexpr std::size_t max_cached = std::size_t(1) << 30;

  // nullptr when the system cannot give the memory.
  void* take(std::size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(bytes);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        cached_ -= bytes;
        return p;
      }
    }
    return fresh(bytes);
  }
  void give(void* p, std::size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (cached_ + bytes <= max_cached) {
        free_[bytes].push_back(p);
        cached_ += bytes;
        return;
      }
    }
    ::operator delete(p, std::align_val_t(64));
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::size_t, std::vector<void*>> free_;
  std::size_t cached_ = 0;
};

BufferPool& pool() {
  static BufferPool* p = new BufferPool;  // never destroyed: buffers may outlive static destruction
  return *p;
}
}  // namespace

namespace {
// Bytes of the arrays alive now, and the most there were since the last reset:
// what memory use is measured by, whatever the pool and the allocator keep.
std::atomic<std::int64_t> live_bytes{0}, peak_bytes{0};

void count_allocation(std::int64_t bytes) {
  const std::int64_t now = live_bytes.fetch_add(bytes) + bytes;
  std::int64_t peak = peak_bytes.load();
  while (now > peak && !peak_bytes.compare_exchange_weak(peak, now)) {}
}

// std::bad_alloc (a MemoryError in Python) that says what could not be allocated.
class AllocationFailed : public std::bad_alloc {
 public:
  explicit AllocationFailed(std::string what) : what_(std::move(what)) {}
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  std::string what_;
};

void* allocate(std::size_t bytes, DType dtype, const Shape& shape, bool pooled) {
  void* p = pooled ? pool().take(bytes) : fresh(bytes);
  if (p != nullptr) return p;
  std::ostringstream os;
  os.precision(3);
  os << "unable to allocate " << static_cast<double>(bytes) / (1 << 30) << " GiB for an array of shape "
     << shape_str(shape) << " and dtype " << dtype_name(dtype) << "; use a smaller shape";
  throw AllocationFailed(os.str());
}
}  // namespace

BufferBytes buffer_bytes() { return {live_bytes.load(), peak_bytes.load()}; }
void reset_buffer_peak() { peak_bytes.store(live_bytes.load()); }

namespace {
// A scalar or a few elements: the buffer and its owner's control block in one
// allocation from the small-object caches (an aligned allocation per scalar
// cost a tenth of a jitted scalar call). No kernel assumes more alignment than
// the element's (borrowed NumPy arrays have no more).
template <std::size_t N> struct SmallBuffer {
  alignas(16) unsigned char data[N];
  ~SmallBuffer() { live_bytes -= static_cast<std::int64_t>(N); }
};
template <std::size_t N> std::shared_ptr<void> small_buffer() {
  auto owner = std::make_shared<SmallBuffer<N>>();
  return std::shared_ptr<void>(owner, owner->data);
}
}  // namespace

Tensor Tensor::empty(DType dtype, Shape shape) {
  const std::int64_t count = checked_numel(shape, dtype, "allocating an array");
  std::size_t bytes = std::max<std::size_t>(1, static_cast<std::size_t>(count) * itemsize(dtype));
  std::shared_ptr<void> buf;
  if (bytes <= 64) {
    bytes = bytes <= 16 ? 16 : 64;
    buf = bytes == 16 ? small_buffer<16>() : small_buffer<64>();
  } else if (bytes < BufferPool::min_pooled) {
    buf.reset(allocate(bytes, dtype, shape, false), [bytes](void* p) {
      live_bytes -= static_cast<std::int64_t>(bytes);
      ::operator delete(p, std::align_val_t(64));
    });
  } else {
    bytes = (bytes + 4095) / 4096 * 4096;
    buf.reset(allocate(bytes, dtype, shape, true), [bytes](void* p) {
      live_bytes -= static_cast<std::int64_t>(bytes);
      pool().give(p, bytes);
    });
  }
  count_allocation(static_cast<std::int64_t>(bytes));
  return Tensor{dtype, std::move(shape), std::move(buf)};
}
Tensor Tensor::zeros(DType dtype, Shape shape) {
  Tensor t = empty(dtype, std::move(shape));
  std::memset(t.raw(), 0, static_cast<std::size_t>(t.size()) * itemsize(dtype));
  return t;
}
Tensor Tensor::full(DType dtype, Shape shape, std::complex<double> value) {
  Tensor t = empty(dtype, std::move(shape));
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    std::fill_n(t.data<T>(), t.size(), scalar_cast<T>(value));
  });
  return t;
}

std::vector<std::int64_t> row_strides(const Shape& s) {
  std::vector<std::int64_t> st(s.size(), 1);
  for (int i = static_cast<int>(s.size()) - 2; i >= 0; --i) st[i] = st[i + 1] * s[i + 1];
  return st;
}

std::vector<std::int64_t> reduced_last(const Shape& s, const std::vector<std::int64_t>& axes, std::int64_t& count) {
  std::vector<bool> reduced(s.size(), false);
  for (auto a : axes) reduced[static_cast<std::size_t>(a)] = true;
  std::vector<std::int64_t> perm;
  count = 1;
  for (std::size_t d = 0; d < s.size(); ++d)
    if (!reduced[d]) perm.push_back(static_cast<std::int64_t>(d));
  for (std::size_t d = 0; d < s.size(); ++d)
    if (reduced[d]) {
      perm.push_back(static_cast<std::int64_t>(d));
      count *= s[d];
    }
  return perm;
}

std::vector<std::int64_t> inverse_perm(const std::vector<std::int64_t>& perm) {
  std::vector<std::int64_t> inv(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) inv[static_cast<std::size_t>(perm[i])] = static_cast<std::int64_t>(i);
  return inv;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const std::size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (std::size_t i = 0; i < r; ++i) {
    const std::int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const std::int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument(std::string(op) + ": shapes " + shape_str(a) + " and " + shape_str(b) +
                                  " cannot be broadcast together; reshape or add axes so that each dimension "
                                  "matches or is 1");
    out[i] = da == 1 ? db : da;
  }
  return out;
}


std::int64_t checked_numel(const Shape& s, DType d, const char* op) {
  for (auto n : s)
    if (n < 0)
      throw std::invalid_argument(std::string(op) + ": negative dimensions are not allowed, got shape " +
                                  shape_str(s));
  // The byte size must fit in a signed pointer-sized integer, as in NumPy,
  // which applies this to the nonzero extents even when another one is 0.
  // Each step is checked before it is taken, so the product cannot wrap.
  const std::int64_t max_elements = std::numeric_limits<std::int64_t>::max() / static_cast<std::int64_t>(itemsize(d));
  std::int64_t count = 1;
  bool empty = false;
  for (auto n : s) {
    if (n == 0) {
      empty = true;
      continue;
    }
    if (count > max_elements / n)
      throw std::invalid_argument(std::string(op) + ": an array of shape " + shape_str(s) + " and dtype " +
                                  dtype_name(d) + " is too big: its byte size exceeds the largest possible, "
                                  "2**63 - 1 bytes; use a smaller shape");
    count *= n;
  }
  return empty ? 0 : count;
}

Tensor Tensor::reshaped(Shape s) const {
  if (checked_numel(s, dtype, "reshape") != size())
    throw std::invalid_argument("reshape: cannot reshape an array of shape " + shape_str(shape) + " into shape " +
                                shape_str(s));
  return Tensor{dtype, std::move(s), buffer};
}

}  // namespace wirtinger::engine
