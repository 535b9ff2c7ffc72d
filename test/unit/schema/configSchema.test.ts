import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { allCatalogKeys } from '../../../src/core/config';
import { repoRoot as findRepoRoot } from '../../support/repo';

const repoRoot = findRepoRoot();

interface Schema {
  properties: Record<string, SchemaNode>;
  definitions: Record<string, SchemaNode>;
}
interface SchemaNode {
  $ref?: string;
  allOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  markdownDescription?: string;
  examples?: string[];
}

const read = (file: string): Schema => JSON.parse(fs.readFileSync(path.join(repoRoot, file), 'utf8')) as Schema;
const flat = read('schemas/flink-conf.schema.json');
const nested = read('schemas/config.schema.json');

/** Follows `execution.checkpointing.interval` through nested properties (and allOf) to the option's definition. */
function resolveNested(schema: Schema, key: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = { properties: schema.properties };
  for (const segment of key.split('.')) {
    const children: Record<string, SchemaNode> = {
      ...node?.properties,
      ...Object.assign({}, ...(node?.allOf ?? []).map((n) => n.properties ?? {})),
    };
    node = children[segment];
    if (!node) return undefined;
  }
  const ref = node.$ref ?? node.allOf?.find((n) => n.$ref)?.$ref;
  return ref ? schema.definitions[decodeURIComponent(ref.replace('#/definitions/', ''))] : undefined;
}

describe('JSON schemas of flink-conf.yaml and config.yaml (yamlValidation)', () => {
  it('are what scripts/config-schema.mjs generates from the current catalog', () => {
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/config-schema.mjs'), '--check'], { stdio: 'pipe' });
  });

  it('describe every option a user can set, flat in both files and nested in config.yaml', () => {
    const keys = allCatalogKeys().filter((key) => !key.startsWith('$'));
    assert.ok(keys.length > 1000, `${keys.length} catalog keys`);
    for (const key of keys) {
      assert.ok(flat.properties[key]?.$ref, `flink-conf.yaml: ${key}`);
      const top = nested.properties[key];
      assert.ok(top?.$ref ?? top?.allOf?.some((n) => n.$ref), `config.yaml flat: ${key}`);
      assert.ok(resolveNested(nested, key)?.markdownDescription, `config.yaml nested: ${key}`);
    }
    assert.ok(!Object.keys(flat.properties).some((key) => key.startsWith('$')), 'no $internal keys');
  });

  it('offer values to complete and say what replaces a deprecated key', () => {
    assert.deepEqual(
      flat.definitions['execution.checkpointing.externalized-checkpoint-retention']?.examples?.slice().sort(),
      ['DELETE_ON_CANCELLATION', 'NO_EXTERNALIZED_CHECKPOINTS', 'RETAIN_ON_CANCELLATION'],
    );
    assert.deepEqual(flat.definitions['state.backend.incremental']?.examples, ['true', 'false']);
    assert.match(
      flat.definitions['state.backend']?.markdownDescription ?? '',
      /Deprecated since Flink 1\.17: use `state\.backend\.type`/,
    );
  });

  it('validate nothing, so the YAML extension never repeats our diagnostics', () => {
    // Unknown keys, wrong types and bad values are reported by our own provider, for the target Flink version.
    const validating = [
      'type',
      'enum',
      'const',
      'required',
      'additionalProperties',
      'patternProperties',
      'pattern',
      'minimum',
      'maximum',
      'deprecationMessage',
      'errorMessage',
    ];
    // Walks schema nodes, not the option names that key the properties and definitions maps (Flink has an option `type`).
    const keywords = (node: SchemaNode, at: string): string[] => [
      ...Object.keys(node)
        .filter((k) => validating.includes(k))
        .map((k) => `${at}: ${k}`),
      ...Object.entries(node.properties ?? {}).flatMap(([name, child]) => keywords(child, `${at}.${name}`)),
      ...(node.allOf ?? []).flatMap((child) => keywords(child, at)),
    ];
    for (const [file, schema] of [
      ['flink-conf.yaml', flat],
      ['config.yaml', nested],
    ] as const) {
      const { properties, definitions, ...top } = schema as Schema & Record<string, unknown>;
      const found = [
        ...keywords({ ...top, properties } as SchemaNode, file),
        ...Object.entries(definitions).flatMap(([name, node]) => keywords(node, `${file} definition ${name}`)),
      ];
      assert.deepEqual(found, [], `validating keywords in ${file}`);
    }
  });

  it('are contributed for flink-conf.yaml and conf/config.yaml', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      contributes: { yamlValidation: Array<{ fileMatch: string | string[]; url: string }> };
    };
    const byFile = new Map(
      manifest.contributes.yamlValidation.flatMap((entry) =>
        [entry.fileMatch].flat().map((match) => [match, entry.url]),
      ),
    );
    assert.equal(byFile.get('flink-conf.yaml'), './schemas/flink-conf.schema.json');
    assert.equal(byFile.get('**/conf/config.yaml'), './schemas/config.schema.json');
    for (const url of byFile.values()) assert.ok(fs.existsSync(path.join(repoRoot, url)), url);
  });
});
