// Stand-in for Core Image on Linux, for memtier's tests. Signatures transcribed from the iOS 26 SDK
// (CoreImage.framework/Headers/CIImage.h, CIColor.h, CIFilter.h, as Swift imports them) and, for
// CGAffineTransform, CoreGraphics' CGAffineTransform.h. An image here is only its extent, which is
// all that memory decisions look at, and whether it was scaled without filtering (a record of the
// stand-in's own, for tests: see `scaledWithoutFiltering`).
//
// CIImage.h declares `NS_CLASS_AVAILABLE(10_4, 5_0) NS_SWIFT_SENDABLE @interface CIImage : NSObject`:
// a class, imported as Sendable. It has no public initializer from an extent: images are made from
// data, colors or other images, so the tests make them as `CIImage(color:).cropped(to:)`.

import Foundation

/// `CGAffineTransform` (CoreGraphics): `[a b; c d]` and a translation; Linux Foundation lacks it.
public struct CGAffineTransform: Equatable, Sendable {
  public var a: CGFloat
  public var b: CGFloat
  public var c: CGFloat
  public var d: CGFloat
  public var tx: CGFloat
  public var ty: CGFloat

  public init(a: CGFloat, b: CGFloat, c: CGFloat, d: CGFloat, tx: CGFloat, ty: CGFloat) {
    (self.a, self.b, self.c, self.d, self.tx, self.ty) = (a, b, c, d, tx, ty)
  }

  /// `CGAffineTransform(scaleX:y:)`.
  public init(scaleX sx: CGFloat, y sy: CGFloat) {
    self.init(a: sx, b: 0, c: 0, d: sy, tx: 0, ty: 0)
  }

  /// `CGAffineTransform(translationX:y:)`.
  public init(translationX tx: CGFloat, y ty: CGFloat) {
    self.init(a: 1, b: 0, c: 0, d: 1, tx: tx, ty: ty)
  }

  /// `CGAffineTransform.identity`.
  public static let identity = CGAffineTransform(a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0)

  /// `concatenating(_:)`: this transform, then `t2`.
  public func concatenating(_ t2: CGAffineTransform) -> CGAffineTransform {
    CGAffineTransform(
      a: a * t2.a + b * t2.c, b: a * t2.b + b * t2.d,
      c: c * t2.a + d * t2.c, d: c * t2.b + d * t2.d,
      tx: tx * t2.a + ty * t2.c + t2.tx, ty: tx * t2.b + ty * t2.d + t2.ty)
  }
}

/// `CIColor` (CIColor.h): only what making a test image needs.
public final class CIColor: NSObject, @unchecked Sendable {
  public let red: CGFloat
  public let green: CGFloat
  public let blue: CGFloat
  public let alpha: CGFloat

  /// `CIColor(red:green:blue:alpha:)`.
  public init(red: CGFloat, green: CGFloat, blue: CGFloat, alpha: CGFloat = 1) {
    (self.red, self.green, self.blue, self.alpha) = (red, green, blue, alpha)
  }

  /// `CIColor.gray`.
  public static let gray = CIColor(red: 0.5, green: 0.5, blue: 0.5)
}

/// `kCIInputScaleKey` (CIFilter.h, `NS_AVAILABLE(10_5, 7_0)`): a scale filter's scale.
public let kCIInputScaleKey = "inputScale"

/// `kCIInputAspectRatioKey` (CIFilter.h, `NS_AVAILABLE(10_5, 7_0)`): a scale filter's additional
/// horizontal scale.
public let kCIInputAspectRatioKey = "inputAspectRatio"

/// `CIImage` (CIImage.h): an immutable recipe for an image; here, its extent.
open class CIImage: NSObject, @unchecked Sendable {
  /// `extent`: the image's bounds in working space; infinite for a solid color.
  public let extent: CGRect

  /// Not Core Image's: whether this image, or one it was made from, was scaled by a plain affine
  /// transform. `transformed(by:)` samples the input at each output pixel without filtering it
  /// first, so a large reduction aliases; CIImage.h offers `imageByApplyingTransform:
  /// highQualityDownsample:` (iOS 11) and the Lanczos filter for that reason.
  public let scaledWithoutFiltering: Bool

  /// The stand-in's own initializer (the real class makes images from data, colors or images).
  init(bounds: CGRect, scaledWithoutFiltering: Bool = false) {
    extent = bounds
    self.scaledWithoutFiltering = scaledWithoutFiltering
  }

  /// `CIImage(color:)`: an image of infinite extent.
  public convenience init(color: CIColor) {
    self.init(bounds: .infinite)
  }

  /// `CIImage(contentsOf:)` (`initWithContentsOfURL:`): like Core Image, reads only the file's
  /// header for the size; this stand-in knows PNG only, and answers nil for anything else.
  public convenience init?(contentsOf url: URL) {
    guard let data = try? Data(contentsOf: url), data.count >= 24,
      data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    else { return nil }
    let number = { (offset: Int) -> Int in
      data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
    }
    self.init(bounds: CGRect(x: 0, y: 0, width: number(16), height: number(20)))
  }

  /// `CIImage.empty()`: an image with an empty extent.
  open class func empty() -> CIImage { CIImage(bounds: .zero) }

  /// `cropped(to:)`: the part of the image inside `rect`.
  open func cropped(to rect: CGRect) -> CIImage {
    CIImage(
      bounds: extent.isInfinite ? rect : extent.intersection(rect),
      scaledWithoutFiltering: scaledWithoutFiltering)
  }

  /// `applyingFilter(_:parameters:)` (`imageByApplyingFilter:withInputParameters:`,
  /// `NS_AVAILABLE(10_10, 8_0)`): the filter's output with this image as `inputImage`. Only
  /// `CILanczosScaleTransform` is stood in; any other name stops the test.
  ///
  /// The Lanczos filter (Apple's CILanczosScaleTransform reference) scales the height by
  /// `inputScale` and the width by `inputScale` times `inputAspectRatio` (default 1), values read
  /// as `Float`, filtering as it goes. Its extent is the scaled one rounded out to whole pixels: a
  /// 335 px wide image scaled by a third comes out 112 px wide, the last column partly transparent
  /// (measured, gigliwood.com "Core Image, part 2").
  open func applyingFilter(_ filterName: String, parameters params: [String: Any]) -> CIImage {
    guard filterName == "CILanczosScaleTransform" else {
      preconditionFailure("the Core Image stand-in has no filter \(filterName)")
    }
    guard !extent.isInfinite, !extent.isNull else { return self }
    let scale = floatValue(params[kCIInputScaleKey]) ?? 1
    let aspectRatio = floatValue(params[kCIInputAspectRatioKey]) ?? 1
    let scaleX = CGFloat(scale * aspectRatio)
    let scaleY = CGFloat(scale)
    let minX = (extent.minX * scaleX).rounded(.down)
    let minY = (extent.minY * scaleY).rounded(.down)
    let maxX = (extent.maxX * scaleX).rounded(.up)
    let maxY = (extent.maxY * scaleY).rounded(.up)
    return CIImage(
      bounds: CGRect(x: minX, y: minY, width: maxX - minX, height: maxY - minY),
      scaledWithoutFiltering: scaledWithoutFiltering)
  }

  /// `transformed(by:)`: the image mapped by an affine transform (its extent mapped likewise).
  open func transformed(by matrix: CGAffineTransform) -> CIImage {
    guard !extent.isInfinite, !extent.isNull else { return self }
    let scales = matrix.a != 1 || matrix.b != 0 || matrix.c != 0 || matrix.d != 1
    let xs: [CGFloat] = [extent.minX, extent.maxX]
    let ys: [CGFloat] = [extent.minY, extent.maxY]
    var mappedX: [CGFloat] = []
    var mappedY: [CGFloat] = []
    for x in xs {
      for y in ys {
        let newX: CGFloat = matrix.a * x + matrix.c * y + matrix.tx
        let newY: CGFloat = matrix.b * x + matrix.d * y + matrix.ty
        mappedX.append(newX)
        mappedY.append(newY)
      }
    }
    let minX = mappedX.min() ?? 0
    let minY = mappedY.min() ?? 0
    let width = (mappedX.max() ?? 0) - minX
    let height = (mappedY.max() ?? 0) - minY
    return CIImage(
      bounds: CGRect(x: minX, y: minY, width: width, height: height),
      scaledWithoutFiltering: scaledWithoutFiltering || scales)
  }
}

/// A filter parameter as the filter reads it: an `NSNumber`'s `floatValue`.
private func floatValue(_ value: Any?) -> Float? {
  switch value {
  case let number as Float: return number
  case let number as Double: return Float(number)
  case let number as CGFloat: return Float(number)
  case let number as Int: return Float(number)
  case let number as NSNumber: return number.floatValue
  default: return nil
  }
}
