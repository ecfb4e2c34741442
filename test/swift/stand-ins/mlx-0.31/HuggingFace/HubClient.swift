// Stand-in for huggingface/swift-huggingface, module HuggingFace, for memtier's tests: what the
// MLXHuggingFace macros' expansions and the example apps use. Transcribed from the 0.8.1 tag
// (Sources/HuggingFace/Hub/HubClient.swift, HubClient+Files.swift, Repo.swift); mlx-swift-examples
// 378f244 pins 0.9.0, which the reference mirror does not hold. A snapshot "download" reports
// progress once, complete, on the main actor as the real one delivers it, and returns a folder
// named after the repository without creating it.

import Foundation

/// `Repo`: repository identifiers.
public enum Repo {
  /// `Repo.ID`: "namespace/name".
  public struct ID: Hashable, Sendable {
    public let namespace: String
    public let name: String

    public init(namespace: String, name: String) {
      (self.namespace, self.name) = (namespace, name)
    }
  }

  /// `Repo.Kind`.
  public enum Kind: String, Hashable, CaseIterable, Codable, Sendable {
    case model
    case dataset
    case space
  }
}

extension Repo.ID: RawRepresentable {
  public typealias RawValue = String

  public init?(rawValue: String) {
    let parts = rawValue.split(separator: "/", maxSplits: 1)
    guard parts.count == 2 else { return nil }
    (namespace, name) = (String(parts[0]), String(parts[1]))
  }

  public var rawValue: String { "\(namespace)/\(name)" }
}

/// `HubClient`: the Hugging Face Hub.
public final class HubClient: Sendable {
  /// `HubClient.default`.
  public static let `default` = HubClient()

  /// `init(session:userAgent:cache:)`, every argument defaulted (the session and cache types are
  /// not stood in).
  public convenience init(userAgent: String? = nil) {
    self.init(host: URL(fileURLWithPath: "/hub"), userAgent: userAgent)
  }

  /// `init(session:host:userAgent:bearerToken:cache:)`.
  public init(host: URL, userAgent: String? = nil, bearerToken: String? = nil) {}

  /// `downloadSnapshot(of:kind:revision:matching:localFilesOnly:maxConcurrentDownloads:progressHandler:)`.
  public func downloadSnapshot(
    of repo: Repo.ID,
    kind: Repo.Kind = .model,
    revision: String = "main",
    matching globs: [String] = [],
    localFilesOnly: Bool = false,
    maxConcurrentDownloads: Int = 8,
    progressHandler: (@MainActor @Sendable (Progress) -> Void)? = nil
  ) async throws -> URL {
    if let progressHandler {
      await MainActor.run {
        let progress = Progress(totalUnitCount: 1)
        progress.completedUnitCount = 1
        progressHandler(progress)
      }
    }
    return FileManager.default.temporaryDirectory.appendingPathComponent(repo.rawValue)
  }
}
