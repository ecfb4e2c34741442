// The scheduler's parts: the thread that runs the cooperative pool's jobs, and the timers.

import Foundation

/// Runs global jobs on one thread of its own, one at a time, while the caller waits: jobs meant
/// for the cooperative pool never run on the main thread, so `Thread.isMainThread` tells them apart.
final class Worker: @unchecked Sendable {
  private let start = DispatchSemaphore(value: 0)
  private let done = DispatchSemaphore(value: 0)
  private var job: UnownedJob?

  init() {
    let thread = Thread { [unowned self] in
      while true {
        start.wait()
        if let job { job.runSynchronously(on: globalConcurrentExecutor.asUnownedTaskExecutor()) }
        job = nil
        done.signal()
      }
    }
    thread.name = "simulated cooperative pool"
    thread.stackSize = 8 << 20
    thread.start()
  }

  func run(_ job: UnownedJob) {
    self.job = job
    start.signal()
    done.wait()
  }
}

/// Timers ordered by instant, then by the order they were set.
struct TimerQueue {
  enum Fire {
    case job(UnownedJob)
    case wake(UInt64)
    case wakeUncancellable(UInt64)
    case action(@Sendable () -> Void)
  }

  struct Entry {
    let at: Duration
    let order: UInt64
    let fire: Fire
  }

  private var entries: [Entry] = []
  private var count: UInt64 = 0

  var first: Entry? { entries.first }

  mutating func push(at instant: Duration, _ fire: Fire) {
    count += 1
    let entry = Entry(at: instant, order: count, fire: fire)
    var low = 0
    var high = entries.count
    while low < high {
      let middle = (low + high) / 2
      let other = entries[middle]
      if other.at < entry.at || (other.at == entry.at && other.order < entry.order) {
        low = middle + 1
      } else {
        high = middle
      }
    }
    entries.insert(entry, at: low)
  }

  mutating func removeActions() {
    entries.removeAll {
      if case .action = $0.fire { return true }
      return false
    }
  }

  mutating func pop() -> Entry? {
    entries.isEmpty ? nil : entries.removeFirst()
  }
}
