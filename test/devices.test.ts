import { describe, expect, it } from 'vitest';
import { DEVICES, estimateReported, findDevice } from '../src/devices/catalog.js';
import { devicesJson, devicesTable } from '../src/reports/device-table.js';
import { explain, formatExplanation } from '../src/reports/explain.js';
import { formatMarkdownTable, formatTerminalTable } from '../src/reports/table.js';
import { makeProject } from './helpers/cli.js';
import { diagnosticsOf, editedPolicy, isEstimateFinding, validPolicy } from './helpers/policy.js';

describe('the device catalog', () => {
  it('has unique names and identifiers, iPhones from the 8 / X generation on and recent iPads', () => {
    const names = DEVICES.map((device) => device.name);
    expect(new Set(names).size).toBe(names.length);
    const identifiers = DEVICES.flatMap((device) => device.identifiers);
    expect(new Set(identifiers).size).toBe(identifiers.length);
    expect(names[0]).toBe('iPhone 8');
    expect(names).toContain('iPhone X');
    expect(names).toContain('iPhone 16 Pro Max');
    expect(DEVICES.filter((device) => device.family === 'iPad').length).toBeGreaterThanOrEqual(5);
  });

  it('uses the measured values from facts.md where known, with their source', () => {
    expect(findDevice('iPhone 15 Pro Max')).toMatchObject({ reported: 8_021_032_960n, reportedSource: { kind: 'exact' } });
    expect(findDevice('iphone14,2')).toMatchObject({ name: 'iPhone 13 Pro', reported: 5_917_753_344n, reportedSource: { kind: 'exact' } });
    expect(findDevice('iPhone 11')).toMatchObject({ reportedSource: { kind: 'approximate' } });
    expect(findDevice('iPhone 13 mini')?.reportedSource).toEqual({ kind: 'estimated' });
  });

  it('estimates 92% of the RAM sold, close to every measured device', () => {
    expect(estimateReported(4)).toBe(3768n * 1024n * 1024n);
    for (const device of DEVICES.filter((candidate) => candidate.reportedSource.kind !== 'estimated')) {
      const estimate = Number(estimateReported(device.ramGB));
      // Exact measurements within 2%; approximate reports (one of unclear unit) within 6%.
      const bound = device.reportedSource.kind === 'exact' ? 0.02 : 0.06;
      expect(Math.abs(estimate - Number(device.reported)) / Number(device.reported), device.name).toBeLessThan(bound);
    }
  });

  it('puts every 4 GB phone in standard under the shipped policy', () => {
    const policy = validPolicy();
    const table = devicesTable(policy);
    for (const device of DEVICES.filter((candidate) => candidate.ramGB === 4 && candidate.family === 'iPhone')) {
      expect(table.rows.find((row) => row[0] === device.name)?.[4], device.name).toBe('standard');
    }
  });
});

describe('memtier devices', () => {
  it('renders the reviewed Markdown table and the terminal table', async () => {
    const policy = validPolicy();
    await expect(await formatMarkdownTable(devicesTable(policy))).toMatchFileSnapshot('./__snapshots__/devices.md');
    // In a terminal, the 133 columns become the devices with their tiers, then each tier's limits once.
    const terminal = formatTerminalTable(devicesTable(policy)).split('\n');
    expect(terminal[0]).toMatch(/^Device\s+Identifier\s+RAM\s+Reports\s+Tier$/);
    expect(terminal.find((line) => line.startsWith('iPhone 13 mini '))).toMatch(/iPhone14,4\s+4 GB\s+~3\.68 GiB\s+standard$/);
    expect(terminal.slice(terminal.indexOf('') + 1).join('\n')).toBe([
      'Tier      cacheLimit  memoryLimit         maxTokens  imageSize',
      '--------  ----------  ------------------  ---------  ---------',
      'ultraLow  3 MiB       1500 MiB            300        192 px',
      'low       8 MiB       2000 MiB            500        256 px',
      'standard  20 MiB      2500 MiB            800        384 px',
      'high      50 MiB      none (MLX default)  1000       448 px',
      '',
    ].join('\n'));
    expect(Math.max(...terminal.map((line) => line.length))).toBeLessThanOrEqual(100);
  });

  it('gives stable JSON', () => {
    const json = JSON.parse(devicesJson(validPolicy()));
    expect(json.version).toBe(1);
    expect(json.devices[0]).toEqual({
      name: 'iPhone 8', identifiers: ['iPhone10,1', 'iPhone10,4'], family: 'iPhone', ramGB: 2, reportedBytes: 1_975_517_184,
      reportedSource: { kind: 'estimated' }, tier: 'ultraLow',
      limits: { cacheLimit: 3_145_728, memoryLimit: 1_572_864_000, maxTokens: 300, imageSize: 192, keepModelLoaded: false, aggressiveCleanup: true },
    });
  });

  it('runs from the command line in each format', async () => {
    const project = makeProject();
    try {
      const text = await project.run('devices');
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('~ estimated as 92% of the RAM sold');
      expect((await project.run('devices', '--markdown')).stdout).toMatch(/^\| Device +\| Identifier/);
      expect(JSON.parse((await project.run('devices', '--json')).stdout).devices).toHaveLength(DEVICES.length);
      expect((await project.run('devices', '--json', '--markdown')).stderr).toBe('memtier: error: choose one of --markdown and --json\n');
    } finally {
      project.cleanup();
    }
  });
});

describe('memtier explain', () => {
  const policy = validPolicy();

  it('answers standard for "iPhone 13 mini" and for 3.6GiB, with the reason', () => {
    const device = explain(policy, 'iPhone 13 mini');
    expect(formatExplanation(device as Exclude<typeof device, { error: string }>)).toMatchInlineSnapshot(`
      "iPhone 13 mini (iPhone14,4), 4 GB RAM, reports 3768 MiB [estimated as 92% of the RAM sold (measured
        devices report 90-93%)]
      tier:    standard (tiers[2])
      why:     3.68 GiB is above tiers[1].upTo (3 GiB, the top of low) and at or below tiers[2].upTo
               (6 GiB)
      margin:  696.00 MiB (18.47%) from tiers[1].upTo (3 GiB), the nearest boundary
      limits:  cacheLimit 20 MiB, memoryLimit 2500 MiB, maxTokens 800, imageSize 384 px,
               keepModelLoaded yes, aggressiveCleanup no
      memory:  estimated peak for SmolVLM2-500M-Video-Instruct-mlx at standard's limits
               (see memtier budget):
                 weights       967.03 MiB
               + KV cache      83.75 MiB = 40 KiB x 2144 tokens (maxTokens 800 + prompt 256 + image 1088:
                               2048 px in 4x4 tiles of 512 px + a global image, 64 tokens each)
               + cacheLimit    20 MiB
               + activations   700.00 MiB
               = 1.73 GiB
      ceiling: memoryLimit 2500 MiB: 729.22 MiB (29.2%) left
               app limit on iPhone 13 mini: not published
      verdict: fits memoryLimit; app limit not published
      "
    `);
    const size = explain(policy, '3.6GiB');
    expect(formatExplanation(size as Exclude<typeof size, { error: string }>)).toMatchInlineSnapshot(`
      "3.60 GiB (3_865_470_566 bytes) (rounded to the nearest byte)
      tier:    standard (tiers[2])
      why:     3.60 GiB is above tiers[1].upTo (3 GiB, the top of low) and at or below tiers[2].upTo
               (6 GiB)
      margin:  614.40 MiB (16.66%) from tiers[1].upTo (3 GiB), the nearest boundary
      limits:  cacheLimit 20 MiB, memoryLimit 2500 MiB, maxTokens 800, imageSize 384 px,
               keepModelLoaded yes, aggressiveCleanup no
      memory:  estimated peak for SmolVLM2-500M-Video-Instruct-mlx at standard's limits
               (see memtier budget):
                 weights       967.03 MiB
               + KV cache      83.75 MiB = 40 KiB x 2144 tokens (maxTokens 800 + prompt 256 + image 1088:
                               2048 px in 4x4 tiles of 512 px + a global image, 64 tokens each)
               + cacheLimit    20 MiB
               + activations   700.00 MiB
               = 1.73 GiB
      ceiling: memoryLimit 2500 MiB: 729.22 MiB (29.2%) left
      verdict: fits memoryLimit
      "
    `);
  });

  it('reads bytes and identifiers, and suggests a device name for a typo', () => {
    expect(explain(policy, '3865470566')).toMatchObject({ tier: { name: 'standard' }, rounded: false });
    expect(explain(policy, 'iPhone16,2')).toMatchObject({ tier: { name: 'high' } });
    expect(explain(policy, '1')).toMatchObject({ tier: { name: 'ultraLow' }, nearest: { boundary: 'tiers[0].upTo (2 GiB)' } });
    // A size with a lower-case unit is a size: the message says which units are meant.
    expect(explain(policy, '4gb')).toEqual({ error: 'unknown unit "gb" in "4gb"; units are case-sensitive: write 4GB (4,000,000,000 bytes) or 4GiB (4,294,967,296 bytes)' });
    expect(explain(policy, 'iphone 13 mni')).toEqual({ error: '"iphone 13 mni" is neither a size (like "3.6GiB" or 3865470566) nor a device in the catalog; did you mean "iPhone 13 mini"?' });
  });

  it('exits 2 on the command line for what it cannot read', async () => {
    const project = makeProject();
    try {
      const ok = await project.run('explain', 'iPhone 13 mini');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('tier:    standard (tiers[2])');
      expect((await project.run('explain', 'lots')).code).toBe(2);
      expect((await project.run('explain')).stderr).toContain('memtier explain needs a size such as 3.6GiB');
    } finally {
      project.cleanup();
    }
  });
});

describe('the margin lint', () => {
  it('warns when a boundary is within 5% of what a catalog device reports, and not for the shipped policy', () => {
    expect(diagnosticsOf(editedPolicy([])).filter((line) => line.includes('warning') && !isEstimateFinding(line))).toEqual([]);
    const close = diagnosticsOf(editedPolicy([[['tiers', 2, 'upTo'], '7600MiB']])).filter((line) => !isEstimateFinding(line));
    const eightGB = DEVICES.filter((device) => device.ramGB === 8).length;
    expect(close).toEqual([
      `tiers.yaml:34:11: warning: tiers[2].upTo: 7600 MiB is within 5% of what iPhone 15 Pro (estimated 7536 MiB), iPhone 15 Pro Max (7.47 GiB (8_021_032_960 bytes)), iPhone 16 (estimated 7536 MiB) and ${eightGB - 3} more (see memtier devices) report; reported memory moves between iOS versions, so leave more margin [bound-near-device:standard]`,
    ]);
  });
});
