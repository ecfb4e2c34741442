// Stand-in for CoreImage on Linux, for memtier's tests: an image is only its extent.

import Foundation

/// Linux Foundation has no CGAffineTransform; this is the scaling part of CoreGraphics' one.
public struct CGAffineTransform: Sendable, Equatable {
  public var a: CGFloat
  public var d: CGFloat

  public init(scaleX: CGFloat, y: CGFloat) {
    a = scaleX
    d = y
  }
}

/// `CoreImage.CIImage`: only the extent, which is all memory cares about.
public struct CIImage: Sendable, Equatable {
  public let extent: CGRect

  public init(extent: CGRect) { self.extent = extent }

  /// `CIImage.transformed(by:)`, for scaling transforms.
  public func transformed(by transform: CGAffineTransform) -> CIImage {
    CIImage(
      extent: CGRect(
        x: extent.origin.x * transform.a, y: extent.origin.y * transform.d,
        width: extent.width * transform.a, height: extent.height * transform.d))
  }
}
