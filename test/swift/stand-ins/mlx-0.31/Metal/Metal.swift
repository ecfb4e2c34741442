// Stand-in for the Apple SDK's Metal module, for memtier's tests: empty. mlx-swift-examples'
// LLMEval imports it and uses nothing from it; Linux has no Metal.
