import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, services } from './support/extension';

const LEGACY = [
  'state.checkpoints.dir: hdfs://namenode:8020/flink/checkpoints',
  'execution.checkpointing.interval: 10',
  'state.backend.typ: rocksdb',
  '',
].join('\n');

describe('config: editing flink-conf.yaml and config.yaml', function () {
  this.timeout(60_000);
  before(async () => {
    await services();
    await vscode.workspace
      .getConfiguration('flinkCheckpoints')
      .update('flinkVersion', '1.20', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace
      .getConfiguration('flinkCheckpoints')
      .update('flinkVersion', undefined, vscode.ConfigurationTarget.Global);
  });

  /** Each test gets its own conf directory: an open document would otherwise keep its earlier text. */
  async function open(name: string, text: string): Promise<vscode.TextEditor> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-conf-'));
    fs.mkdirSync(path.join(dir, 'conf'));
    const file = path.join(dir, 'conf', name);
    fs.writeFileSync(file, text);
    const document = await vscode.workspace.openTextDocument(file);
    return vscode.window.showTextDocument(document);
  }

  async function diagnostics(uri: vscode.Uri, code: string): Promise<vscode.Diagnostic> {
    return eventually(`a ${code} diagnostic`, () => vscode.languages.getDiagnostics(uri).find((d) => d.code === code));
  }

  it('reports deprecated keys, bare-number durations and unknown keys with "did you mean"', async () => {
    const editor = await open('flink-conf.yaml', LEGACY);
    const uri = editor.document.uri;
    const deprecated = await diagnostics(uri, 'deprecated-key');
    assert.equal(deprecated.range.start.line, 0);
    assert.match(deprecated.message, /execution\.checkpointing\.dir/);
    assert.ok(deprecated.tags?.includes(vscode.DiagnosticTag.Deprecated));
    assert.match((await diagnostics(uri, 'bare-number-duration')).message, /10 ms/);
    const unknown = await diagnostics(uri, 'unknown-key');
    assert.equal(unknown.range.start.line, 2);
    assert.match(unknown.message, /state\.backend\.type/);
  });

  it('fixes the unknown key with the preferred quick fix', async () => {
    const editor = await open('flink-conf.yaml', LEGACY);
    const unknown = await diagnostics(editor.document.uri, 'unknown-key');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      editor.document.uri,
      unknown.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title.includes('state.backend.type'));
    assert.ok(fix?.edit, `a quick fix among ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(editor.document.lineAt(2).text, 'state.backend.type: rocksdb');
    await eventually('the unknown-key diagnostic to go away', () =>
      vscode.languages.getDiagnostics(editor.document.uri).some((d) => d.code === 'unknown-key') ? undefined : true,
    );
  });

  it('completes keys, values and version-correct snippets', async () => {
    const editor = await open('config.yaml', 'state:\n  backend:\n    type: \n');
    const keys = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      editor.document.uri,
      new vscode.Position(1, 4),
    );
    const labels = keys.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(
      labels.some((l) => l.startsWith('type') || l.includes('backend.type')),
      'nested key completion under state.backend',
    );
    const values = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      editor.document.uri,
      new vscode.Position(2, 10),
    );
    const valueLabels = values.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(
      valueLabels.includes('rocksdb') && valueLabels.includes('hashmap'),
      `state backends offered: ${valueLabels.join(', ')}`,
    );
    const atStart = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      editor.document.uri,
      new vscode.Position(3, 0),
    );
    const snippets = atStart.items.filter((i) => i.kind === vscode.CompletionItemKind.Snippet);
    assert.ok(snippets.length >= 5, 'checkpointing snippets are offered');
    assert.ok(
      snippets.every((s) => !(s.insertText as vscode.SnippetString).value.includes('state.checkpoints.dir')),
      'Flink 1.20 snippets use the renamed keys',
    );
  });

  it('explains a key on hover', async () => {
    const editor = await open('config.yaml', 'execution.checkpointing.interval: 30 s\n');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      editor.document.uri,
      new vscode.Position(0, 5),
    );
    const text = hovers
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
      .join('\n');
    assert.match(text, /Duration/);
  });

  it('leaves YAML files that are not Flink configuration alone', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fc-other-')), 'docker-compose.yaml');
    fs.writeFileSync(file, 'services:\n  state.backend.typ: x\n');
    const document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(
      vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'Flink'),
      [],
    );
  });
});
