// The simulated iPhone's MLX library: how long its work takes (the pacing the stand-ins await) and
// what it holds in memory while it works. Rules and sources: Memory.swift and docs/simulation.md.

import Foundation
import StandInSupport

extension Phone {

  /// A load: the weights are read over 1.5 to 6 seconds (not cancellable, as the real load).
  func paceLoad() async {
    let (id, steps, pause) = lock.withLock { () -> (Int, Int, Duration) in
      nextID += 1
      ledger.loading[nextID] = 0
      metrics.loadsStarted += 1
      history.loadStarted(at: Scheduler.shared.now, copiesBefore: ledger.copies - 1, lifecycle: lifecycle)
      let total = random.duration(.milliseconds(1500), .milliseconds(6000))
      return (nextID, 6, total / 6)
    }
    note("load \(id) begins (copies in memory or loading, this one included: \(copies))")
    afterChange()
    for step in 1...steps {
      let visits = backgroundVisits
      await Scheduler.shared.sleepIgnoringCancellation(for: pause)
      lock.withLock { ledger.loading[id] = ledger.weights * UInt64(step) / UInt64(steps) }
      // In the background at any time during this part of the load (a short visit counts too).
      if lifecycle == .background || backgroundVisits != visits { die(.loadInBackground) }
      afterChange()
    }
    lock.withLock {
      ledger.loading[id] = nil
      ledger.residentCopies += 1
      metrics.loadsCompleted += 1
      history.loadCompleted(at: Scheduler.shared.now)
    }
    note("load \(id) done")
    afterChange()
  }

  func producerKey() -> Int {
    withUnsafeCurrentTask { $0?.hashValue } ?? 0
  }

  /// Token `index` of a generation: the stand-in produces three per answer; the first carries the
  /// prompt's evaluation (activations held), the second the bulk of the answer, the last one token.
  func paceToken(_ index: Int) async {
    let key = producerKey()
    guard let id = bind(key, index: index) else { return }
    lastProducer = id
    let tokenTime = lock.withLock { random.duration(.milliseconds(25), .milliseconds(80)) }
    switch index {
    case 0:
      await prefill(id)
      produce(id, tokens: 1)
    case 1:
      let total = lock.withLock { generations[id].map { max(0, $0.length - 2) } ?? 0 }
      var done = 0
      while done < total {
        let chunk = min(16, total - done)
        let visits = backgroundVisits
        do {
          try await Scheduler.shared.sleep(until: Scheduler.shared.now + tokenTime * chunk)
        } catch {
          // Cancelled: the token being computed completes, then the producer notices.
          await Scheduler.shared.sleepIgnoringCancellation(for: tokenTime)
          lastProducer = id
          produce(id, tokens: 1)
          return
        }
        lastProducer = id
        done += chunk
        produce(id, tokens: chunk)
        LibraryWorld.shared.submitsGPUWork("a token")
        // Tokens of this chunk computed during a short visit to the background, already over.
        if backgroundVisits != visits && lifecycle != .background {
          note("CRASH: GPU work in the background (a token, while the app was away)")
          die(.libraryCrash("GPU work in the background (a token)"))
        }
      }
    default:
      await Scheduler.shared.sleepIgnoringCancellation(for: tokenTime)
      lastProducer = id
      produce(id, tokens: 1)
    }
  }

  /// Generation `id` evaluates its prompt: its KV cache and the activations are allocated, held
  /// for 0.5 to 4 seconds, and the activations freed. One prompt at a time: the real library
  /// evaluates the prompt inside `generate` (TokenIterator.init), within `ModelContainer.perform`,
  /// which runs one closure at a time (an actor in 2.29.2, a serial container in 2.30.6).
  func prefill(_ id: Int) async {
    let wait = lock.withLock { () -> Bool in
      if prefilling == nil {
        prefilling = id
        return false
      }
      return true
    }
    if wait {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let now = lock.withLock { () -> Bool in
          if prefilling == nil {
            prefilling = id
            return true
          }
          prefillQueue.append((id, continuation))
          return false
        }
        if now { continuation.resume() }
      }
    }
    let context = lock.withLock { () -> Int in
      let context = generations[id]?.contextTokens ?? 0
      ledger.allocate(tier.activations)
      ledger.activations[id] = tier.activations
      _ = ledger.growKV(id, tokens: context, perToken: input.model.kvBytesPerToken)
      return context
    }
    note("generation \(id) evaluates its prompt (\(context) tokens)")
    checkLimit()
    afterChange()
    let duration = lock.withLock { random.duration(.milliseconds(500), .milliseconds(4000)) }
    await Scheduler.shared.sleepIgnoringCancellation(for: duration)
    lastProducer = id
    let next = lock.withLock { () -> CheckedContinuation<Void, Never>? in
      if let held = ledger.activations.removeValue(forKey: id) { ledger.free(held) }
      guard !prefillQueue.isEmpty else {
        prefilling = nil
        return nil
      }
      let (following, continuation) = prefillQueue.removeFirst()
      prefilling = following
      return continuation
    }
    next?.resume()
  }

  /// A stopped producer winds down: the token in flight, then `Stream().synchronize()`.
  func paceWindDown() async {
    let key = producerKey()
    let pause = lock.withLock { random.duration(.milliseconds(2), .milliseconds(60)) }
    await Scheduler.shared.sleepIgnoringCancellation(for: pause)
    if let id = lock.withLock({ producers[key] }) { endGeneration(id, finished: false) }
  }

  func bind(_ key: Int, index: Int) -> Int? {
    lock.withLock {
      if let id = producers[key] { return id }
      guard index == 0, !unbound.isEmpty else { return nil }
      let id = unbound.removeFirst()
      producers[key] = id
      generations[id]?.producer = key
      return id
    }
  }

  func produce(_ id: Int, tokens: Int) {
    lock.withLock {
      guard var record = generations[id] else { return }
      record.produced += tokens
      generations[id] = record
      _ = ledger.growKV(id, tokens: record.contextTokens + record.produced, perToken: input.model.kvBytesPerToken)
    }
    checkLimit()
    afterChange()
  }

  func endGeneration(_ id: Int, finished: Bool) {
    let record = lock.withLock { () -> GenerationRecord? in
      guard let record = generations.removeValue(forKey: id) else { return nil }
      if let key = record.producer { producers[key] = nil }
      ledger.endGeneration(id)
      if finished { metrics.answersCompleted += 1 }
      return record
    }
    guard let record else { return }
    note("generation \(id) \(finished ? "finished" : "wound down") after \(record.produced) tokens")
    afterChange()
  }
}
