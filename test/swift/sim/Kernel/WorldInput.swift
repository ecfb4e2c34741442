// What the simulated world is made of, as memtier's TypeScript knows it: the device catalog, the
// policy's tiers and their estimates, the model's numbers, the monitor's thresholds. The vitest
// side (test/swift/sim/world-input.ts) writes it from src/devices/catalog.ts,
// src/devices/models.ts, src/policy/memory-estimate.ts and the shipped tiers.yaml; nothing here
// retypes a number.

import Foundation

/// The world's input, decoded from world-input.json.
public struct WorldInput: Decodable, Sendable {
  /// A catalog device.
  public struct Device: Decodable, Sendable {
    public let name: String
    /// RAM sold, in GB.
    public let ramGB: Int
    /// What `ProcessInfo.processInfo.physicalMemory` reports, in bytes.
    public let reported: UInt64
    /// The tier memtier's generated `DeviceMemoryTier` puts it in.
    public let tier: String
    /// The app limit without the increased-memory-limit entitlement, in bytes.
    public let standardLimit: UInt64
    /// The app limit with the entitlement, in bytes.
    public let increasedLimit: UInt64
    /// Where the limits come from: a published measurement, or the rule that derived them.
    public let limitSource: String
  }

  /// A tier of the policy, with memtier's estimate of its peak.
  public struct Tier: Decodable, Sendable {
    public let name: String
    public let cacheLimit: UInt64
    public let memoryLimit: UInt64?
    public let maxTokens: Int
    public let imageSize: Int
    public let keepModelLoaded: Bool
    public let aggressiveCleanup: Bool
    /// memtier's estimated peak (src/policy/memory-estimate.ts), in bytes.
    public let estimate: UInt64
    /// The estimate's activations at this tier's image shape: measured with the real MLX where the
    /// model and release were measured (src/devices/measured.ts), else the model's allowance.
    public let activations: UInt64
  }

  /// The model's numbers (src/devices/models.ts, resolved for the policy's model).
  public struct Model: Decodable, Sendable {
    public let name: String
    public let weights: UInt64
    public let kvBytesPerToken: UInt64
    public let promptTokens: Int
    public let tileSize: Int
    public let tokensPerTile: Int
    public let longestEdge: Int
    public let upscalesImages: Bool
    public let activations: UInt64
  }

  /// The monitor's thresholds from the policy.
  public struct Pressure: Decodable, Sendable {
    public let warningPercent: Double
    public let criticalPercent: Double
    public let recoveryPercent: Double
    public let pollingSeconds: Double
    /// How long a UIKit warning lasts where no limit is known (0 when the runtime has no such rule).
    public let memoryWarningQuietSeconds: Double
  }

  public let devices: [Device]
  public let tiers: [Tier]
  public let model: Model
  public let pressure: Pressure
  /// Whether the policy's app has the increased-memory-limit entitlement.
  public let increasedMemoryLimit: Bool

  /// Reads the input from a JSON file.
  public static func load(path: String) throws -> WorldInput {
    try JSONDecoder().decode(WorldInput.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// A device by name.
  public func device(_ name: String) -> Device? { devices.first { $0.name == name } }

  /// A tier by name.
  public func tier(_ name: String) -> Tier? { tiers.first { $0.name == name } }
}
