// Test support for memtier's Swift harness, not a transcription of any library: the stand-in MLX
// modules record here what is called on them, and tests read the record. App code never sees this
// module (the app target does not depend on it).

import Foundation

/// A thread-safe record of the calls made to the stand-in modules, in order.
public final class CallLog: @unchecked Sendable {
  /// Every stand-in module records here.
  public static let shared = CallLog()

  private let lock = NSLock()
  private var entries: [String] = []
  private let gate = NSCondition()
  private var cleanupHeld = false

  /// Records one call, such as `GPU.set(cacheLimit: 20971520)`.
  public func record(_ entry: String) {
    lock.withLock { entries.append(entry) }
  }

  /// The calls recorded so far.
  public var calls: [String] {
    lock.withLock { entries }
  }

  /// Forgets every recorded call.
  public func reset() {
    lock.withLock { entries.removeAll() }
  }

  /// Makes every `clearCache()` wait until `releaseCleanup()`: a test can then tell whether the
  /// caller waited for the clean-up (it would block) or left it to run elsewhere.
  public func holdCleanup() {
    gate.withLock { cleanupHeld = true }
  }

  /// Lets held and later `clearCache()` calls go on.
  public func releaseCleanup() {
    gate.withLock {
      cleanupHeld = false
      gate.broadcast()
    }
  }

  private let generationGate = LockedValue(false)

  /// Makes every generation, once started, wait until `releaseGeneration()` or its cancellation:
  /// a test can then act while a generation holds the model.
  public func holdGeneration() { generationGate.current = true }

  /// Lets held and later generations finish.
  public func releaseGeneration() { generationGate.current = false }

  /// Whether generations are being held.
  public var generationHeld: Bool { generationGate.current }

  /// Waits while clean-up is held, for at most five seconds.
  public func waitWhileCleanupHeld() {
    let deadline = Date().addingTimeInterval(5)
    gate.withLock {
      while cleanupHeld && gate.wait(until: deadline) {}
    }
  }
}

/// Storage behind the stand-ins' static properties, guarded by a lock.
public final class LockedValue<Value: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value

  public init(_ value: Value) { self.value = value }

  public var current: Value {
    get { lock.withLock { value } }
    set { lock.withLock { value = newValue } }
  }
}
