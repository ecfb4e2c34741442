// Stand-in for Core Image's images made from pixels, for memtier's tests (the generated stress
// test makes its photo-like pictures this way). Declarations as the iOS 26 SDK imports them:
// - CIImage.h `+imageWithBitmapData:bytesPerRow:size:format:colorSpace:` (and the matching
//   `-initWithBitmapData:...`): "Each row contains 'bytesPerRow' bytes. The dimensions of the image
//   are defined by 'size'. 'format' defines the format and size of each pixel", a nil color space
//   means no color matching; in Swift `init(bitmapData data: Data, bytesPerRow: Int, size: CGSize,
//   format: CIFormat, colorSpace: CGColorSpace?)` (iOS 5.0), whose page says the data "must be
//   premultiplied";
// - CIImage.h `typedef int CIFormat NS_TYPED_ENUM;` and `CORE_IMAGE_EXPORT const CIFormat
//   kCIFormatRGBA8;` (and its siblings), imported as a struct with `static let RGBA8`; the
//   constants' values are not in the header, so the raw values here are our own;
// - CoreGraphics' `CGColorSpaceCreateDeviceRGB() -> CGColorSpace` (CGColorSpace.h), which
//   `import CoreImage` brings along (CIImage.h imports ImageIO, which imports CoreGraphics), as
//   CoreImage.swift does for CGAffineTransform.
//
// Like the rest of this module, an image keeps only its extent. Stricter than Core Image, which
// does not check: pixel data shorter than `bytesPerRow * height`, rows shorter than the format's
// pixels, or a size that is not whole positive pixels stop the test (Core Image would read past
// the data or draw garbage, later, on the GPU).

import Foundation

/// `CIFormat` (CIImage.h): a pixel format, `NS_TYPED_ENUM` over `int`.
public struct CIFormat: Hashable, RawRepresentable, Sendable {
  public let rawValue: Int32

  public init(rawValue: Int32) { self.rawValue = rawValue }

  /// `kCIFormatARGB8`: 32 bits a pixel, alpha first.
  public static let ARGB8 = CIFormat(rawValue: 1)
  /// `kCIFormatBGRA8`: 32 bits a pixel, blue first.
  public static let BGRA8 = CIFormat(rawValue: 2)
  /// `kCIFormatRGBA8`: 32 bits a pixel, red first, alpha last.
  public static let RGBA8 = CIFormat(rawValue: 3)
  /// `kCIFormatL8`: 8 bits a pixel, luminance only.
  public static let L8 = CIFormat(rawValue: 4)

  /// Bytes one pixel takes in this format (the formats above only).
  var bytesPerPixel: Int {
    self == .L8 ? 1 : 4
  }
}

/// `CGColorSpace` (CoreGraphics): a color space. Not `Sendable` here: nothing in the tests needs
/// to send one, and a stand-in must not allow what the SDK might refuse.
public final class CGColorSpace {
  fileprivate init() {}
}

/// `CGColorSpaceCreateDeviceRGB()` (CGColorSpace.h): a device-dependent RGB color space.
public func CGColorSpaceCreateDeviceRGB() -> CGColorSpace {
  CGColorSpace()
}

extension CIImage {
  /// `CIImage(bitmapData:bytesPerRow:size:format:colorSpace:)`: an image of `size` pixels at the
  /// origin, made from `data`.
  public convenience init(
    bitmapData data: Data, bytesPerRow: Int, size: CGSize, format: CIFormat,
    colorSpace: CGColorSpace?
  ) {
    let width = Int(size.width)
    let height = Int(size.height)
    precondition(
      width > 0 && height > 0 && CGFloat(width) == size.width && CGFloat(height) == size.height,
      "CIImage(bitmapData:): size \(size) is not whole pixels")
    precondition(
      bytesPerRow >= width * format.bytesPerPixel,
      "CIImage(bitmapData:): \(bytesPerRow) bytes a row hold fewer than \(width) pixels")
    precondition(
      data.count >= bytesPerRow * height,
      "CIImage(bitmapData:): \(data.count) bytes of data, \(bytesPerRow * height) needed")
    self.init(bounds: CGRect(x: 0, y: 0, width: width, height: height))
  }
}
