// Stand-in for mlx-swift's MLXNN, for memtier's tests: `open class Module` (Source/MLXNN/Module.swift
// in mlx-swift 0.29.1 and 0.30.6) only as the type `LanguageModel` refines. No layers, no weights.

/// `MLXNN.Module`: the base class of models.
open class Module {
  public init() {}
}
