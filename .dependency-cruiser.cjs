/**
 * The direction of memtier's source, checked by `npm test` (npm run lint:deps).
 *
 * Folders are listed from the most basic to the outermost. A module may import from its own folder
 * and from folders listed before it, never from one listed after it (that would climb back up a
 * stage), and no import may close a loop. Only validate/validate-policy.ts is validate/'s door, and
 * the pure stages import nothing that reads or writes files.
 */
const LAYERS = [
  ['diagnostics', '^src/diagnostics/'],
  ['policy', '^src/policy/'],
  ['swift', '^src/swift/'],
  ['devices', '^src/devices/'],
  ['load', '^src/load/'],
  ['validate', '^src/validate/'],
  ['mlx', '^src/mlx/'],
  ['model', '^src/model/'],
  ['render', '^src/render/'],
  ['output', '^src/output/'],
  ['patch', '^src/patch/'],
  ['reports', '^src/reports/'],
  // The app's own files as memtier reads them (its Xcode project, Package.resolved, the evaluator
  // file): read by the CLI's commands, reading with patch/'s Swift scanner and mlx/'s parser.
  ['app', '^src/app/'],
  ['api', '^src/(package/|[^/]+\\.ts$)'],
  ['cli', '^src/cli/'],
];

const climbing = LAYERS.flatMap(([name, path], index) => {
  const later = LAYERS.slice(index + 1);
  if (later.length === 0) return [];
  return [{
    name: `${name}-imports-a-later-stage`,
    comment: `${name} comes before ${later.map(([other]) => other).join(', ')}: it may not import from them`,
    severity: 'error',
    from: { path },
    to: { path: later.map(([, laterPath]) => laterPath).join('|') },
  }];
});

module.exports = {
  forbidden: [
    {
      name: 'no-loops',
      comment: 'an import loop ties two modules (or folders) together; move what both need into an earlier one',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'validate-internals',
      comment: 'outside validate/, only validate-policy.ts is used; shared knowledge belongs in policy/ or diagnostics/',
      severity: 'error',
      from: { pathNot: '^src/validate/' },
      to: { path: '^src/validate/', pathNot: '^src/validate/validate-policy\\.ts$' },
    },
    {
      name: 'pure-core-reads-nothing',
      comment: 'the stages from policy to rendered files (and the reports) take data and return data; files are read and written at the edge (load, output, templates, patch, cli)',
      severity: 'error',
      from: { path: '^src/(diagnostics|policy|swift|devices|validate|mlx|model|render|reports)/|^src/generate\\.ts$' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|child_process|net|http|https)$' },
    },
    {
      name: 'unplaced-module',
      comment: 'every module under src/ belongs to one of the folders listed in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.map(([, path]) => path).join('|') },
      to: {},
    },
    ...climbing,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(test|dist|scripts)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
