/**
 * Warnings a team can live with: each has a stable id, is short enough for Xcode's issue navigator
 * (the detail is behind `memtier explain`), and can be acknowledged in the policy, after which it
 * is named once in a summary line instead of repeated on every build.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyAcknowledgements, unusedAcknowledgements } from '../src/diagnostics/acknowledge.js';
import { makeProject } from './helpers/cli.js';
import { packageResolvedText, VLMEVAL_44B14CF } from './helpers/package-resolved.js';
import { DEFAULT_POLICY_TEXT, editedPolicy, SHIPPED_POLICY_WARNINGS } from './helpers/policy.js';
import { EXAMPLES_44B14CF_PROJECT, pbxprojText } from './helpers/xcode-project.js';

const XCODE_RESOLVED = 'VLMEval.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved';
/** The shipped policy with no acknowledgements and no mlxApi, in an app that pins VLMEval's releases. */
const UNACKNOWLEDGED = editedPolicy([[['acknowledged'], undefined], [['evaluator', 'mlxApi'], undefined]]);
const APP = { [XCODE_RESOLVED]: packageResolvedText(VLMEVAL_44B14CF) };

describe('every warning and note', () => {
  it('ends with an id, and says what is wrong in a message short enough for Xcode\'s issue navigator', async () => {
    const project = makeProject({ 'tiers.yaml': UNACKNOWLEDGED, ...APP });
    try {
      const result = await project.run('check');
      const found = result.stderr.split('\n').filter((line) => / (warning|note): /.test(line));
      // The shipped values give four in VLMEval's app: two from the memory estimate, one from the
      // image size, and one because mlx-swift 0.29.1's clearCache takes no lock.
      expect(found.map((line) => /\[([^\]]+)\]$/.exec(line)?.[1])).toEqual([
        'estimate-over-memory-limit:ultraLow', 'image-size-saves-no-memory', 'memory-limit-above-app-limit:standard:iphone-12-mini', 'clear-cache-unlocked',
      ]);
      for (const line of found) {
        const message = line.replace(/^\S+: (warning|note): [^:]+: /, '').replace(/ \[[^\]]+\]$/, '');
        expect(message.length, message).toBeLessThanOrEqual(200);
      }
    } finally {
      project.cleanup();
    }
  });
});

describe('acknowledged:', () => {
  it('leaves out the warnings it names, names them in one line, and keeps the ones it does not', async () => {
    const policy = `${UNACKNOWLEDGED}\nacknowledged:\n  - warning: image-size-saves-no-memory\n    why: SmolVLM2 tiles images itself before mlx-swift-lm 3.31.4; the sizes bound the pixels we hand over\n`;
    const project = makeProject({ 'tiers.yaml': policy, ...APP });
    try {
      const result = await project.run('check');
      expect(result.stderr).not.toContain('[image-size-saves-no-memory]');
      expect(result.stderr).toContain('[estimate-over-memory-limit:ultraLow]');
      expect(result.stderr).toContain('memtier: 1 acknowledged warning not shown (acknowledged: in tiers.yaml): image-size-saves-no-memory\n');
      expect(result.stderr.match(/acknowledged warning/g)).toHaveLength(1);
    } finally {
      project.cleanup();
    }
  });

  it('the shipped policy acknowledges its two findings: generate prints only the summary line', async () => {
    const project = makeProject({ 'tiers.yaml': DEFAULT_POLICY_TEXT });
    try {
      expect((await project.run('generate')).stderr).toBe(SHIPPED_POLICY_WARNINGS);
    } finally {
      project.cleanup();
    }
  });

  it('an acknowledgement whose warning memtier no longer gives is a note at its line', async () => {
    // Raising ultraLow's limit to 2000 MiB ends its estimate warning; its acknowledgement outlives it.
    const project = makeProject({ 'tiers.yaml': DEFAULT_POLICY_TEXT.replace('memoryLimit: 1500MiB', 'memoryLimit: 2000MiB') });
    try {
      const result = await project.run('generate');
      expect(result.code).toBe(0);
      const line = DEFAULT_POLICY_TEXT.split('\n').indexOf('  - warning: estimate-over-memory-limit:ultraLow') + 1;
      expect(result.stderr).toContain(`tiers.yaml:${line}:14: note: acknowledged[0].warning: acknowledges "estimate-over-memory-limit:ultraLow", which memtier no longer reports; remove this entry\n`);
    } finally {
      project.cleanup();
    }
  });

  it('cannot leave out an error, and needs a reason', () => {
    const error = { severity: 'error' as const, message: 'broken', id: 'x' };
    const warning = { severity: 'warning' as const, message: 'odd', id: 'x' };
    const acknowledgement = { id: 'x', place: { file: 'tiers.yaml', line: 3, column: 14, path: 'acknowledged[0].warning' } };
    expect(applyAcknowledgements([error, warning], [acknowledgement])).toEqual({ shown: [error], acknowledged: [warning] });
    expect(unusedAcknowledgements([acknowledgement], [warning])).toEqual([]);
    expect(unusedAcknowledgements([acknowledgement], [])).toEqual([{ severity: 'note', file: 'tiers.yaml', line: 3, column: 14, path: 'acknowledged[0].warning', message: 'acknowledges "x", which memtier no longer reports; remove this entry' }]);
 
    // A stress report's warning is given only where reports are read (budget/explain --reports): a run without them cannot call it unused.
    expect(unusedAcknowledgements([{ ...acknowledgement, id: 'report-thermal:standard:iphone-13' }], [])).toEqual([]);
  });

  it('an entry without a reason is an error at its line', async () => {
    const project = makeProject({ 'tiers.yaml': `${UNACKNOWLEDGED}\nacknowledged:\n  - warning: image-size-saves-no-memory\n` });
    try {
      const result = await project.run('check');
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^tiers\.yaml:\d+:5: error: acknowledged\[0\]\.why: /m);
    } finally {
      project.cleanup();
    }
  });
});

describe('memtier explain TIER: the detail the warnings point to', () => {
  it('names the tier\'s devices, the estimate term by term, each ceiling with its source, and the verdicts', async () => {
    const project = makeProject({ 'tiers.yaml': DEFAULT_POLICY_TEXT });
    try {
      const standard = await project.run('explain', 'standard');
      expect(standard.code).toBe(0);
      const lines = standard.stdout.split('\n');
      expect(lines[0]).toBe('standard (tiers[2]): devices that report above 3 GiB and up to 6 GiB of physical memory');
      expect(standard.stdout).toContain('iPhone 12 mini');
      expect(standard.stdout).toMatch(/= 1\.76 GiB; measured peak 1\.67 GiB /);
      expect(standard.stdout).toContain('ceiling: memoryLimit 2500 MiB: 696.99 MiB (27.9%) left');
      expect(standard.stdout).toContain('github.com/allenai/OLMoE.swift pull request 38');
      expect(standard.stdout).toMatch(/verdict: fits memoryLimit; iPhone 12 mini: memoryLimit above the app limit;/);
      expect(lines.every((line) => line.length <= 100)).toBe(true);
      const ultraLow = await project.run('explain', 'ultraLow');
      expect(ultraLow.stdout).toContain('ceiling: memoryLimit 1500 MiB: over by 266.01 MiB\n');
      expect(ultraLow.stdout).toContain('verdict: over memoryLimit: stalls\n');
    } finally {
      project.cleanup();
    }
  });
});

describe('the app\'s deployment target, read from its Xcode project', () => {
  /** The shipped policy, unacknowledged, naming VLMEval's evaluator and the project that builds it. */
  const VLMEVAL_APP = editedPolicy([
    [['acknowledged'], undefined],
    [['evaluator', 'source'], 'Applications/VLMEval/ContentView.swift'],
    [['app', 'xcodeProject'], 'mlx-swift-examples.xcodeproj'],
  ]);
  const PROJECT = { 'mlx-swift-examples.xcodeproj/project.pbxproj': pbxprojText(EXAMPLES_44B14CF_PROJECT) };

  it('VLMEval\'s target (17.2) leaves ultraLow without a device: one short warning at the tier, instead of its estimate finding', async () => {
    const project = makeProject({ 'tiers.yaml': VLMEVAL_APP, ...PROJECT });
    try {
      const result = await project.run('generate');
      expect(result.code).toBe(0);
      const found = result.stderr.split('\n').filter((line) => / (warning|note): /.test(line));
      expect(found.map((line) => /\[([^\]]+)\]$/.exec(line)?.[1])).toEqual(['tier-without-devices:ultraLow', 'memory-limit-above-app-limit:standard:iphone-12-mini']);
      expect(found[0]).toBe('tiers.yaml:12:5: warning: tiers[0]: no catalog device that can install the app lands here, so these limits never apply: iPhone 8 runs iOS 16 at most, and the app needs iOS 17.2 (target VLMEval in mlx-swift-examples.xcodeproj) [tier-without-devices:ultraLow]');
      for (const line of found) expect(line.replace(/^\S+: (warning|note): [^:]+: /, '').replace(/ \[[^\]]+\]$/, '').length, line).toBeLessThanOrEqual(200);
    } finally {
      project.cleanup();
    }
  });

  it('the shipped acknowledgement of ultraLow\'s estimate outlives it there, and tier-without-devices can be acknowledged in its place', async () => {
    const shipped = editedPolicy([[['evaluator', 'source'], 'Applications/VLMEval/ContentView.swift'], [['app', 'xcodeProject'], 'mlx-swift-examples.xcodeproj']]);
    const project = makeProject({ 'tiers.yaml': shipped, ...PROJECT });
    try {
      const first = await project.run('generate');
      expect(first.stderr).toContain('[tier-without-devices:ultraLow]');
      expect(first.stderr).toMatch(/note: acknowledged\[0\]\.warning: acknowledges "estimate-over-memory-limit:ultraLow", which memtier no longer reports; remove this entry/);
      const replaced = shipped.replace('warning: estimate-over-memory-limit:ultraLow', 'warning: tier-without-devices:ultraLow');
      writeFileSync(project.path('tiers.yaml'), replaced);
      expect((await project.run('generate')).stderr).toBe('memtier: 2 acknowledged warnings not shown (acknowledged: in tiers.yaml): tier-without-devices:ultraLow, memory-limit-above-app-limit:standard:iphone-12-mini\n');
    } finally {
      project.cleanup();
    }
  });

  it('a named project that does not tell is a warning at app.xcodeProject, and every device counts', async () => {
    const elsewhere = VLMEVAL_APP.replace('Applications/VLMEval/ContentView.swift', 'Elsewhere/Model.swift');
    const project = makeProject({ 'tiers.yaml': elsewhere, ...PROJECT });
    try {
      const result = await project.run('generate');
      const line = elsewhere.split('\n').findIndex((text) => text.startsWith('  xcodeProject:')) + 1;
      expect(result.stderr).toContain(`tiers.yaml:${line}:17: warning: app.xcodeProject: the app's deployment target is unknown: mlx-swift-examples.xcodeproj has 3 app targets and none compiles Elsewhere/Model.swift; set app.deploymentTarget, or every catalog device counts as one the app installs on [deployment-target-unknown]\n`);
      expect(result.stderr).toContain('[estimate-over-memory-limit:ultraLow]');
      expect(result.stderr).not.toContain('tier-without-devices');
      // devices says it too, and lists every device.
      const devices = await project.run('devices', '--json');
      expect(devices.stderr).toContain('[deployment-target-unknown]');
      expect(JSON.parse(devices.stdout).deploymentTarget).toBe(null);
    } finally {
      project.cleanup();
    }
  });
});
