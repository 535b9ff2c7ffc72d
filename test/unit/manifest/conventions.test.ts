import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot as findRepoRoot } from '../../support/repo';

const repoRoot = findRepoRoot();

interface Manifest {
  icon: string;
  repository: { url: string };
  contributes: {
    commands: Array<{ command: string; icon?: string }>;
    menus: Record<string, Array<{ command: string }>>;
    configuration: {
      properties: Record<
        string,
        {
          description?: string;
          markdownDescription?: string;
          order?: number;
          enum?: unknown[];
          enumDescriptions?: string[];
        }
      >;
    };
    walkthroughs: Array<{ steps: Array<{ id: string; media: Record<string, string> }> }>;
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const nls = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
const packaged = fs.readFileSync(path.join(repoRoot, '.vscodeignore'), 'utf8');

describe('package.json follows the conventions users of VS Code extensions expect', () => {
  it('gives every command shown in a menu an icon', () => {
    const icons = new Map(manifest.contributes.commands.map((c) => [c.command, c.icon]));
    const missing = Object.entries(manifest.contributes.menus)
      .filter(([menu]) => menu !== 'commandPalette')
      .flatMap(([menu, items]) =>
        items.filter((item) => !icons.get(item.command)).map((item) => `${menu}: ${item.command}`),
      );
    assert.deepEqual(missing, []);
  });

  it('describes every setting in markdown, orders them, and describes every enum value', () => {
    const orders = new Set<number>();
    for (const [name, setting] of Object.entries(manifest.contributes.configuration.properties)) {
      assert.ok(setting.markdownDescription && !setting.description, `${name}: markdownDescription`);
      assert.equal(typeof setting.order, 'number', `${name}: order`);
      assert.ok(!orders.has(setting.order!), `${name}: order ${setting.order} is taken`);
      orders.add(setting.order!);
      if (setting.enum) {
        assert.equal(setting.enumDescriptions?.length, setting.enum.length, `${name}: enumDescriptions`);
      }
    }
  });

  it('resolves every %key% against package.nls.json', () => {
    const keys = [...JSON.stringify(manifest).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.deepEqual(
      keys.filter((key) => !(key in nls)),
      [],
    );
  });

  it('packages the Marketplace icon, the changelog and every walkthrough medium', () => {
    const icon = fs.readFileSync(path.join(repoRoot, manifest.icon));
    // PNG signature, then the IHDR chunk's width and height.
    assert.equal(icon.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128]);
    assert.match(manifest.repository.url, /^https:\/\//);
    for (const file of [
      'CHANGELOG.md',
      ...manifest.contributes.walkthroughs.flatMap((w) =>
        w.steps.flatMap((s) =>
          Object.entries(s.media)
            .filter(([k]) => k !== 'altText')
            .map(([, v]) => v),
        ),
      ),
    ]) {
      assert.ok(fs.existsSync(path.join(repoRoot, file)), `${file} exists`);
      const dir = path.dirname(file);
      assert.ok(
        packaged.includes(`!${file}`) ||
          packaged.includes(`!${dir}/**`) ||
          packaged.includes(`!${dir}/*.${path.extname(file).slice(1)}`),
        `${file} is packaged (.vscodeignore)`,
      );
    }
  });
});
