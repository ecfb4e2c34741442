/**
 * Warnings a team can live with: each has a stable id, is short enough for Xcode's issue navigator
 * (the detail is behind `memtier explain`), and can be acknowledged in the policy, after which it
 * is named once in a summary line instead of repeated on every build.
 */
import { describe, expect, it } from 'vitest';
import { applyAcknowledgements, unusedAcknowledgements } from '../src/diagnostics/acknowledge.js';
import { makeProject } from './helpers/cli.js';
import { packageResolvedText, VLMEVAL_44B14CF } from './helpers/package-resolved.js';
import { DEFAULT_POLICY_TEXT, editedPolicy, SHIPPED_POLICY_WARNINGS } from './helpers/policy.js';

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
      // The shipped values give three: two from the memory estimate, one from the image size.
      expect(found.map((line) => /\[([^\]]+)\]$/.exec(line)?.[1])).toEqual([
        'estimate-over-memory-limit:ultraLow', 'image-size-saves-no-memory', 'memory-limit-above-app-limit:standard:iphone-12-mini',
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
      expect(standard.stdout).toMatch(/= 1\.73 GiB\n/);
      expect(standard.stdout).toContain('ceiling: memoryLimit 2500 MiB: 729.22 MiB (29.2%) left');
      expect(standard.stdout).toContain('github.com/allenai/OLMoE.swift pull request 38');
      expect(standard.stdout).toMatch(/verdict: fits memoryLimit; iPhone 12 mini: memoryLimit above the app limit;/);
      expect(lines.every((line) => line.length <= 100)).toBe(true);
      const ultraLow = await project.run('explain', 'ultraLow');
      expect(ultraLow.stdout).toContain('ceiling: memoryLimit 1500 MiB: over by 234.24 MiB\n');
      expect(ultraLow.stdout).toContain('verdict: over memoryLimit: stalls\n');
    } finally {
      project.cleanup();
    }
  });
});
