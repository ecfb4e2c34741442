#!/usr/bin/env node
// Prints vitest's totals as one plain "N passed, N failed" line, the closing line CI reads for any runner.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/vitest.json';
try {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const skipped = report.numPendingTests + report.numTodoTests;
  console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
} catch (error) {
  console.error(`test summary: cannot read ${file}: ${error.message}`);
  process.exitCode = 1;
}
