// Prints where the inline state of a `_metadata` file starts, as `keyed:<offset>` and `operator:<offset>` arguments
// for test/flink/legacy/LegacyProxyOracle.java: the handles the schema reader asks `_metadata` for, each told apart
// by the proxy it starts with. Needs the compiled tree (`npx tsc -p .`).
//
//   node scripts/legacy-proxy-heads.mjs <_metadata>
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const out = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'src', 'core');
const { parseMetadata } = require(resolve(out, 'metadata'));
const { readSchemas, readKeyedProxy, readOperatorProxy, DataInput } = require(resolve(out, 'state'));

const bytes = readFileSync(process.argv[2]);
const offsets = new Set();
await readSchemas(parseMetadata(new Uint8Array(bytes), { pointer: null }), {
  readMetadata: (offset, length) => {
    offsets.add(offset);
    return Promise.resolve(new Uint8Array(bytes.subarray(offset, offset + length)));
  },
  read: () => Promise.reject(new Error('inline state only')),
});
const heads = [];
for (const offset of [...offsets].sort((a, b) => a - b)) {
  const head = new Uint8Array(bytes.subarray(offset));
  for (const [kind, read] of [
    ['keyed', readKeyedProxy],
    ['operator', readOperatorProxy],
  ]) {
    try {
      read(new DataInput(head, offset, true));
      heads.push(`${kind}:${offset}`);
      break;
    } catch {
      // not this kind of proxy
    }
  }
}
console.log(heads.join(' '));
