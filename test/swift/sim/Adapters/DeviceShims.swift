// Compiled into the module of an original app class under simulation (one memtier has not
// patched): where the class asks Foundation about the hardware or blocks a thread, the simulated
// phone answers. Declarations of this module shadow Foundation's for the class's code, which stays
// unchanged: `ProcessInfo.processInfo.physicalMemory` is the simulated device's reported memory,
// and `Thread.sleep(forTimeInterval:)` blocks on virtual time (counted as main-thread time when
// the main thread sleeps).

import CoreImage
import Foundation
import SimKernel

/// The simulated device's `ProcessInfo`.
struct ProcessInfo {
  static var processInfo: ProcessInfo { ProcessInfo() }

  /// What the simulated device reports as its physical memory.
  var physicalMemory: UInt64 { Phone.current?.device.reported ?? 0 }
}

/// The simulated device's `Thread`, for the sleeps in the app's clean-up loops.
enum Thread {
  static func sleep(forTimeInterval interval: TimeInterval) {
    Phone.current?.blockThread(seconds: interval)
  }
}

/// A picture of `width` x `height` pixels, made as Core Image makes one: a color, cropped.
func simulatedPicture(width: Int, height: Int) -> CIImage {
  CIImage(color: .gray).cropped(to: CGRect(x: 0, y: 0, width: width, height: height))
}

/// `autoreleasepool(invoking:)` of Darwin's Objective-C overlay, which Linux lacks: Swift
/// objects are not autoreleased, so it only runs the body.
func autoreleasepool<Result>(invoking body: () throws -> Result) rethrows -> Result {
  try body()
}
