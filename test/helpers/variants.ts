import { editedPolicy } from './policy.js';

/** Policy variants whose generated Swift is snapshotted and syntax-checked, by name. */
export const POLICY_VARIANTS: Record<string, string> = {
  default: editedPolicy([]),
  public: editedPolicy([[['output', 'accessLevel'], 'public']]),
  'mlx-memory': editedPolicy([[['evaluator', 'mlxApi'], 'memory']]),
  'no-expectations': editedPolicy([[['expectations'], []]]),
  'single-tier': `tiers:
  - name: everyDevice
    cacheLimit: 20MiB
    memoryLimit: null
    maxTokens: 800
    imageSize: 384
    keepModelLoaded: true
    aggressiveCleanup: false
`,
  'hostile-descriptions': editedPolicy([
    [['tiers', 0, 'description'], 'Ends a block comment */ and opens one /*\nthen a directive:\n#if false\nlet injected = 1'],
    [['tiers', 1, 'description'], 'Quotes " and \\ backslashes, a\r\ncarriage return, \u2028 a line separator, ünïcödé and emoji 📱'],
    [['tiers', 2, 'description'], '   \n\n  blank lines around  \n\n'],
    [['generation', 'temperature'], 1],
    [['tiers', 3, 'memoryLimit'], '3.5GiB'],
  ]),
};
