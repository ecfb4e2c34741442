import { generate } from '../../src/generate.js';
import type { GeneratedFile } from '../../src/render/render-files.js';
import type { Policy } from '../../src/policy/schema.js';
import { templates } from '../helpers/policy.js';

/** Splits a policy's generated files into the module's sources and the test target's files. */
export function splitGenerated(policy: Policy, files: GeneratedFile[] = generate(policy, templates)) {
  const testsFolder = policy.output.tests ? `${policy.output.tests.directory.replace(/\/+$/, '')}/` : undefined;
  const isTest = (file: GeneratedFile) => testsFolder !== undefined && file.path.startsWith(testsFolder);
  return {
    module: policy.output.tests?.module ?? 'MemoryPolicy',
    sources: files.filter((file) => !isTest(file)),
    tests: files.filter(isTest).map((file) => ({ ...file, path: file.path.slice(testsFolder!.length) })),
  };
}
