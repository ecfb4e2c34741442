import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVICES, estimateReported, findDevice } from '../src/devices/catalog.js';
import { catalogScope, compareOsVersions, parseOsVersion, rangeApplies, runsTarget } from '../src/devices/deployment-target.js';
import { appLimitOf } from '../src/devices/fit.js';
import { devicesJson, devicesTable } from '../src/reports/device-table.js';
import { explain, explainTier, formatExplanation, formatTierExplanation } from '../src/reports/explain.js';
import { formatMarkdownTable, formatTerminalTable } from '../src/reports/table.js';
import { makeProject } from './helpers/cli.js';
import { diagnosticsOf, editedPolicy, isEstimateFinding, validPolicy } from './helpers/policy.js';
import { EXAMPLES_44B14CF_PROJECT, pbxprojText, type ProjectFacts } from './helpers/xcode-project.js';

/** The shipped policy with `app.deploymentTarget`. */
const withTarget = (version: string) => editedPolicy([[['app', 'deploymentTarget'], version]]);
/** What a report reads when the policy says "17.2". */
const IOS_17_2 = { version: '17.2', from: 'app.deploymentTarget in tiers.yaml' };
const names = (devices: readonly { name: string }[]) => devices.map((device) => device.name);

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
    const tier = table.headers.indexOf('Tier');
    for (const device of DEVICES.filter((candidate) => candidate.ramGB === 4 && candidate.family === 'iPhone')) {
      expect(table.rows.find((row) => row[0] === device.name)?.[tier], device.name).toBe('standard');
    }
  });
});

describe('memtier devices', () => {
  it('renders the reviewed Markdown table and the terminal table', async () => {
    const policy = validPolicy();
    await expect(await formatMarkdownTable(devicesTable(policy))).toMatchFileSnapshot('./__snapshots__/devices.md');
    // In a terminal, the 133 columns become the devices with their tiers, then each tier's limits once.
    const terminal = formatTerminalTable(devicesTable(policy)).split('\n');
    expect(terminal[0]).toMatch(/^Device\s+Identifier\s+RAM\s+Reports\s+Newest OS\s+Tier$/);
    expect(terminal.find((line) => line.startsWith('iPhone 13 mini '))).toMatch(/iPhone14,4\s+4 GB\s+~3\.68 GiB\s+iOS 27\s+standard$/);
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
    expect(json.deploymentTarget).toBe(null);
    expect(json.leftOut).toEqual([]);
    expect(json.devices[0]).toEqual({
      name: 'iPhone 8', identifiers: ['iPhone10,1', 'iPhone10,4'], family: 'iPhone', ramGB: 2, reportedBytes: 1_975_517_184,
      reportedSource: { kind: 'estimated' }, newestOS: { name: 'iOS', newest: 16, current: false, source: expect.stringContaining('not the iPhone 8, 8 Plus or X') }, tier: 'ultraLow',
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
      runs:    iOS 27
      tier:    standard (tiers[2])
      why:     3.68 GiB is above tiers[1].upTo (3 GiB, the top of low) and at or below tiers[2].upTo
               (6 GiB)
      margin:  696.00 MiB (18.47%) from tiers[1].upTo (3 GiB), the nearest boundary
      limits:  cacheLimit 20 MiB, memoryLimit 2500 MiB, maxTokens 800, imageSize 384 px,
               keepModelLoaded yes, aggressiveCleanup no
      memory:  estimated peak for SmolVLM2-500M-Video-Instruct-mlx at standard's limits
               (see memtier budget):
                 weights       967.03 MiB (estimated: the parameter count; measured 967.95 MiB)
               + KV cache      90.00 MiB = 40 KiB x 2304 tokens (maxTokens 800 + prompt 256 + image 1088:
                               2048 px in 4x4 tiles of 512 px + a global image, 64 tokens each, + layout
                               40 = 2184, in KVCacheSimple's 256-token steps; measured 90.00 MiB)
               + cacheLimit    20 MiB
               + activations   725.99 MiB (measured: vision 725.41 MiB, above prefill 199.52 MiB, +
                               585.87 KiB a decoding step)
               = 1.76 GiB; measured peak 1.67 GiB (MLX's 1.65 GiB, in the vision encoding, + cacheLimit)
                 measured: SmolVLM2-500M-Video-Instruct-mlx, mlx-swift-lm 2.29.2 (for releases before
                               3.31.4), 4x4 tiles + global, on 2026-12-06: the real MLX on a CPU, Metal
                               equivalent (tools/measure/REPORT.md)
      ceiling: memoryLimit 2500 MiB: 696.99 MiB (27.9%) left
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
                 weights       967.03 MiB (estimated: the parameter count; measured 967.95 MiB)
               + KV cache      90.00 MiB = 40 KiB x 2304 tokens (maxTokens 800 + prompt 256 + image 1088:
                               2048 px in 4x4 tiles of 512 px + a global image, 64 tokens each, + layout
                               40 = 2184, in KVCacheSimple's 256-token steps; measured 90.00 MiB)
               + cacheLimit    20 MiB
               + activations   725.99 MiB (measured: vision 725.41 MiB, above prefill 199.52 MiB, +
                               585.87 KiB a decoding step)
               = 1.76 GiB; measured peak 1.67 GiB (MLX's 1.65 GiB, in the vision encoding, + cacheLimit)
                 measured: SmolVLM2-500M-Video-Instruct-mlx, mlx-swift-lm 2.29.2 (for releases before
                               3.31.4), 4x4 tiles + global, on 2026-12-06: the real MLX on a CPU, Metal
                               equivalent (tools/measure/REPORT.md)
      ceiling: memoryLimit 2500 MiB: 696.99 MiB (27.9%) left
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

describe('the newest iOS each device runs', () => {
  it('iOS 17 runs on the iPhone XS, XR and later; iOS 26 and 27 on the iPhone 11 and later and the SE (2nd generation) and later; every catalog iPad runs iPadOS 27', () => {
    const iPhones = DEVICES.filter((device) => device.family === 'iPhone');
    expect(names(iPhones.filter((device) => !runsTarget(device.os, '17.0')))).toEqual(['iPhone 8', 'iPhone 8 Plus', 'iPhone X']);
    expect(names(iPhones.filter((device) => !runsTarget(device.os, '26.0')))).toEqual(['iPhone 8', 'iPhone 8 Plus', 'iPhone X', 'iPhone XR', 'iPhone XS', 'iPhone XS Max']);
    expect(names(iPhones.filter((device) => !runsTarget(device.os, '27.0')))).toEqual(names(iPhones.filter((device) => !runsTarget(device.os, '26.0'))));
    expect(findDevice('iPhone X')!.os).toMatchObject({ name: 'iOS', newest: 16, current: false });
    expect(findDevice('iPhone XR')!.os).toMatchObject({ name: 'iOS', newest: 18, current: false });
    expect(findDevice('iPhone SE (2nd generation)')!.os).toMatchObject({ name: 'iOS', newest: 27, current: true });
    for (const iPad of DEVICES.filter((device) => device.family === 'iPad')) expect(iPad.os, iPad.name).toMatchObject({ name: 'iPadOS', newest: 27, current: true });
    // Each value names Apple's list and where it was reported.
    for (const device of DEVICES) expect(device.os.source, device.name).toMatch(/\(Apple[^)]*; [a-z0-9.]+\.(com|dev|to)\b/);
  });

  it('compares versions part by part; a device runs every update of its newest release, and one Apple still supports counts as running a later one', () => {
    expect(parseOsVersion('17.2')).toEqual([17, 2]);
    expect(parseOsVersion('17')).toEqual([17]);
    expect(parseOsVersion('17.x')).toBeUndefined();
    expect(compareOsVersions('17', '17.0')).toBe(0);
    expect(compareOsVersions('17.2', '17.10')).toBe(-1);
    expect(compareOsVersions('26.4', '26.3.1')).toBe(1);
    const iPhoneX = findDevice('iPhone X')!.os;
    expect([runsTarget(iPhoneX, '16.4'), runsTarget(iPhoneX, '17.0'), runsTarget(findDevice('iPhone 11')!.os, '28.0')]).toEqual([true, false, true]);
    expect(names(catalogScope(IOS_17_2).leftOut)).toEqual(['iPhone 8', 'iPhone 8 Plus', 'iPhone X']);
    expect(catalogScope().leftOut).toEqual([]);
  });
});

describe('app limits reported per OS version', () => {
  const iPad = findDevice('iPad Air 11-inch (M2)')!;
  const target = (version: string) => ({ version, from: 'a test' });

  it('keeps each measurement with its iPadOS versions and source: iPadOS 26.4 halved what an 8 GB iPad lets an app use', () => {
    expect(iPad.appLimits?.map((limit) => [limit.os, limit.increased, limit.standard])).toEqual([
      [{ from: '26.0', through: '26.3' }, 6_000_000_000n, undefined],
      [{ from: '26.4', through: '26.5' }, 3_000_000_000n, undefined],
    ]);
    for (const device of DEVICES.filter((candidate) => candidate.family === 'iPad')) {
      expect(device.appLimits, device.name).toBe(device.ramGB === 8 ? iPad.appLimits : undefined);
    }
    expect(iPad.appLimits![1]!.source).toContain('developer.apple.com/forums/thread/826325');
  });

  it('uses the smallest limit measured on an iPadOS the app can meet there (its target up to the newest release), naming the versions and the source', () => {
    // Without a target, and with 17.2 or 26.0, both measurements are in range: the app must fit on 26.4 too.
    for (const version of [undefined, '17.2', '26.0']) {
      expect(appLimitOf(iPad, true, version === undefined ? undefined : target(version)), version).toEqual({
        bytes: 3_000_000_000n, entitlement: true, os: 'iPadOS 26.4-26.5',
        source: 'iPadOS 26.4-26.5: developer.apple.com/forums/thread/826325, an 8 GB iPad (model not named): app available memory "≈ 3GB (37.5% of total RAM)"',
      });
    }
    // An app for iPadOS 27 meets neither: no published limit.
    expect(appLimitOf(iPad, true, target('27.0'))).toBeUndefined();
    // The thread's figures are read as with the entitlement (6 GB of 8 is what it allowed): without it, none.
    expect(appLimitOf(iPad, false)).toBeUndefined();
    // A measurement without versions counts for every target.
    expect(appLimitOf(findDevice('iPhone 12')!, true, target('27.0'))?.bytes).toBe(4_000_000_000n);
  });

  it('a range applies when it overlaps the target to the newest release the device runs', () => {
    const iPhoneXR = findDevice('iPhone XR')!.os;
    expect(rangeApplies({ from: '18.2', through: '18.4' }, iPhoneXR, target('17.2'))).toBe(true);
    expect(rangeApplies({ from: '26.0' }, iPhoneXR, undefined)).toBe(false);
    expect(rangeApplies({ through: '17.1' }, iPhoneXR, target('17.2'))).toBe(false);
    expect(rangeApplies({ from: '30.0' }, iPad.os, target('17.2'))).toBe(true);
  });
});

describe('devices the app cannot be installed on', () => {
  let project: ReturnType<typeof makeProject> | undefined;
  afterEach(() => project?.cleanup());

  it('memtier devices leaves them out of each format and says so in one line', async () => {
    const project = makeProject({ 'tiers.yaml': withTarget('17.2') });
    try {
      const text = await project.run('devices');
      expect(text.code).toBe(0);
      expect(text.stdout).not.toMatch(/^iPhone (8|X) /m);
      expect(text.stdout).toMatch(/^iPhone XR +iPhone11,8 +3 GB +~2\.76 GiB +iOS 18 +low$/m);
      expect(text.stdout.endsWith([
        '3 catalog devices are left out, as the app cannot be installed on them: its deployment target is',
        'iOS 17.2 (app.deploymentTarget in tiers.yaml), and iPhone 8, iPhone 8 Plus and iPhone X run iOS 16',
        'at most',
        '',
      ].join('\n'))).toBe(true);
      const json = JSON.parse((await project.run('devices', '--json')).stdout);
      expect(json.deploymentTarget).toEqual(IOS_17_2);
      expect(json.leftOut).toEqual(['iPhone 8', 'iPhone 8 Plus', 'iPhone X'].map((name) => ({ name, newestOS: { name: 'iOS', newest: 16, current: false, source: findDevice(name)!.os.source } })));
      expect(json.devices).toHaveLength(DEVICES.length - 3);
      expect((await project.run('devices', '--markdown')).stdout).toContain('3 catalog devices are left out, as the app cannot be installed on them: its deployment target is iOS 17.2');
    } finally {
      project.cleanup();
    }
  });

  it('explain "iPhone 8" with an iOS 17 target answers, and says the app cannot be installed there', () => {
    const answer = explain(validPolicy(withTarget('17.2')), 'iPhone 8', catalogScope(IOS_17_2));
    expect(formatExplanation(answer as Exclude<typeof answer, { error: string }>)).toMatchInlineSnapshot(`
      "iPhone 8 (iPhone10,1, iPhone10,4), 2 GB RAM, reports 1884 MiB [estimated as 92% of the RAM sold
        (measured devices report 90-93%)]
      runs:    iOS 16 at most: the app cannot be installed here, as its deployment target is iOS 17.2
               (app.deploymentTarget in tiers.yaml)
      tier:    ultraLow (tiers[0])
      why:     1.84 GiB is at or below tiers[0].upTo (2 GiB)
      margin:  164.00 MiB (8.7%) from tiers[0].upTo (2 GiB), the nearest boundary
      limits:  cacheLimit 3 MiB, memoryLimit 1500 MiB, maxTokens 300, imageSize 192 px,
               keepModelLoaded no, aggressiveCleanup yes
      "
    `);
    // A device it can be installed on: the estimate as before, and the target named.
    const installable = formatExplanation(explain(validPolicy(), 'iPhone 12 mini', catalogScope(IOS_17_2)) as never);
    expect(installable).toContain('\nruns:    iOS 27; the app\'s deployment target is iOS 17.2 (app.deploymentTarget in tiers.yaml)\n');
    expect(installable).toContain('\nmemory:  estimated peak');
  });

  it('explain TIER names the devices left out of a tier, and why', () => {
    const tier = explainTier(validPolicy(), 'ultraLow', catalogScope(IOS_17_2))!;
    expect(formatTierExplanation(tier).split('\n').slice(0, 4)).toEqual([
      'ultraLow (tiers[0]): devices that report up to 2 GiB of physical memory',
      'devices: none the app can be installed on',
      '         left out: iPhone 8 runs iOS 16 at most, and the app\'s deployment target is iOS 17.2',
      '         (app.deploymentTarget in tiers.yaml)',
    ]);
    expect(explainTier(validPolicy(), 'low', catalogScope(IOS_17_2))!.devices.map((device) => device.name)).toEqual(['iPhone XR', 'iPhone SE (2nd generation)']);
  });

  it('reads the target from the Xcode project: IPHONEOS_DEPLOYMENT_TARGET of the app target that compiles evaluator.source (VLMEval: 17.2)', async () => {
    const policy = editedPolicy([[['evaluator', 'source'], 'Applications/VLMEval/ContentView.swift'], [['app', 'xcodeProject'], 'mlx-swift-examples.xcodeproj']]);
    const project = makeProject({ 'tiers.yaml': policy, 'mlx-swift-examples.xcodeproj/project.pbxproj': pbxprojText(EXAMPLES_44B14CF_PROJECT) });
    try {
      const json = JSON.parse((await project.run('devices', '--json')).stdout);
      expect(json.deploymentTarget).toEqual({ version: '17.2', from: 'target VLMEval in mlx-swift-examples.xcodeproj' });
      expect(json.leftOut.map((device: { name: string }) => device.name)).toEqual(['iPhone 8', 'iPhone 8 Plus', 'iPhone X']);
      // MLXChatExample, in the same project, is built for iOS 18.0.
      writeFileSync(project.path('tiers.yaml'), policy.replace('Applications/VLMEval/ContentView.swift', 'Applications/MLXChatExample/Services/MLXService.swift'));
      expect(JSON.parse((await project.run('devices', '--json')).stdout).deploymentTarget.version).toBe('18.0');
      // app.deploymentTarget wins over the project.
      writeFileSync(project.path('tiers.yaml'), editedPolicy([[['evaluator', 'source'], 'Applications/VLMEval/ContentView.swift'], [['app', 'xcodeProject'], 'mlx-swift-examples.xcodeproj'], [['app', 'deploymentTarget'], '26.0']]));
      expect(JSON.parse((await project.run('devices', '--json')).stdout).deploymentTarget).toEqual({ version: '26.0', from: 'app.deploymentTarget in tiers.yaml' });
    } finally {
      project.cleanup();
    }
  });

  it('memtier diff lists only the devices the app can be installed on, and says which it leaves out', async () => {
    project = makeProject({ 'tiers.yaml': withTarget('17.2') });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: project!.root, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'policy');
    writeFileSync(project.path('tiers.yaml'), editedPolicy([[['app', 'deploymentTarget'], '17.2'], [['tiers', 0, 'maxTokens'], 200], [['tiers', 1, 'maxTokens'], 400]]));
    const result = await project.run('diff', '--base', 'HEAD');
    expect(result.stdout).toContain([
      'Devices affected (2):',
      '  iPhone XR (3 GB, reports ~2.76 GiB): stays low; maxTokens 500 -> 400',
      '  iPhone SE (2nd generation) (3 GB, reports ~2.76 GiB): stays low; maxTokens 500 -> 400',
      '',
      '3 catalog devices are left out, as the app cannot be installed on them: its deployment target is iOS 17.2 (app.deploymentTarget in tiers.yaml), and iPhone 8, iPhone 8 Plus and iPhone X run iOS 16 at most',
    ].join('\n'));
    expect((await project.run('diff', '--base', 'HEAD', '--markdown')).stdout).toContain('3 catalog devices are left out, as the app cannot be installed on them');
    // A policy new since the base lists the same devices.
    git('rm', '-q', '--cached', 'tiers.yaml');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'no policy');
    const added = await project.run('diff', '--base', 'HEAD');
    expect(added.stdout).toContain(`Devices (${DEVICES.length - 3}):`);
    expect(added.stdout).not.toContain('  iPhone 8 (');
    expect(added.stdout).toContain('\n3 catalog devices are left out');
  });

  it('an evaluator the app target does not compile (it comes from a package) takes the project\'s only app target', async () => {
    const facts: ProjectFacts = { origin: 'a test', objectVersion: 77, targets: [{ name: 'Demo', productType: 'application', iOS: '17.0', synchronizedFolders: ['Demo'] }] };
    const policy = editedPolicy([[['evaluator', 'source'], 'Packages/Runtime/Sources/Loader.swift'], [['app', 'xcodeProject'], 'Demo.xcodeproj']]);
    project = makeProject({ 'tiers.yaml': policy, 'Demo.xcodeproj/project.pbxproj': pbxprojText(facts) });
    expect(JSON.parse((await project.run('devices', '--json')).stdout).deploymentTarget).toEqual({ version: '17.0', from: 'target Demo (the only app target) in Demo.xcodeproj' });
  });

  it('where the configurations differ, the lowest counts and is named', async () => {
    const facts: ProjectFacts = { origin: 'a test', objectVersion: 77, targets: [{ name: 'Demo', productType: 'application', iOS: { debug: '17.0', release: '18.0' }, sources: ['Demo/Model.swift'] }] };
    const policy = editedPolicy([[['evaluator', 'source'], 'Demo/Model.swift'], [['app', 'xcodeProject'], 'Demo.xcodeproj']]);
    const project = makeProject({ 'tiers.yaml': policy, 'Demo.xcodeproj/project.pbxproj': pbxprojText(facts) });
    try {
      expect(JSON.parse((await project.run('devices', '--json')).stdout).deploymentTarget).toEqual({ version: '17.0', from: 'target Demo (Debug, its lowest) in Demo.xcodeproj' });
    } finally {
      project.cleanup();
    }
  });
});
