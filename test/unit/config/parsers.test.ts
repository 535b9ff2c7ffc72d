import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectiveMap, javaDouble, parseLegacyConfig, parseYamlConfig } from '../../../src/core/config';
import { parseYamlConfig as parseYaml } from '../../../src/core/config/yamlParser';

const codes = (problems: Array<{ code: string }>) => problems.map((p) => p.code);

describe("flink-conf.yaml with Flink's legacy line rules", () => {
  test('splits at the first ": ", trims, keeps quotes and cuts at the first #', () => {
    const doc = parseLegacyConfig(
      [
        'jobmanager.rpc.port   : 6123      # port',
        's3.secret-key: ab#cd',
        "execution.checkpointing.timeout: '10 min'",
        'env.java.opts.all: -Da=b: c',
        'yarn.application.name: a:b',
      ].join('\n'),
    );
    assert.deepEqual(Object.fromEntries(effectiveMap(doc)!), {
      'jobmanager.rpc.port': '6123',
      's3.secret-key': 'ab',
      'execution.checkpointing.timeout': "'10 min'",
      'env.java.opts.all': '-Da=b: c',
      'yarn.application.name': 'a:b',
    });
    assert.deepEqual(codes(doc.problems), ['legacy-hash-in-value', 'legacy-quoted-value']);
  });

  test('skips lines without ": " or with an empty key or value, with a warning each', () => {
    const doc = parseLegacyConfig('web.submit.enable:false\nrest.port:\n: orphan\njust-a-key\n# comment only\n\n');
    assert.equal(doc.entries.length, 0);
    assert.deepEqual(codes(doc.problems), [
      'legacy-not-key-value',
      'legacy-not-key-value',
      'legacy-empty',
      'legacy-not-key-value',
    ]);
  });

  test('last duplicate wins; the earlier one is flagged and marked overridden', () => {
    const doc = parseLegacyConfig('parallelism.default: 1\nparallelism.default: 4\n');
    assert.equal(effectiveMap(doc)!.get('parallelism.default'), '4');
    assert.equal(doc.entries[0].effective, false);
    assert.deepEqual(codes(doc.problems), ['duplicate-key']);
    assert.equal(doc.problems[0].range.start.line, 0);
  });

  test('reads \\r\\n, \\r and \\n line ends, and positions keys and values', () => {
    const doc = parseLegacyConfig('a: 1\r\nb: 2\rc: 3\n  d  :  4  ');
    assert.deepEqual(
      doc.entries.map((e) => [e.key, e.value, e.keyRange.start.line]),
      [
        ['a', '1', 0],
        ['b', '2', 1],
        ['c', '3', 2],
        ['d', '4', 3],
      ],
    );
    const d = doc.entries[3];
    assert.deepEqual(d.keyRange, { start: { line: 3, character: 2 }, end: { line: 3, character: 3 } });
    assert.deepEqual(d.valueRange, { start: { line: 3, character: 8 }, end: { line: 3, character: 9 } });
  });

  test('trims like Java: tabs go, a BOM or a no-break space stays', () => {
    const doc = parseLegacyConfig('\tkey: \tx\t\nhost: \uFEFFlocalhost\nname: a\u00A0\n');
    assert.deepEqual(
      doc.entries.map((e) => e.value),
      ['x', '\uFEFFlocalhost', 'a\u00A0'],
    );
  });
});

describe("config.yaml as Flink's standard YAML loader reads it", () => {
  test('flattens nested maps and keeps the innermost key position', () => {
    const doc = parseYamlConfig(
      'execution:\n  checkpointing:\n    interval: 30 s # every 30 s\nstate.backend.type: rocksdb\n',
    );
    assert.deepEqual(Object.fromEntries(effectiveMap(doc)!), {
      'execution.checkpointing.interval': '30 s',
      'state.backend.type': 'rocksdb',
    });
    const e = doc.entries[0];
    assert.deepEqual(e.parents, ['execution', 'checkpointing']);
    assert.deepEqual(e.keyRange, { start: { line: 2, character: 4 }, end: { line: 2, character: 12 } });
    assert.deepEqual(e.valueRange, { start: { line: 2, character: 14 }, end: { line: 2, character: 18 } });
  });

  test('prints scalars as Java does (core schema)', () => {
    const doc = parseYamlConfig(
      'a: 007\nb: 0x1F\nc: 1e3\nd: 1.0e-4\ne: True\nf: yes\ng: "42"\nh: 12345678.9\ni: .inf\n',
    );
    assert.deepEqual(Object.fromEntries(effectiveMap(doc)!), {
      a: '7',
      b: '31',
      c: '1000.0',
      d: '1.0E-4',
      e: 'true',
      f: 'yes',
      g: '42',
      h: '1.23456789E7',
      i: '.inf',
    });
    assert.equal(javaDouble(0.001), '0.001');
    assert.equal(javaDouble(1e7), '1.0E7');
  });

  test('stores lists as flow YAML the way snakeyaml-engine dumps them', () => {
    const doc = parseYaml("l: [file:///a.jar, y z.jar, 'a, b', 'true', 1, null, x: y]\n");
    assert.equal(effectiveMap(doc)!.get('l'), "['file:///a.jar', y z.jar, 'a, b', 'true', 1, null, {x: y}]");
  });

  test('files Flink refuses are fatal: null values, duplicates, tabs, non-map documents, non-string keys', () => {
    for (const text of ['a:\nb: 1\n', 'a:\n  b: 1\n  b: 2\n', 'a:\n\tb: 1\n', '- a\n', '1: x\n', 'a:\n  true: x\n']) {
      const doc = parseYamlConfig(text);
      assert.equal(doc.fatal, true, JSON.stringify(text));
      assert.equal(effectiveMap(doc), null);
      assert.ok(doc.problems.some((p) => p.severity === 'error'));
    }
  });

  test('a flat key and the same nested key: the later one wins', () => {
    const doc = parseYamlConfig('a.b: first\na:\n  b: second\n');
    assert.equal(effectiveMap(doc)!.get('a.b'), 'second');
    assert.deepEqual(codes(doc.problems), ['duplicate-key']);
  });

  test('an empty file and a comment-only file are empty configurations', () => {
    assert.equal(effectiveMap(parseYamlConfig(''))!.size, 0);
    assert.equal(effectiveMap(parseYamlConfig('# nothing\n'))!.size, 0);
  });
});
