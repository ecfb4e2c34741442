// Stand-in for mlx-swift on Linux, for memtier's tests: it records calls and does nothing else.

import Foundation

/// A thread-safe record of the calls made to the stand-in modules, in order.
public final class CallLog: @unchecked Sendable {
  /// Every stand-in module records here.
  public static let shared = CallLog()

  private let lock = NSLock()
  private var entries: [String] = []

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
}

/// Storage behind the stand-in's static properties, guarded by a lock.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value

  init(_ value: Value) { self.value = value }

  var current: Value {
    get { lock.withLock { value } }
    set { lock.withLock { value = newValue } }
  }
}
