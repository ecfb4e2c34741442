import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject } from './helpers/cli.js';
import { DEFAULT_POLICY_TEXT } from './helpers/policy.js';

const bin = fileURLToPath(new URL('../bin/memtier.js', import.meta.url));
let project: ReturnType<typeof makeProject> | undefined;
afterEach(() => project?.cleanup());

describe('memtier watch', () => {
  it('regenerates on save, survives an invalid save, and exits 0 on Ctrl-C', async () => {
    project = makeProject();
    const child = spawn(process.execPath, [bin, 'watch'], { cwd: project.root });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    /** Waits until the output holds `text` (after `from`), or fails after 15 s. */
    const waitFor = async (text: string, from = 0) => {
      const deadline = Date.now() + 15_000;
      while (!output.slice(from).includes(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; output so far:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    try {
      await waitFor('watching for changes; press Ctrl-C to stop');
      expect(output).toContain('wrote generated/DeviceMemoryTier.swift');

      let mark = output.length;
      writeFileSync(project.path('tiers.yaml'), DEFAULT_POLICY_TEXT.replace('maxTokens: 800', 'maxTokens: 900'));
      await waitFor('wrote generated/MemoryConfiguration.swift', mark);
      expect(readFileSync(project.path('generated', 'MemoryConfiguration.swift'), 'utf8')).toContain('maxTokens: 900,');

      mark = output.length;
      writeFileSync(project.path('tiers.yaml'), DEFAULT_POLICY_TEXT.replace('maxTokens: 800', 'maxTokens: lots'));
      await waitFor('tiers.yaml: 1 error; nothing was written', mark);
      expect(readFileSync(project.path('generated', 'MemoryConfiguration.swift'), 'utf8')).toContain('maxTokens: 900,');

      mark = output.length;
      writeFileSync(project.path('tiers.yaml'), DEFAULT_POLICY_TEXT);
      await waitFor('wrote generated/MemoryConfiguration.swift', mark);

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('stopped watching');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
