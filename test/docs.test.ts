/**
 * The documentation cannot drift from what memtier is: the policy reference is what the schema
 * derives, every link between the pages leads to a file, and the README stays a page a newcomer
 * reads in ten minutes. (The README's commands are run as written by test/install.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { policyReferenceRows, REFERENCE_BEGIN, REFERENCE_END, withPolicyReference } from '../src/policy/policy-reference.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const pages = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

describe('docs/policy.md', () => {
  it('holds the reference the schema derives (npm run docs:policy-reference)', () => {
    const page = read('docs/policy.md');
    expect(page).toContain(REFERENCE_BEGIN);
    expect(page).toContain(REFERENCE_END);
    expect(page).toBe(withPolicyReference(page));
  });

  it('lists every key of the schema with a meaning, and a unit for every size', () => {
    const rows = policyReferenceRows();
    const page = read('docs/policy.md');
    for (const row of rows) {
      expect(row.description, row.path).not.toBe('');
      expect(page).toContain(`| \`${row.path}\` |`);
      if (row.type.startsWith('size')) expect(row.unit, row.path).toBe('bytes');
    }
    for (const path of ['tiers[].cacheLimit', 'tiers[].memoryLimit', 'pressure.criticalPercent', 'output.tests.directory', 'model.weights', 'app.increasedMemoryLimit']) {
      expect(rows.map((row) => row.path)).toContain(path);
    }
    expect(rows.find((row) => row.path === 'pressure.warningPercent')).toMatchObject({ unit: 'percent', presence: 'default 70' });
    expect(rows.find((row) => row.path === 'tiers[].maxTokens')).toMatchObject({ type: 'whole number', unit: 'tokens', presence: 'required' });
  });
});

describe('the pages', () => {
  it('link only to files that exist', () => {
    for (const page of pages) {
      const text = read(page);
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        expect(existsSync(join(root, dirname(page), target!)), `${page} links to ${target}`).toBe(true);
      }
    }
  });

  it('the README is under 200 lines, starts with the set-up and the test command, and points at every reference page', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThan(200);
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!.trim());
    expect(blocks.slice(0, 2)).toEqual(['npm ci && npx memtier generate', 'npm test']);
    for (const page of pages.filter((name) => name.startsWith('docs/'))) expect(readme, page).toContain(`](${page})`);
  });


  it('the README\'s benchmark rows are rows of the page npm run bench:runtime writes, under the same header', () => {
    const table = (text: string) => text.split('\n').filter((line) => line.startsWith('| '));
    const readme = table(read('README.md')).filter((line) => /^\| (device|iPhone|iPad) /.test(line));
    const page = table(read('docs/runtime-benchmark.md'));
    expect(readme.length).toBeGreaterThan(3);
    expect(readme[0]).toBe(page.find((line) => line.startsWith('| device ')));
    for (const row of readme.slice(1)) expect(page, row).toContain(row);
  });
  it('show what memtier prints: every complete sample of a command\'s output is its output on the shipped policy', () => {
    const samples = pages.flatMap((page) => [...read(page).matchAll(/```text\n\$ memtier ([^\n#]+)\n([\s\S]*?)```/g)].map((match) => ({ page, command: match[1]!.trim(), output: match[2]! })));
    const complete = samples.filter((sample) => !sample.output.includes('...'));
    expect(complete.length).toBeGreaterThan(0);
    for (const { page, command, output } of complete) {
      const args = [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]!);
      const result = spawnSync(process.execPath, [join(root, 'bin/memtier.js'), ...args], { cwd: root, encoding: 'utf8' });
      expect(result.stdout, `${page}: memtier ${command}`).toBe(output);
    }
  });

  it('name no copied document and no test/fixtures/real', () => {
    for (const page of pages) {
      expect(read(page), page).not.toMatch(/vlmeval-memory-design\.md|test\/fixtures\/real/);
    }
  });
});
