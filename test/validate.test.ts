import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../src/diagnostics/format.js';
import { loadYaml } from '../src/load/load-yaml.js';
import { validatePolicy } from '../src/validate/validate-policy.js';
import { DEFAULT_POLICY_TEXT, diagnosticsOf as allDiagnosticsOf, editedPolicy, isEstimateFinding, validPolicy } from './helpers/policy.js';

/** The diagnostics of every rule but the memory estimate's (test/budget.test.ts covers those). */
const diagnosticsOf = (text: string) => allDiagnosticsOf(text).filter((line) => !isEstimateFinding(line));

describe('the shipped policy', () => {
  it('is valid, its only warnings are the memory estimate\'s two findings, and it holds plan B of the design document byte for byte', () => {
    expect(diagnosticsOf(DEFAULT_POLICY_TEXT)).toEqual([]);
    const findings = allDiagnosticsOf(DEFAULT_POLICY_TEXT);
    expect(findings.map((line) => line.split(': ').slice(0, 3).join(': '))).toEqual(['tiers.yaml:16:18: warning: tiers[0].memoryLimit', 'tiers.yaml:36:18: warning: tiers[2].memoryLimit']);
    expect(findings.every(isEstimateFinding)).toBe(true);
    const policy = validPolicy();
    const MiB = 1024n * 1024n;
    const GiB = 1024n * MiB;
    expect(policy.tiers.map((tier) => [tier.name, tier.upTo, tier.cacheLimit, tier.memoryLimit, tier.maxTokens, tier.imageSize, tier.keepModelLoaded, tier.aggressiveCleanup])).toEqual([
      ['ultraLow', 2n * GiB, 3n * MiB, 1_500n * MiB, 300, 192, false, true],
      ['low', 3n * GiB, 8n * MiB, 2_000n * MiB, 500, 256, false, false],
      ['standard', 6n * GiB, 20n * MiB, 2_500n * MiB, 800, 384, true, false],
      ['high', undefined, 50n * MiB, null, 1000, 448, true, false],
    ]);
    expect(policy.generation).toEqual({ temperature: 0.7, topP: 0.9 });
    expect(policy.output).toEqual({ directory: 'generated', accessLevel: 'internal', tests: { module: 'VLMEval', directory: 'Tests' } });
  });

  it('fills defaults for the optional sections', () => {
    const policy = validPolicy(editedPolicy([[['generation'], undefined], [['output'], undefined], [['expectations'], undefined]]));
    expect(policy.generation).toEqual({ temperature: 0.7, topP: 0.9 });
    expect(policy.output).toEqual({ directory: 'generated', accessLevel: 'internal', tests: null });
    expect(policy.expectations).toEqual([]);
    expect(validPolicy(editedPolicy([[['output', 'tests', 'directory'], undefined]])).output.tests).toEqual({ module: 'VLMEval', directory: 'Tests' });
  });

  it('gives the same policy for a byte-order mark and CRLF line ends', () => {
    const crlf = `\uFEFF${DEFAULT_POLICY_TEXT.replace(/\n/g, '\r\n')}`;
    expect(validPolicy(crlf)).toEqual(validPolicy());
  });
});

describe('YAML problems are located', () => {
  it('reports an empty file', () => {
    expect(diagnosticsOf('')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:1:1: error: the policy is empty; expected a mapping with a "tiers:" list",
      ]
    `);
    expect(diagnosticsOf('# only a comment\n')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:1:1: error: the policy is empty; expected a mapping with a "tiers:" list",
      ]
    `);
  });

  it('reports malformed YAML, duplicate keys and tab indentation', () => {
    expect(diagnosticsOf('tiers: [\n')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:2:1: error: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ]
    `);
    expect(diagnosticsOf('tiers: []\ntiers: []\n')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:2:1: error: invalid YAML: Map keys must be unique",
      ]
    `);
    expect(diagnosticsOf('tiers:\n\t- name: low\n')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:2:1: error: a tab indents this line; YAML allows only spaces for indentation",
      ]
    `);
  });

  it('says how to write the value when a colon, a reserved first character or a missing space breaks a line', () => {
    /** A one-tier policy with `line` as its third line. */
    const withLine = (line: string) => diagnosticsOf(`tiers:\n  - name: low\n${line}\n    cacheLimit: 8MiB\n`);
    // An unquoted description with ": " in it: the parser's own words are "Nested mappings are not allowed in compact mappings".
    expect(withLine('    description: Tier for 4 GB phones: the model stays')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:3:18: error: this value contains ": ", which YAML reads as a key; put the value in quotes: description: "Tier for 4 GB phones: the model stays"",
      ]
    `);
    // In a sequence item, and with a comment after the value, which stays out of the quotes.
    expect(diagnosticsOf('tiers:\n  - name: low: small # the first\n')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:2:11: error: this value contains ": ", which YAML reads as a key; put the value in quotes: name: "low: small"",
      ]
    `);
    // A value that holds a double quote is offered in single quotes, which need no escapes.
    expect(withLine('    description: Phones: "4 GB"')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:3:18: error: this value contains ": ", which YAML reads as a key; put the value in quotes: description: 'Phones: "4 GB"'",
      ]
    `);
    expect(withLine('    description: @2GB phones')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:3:18: error: this value starts with "@", which YAML reserves; put the value in quotes: description: "@2GB phones"",
      ]
    `);
    expect(withLine('    upTo:2GiB')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:3:5: error: "upTo:2GiB" has no space after the colon, so YAML does not read upTo as a key; write upTo: 2GiB",
      ]
    `);
    // A comment needs a space before "#"; without one, it is part of the value.
    expect(diagnosticsOf(editedPolicy([[['tiers', 1, 'cacheLimit'], "8MiB# the design's 8 MB"]]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:25:17: error: tiers[1].cacheLimit: expected a size like "20MiB", "2.5GiB" or a whole number of bytes, got "8MiB# the design's 8 MB"; a comment needs a space before its "#"",
      ]
    `);
  });

  it('stops alias bombs before they expand', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 9; level += 1) {
      const name = String.fromCharCode(97 + level);
      const previous = String.fromCharCode(96 + level);
      bomb.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`);
    }
    expect(diagnosticsOf(`${bomb.join('\n')}\ntiers: *i\n`)).toMatchInlineSnapshot(`
      [
        "tiers.yaml:1:1: error: YAML aliases rejected: Excessive alias count indicates a resource exhaustion attack",
      ]
    `);
  });

  it('reports a document that is not a mapping', () => {
    expect(diagnosticsOf('- a\n- b\n')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:1:1: error: expected a mapping with a "tiers:" list, got a list",
      ]
    `);
    expect(diagnosticsOf('just text\n')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:1:1: error: expected a mapping with a "tiers:" list, got "just text"",
      ]
    `);
  });
});

describe('schema problems are all reported, each with file, line, column and key path', () => {
  it('reports wrong types and values with what was found', () => {
    const text = editedPolicy([
      [['tiers', 0, 'cacheLimit'], 'lots'],
      [['tiers', 0, 'maxTokens'], 0],
      [['tiers', 1, 'imageSize'], 19.5],
      [['tiers', 1, 'keepModelLoaded'], 'yes'],
      [['tiers', 2, 'memoryLimit'], '0.3B'],
      [['tiers', 2, 'upTo'], -1],
      [['tiers', 3, 'name'], 7],
      [['generation', 'topP'], 1.5],
      [['output', 'accessLevel'], 'private'],
    ]);
    expect(diagnosticsOf(text)).toMatchInlineSnapshot(`
      [
        "tiers.yaml:15:17: error: tiers[0].cacheLimit: expected a size like "20MiB", "2.5GiB" or a whole number of bytes, got "lots"",
        "tiers.yaml:17:16: error: tiers[0].maxTokens: must be at least 1, got 0",
        "tiers.yaml:28:16: error: tiers[1].imageSize: expected a whole number of pixels, got 19.5",
        "tiers.yaml:29:22: error: tiers[1].keepModelLoaded: expected true or false, got "yes"",
        "tiers.yaml:34:11: error: tiers[2].upTo: a size cannot be negative, got -1",
        "tiers.yaml:36:18: error: tiers[2].memoryLimit: "0.3B" is not a whole number of bytes",
        "tiers.yaml:51:11: error: tiers[3].name: expected a tier name such as "standard", got 7",
        "tiers.yaml:62:9: error: generation.topP: must be at most 1, got 1.5",
        "tiers.yaml:111:16: error: output.accessLevel: expected "internal" or "public", got "private"",
      ]
    `);
  });

  it('reports missing keys at their parent', () => {
    expect(diagnosticsOf(editedPolicy([[['tiers', 1, 'cacheLimit'], undefined], [['tiers'], undefined]]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:12:1: error: tiers: is missing; expected a list of tiers",
      ]
    `);
    expect(diagnosticsOf(editedPolicy([[['tiers', 1, 'maxTokens'], undefined]]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:22:5: error: tiers[1].maxTokens: is missing; expected a whole number of tokens",
      ]
    `);
  });

  it('reports unknown keys at the key, with a suggestion when one is close', () => {
    const text = DEFAULT_POLICY_TEXT.replace('    cacheLimit: 8MiB', '    cachelimit: 8MiB')
      .replace('  topP: 0.9', '  top_p: 0.9')
      .replace('output:', 'colour: blue\noutput:');
    expect(diagnosticsOf(text)).toMatchInlineSnapshot(`
      [
        "tiers.yaml:25:5: error: tiers[1].cachelimit: unknown key; did you mean "cacheLimit"?",
        "tiers.yaml:62:3: error: generation.top_p: unknown key; did you mean "topP"?",
        "tiers.yaml:109:1: error: colour: unknown key; expected one of tiers, generation, pressure, evaluator, expectations, output, model, app, acknowledged",
      ]
    `);
  });

  it('reports sizes beyond Swift Int and numbers too large to be exact', () => {
    const text = editedPolicy([
      [['tiers', 0, 'cacheLimit'], '9223372036854775808'],
      [['tiers', 1, 'cacheLimit'], 1e300],
      [['tiers', 2, 'cacheLimit'], Number.POSITIVE_INFINITY],
    ]);
    expect(diagnosticsOf(text)).toMatchInlineSnapshot(`
      [
        "tiers.yaml:15:17: error: tiers[0].cacheLimit: "9223372036854775808" is larger than Swift's Int.max (9_223_372_036_854_775_807 bytes)",
        "tiers.yaml:25:17: error: tiers[1].cacheLimit: a plain number this large cannot be read exactly (it is over 2^53); quote it ("9007199254740993") or write it with a unit, e.g. "8GiB"",
        "tiers.yaml:35:17: error: tiers[2].cacheLimit: expected a size like "20MiB", "2.5GiB" or a whole number of bytes, got Infinity",
      ]
    `);
  });

  it('refuses sampling values that would underflow a Swift Float', () => {
    expect(diagnosticsOf(editedPolicy([[['generation', 'temperature'], 5e-324]]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:61:16: error: generation.temperature: is too small for Swift's Float and would underflow; use 0 or a value of at least 1e-6",
      ]
    `);
    expect(diagnosticsOf(editedPolicy([[['generation', 'temperature'], 0]]))).toEqual([]);
  });

  it('reports a list where a mapping belongs, and an empty tier list', () => {
    expect(diagnosticsOf(editedPolicy([[['tiers', 0], 'ultraLow']]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:12:5: error: tiers[0]: expected a tier: a mapping with name, upTo, cacheLimit, memoryLimit, maxTokens, imageSize, keepModelLoaded and aggressiveCleanup, got "ultraLow"",
      ]
    `);
    expect(diagnosticsOf('tiers: []\n')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:1:8: error: tiers: needs at least one tier, got an empty list",
      ]
    `);
    expect(diagnosticsOf('tiers: {}\n')).toMatchInlineSnapshot(`
      [
        "tiers.yaml:1:8: error: tiers: expected a list of tiers, got a mapping",
      ]
    `);
  });
});

describe('policy rules', () => {
  it('requires a Swift module name, and a tests folder inside the policy\'s folder that does not hold the output folder', () => {
    // Beside the output folder is allowed: the tests can live apart from the folder the app target compiles.
    expect(diagnosticsOf(editedPolicy([[['output', 'tests', 'directory'], '../VLMEvalTests/Generated']]))).toEqual([]);
    expect(diagnosticsOf(editedPolicy([[['output', 'tests', 'directory'], '..']]))).toEqual(['tiers.yaml:117:16: error: output.tests.directory: ".." would hold the output folder ("generated"); choose a folder inside it or beside it']);
    expect(diagnosticsOf(editedPolicy([[['output', 'tests', 'module'], 'VLM-Eval'], [['output', 'tests', 'directory'], '../../Tests']]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:116:13: error: output.tests.module: "VLM-Eval" is not a Swift module name; use letters, digits and _, e.g. "VLMEval"",
        "tiers.yaml:117:16: error: output.tests.directory: "../../Tests" leads outside the policy's folder; the tests folder is relative to the output folder ("generated") and must stay inside the policy's folder",
      ]
    `);
    expect(diagnosticsOf(editedPolicy([[['output', 'tests', 'directory'], '/abs']]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:117:16: error: output.tests.directory: "/abs" must be a relative path: the tests folder is relative to the output folder ("generated")",
      ]
    `);
    expect(diagnosticsOf(editedPolicy([[['output', 'tests'], { directory: 'T' }]]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:116:5: error: output.tests.module: is missing; expected the name of the app module, e.g. "VLMEval"",
      ]
    `);
  });

  it('warns when a tier bound or limit is in SI units (powers of ten), saying both numbers; one space is allowed', () => {
    const text = editedPolicy([[['tiers', 2, 'upTo'], '4 GB'], [['tiers', 1, 'cacheLimit'], '8MB'], [['tiers', 0, 'memoryLimit'], '1500MiB']]);
    const warnings = diagnosticsOf(text).filter((line) => line.includes('powers of ten'));
    expect(warnings).toEqual([
      expect.stringMatching(/^tiers\.yaml:\d+:\d+: warning: tiers\[1\]\.cacheLimit: 8MB is 8,000,000 bytes \(powers of ten\); write 8MiB for 8,388,608 \[si-unit:low\.cacheLimit\]$/),
      expect.stringMatching(/^tiers\.yaml:\d+:\d+: warning: tiers\[2\]\.upTo: 4 GB is 4,000,000,000 bytes \(powers of ten\); write 4GiB for 4,294,967,296 \[si-unit:standard\.upTo\]$/),
    ]);
    // The shipped policy writes every bound and limit in powers of two, and expectations may use SI.
    expect(diagnosticsOf(DEFAULT_POLICY_TEXT).filter((line) => line.includes('powers of ten'))).toEqual([]);
  });

  it('warns at its line when a size is a bare number too small to be meant as bytes, saying what to write', () => {
    expect(diagnosticsOf(editedPolicy([[['tiers', 0, 'cacheLimit'], 3], [['tiers', 2, 'budget', 'peakFootprint'], 2500]]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:15:17: warning: tiers[0].cacheLimit: 3 means 3 bytes (a number without a unit is a count of bytes); write 3MiB if you meant mebibytes [size-without-unit:ultraLow.cacheLimit]",
        "tiers.yaml:46:22: warning: tiers[2].budget.peakFootprint: 2500 means 2,500 bytes (a number without a unit is a count of bytes); write 2500MiB if you meant mebibytes [size-without-unit:standard.budget.peakFootprint]",
        "tiers.yaml:46:22: warning: tiers[2].budget.peakFootprint: 2.44 KiB (2_500 bytes) is below this tier's memoryLimit (2500 MiB): MLX may use memory up to its limit, so a healthy run could fail the budget [budget-below-memory-limit:standard]",
      ]
    `);
    // A promise about a device of 4 bytes breaks, and the warning says why.
    expect(diagnosticsOf(editedPolicy([[['expectations', 1, 'physicalMemory'], 4]]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:83:5: error: expectations[1]: iPhone 11 (4 GB) reports 4 bytes and is expected in "standard" but lands in "ultraLow": it is at or below tiers[0].upTo (2 GiB)",
        "tiers.yaml:84:21: warning: expectations[1].physicalMemory: 4 means 4 bytes (a number without a unit is a count of bytes); write 4GiB if you meant gibibytes [size-without-unit:expectations[1].physicalMemory]",
      ]
    `);
    expect(diagnosticsOf(editedPolicy([[['model'], { name: 'SmolVLM2-500M-Video-Instruct-mlx', weights: 1, activations: '700' }]]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:124:12: warning: model.weights: 1 means 1 byte (a number without a unit is a count of bytes); write 1GiB if you meant gibibytes [size-without-unit:model.weights]",
        "tiers.yaml:125:16: warning: model.activations: 700 means 700 bytes (a number without a unit is a count of bytes); write 700MiB if you meant mebibytes [size-without-unit:model.activations]",
      ]
    `);
  });

  it('leaves alone a bare number that is plausible: cacheLimit 0 (no cache) or from 1 KiB, bytes written as B, kvBytesPerToken', () => {
    for (const edits of [
      [[['tiers', 0, 'cacheLimit'], 0]],
      [[['tiers', 0, 'cacheLimit'], 1024]],
      [[['tiers', 0, 'cacheLimit'], '3B']],
      [[['tiers', 0, 'memoryLimit'], 1_572_864_000]],
      [[['model'], { name: 'SmolVLM2-500M-Video-Instruct-mlx', kvBytesPerToken: 64 }]],
    ] as [(string | number)[], unknown][][]) {
      expect(diagnosticsOf(editedPolicy(edits)).filter((line) => line.includes('without a unit')), JSON.stringify(edits)).toEqual([]);
    }
  });

  it('says that units are case-sensitive at the size that has a lower-case unit', () => {
    expect(diagnosticsOf(editedPolicy([[['tiers', 2, 'cacheLimit'], '20mb']]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:35:17: error: tiers[2].cacheLimit: unknown unit "mb" in "20mb"; units are case-sensitive: write 20MB (20,000,000 bytes) or 20MiB (20,971,520 bytes)",
      ]
    `);
  });

  it('orders the pressure thresholds: recovery below warning below critical', () => {
    expect(diagnosticsOf(editedPolicy([[['pressure', 'recoveryPercent'], 70]]))).toEqual([
      expect.stringMatching(/^tiers\.yaml:\d+:\d+: error: pressure\.recoveryPercent: 70 must be less than warningPercent \(70\): pressure falls back only below it$/),
    ]);
    expect(diagnosticsOf(editedPolicy([[['pressure', 'warningPercent'], 90]]))).toEqual([
      expect.stringMatching(/^tiers\.yaml:\d+:\d+: error: pressure\.warningPercent: 90 must be less than criticalPercent \(85\)$/),
    ]);
    expect(diagnosticsOf(editedPolicy([[['pressure', 'recoveryPercent'], 60]]))).toEqual([]);
  });

  it('requires unique, usable tier names', () => {
    const text = editedPolicy([[['tiers', 1, 'name'], 'ultraLow'], [['tiers', 2, 'name'], 'default'], [['tiers', 3, 'name'], 'high-end']]);
    expect(diagnosticsOf(text)).toMatchInlineSnapshot(`
      [
        "tiers.yaml:22:11: error: tiers[1].name: "ultraLow" is already the name of tiers[0]; tier names must be unique",
        "tiers.yaml:32:11: error: tiers[2].name: "default" is a Swift keyword and would need backticks everywhere; choose another name, e.g. "defaultTier"",
        "tiers.yaml:51:11: error: tiers[3].name: "high-end" is not a Swift identifier; use letters, digits and _ (not starting with a digit), e.g. "standard"",
        "tiers.yaml:82:11: error: expectations[0].tier: there is no tier "standard"; tiers are ultraLow, ultraLow, default, high-end",
        "tiers.yaml:85:11: error: expectations[1].tier: there is no tier "standard"; tiers are ultraLow, ultraLow, default, high-end",
        "tiers.yaml:88:11: error: expectations[2].tier: there is no tier "standard"; tiers are ultraLow, ultraLow, default, high-end",
        "tiers.yaml:91:11: error: expectations[3].tier: there is no tier "standard"; tiers are ultraLow, ultraLow, default, high-end",
        "tiers.yaml:94:11: error: expectations[4].tier: there is no tier "high"; tiers are ultraLow, ultraLow, default, high-end",
        "tiers.yaml:100:11: error: expectations[6].tier: there is no tier "standard"; tiers are ultraLow, ultraLow, default, high-end",
      ]
    `);
  });

  it('requires strictly increasing upTo, and upTo on every tier but the last', () => {
    expect(diagnosticsOf(editedPolicy([[['tiers', 1, 'upTo'], '2GiB']]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:24:11: error: tiers[1].upTo: 2 GiB must be larger than tiers[0].upTo (2 GiB); list tiers from the smallest device to the largest",
      ]
    `);
    expect(diagnosticsOf(editedPolicy([[['tiers', 1, 'upTo'], undefined]]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:22:5: error: tiers[1]: "low" needs an upTo (inclusive upper bound on physical memory); only the last tier may leave it out",
      ]
    `);
    expect(diagnosticsOf(editedPolicy([[['tiers', 3, 'upTo'], '16GiB']]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:59:5: error: tiers[3].upTo: the last tier catches every larger device and takes no upTo; remove it or add a tier after "high"",
      ]
    `);
  });

  it('keeps the cache within the memory limit and the memory limit within the tier', () => {
    const text = editedPolicy([[['tiers', 0, 'cacheLimit'], '2000MiB'], [['tiers', 1, 'memoryLimit'], '4GiB']]);
    expect(diagnosticsOf(text)).toMatchInlineSnapshot(`
      [
        "tiers.yaml:15:17: error: tiers[0].cacheLimit: 2000 MiB is larger than this tier's memoryLimit (1500 MiB)",
        "tiers.yaml:25:17: warning: tiers[1].cacheLimit: 8 MiB is less than "ultraLow" has (2000 MiB), although "low" is for larger devices [less-than-smaller-tier:low.cacheLimit]",
        "tiers.yaml:26:18: error: tiers[1].memoryLimit: 4 GiB is more than the physical memory of any device in "low" (upTo 3 GiB)",
        "tiers.yaml:36:18: warning: tiers[2].memoryLimit: 2500 MiB is less than "low" has (4 GiB), although "standard" is for larger devices [less-than-smaller-tier:standard.memoryLimit]",
      ]
    `);
  });

  it('warns when a larger tier gets smaller limits, without failing', () => {
    const text = editedPolicy([[['tiers', 3, 'maxTokens'], 700], [['tiers', 3, 'keepModelLoaded'], false], [['tiers', 3, 'cacheLimit'], '10MiB']]);
    expect(diagnosticsOf(text)).toMatchInlineSnapshot(`
      [
        "tiers.yaml:53:17: warning: tiers[3].cacheLimit: 10 MiB is less than "standard" has (20 MiB), although "high" is for larger devices [less-than-smaller-tier:high.cacheLimit]",
        "tiers.yaml:55:16: warning: tiers[3].maxTokens: 700 is less than "standard" has (800), although "high" is for larger devices [less-than-smaller-tier:high.maxTokens]",
        "tiers.yaml:57:22: warning: tiers[3].keepModelLoaded: "standard" keeps the model loaded but the larger "high" does not [less-than-smaller-tier:high.keepModelLoaded]",
      ]
    `);
    expect(validPolicy(text).tiers[3]?.maxTokens).toBe(700);
  });

  it('names the expectation, the tier it got and the deciding boundary when a promise breaks', () => {
    const text = editedPolicy([[['tiers', 1, 'upTo'], '4GiB']]);
    expect(diagnosticsOf(text)).toMatchInlineSnapshot(`
      [
        "tiers.yaml:80:5: error: expectations[0]: a 4 GiB device (where the old code drew its low-memory line) reports 4 GiB and is expected in "standard" but lands in "low": it is at or below tiers[1].upTo (4 GiB) and above tiers[0].upTo (2 GiB)",
        "tiers.yaml:83:5: error: expectations[1]: iPhone 11 (4 GB) reports 3.60 GiB (3_865_470_566 bytes) and is expected in "standard" but lands in "low": it is at or below tiers[1].upTo (4 GiB) and above tiers[0].upTo (2 GiB)",
        "tiers.yaml:86:5: error: expectations[2]: iPhone 13 (4 GB) reports 3740 MB and is expected in "standard" but lands in "low": it is at or below tiers[1].upTo (4 GiB) and above tiers[0].upTo (2 GiB)",
      ]
    `);
    expect(diagnosticsOf(editedPolicy([[['expectations', 4, 'tier'], 'standard']]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:92:5: error: expectations[4]: iPhone 15 Pro Max (8 GB) reports 7.47 GiB (8_021_032_960 bytes) and is expected in "standard" but lands in "high": it is above tiers[2].upTo (6 GiB), the last boundary",
      ]
    `);
    expect(diagnosticsOf(editedPolicy([[['expectations', 0, 'tier'], 'standrd']]))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:82:11: error: expectations[0].tier: there is no tier "standrd"; did you mean "standard"?",
      ]
    `);
  });
});

describe('promises about tier values (the original design\'s checklist for 4 GB phones)', () => {
  it('the shipped policy states the 4 GB checklist as promises on "standard"', () => {
    const promise = validPolicy().expectations.find((expectation) => expectation.atLeast !== undefined)!;
    expect(promise).toEqual({
      tier: 'standard',
      why: "the design's checklist for 4 GB phones",
      atLeast: { cacheLimit: 15n * 1024n * 1024n, imageSize: 384, maxTokens: 800 },
      keepModelLoaded: true,
      aggressiveCleanup: false,
    });
  });

  it('reports each broken promise at its own line, naming the tier, its value and the bound', () => {
    const broken = editedPolicy([
      [['tiers', 2, 'cacheLimit'], '8MiB'],
      [['tiers', 2, 'maxTokens'], 500],
      [['tiers', 2, 'keepModelLoaded'], false],
      [['expectations', 6, 'atMost'], { memoryLimit: '2GiB' }],
      [['expectations', 7], { tier: 'high', atMost: { memoryLimit: '4GiB', imageSize: 400 } }],
    ]);
    expect(diagnosticsOf(broken).filter((line) => line.includes('promised'))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:103:19: error: expectations[6].atLeast.cacheLimit: "standard" has cacheLimit 8 MiB, but at least 15 MiB is promised (the design's checklist for 4 GB phones)",
        "tiers.yaml:105:18: error: expectations[6].atLeast.maxTokens: "standard" has maxTokens 500, but at least 800 is promised (the design's checklist for 4 GB phones)",
        "tiers.yaml:106:22: error: expectations[6].keepModelLoaded: "standard" has keepModelLoaded no, but yes is promised (the design's checklist for 4 GB phones)",
        "tiers.yaml:109:20: error: expectations[6].atMost.memoryLimit: "standard" has memoryLimit 2500 MiB, but at most 2 GiB is promised (the design's checklist for 4 GB phones)",
        "tiers.yaml:112:20: error: expectations[7].atMost.memoryLimit: "high" has memoryLimit none (MLX default), but at most 4 GiB is promised",
        "tiers.yaml:113:18: error: expectations[7].atMost.imageSize: "high" has imageSize 448 px, but at most 400 px is promised",
      ]
    `);
  });

  it('refuses a promise that promises nothing, and an unknown key in a bound', () => {
    const policy = editedPolicy([[['expectations', 6], { tier: 'standard', why: 'nothing' }], [['expectations', 7], { tier: 'low', atLeast: { imagesize: 300 } }]]);
    expect(diagnosticsOf(policy)).toMatchInlineSnapshot(`
      [
        "tiers.yaml:98:5: error: expectations[6]: promises nothing: give physicalMemory (which tier a device lands in), or atLeast, atMost, keepModelLoaded or aggressiveCleanup (what the tier keeps)",
        "tiers.yaml:102:7: error: expectations[7].atLeast.imagesize: unknown key; did you mean "imageSize"?",
      ]
    `);
  });
});

describe('performance budgets (the design document, section 7)', () => {
  it('the shipped policy gives "standard" the document\'s figures', () => {
    expect(validPolicy().tiers[2]!.budget).toEqual({ peakFootprint: 2_500n * 1024n * 1024n, minTokensPerSecond: 15, maxSecondsToFirstToken: 2, maxMainActorStallSeconds: 0.1 });
    expect(validPolicy().tiers.filter((tier) => tier.budget !== undefined).map((tier) => tier.name)).toEqual(['standard']);
  });

  it('a peak above the tier\'s devices is an error, one below its memoryLimit a warning, and a budget must set something', () => {
    const policy = editedPolicy([
      [['tiers', 1, 'budget'], { peakFootprint: '4GiB' }],
      [['tiers', 2, 'budget', 'peakFootprint'], '2GiB'],
      [['tiers', 0, 'budget'], {}],
      [['tiers', 3, 'budget'], { minTokensPerSecond: 0, maxSecondsPerAnswer: -1 }],
    ]);
    expect(diagnosticsOf(policy)).toMatchInlineSnapshot(`
      [
        "tiers.yaml:21:13: error: tiers[0].budget: sets nothing: give at least one of peakFootprint, minTokensPerSecond, maxSecondsToFirstToken, maxSecondsPerAnswer, maxMainActorStallSeconds",
        "tiers.yaml:63:27: error: tiers[3].budget.minTokensPerSecond: must be more than 0, got 0",
        "tiers.yaml:64:28: error: tiers[3].budget.maxSecondsPerAnswer: must be more than 0 seconds, got -1",
      ]
    `);
    const rules = editedPolicy([[['tiers', 1, 'budget'], { peakFootprint: '4GiB' }], [['tiers', 2, 'budget', 'peakFootprint'], '2GiB']]);
    expect(diagnosticsOf(rules)).toMatchInlineSnapshot(`
      [
        "tiers.yaml:32:22: error: tiers[1].budget.peakFootprint: 4 GiB is more than any device in "low" has (upTo 3 GiB); the budget could never be met",
        "tiers.yaml:48:22: warning: tiers[2].budget.peakFootprint: 2 GiB is below this tier's memoryLimit (2500 MiB): MLX may use memory up to its limit, so a healthy run could fail the budget [budget-below-memory-limit:standard]",
      ]
    `);
  });
});

describe('the app\'s deployment target (app.deploymentTarget)', () => {
  const withTarget = (version: unknown) => editedPolicy([[['app', 'deploymentTarget'], version]]);

  it('is an iOS version written in quotes, and a mistake says how to write one', () => {
    expect(validPolicy(withTarget('17.2')).app.deploymentTarget).toBe('17.2');
    expect(validPolicy().app.deploymentTarget).toBeUndefined();
    expect(diagnosticsOf(withTarget(17.2))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:128:21: error: app.deploymentTarget: write the version in quotes, such as "17.2": YAML reads a bare 17.10 as the number 17.1, got 17.2",
      ]
    `);
    expect(diagnosticsOf(withTarget(17))).toEqual(['tiers.yaml:128:21: error: app.deploymentTarget: write the version in quotes, such as "17.0", got 17']);
    // A target newer than any iOS the catalog knows would count every current device: a warning.
    expect(diagnosticsOf(withTarget('99'))).toContainEqual(expect.stringMatching(/^tiers\.yaml:128:21: warning: app\.deploymentTarget: iOS 99 \(app\.deploymentTarget in tiers\.yaml\) is newer than any iOS memtier knows \(iOS 27\); .*\[deployment-target-unknown-release\]$/));
    expect(diagnosticsOf(withTarget('27.1')).join('\n')).not.toContain('deployment-target-unknown-release');
    expect([...diagnosticsOf(withTarget('iOS 17')), ...diagnosticsOf(withTarget('17.2.1.4'))]).toMatchInlineSnapshot(`
      [
        "tiers.yaml:128:21: error: app.deploymentTarget: expected an iOS version such as "17.2": one to three whole numbers separated by dots, got "iOS 17"",
        "tiers.yaml:128:21: error: app.deploymentTarget: expected an iOS version such as "17.2": one to three whole numbers separated by dots, got "17.2.1.4"",
      ]
    `);
  });

  it('the shipped policy read with an iOS 17 target: ultraLow holds no device the app can be installed on; what else holds is unchanged', () => {
    // ultraLow's only catalog device is the iPhone 8 (iOS 16 at most): a warning at the tier, and its
    // estimate finding goes, as its limits never apply. low keeps the iPhone XR and the iPhone SE (2nd
    // generation); standard's finding on the iPhone 12 mini stays.
    expect(allDiagnosticsOf(withTarget('17.2'))).toMatchInlineSnapshot(`
      [
        "tiers.yaml:12:5: warning: tiers[0]: no catalog device that can install the app lands here, so these limits never apply: iPhone 8 runs iOS 16 at most, and the app needs iOS 17.2 (app.deploymentTarget in tiers.yaml) [tier-without-devices:ultraLow]",
        "tiers.yaml:36:18: warning: tiers[2].memoryLimit: 2500 MiB is above the 2400 MB iPhone 12 mini lets an app use, so iOS ends the app before this limit acts; see \`memtier explain "iPhone 12 mini"\` [memory-limit-above-app-limit:standard:iphone-12-mini]",
      ]
    `);
    // iOS 26 also leaves out the iPhone XR, XS and XS Max; low still holds the iPhone SE (2nd generation).
    expect(allDiagnosticsOf(withTarget('26.0')).map((line) => /\[([^\]]+)\]$/.exec(line)?.[1])).toEqual(['tier-without-devices:ultraLow', 'memory-limit-above-app-limit:standard:iphone-12-mini']);
    // Below 17 every catalog device installs the app: the findings are the shipped ones.
    expect(allDiagnosticsOf(withTarget('16.0'))).toEqual(allDiagnosticsOf(DEFAULT_POLICY_TEXT));
  });

  it('a boundary near a device the app cannot be installed on is no margin warning', () => {
    // 1900 MiB is within 5% of the iPhone 8's estimated 1884 MiB.
    expect(diagnosticsOf(editedPolicy([[['tiers', 0, 'upTo'], '1900MiB']]))).toEqual([expect.stringContaining('[bound-near-device:ultraLow]')]);
    expect(diagnosticsOf(editedPolicy([[['tiers', 0, 'upTo'], '1900MiB'], [['app', 'deploymentTarget'], '17.2']]))).toEqual([expect.stringContaining('[tier-without-devices:ultraLow]')]);
  });

  it('names up to two devices a dead tier holds, else counts them', () => {
    const os = (newest: number) => ({ name: 'iOS' as const, newest, current: false, source: 'a test' });
    const catalog = [
      { name: 'Old A', reported: 1n << 30n, reportedSource: { kind: 'estimated' as const }, os: os(15) },
      { name: 'Old B', reported: 1n << 30n, reportedSource: { kind: 'estimated' as const }, os: os(16) },
      { name: 'Old C', reported: 1n << 30n, reportedSource: { kind: 'estimated' as const }, os: os(16) },
      { name: 'New', reported: 5n << 30n, reportedSource: { kind: 'estimated' as const }, os: { ...os(27), current: true } },
    ];
    const text = editedPolicy([[['app', 'deploymentTarget'], '17.0'], [['model'], undefined]]);
    const found = validatePolicy(loadYaml(text, 'tiers.yaml'), 'tiers.yaml', catalog).diagnostics.map(formatDiagnostic);
    expect(found).toEqual([
      'tiers.yaml:12:5: warning: tiers[0]: no catalog device that can install the app lands here, so these limits never apply: its 3 devices run iOS 16 at most, and the app needs iOS 17.0 (app.deploymentTarget in tiers.yaml) [tier-without-devices:ultraLow]',
    ]);
  });
});
