// Stand-in for huggingface/swift-transformers 1.3.0, module Hub, for memtier's tests: `HubApi`
// (Sources/Hub/HubApi.swift) only as the type `AutoTokenizer` takes. mlx-swift-lm 3.x no longer
// depends on it; apps that import it add swift-transformers themselves.

/// `HubApi`.
public struct HubApi: Sendable {
  /// `HubApi.shared`.
  public static let shared = HubApi()
}
