/**
 * The generated stress test's Darwin branch, which no Linux build of the package compiles: its
 * reader of the kernel's lifetime footprint peak (`task_vm_info.ledger_phys_footprint_peak`)
 * type-checked by swiftc (Swift 6, complete strict concurrency, warnings as errors) against the
 * Darwin SDK stand-in (test/swift/stand-ins/sdk/Darwin.swift), as compile.test.ts checks the
 * monitor's. The reader is a top-level `#if canImport(Darwin)` block that needs only Foundation and
 * Darwin, so it is checked alone.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate.js';
import { templates, validPolicy } from '../helpers/policy.js';
import { swift, swiftSkipped, tempFolder, writeFiles } from './harness.js';

const folder = tempFolder('stress-darwin');
afterAll(() => folder.cleanup());

/** The `#if canImport(Darwin)` block of the stress test that declares `enum KernelFootprint`. */
function kernelPeakReader(): string {
  const stress = generate(validPolicy(), templates).find((file) => file.path.endsWith('MemoryStressTest.swift'));
  const lines = stress!.contents.split('\n');
  const declaration = lines.findIndex((line) => line.includes('enum KernelFootprint'));
  expect(declaration).toBeGreaterThan(0);
  const start = lines.slice(0, declaration).lastIndexOf('#if canImport(Darwin)');
  const end = lines.indexOf('#endif', declaration);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(declaration);
  return lines.slice(start, end + 1).join('\n');
}

describe.skipIf(swiftSkipped)('the stress test\'s kernel peak reader on Darwin', () => {
  it('type-checks against the SDK stand-in, and the check is live', () => {
    const root = folder.root;
    const shim = fileURLToPath(new URL('./stand-ins/sdk/Darwin.swift', import.meta.url));
    writeFiles(root, [{ path: 'shim/Darwin.swift', contents: readFileSync(shim, 'utf8') }]);
    const built = swift(root, ['swiftc', '-emit-module', '-parse-as-library', '-module-name', 'Darwin', '-swift-version', '5', 'shim/Darwin.swift', '-emit-module-path', 'shim/Darwin.swiftmodule']);
    expect(built.output).toBe('');
    expect(built.status).toBe(0);
    const reader = kernelPeakReader();
    expect(reader).toContain('ledger_phys_footprint_peak');
    const file = (contents: string) => `import Foundation\n\n#if canImport(Darwin)\n  import Darwin\n#endif\n\n${contents}\n`;
    writeFiles(root, [{ path: 'Reader.swift', contents: file(reader) }]);
    const strict = ['-swift-version', '6', '-strict-concurrency=complete', '-warnings-as-errors'];
    const checked = swift(root, ['swiftc', '-typecheck', ...strict, '-I', 'shim', 'Reader.swift']);
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
    // Live: a field the struct does not have is refused by the same check.
    writeFiles(root, [{ path: 'Broken.swift', contents: file(reader.replaceAll('ledger_phys_footprint_peak', 'ledger_phys_footprint_max')) }]);
    const broken = swift(root, ['swiftc', '-typecheck', ...strict, '-I', 'shim', 'Broken.swift']);
    expect(broken.status).not.toBe(0);
    expect(broken.output).toMatch(/has no member 'ledger_phys_footprint_max'/);
  }, 300_000);

  it('reads the peak only from a kernel whose answer covers the field: revision 3 and later', () => {
    // The stand-in's task_info answers as xnu's does (fills each revision the count covers, returns
    // the count of the last one): a kernel that knows only revision 2 has no peak to give.
    const root = folder.root;
    writeFiles(root, [{
      path: 'main.swift',
      contents: [
        'import Darwin', '',
        'StandInKernel.footprint = 700', 'StandInKernel.footprintPeak = 1_234_567_890',
        'for revision in [7, 3, 2, 0] {',
        '  StandInKernel.taskVMInfoRevision = revision',
        '  let peak = KernelFootprint.lifetimePeak().map(String.init) ?? "nil"',
        '  print("revision \\(revision): \\(peak), count passed \\(StandInKernel.countPassed)")',
        '}',
        'StandInKernel.taskVMInfoRevision = 7', 'StandInKernel.footprintPeak = -1',
        'print("a negative ledger: \\(KernelFootprint.lifetimePeak().map(String.init) ?? "nil")")', '',
      ].join('\n'),
    }]);
    const object = swift(root, ['swiftc', '-c', '-parse-as-library', '-module-name', 'Darwin', '-swift-version', '5', 'shim/Darwin.swift', '-o', 'shim/Darwin.o']);
    expect(object.output).toBe('');
    const built = swift(root, ['swiftc', '-swift-version', '6', '-I', 'shim', 'main.swift', 'Reader.swift', 'shim/Darwin.o', '-o', 'reader']);
    expect(built.output).toBe('');
    expect(built.status).toBe(0);
    const run = swift(root, ['./reader']);
    // 94 words: the whole rev7 struct, 376 bytes.
    expect(run.output.trim().split('\n')).toEqual([
      'revision 7: 1234567890, count passed 94',
      'revision 3: 1234567890, count passed 94',
      'revision 2: nil, count passed 94',
      'revision 0: nil, count passed 94',
      'a negative ledger: nil',
    ]);
  }, 300_000);
});
