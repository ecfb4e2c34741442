// Compiled into the module of every memtier-managed app under simulation, beside memtier's
// generated files and the app's patched evaluator class (both unchanged). It plays the parts iOS
// plays on a phone and Linux cannot compile: the UIKit notifications and the Dispatch source the
// generated monitor listens to behind `#if os(iOS)` / `#if canImport(Darwin)`, delivered through
// the monitor's own entry points; and it gives the evaluator the run's monitor, measuring the
// simulated phone on the simulation's clock, through the `memoryMonitor` requirement the generated
// protocol offers for this ("a test's own monitor").
//
// SIM_MONITOR_CLOCK, SIM_APP_STATE, SIM_WARNING_IMPULSE and SIM_DISPATCH_COALESCING say which
// generated API this build has (test/swift/sim/package.ts reads them from the generated monitor),
// so that the same simulation runs the runtime before and after issue 25's fixes.

import CoreImage
import Foundation
import SimKernel

/// The run's monitor; replaced at the next run (tasks of this run may still ask for it while they
/// wind down).
@MainActor var simulatedMonitor: MemoryPressureMonitor?

extension VLMEvaluator {
  /// The simulated phone's monitor, in place of `MemoryPressureMonitor.shared`.
  var memoryMonitor: MemoryPressureMonitor {
    guard let simulatedMonitor else { fatalError("the simulated app was not made by its adapter") }
    return simulatedMonitor
  }
}

/// memtier's generated monitor, measuring the simulated phone (footprint and what the app may
/// still allocate) on the simulation's clock.
@MainActor func makeSimulatedMonitor() -> MemoryPressureMonitor {
  let measure: @Sendable () -> MemoryUsage? = {
    guard let phone = Phone.current else { return nil }
    let usage = phone.usage()
    return MemoryUsage(footprint: usage.footprint, available: usage.available)
  }
  #if SIM_MONITOR_CLOCK
    let monitor = MemoryPressureMonitor(measure: measure, clock: SimClock())
  #else
    let monitor = MemoryPressureMonitor(measure: measure)
  #endif
  simulatedMonitor = monitor
  return monitor
}

extension MemoryPressureMonitor {
  /// The level as the simulation names it.
  var simulatedLevel: Level { Level(rawValue: pressure.rawValue) ?? .critical }

  /// What the generated UIKit observer does with `didReceiveMemoryWarningNotification`.
  func deliverMemoryWarning() {
    #if SIM_WARNING_IMPULSE
      receiveSystemWarning()
    #else
      receiveSystemWarning(critical: true)
    #endif
  }

  /// What the generated Dispatch memory-pressure source's handler does with the source's data,
  /// the flags of `events` (package.ts checks that the generated handler still reads it so).
  func deliverSystemPressure(_ events: Set<Level>) {
    #if SIM_DISPATCH_COALESCING
      // It hands over every level whose flag the data holds.
      receiveSystemPressure(coalescing: Set(events.compactMap { MemoryPressure(rawValue: $0.rawValue) }))
    #else
      // The runtime before: its handler took the worst flag as the level.
      receiveSystemPressure(MemoryPressure(rawValue: (events.max() ?? .normal).rawValue) ?? .critical)
    #endif
  }

  /// What the generated life-cycle observers do (the runtime before issue 25 has none).
  func deliverLifecycle(_ state: Lifecycle) {
    #if SIM_APP_STATE
      switch state {
      case .active: receiveApplicationState(.active)
      case .inactive: receiveApplicationState(.inactive)
      case .background: receiveApplicationState(.background)
      }
    #endif
  }
}

/// A picture of `width` x `height` pixels, made as Core Image makes one: a color, cropped.
func simulatedPicture(width: Int, height: Int) -> CIImage {
  CIImage(color: .gray).cropped(to: CGRect(x: 0, y: 0, width: width, height: height))
}

/// The tier's configuration, as the generated code declares it.
func simulatedConfiguration(_ tier: String) -> MemoryConfiguration {
  guard let tier = DeviceMemoryTier(rawValue: tier) else { fatalError("no tier \(tier)") }
  return .forTier(tier)
}
