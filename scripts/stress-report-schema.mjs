#!/usr/bin/env node
// Writes docs/stress-report.schema.json, the JSON Schema of the on-device stress test's report,
// from its zod schema (src/reports/stress-report.ts). Run after `npm run build`;
// test/stress-report.test.ts fails when the file is not what this writes.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { stressReportJsonSchema } from '../dist/reports/stress-report.js';

const { format } = createRequire(import.meta.url)('prettier');
writeFileSync(new URL('../docs/stress-report.schema.json', import.meta.url), await format(JSON.stringify(stressReportJsonSchema()), { parser: 'json' }));
