import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyEdits,
  checkConfig,
  checkDuration,
  checkMemorySize,
  ConfigDiagnostic,
  correctDurationUnit,
  correctMemoryUnit,
  DURATION_ALIASES,
  DURATION_LABELS,
  MEMORY_ALIASES,
  MEMORY_LABELS,
} from '../../../src/core/config';

function invalid(text: string, version = '1.20'): ConfigDiagnostic {
  const found = checkConfig(text, { version, format: 'yaml', fileName: 'config.yaml' }).filter(
    (d) => d.code === 'invalid-value',
  );
  assert.equal(found.length, 1, text);
  return found[0];
}

/** Every text one typing slip away from `word`: a letter dropped, doubled, swapped with its neighbour, or wrong. */
function singleTypos(word: string): Set<string> {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const out = new Set<string>();
  for (let i = 0; i < word.length; i++) {
    out.add(word.slice(0, i) + word.slice(i + 1));
    if (i + 1 < word.length) out.add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
    for (const c of letters) out.add(word.slice(0, i) + c + word.slice(i + 1));
  }
  for (let i = 0; i <= word.length; i++) for (const c of letters) out.add(word.slice(0, i) + c + word.slice(i));
  out.delete(word);
  return out;
}

describe('misspelt units', () => {
  test('"10 minuts" is fixed to 10 minutes, never to 10 ms', () => {
    const text = 'execution.checkpointing.timeout: 10 minuts\n';
    const d = invalid(text);
    assert.deepEqual(
      d.fixes.map((f) => f.title),
      ['Change to "10 min"'],
    );
    assert.equal(d.fixes[0].preferred, true);
    assert.equal(applyEdits(text, d.fixes[0].edits), 'execution.checkpointing.timeout: 10 min\n');
  });

  test('durations and memory sizes: the closest unit, aliases people write, nothing when unclear', () => {
    const cases: Array<[string, string | null]> = [
      ['10 minuts', '10 min'],
      ['30 secnds', '30 s'],
      ['30 sceonds', '30 s'],
      ['5 mintues', '5 min'],
      ['2 hourss', '2 h'],
      ['1 dyas', '1 d'],
      ['100 milis', '100 ms'],
      ['100 msec', '100 ms'],
      ['3 hrs', '3 h'],
      ['5 mins', '5 min'],
      ['7 usec', '7 µs'],
      ['10 mis', null],
      ['10 xyz', null],
      ['10 weeks', null],
    ];
    for (const [value, fixed] of cases) assert.equal(correctDurationUnit(value), fixed, value);
    const memory: Array<[string, string | null]> = [
      ['64 mbb', '64 mb'],
      ['64 mib', '64 mb'],
      ['1 gib', '1 gb'],
      ['512 kbs', '512 kb'],
      ['10 bytse', '10 bytes'],
      ['2 megabytes', '2 mb'],
      ['4 gigabytes', '4 gb'],
      ['64 nb', null],
      ['64 qq', null],
    ];
    for (const [value, fixed] of memory) assert.equal(correctMemoryUnit(value), fixed, value);
  });

  test('a memory size with a misspelt unit gets the same size back', () => {
    const text = 'taskmanager.memory.process.size: 4 gbb\n';
    assert.equal(applyEdits(text, invalid(text).fixes[0].edits), 'taskmanager.memory.process.size: 4 gb\n');
  });

  // The property: for every one-slip typo of every unit label of two or more letters, a fix (when offered) means
  // exactly the amount the intended label meant; and most typos do get one.
  for (const [kind, labels, aliases, correct, amount] of [
    [
      'duration',
      DURATION_LABELS,
      DURATION_ALIASES,
      correctDurationUnit,
      (v: string) => {
        const r = checkDuration(v, '2.2');
        return r.ok ? r.millis : undefined;
      },
    ],
    [
      'memory size',
      MEMORY_LABELS,
      MEMORY_ALIASES,
      correctMemoryUnit,
      (v: string) => {
        const r = checkMemorySize(v);
        return r.ok ? r.bytes : undefined;
      },
    ],
  ] as const) {
    test(`property: every one-slip typo of a ${kind} unit is fixed to the same amount or not at all`, () => {
      let typos = 0;
      let fixed = 0;
      const wrong: string[] = [];
      for (const label of labels.filter((l) => l.length >= 2)) {
        const meant = amount(`7 ${label}`);
        assert.notEqual(meant, undefined, label);
        for (const typo of singleTypos(label)) {
          // A slip that lands on another valid label is a valid value: nothing to fix. A known spelling ("msec" is
          // milliseconds, not a slip of "sec") means what it means; the cases above check those.
          if (amount(`7 ${typo}`) !== undefined || /^\d/.test(typo) || typo in aliases) continue;
          typos++;
          const fix = correct(`7 ${typo}`);
          if (fix === null) continue;
          fixed++;
          if (amount(fix) !== meant) wrong.push(`${label} → ${typo} → ${fix}`);
        }
      }
      console.log(`${kind} units: ${fixed} of ${typos} one-slip typos fixed, ${wrong.length} to another amount`);
      assert.deepEqual(wrong, []);
      assert.ok(typos > 2000, `${typos} typos`);
      assert.ok(fixed / typos > 0.8, `only ${fixed} of ${typos} typos fixed`);
    });
  }

  test('fixes through the diagnostics keep the magnitude for every duration key of the catalog', () => {
    for (const key of ['execution.checkpointing.interval', 'execution.checkpointing.min-pause', 'heartbeat.timeout']) {
      const text = `${key}: 3 secnods\n`;
      const d = invalid(text, '2.2');
      assert.equal(applyEdits(text, d.fixes[0].edits), `${key}: 3 s\n`);
      assert.ok(
        d.fixes.every((f) => !/ms"$/.test(f.title)),
        JSON.stringify(d.fixes.map((f) => f.title)),
      );
    }
  });
});
