#include "parallel.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace wirtinger::engine {

namespace {

thread_local bool in_worker = false;

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
      pending_ = size() - 1;
      ++generation_;
    }
    wake_.notify_all();
    chunk(0, n, body);
    std::unique_lock<std::mutex> wait(mutex_);
    done_.wait(wait, [this] { return pending_ == 0; });
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
      const std::function<void(std::int64_t, std::int64_t)>* body;
      std::int64_t n;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        body = body_;
        n = n_;
      }
      chunk(index, n, *body);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex submit_, mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(std::int64_t, std::int64_t)>* body_ = nullptr;
  std::int64_t n_ = 0;
  int pending_ = 0;
  std::uint64_t generation_ = 0;
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
