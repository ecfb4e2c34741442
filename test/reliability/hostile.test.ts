/**
 * The corpus of hostile inputs (test/fixtures/hostile): each rejected one gives a located error,
 * exit 2 and writes nothing; each accepted one generates Swift that parses, and a byte-order mark
 * or CRLF line ends change nothing. The outcomes are snapshotted in one reviewed file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeProject } from '../helpers/cli.js';
import { swiftSyntaxErrors } from '../helpers/swift-syntax.js';

const corpus = fileURLToPath(new URL('../fixtures/hostile/', import.meta.url));
const fixtures = (kind: string) => readdirSync(join(corpus, kind)).filter((name) => name.endsWith('.yaml')).sort();

/** Runs a command in a fresh project holding `files`; returns the outcome and whether anything was generated. */
async function outcome(files: Record<string, string>, argv: string[], prepare?: (root: string) => void) {
  const project = makeProject(files);
  try {
    prepare?.(project.root);
    const result = await project.run(...argv);
    const folder = join(project.root, 'generated');
    const generated = existsSync(folder) && statSync(folder).isDirectory() && readdirSync(folder).some((name) => name.endsWith('.swift'));
    return { ...result, generated, root: project.root };
  } finally {
    project.cleanup();
  }
}

describe('the hostile corpus', () => {
  it('rejects every fixture in rejected/ with a located error, exit 2 and nothing written', async () => {
    const report: string[] = [];
    for (const name of fixtures('rejected')) {
      const result = await outcome({ 'tiers.yaml': readFileSync(join(corpus, 'rejected', name), 'utf8') }, ['generate']);
      expect(result.code, name).toBe(2);
      expect(result.generated, name).toBe(false);
      expect(result.stdout, name).toBe('');
      expect(result.stderr, name).toMatch(/^tiers\.yaml:\d+:\d+: error: /);
      expect(result.stderr, name).not.toMatch(/\n\s+at /);
      report.push(`== ${name} (exit ${result.code})\n${result.stderr}`);
    }
    await expect(report.join('\n')).toMatchFileSnapshot('../__snapshots__/hostile-rejected.txt');
  }, 120_000);

  it('rejects a folder, a missing file, an unreadable file and a very large file, and writes nothing', async () => {
    const base = readFileSync(join(corpus, 'accepted', 'plain.yaml'), 'utf8');
    const cases: [string, Record<string, string>, string[], ((root: string) => void) | undefined, string][] = [
      ['a folder', {}, ['generate', '--config', 'policy'], (root) => mkdirSync(join(root, 'policy')), 'policy: error: is a folder; expected a policy file such as tiers.yaml\n'],
      ['a missing file', {}, ['generate', '--config', 'nope.yaml'], undefined, 'nope.yaml: error: no such file; check the --config path\n'],
      ['an unreadable file (a symlink loop)', {}, ['generate', '--config', 'loop.yaml'], (root) => symlinkSync(join(root, 'loop.yaml'), join(root, 'loop.yaml')), 'loop.yaml: error: cannot read the policy file (ELOOP)\n'],
      ['a 2 MB file', { 'tiers.yaml': `${base}expectations:\n${'  - { physicalMemory: 1, tier: small }\n'.repeat(55_000)}` }, ['generate'], undefined, 'tiers.yaml: error: is 2145342 bytes; a policy is a few kilobytes, and files over 1048576 bytes are refused\n'],
    ];
    for (const [what, files, argv, prepare, message] of cases) {
      const result = await outcome(files, argv, prepare);
      expect(result.code, what).toBe(2);
      expect(result.stderr, what).toBe(`${message}${message.split(':')[0]}: 1 error; nothing was written\n`);
      expect(result.generated, what).toBe(false);
    }
  });

  it('refuses an output folder that is a file, or that leads outside the project through a symlink', async () => {
    const base = readFileSync(join(corpus, 'accepted', 'plain.yaml'), 'utf8');
    const file = await outcome({ 'tiers.yaml': base, generated: 'a file' }, ['generate']);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/^memtier: error: the output folder .*generated is a file; choose another output.directory in tiers.yaml\nnothing was written\n$/);
    const outside = makeProject({});
    try {
      const linked = await outcome({ 'tiers.yaml': base }, ['generate'], (root) => symlinkSync(outside.root, join(root, 'generated')));
      expect(linked.code).toBe(2);
      expect(linked.stderr).toContain(`tiers.yaml: output.directory generated leads through a symlink to ${outside.root}, outside the policy's folder`);
      expect(readdirSync(outside.root)).toEqual([]);
    } finally {
      outside.cleanup();
    }
  });
});

describe('accepted hostile inputs', () => {
  it('a byte-order mark and CRLF line ends give the same output as the plain file', async () => {
    const output = async (name: string) => {
      const project = makeProject({ 'tiers.yaml': readFileSync(join(corpus, 'accepted', name), 'utf8') });
      try {
        expect((await project.run('generate')).code).toBe(0);
        return readdirSync(project.path('generated')).filter((file) => file.endsWith('.swift')).map((file) => readFileSync(project.path('generated', file), 'utf8'));
      } finally {
        project.cleanup();
      }
    };
    expect(await output('bom-and-crlf.yaml')).toEqual(await output('plain.yaml'));
  });

  it('text that reaches Swift cannot change the code: it stays inside comments, and the file parses', async () => {
    const project = makeProject({ 'tiers.yaml': readFileSync(join(corpus, 'accepted', 'hostile-descriptions.yaml'), 'utf8') });
    try {
      expect((await project.run('generate')).code).toBe(0);
      const swift = readFileSync(project.path('generated', 'DeviceMemoryTier.swift'), 'utf8');
      expect(await swiftSyntaxErrors(swift)).toEqual([]);
      const code = swift.split('\n').filter((line) => !line.trimStart().startsWith('//'));
      expect(code.join('\n')).not.toMatch(/injected|#if|\*\//);
      expect(swift).toContain('  /// let injected = 1\n');
      expect(swift).toContain('  /// #if false\n');
    } finally {
      project.cleanup();
    }
  });

  it('names that only look like keywords are plain identifiers', async () => {
    const project = makeProject({ 'tiers.yaml': readFileSync(join(corpus, 'accepted', 'swift-keyword-like-names.yaml'), 'utf8') });
    try {
      expect((await project.run('generate')).code).toBe(0);
      const swift = readFileSync(project.path('generated', 'DeviceMemoryTier.swift'), 'utf8');
      expect(await swiftSyntaxErrors(swift)).toEqual([]);
      // Declared and used as they are written: no backticks, no renaming.
      expect(swift).toContain('  case Self_\n');
      expect(swift).toContain('  case _default\n');
      expect(swift).toContain('      self = .Self_\n');
      expect(swift).toContain('    case ._default: return nil\n');
      const code = swift.split('\n').filter((line) => !line.trimStart().startsWith('//')).join('\n');
      expect(code).not.toContain('`');
    } finally {
      project.cleanup();
    }
  });
});
