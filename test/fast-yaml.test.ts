/**
 * The fast YAML path (js-yaml's events, src/load/fast-yaml.ts) must be invisible: wherever it reads
 * a text, it gives the same data as the yaml library's path and puts every key and value at the same
 * line and column; wherever it cannot, it steps aside. Compared on the shipped policy, the hostile
 * fixtures, hand-made edge cases and generated policies in many YAML styles.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadYamlFast } from '../src/load/fast-yaml.js';
import { loadYaml, loadYamlDocument } from '../src/load/load-yaml.js';
import { mutate, mutation, validPolicy } from './reliability/arbitraries.js';
import { DEFAULT_POLICY_TEXT } from './helpers/policy.js';

/** Every key path in `data`, and one missing child of each collection. */
function paths(data: unknown, prefix: PropertyKey[] = []): PropertyKey[][] {
  const found: PropertyKey[][] = [prefix];
  if (Array.isArray(data)) {
    data.forEach((item, index) => found.push(...paths(item, [...prefix, index])));
    found.push([...prefix, data.length]);
  } else if (data !== null && typeof data === 'object') {
    for (const [key, value] of Object.entries(data)) found.push(...paths(value, [...prefix, key]));
    found.push([...prefix, 'noSuchKey']);
  }
  return found;
}

/** Whether the fast path read `text`; when it did, that it agrees with the slow path everywhere. */
function agrees(text: string): boolean {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const fast = loadYamlFast(source);
  if (!fast || fast.data === null || fast.data === undefined) return false;
  const quick = loadYaml(text, 't.yaml');
  const slow = loadYamlDocument(text, 't.yaml');
  expect(slow.diagnostics, text).toEqual([]);
  expect(quick.data, text).toEqual(slow.data);
  for (const path of paths(slow.data)) {
    expect(quick.locate(path), `${JSON.stringify(path)} in\n${text}`).toEqual(slow.locate(path));
    expect(quick.locate(path, { key: true }), `key of ${JSON.stringify(path)} in\n${text}`).toEqual(slow.locate(path, { key: true }));
  }
  return true;
}

const EDGE_CASES = [
  'a: 1\n',
  '# a comment first\n\n  # and an indented one\nkey: value   # trailing\n',
  'quoted: "double"\nsingle: \'it\'\'s\'\n"quoted key": 1\n\'single key\': 2\n',
  'empty:\nnext: 1\n',
  'empty:   \nnext: 1\n',
  'nulls: [~, null, Null, NULL]\nbools: [true, True, FALSE, yes, no, on]\n',
  'numbers: [1, -2, 3.5, 1e3, 0x1F, 0o17, .inf, -.Inf, .nan, 1_000, 007, +12]\n',
  'sizes: [20MiB, 2.5GiB, "4 GB", 4294967296]\n',
  'flow: { a: 1, b: [x, y], c: { d: e } }\nlist: [ {n: 1}, {n: 2} ]\n',
  'nested:\n  - - 1\n    - 2\n  - - 3\n',
  'seq:\n- a\n- b\n',
  'literal: |\n  line one\n  line two\nfolded: >-\n  folded\n  text\nafter: 1\n',
  'literalKeep: |+\n  kept\n\nnext: 2\n',
  'multi: this plain\n  scalar spans\n  lines\n',
  'unicode: "日本語 — ✓"\nplain: café\n',
  'url: https://example.com/a:b\ncolon: "a: b"\n',
  'tiers:\n  - name: a\n    upTo: 2GiB\n  - name: b\n',
  '- a\n- b\n',
  'a:\n  b:\n    c:\n      d: deep\n',
  'k: v\r\nl:\r\n  - 1\r\n  - "two"\r\n',
  '\uFEFFbom: true\n',
  'spaces before colon : 1\n',
  'key:    value with spaces   \n',
];

describe('the fast YAML path', () => {
  it('reads the shipped policy, with a byte-order mark and CRLF too, exactly as the yaml library does', () => {
    expect(agrees(DEFAULT_POLICY_TEXT)).toBe(true);
    expect(agrees(`\uFEFF${DEFAULT_POLICY_TEXT.replace(/\n/g, '\r\n')}`)).toBe(true);
  });

  it('agrees on hand-made edge cases, or steps aside', () => {
    const taken = EDGE_CASES.filter((text) => agrees(text));
    // Most of them are ordinary enough for the fast path.
    expect(taken.length).toBeGreaterThan(EDGE_CASES.length / 2);
  });

  it('steps aside for anchors, aliases, tags, directives, several documents, tabs, duplicate keys and broken YAML', () => {
    for (const text of [
      'a: &x 1\nb: *x\n', 'a: !!str 1\n', '%YAML 1.2\n---\na: 1\n', 'a: 1\n---\nb: 2\n', '---\na: 1\n',
      'a:\n\t- 1\n', 'a: 1\na: 2\n', 'a: [1, 2\n', '? complex\n: key\n', '1: numeric key\n', 'true: key\n', '__proto__: x\n',
    ]) {
      expect(loadYamlFast(text), text).toBeUndefined();
    }
  });

  it('steps aside for the slips the slow path explains (a colon in a value, a reserved first character, no space after a colon)', () => {
    // load-yaml.ts turns the yaml library's errors for these into advice (src/load/yaml-hints.ts);
    // read on the fast path, they would become a nested mapping or a silent string instead.
    for (const text of ['description: Tier for 4 GB phones: the model stays\n', 'tiers:\n  - name: low: small\n', 'a: @home\n', 'a: `x`\n', 'a:\n  b:1\n  c: 2\n']) {
      expect(loadYamlFast(text), text).toBeUndefined();
      expect(loadYaml(text, 't.yaml').diagnostics.map((diagnostic) => diagnostic.message), text).toEqual([expect.not.stringMatching(/^invalid YAML/)]);
    }
  });

  it('agrees on every hostile fixture it reads', () => {
    const folder = fileURLToPath(new URL('./fixtures/hostile/', import.meta.url));
    const files = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(20);
    for (const name of files) agrees(readFileSync(join(folder, name), 'utf8'));
  });

  it('agrees on generated and mutated policies in many YAML styles', () => {
    let taken = 0;
    fc.assert(
      fc.property(validPolicy, mutation, fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'), ({ policy }, change, mutated, flowLevel, quoting) => {
        const data = mutated ? mutate(policy, change) : policy;
        const text = stringify(data, { collectionStyle: flowLevel === 0 ? 'flow' : flowLevel === 1 ? 'block' : 'any', defaultStringType: quoting as 'PLAIN', defaultKeyType: quoting === 'PLAIN' ? null : 'PLAIN', indentSeq: flowLevel !== 3 });
        if (agrees(text)) taken += 1;
      }),
      { numRuns: 400 },
    );
    expect(taken).toBeGreaterThan(200);
  });
});
