// Writes the CommonJS twin of an import-free ES module: drops the `export` keywords and lists the
// exported names in module.exports. Node's CommonJS entry (node.cjs) requires the result.
// Usage: node make-cjs.mjs <in.js> <out.cjs>
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const [input, output] = process.argv.slice(2);
const source = readFileSync(input, 'utf8');
if (/^\s*import\s/m.test(source) || /^\s*export\s+(default|\{|\*)/m.test(source))
  throw new Error(`${input}: only 'export function|class|const|async function' is supported`);
const names = [];
const body = source.replace(
  /^export\s+((?:async\s+)?function|class|const|let)\s+([A-Za-z_$][\w$]*)/gm,
  (_, keyword, name) => {
    names.push(name);
    return `${keyword} ${name}`;
  },
);
writeFileSync(
  output,
  `// Generated from ${basename(input)} by scripts/make-cjs.mjs; do not edit.\n'use strict';\n${body}\n` +
    `module.exports = { ${names.join(', ')} };\n`,
);
