// Stand-in for MLXLMCommon, for memtier's tests: what an app that builds a model itself, from a
// folder's config.json, uses, as mlx-swift-lm 3.31.4 declares it: `BaseConfiguration`
// (Libraries/MLXLMCommon/BaseConfiguration.swift; only `modelType` and its coding key, the
// quantization and EOS fields left out) and `ModelTypeRegistry` (Registries/ModelTypeRegistry.swift,
// an actor: `createModel` is awaited from outside it). The registry here has no creators unless
// given some.

import Foundation

/// `BaseConfiguration`: Codable, Sendable.
public struct BaseConfiguration: Codable, Sendable {
  public let modelType: String

  enum CodingKeys: String, CodingKey {
    case modelType = "model_type"
  }
}

/// `ModelTypeRegistry`: model types to the functions that make a model from its configuration.
public actor ModelTypeRegistry<T> {
  private var creators: [String: (Data) throws -> T]

  public init() {
    creators = [:]
  }

  public init(creators: [String: (Data) throws -> T]) {
    self.creators = creators
  }

  public func registerModelType(_ type: String, creator: @escaping (Data) throws -> T) {
    creators[type] = creator
  }

  /// Throws for a type with no creator (the real one throws `unsupportedModelType`, a case the
  /// stand-in `ModelFactoryError` does not have).
  public func createModel(configuration: Data, modelType: String) throws -> sending T {
    guard let creator = creators[modelType] else { throw ModelFactoryError.noModelFactoryAvailable }
    return try creator(configuration)
  }

  public func contains(_ modelType: String) -> Bool {
    creators[modelType] != nil
  }
}
