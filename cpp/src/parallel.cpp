#include "parallel.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace wirtinger::engine {

namespace {

thread_local bool in_worker = false;

// Waking a thread blocked on a condition variable takes tens of microseconds on
// a virtual machine, as long as a whole pass over 2^16 doubles. A worker that
// just finished therefore watches for the next loop for a while before it
// blocks (as OpenMP runtimes do), and the caller watches for the workers'
// completion before it blocks.
constexpr auto spin_time = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins until ready() or spin_time has passed; whether ready() became true.
template <class Ready> bool spin_until(Ready ready) {
  const auto until = std::chrono::steady_clock::now() + spin_time;
  for (int i = 1;; ++i) {
    if (ready()) return true;
    cpu_relax();
    if ((i & 63) == 0 && std::chrono::steady_clock::now() > until) return false;
  }
}

class Pool {
 public:
  explicit Pool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { run(i); });
  }
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void run_all(std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& body) {
    std::unique_lock<std::mutex> lock(submit_);  // one parallel loop at a time
    {
      std::lock_guard<std::mutex> guard(mutex_);
      body_ = &body;
      n_ = n;
      pending_.store(size() - 1, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    chunk(0, n, body);
    if (!spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock<std::mutex> wait(mutex_);
      done_.wait(wait, [this] { return pending_.load(std::memory_order_acquire) == 0; });
    }
    body_ = nullptr;
  }

 private:
  void chunk(int index, std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& body) const {
    const std::int64_t parts = size(), begin = n * index / parts, end = n * (index + 1) / parts;
    if (begin < end) body(begin, end);
  }
  void run(int index) {
    in_worker = true;
    std::uint64_t seen = 0;
    for (;;) {
      auto fresh = [&] { return generation_.load(std::memory_order_acquire) != seen; };
      const std::function<void(std::int64_t, std::int64_t)>* body;
      std::int64_t n;
      {
        if (!spin_until(fresh)) {
          std::unique_lock<std::mutex> lock(mutex_);
          wake_.wait(lock, fresh);
        }
        // body_ and n_ were written before the generation was published
        // (release), and stay until this worker reports done.
        seen = generation_.load(std::memory_order_acquire);
        body = body_;
        n = n_;
      }
      chunk(index, n, *body);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);  // the caller tests pending_ under it before it sleeps
        done_.notify_one();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex submit_, mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(std::int64_t, std::int64_t)>* body_ = nullptr;
  std::int64_t n_ = 0;
  std::atomic<int> pending_{0};
  std::atomic<std::uint64_t> generation_{0};
};

int configured_threads() {
  if (const char* env = std::getenv("WIRTINGER_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

// Never destroyed: workers block forever and the process may exit while they
// wait. A forked child has none of the parent's threads, so it starts a pool of
// its own (the parent's is abandoned there, not joined).
std::atomic<Pool*> current{nullptr};
std::mutex creating;

Pool& pool() {
  Pool* p = current.load(std::memory_order_acquire);
  if (p) return *p;
  std::lock_guard<std::mutex> lock(creating);
  p = current.load(std::memory_order_relaxed);
  if (!p) {
    static const bool registered = [] {
      return pthread_atfork(nullptr, nullptr, [] { current.store(nullptr, std::memory_order_release); }) == 0;
    }();
    (void)registered;
    p = new Pool(configured_threads());
    current.store(p, std::memory_order_release);
  }
  return *p;
}

}  // namespace

int num_threads() { return pool().size(); }

void parallel_for(std::int64_t n, std::int64_t grain, const std::function<void(std::int64_t, std::int64_t)>& body) {
  if (n <= 0) return;
  if (n < grain || in_worker || configured_threads() == 1) {
    body(0, n);
    return;
  }
  pool().run_all(n, body);
}

}  // namespace wirtinger::engine
