import * as vscode from 'vscode';
import * as path from 'node:path';
import type { ConfigDiagnostic, ConfigFormat, Range as CoreRange, TextEdit as CoreEdit } from '../core/config';

/**
 * The configuration core (the option catalog of every Flink line and a YAML parser) is loaded when the first Flink
 * configuration file is looked at, not when the extension activates.
 */
export function configCore(): typeof import('../core/config') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../core/config') as typeof import('../core/config');
}
import { affects, configFileNames, flinkVersion } from '../settings';

const DEFAULT_NAMES = ['flink-conf.yaml'];

/** flink-conf.yaml anywhere, config.yaml inside a `conf` directory (Flink's layout), and names the user adds. */
export function isFlinkConfig(document: vscode.TextDocument): boolean {
  const name = path.posix.basename(document.uri.path);
  const extra = configFileNames();
  if (DEFAULT_NAMES.includes(name) || extra.includes(name)) return true;
  return name === 'config.yaml' && path.posix.basename(path.posix.dirname(document.uri.path)) === 'conf';
}

function formatOf(document: vscode.TextDocument): ConfigFormat {
  return configCore().formatOfFileName(path.posix.basename(document.uri.path));
}

function toRange(range: CoreRange): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

function toWorkspaceEdit(uri: vscode.Uri, edits: readonly CoreEdit[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(uri, toRange(e.range), e.newText);
  return edit;
}

const SEVERITY: Record<ConfigDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Diagnostics for open Flink configuration files, re-checked as they change and when the target version changes. */
class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('flink-config');
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly siblings = new Map<string, string[]>();
  /** The findings of the last check per document, with the version they were computed for. */
  private readonly findings = new Map<string, { version: number; found: ConfigDiagnostic[] }>();

  async check(document: vscode.TextDocument): Promise<ConfigDiagnostic[]> {
    if (!isFlinkConfig(document)) return [];
    const fileName = path.posix.basename(document.uri.path);
    const found = configCore().checkConfig(document.getText(), {
      version: flinkVersion(),
      fileName,
      siblingFileNames: await this.siblingNames(document.uri),
    });
    this.findings.set(document.uri.toString(), { version: document.version, found });
    this.collection.set(
      document.uri,
      found.map((d) => {
        const diagnostic = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
        diagnostic.source = 'Flink';
        diagnostic.code = d.code;
        diagnostic.tags = d.tags?.map((t) =>
          t === 'deprecated' ? vscode.DiagnosticTag.Deprecated : vscode.DiagnosticTag.Unnecessary,
        );
        return diagnostic;
      }),
    );
    return found;
  }

  schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        void this.check(document);
      }, 200),
    );
  }

  /**
   * The findings for the document as it is now: those the last check computed, when the text has not changed since
   * (code actions are asked for on every cursor move), or a fresh check.
   */
  async current(document: vscode.TextDocument): Promise<ConfigDiagnostic[]> {
    const last = this.findings.get(document.uri.toString());
    return last && last.version === document.version ? last.found : this.check(document);
  }

  forget(document: vscode.TextDocument): void {
    this.findings.delete(document.uri.toString());
    this.collection.delete(document.uri);
    this.siblings.delete(path.posix.dirname(document.uri.toString()));
  }

  recheckAll(): void {
    this.findings.clear();
    this.collection.clear();
    for (const document of vscode.workspace.textDocuments) void this.check(document);
  }

  /** Names beside the file, to spot flink-conf.yaml next to config.yaml; read once per directory. */
  private async siblingNames(uri: vscode.Uri): Promise<string[]> {
    const directory = vscode.Uri.joinPath(uri, '..');
    const key = directory.toString();
    let names = this.siblings.get(key);
    if (!names) {
      names = await Promise.resolve(vscode.workspace.fs.readDirectory(directory)).then(
        (entries) => entries.map(([name]) => name),
        () => [],
      );
      this.siblings.set(key, names);
    }
    return names;
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.collection.dispose();
  }
}

export function register(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const diagnostics = new ConfigDiagnostics();
  const selector: vscode.DocumentSelector = [
    { pattern: '**/flink-conf.yaml' },
    { pattern: '**/*.yaml' },
    { pattern: '**/*.yml' },
  ];

  context.subscriptions.push(
    diagnostics,
    vscode.workspace.onDidOpenTextDocument((d) => void diagnostics.check(d)),
    vscode.workspace.onDidChangeTextDocument((e) => diagnostics.schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => diagnostics.forget(d)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'flinkVersion', 'config.fileNames')) diagnostics.recheckAll();
    }),
    vscode.languages.registerCodeActionsProvider(
      selector,
      {
        async provideCodeActions(document, range) {
          if (!isFlinkConfig(document)) return [];
          const found = await diagnostics.current(document);
          return found
            .filter((d) => toRange(d.range).intersection(range))
            .flatMap((d) =>
              d.fixes.map((fix) => {
                const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
                action.edit = toWorkspaceEdit(document.uri, fix.edits);
                action.isPreferred = fix.preferred === true;
                action.diagnostics = vscode.languages
                  .getDiagnostics(document.uri)
                  .filter((v) => v.code === d.code && v.range.isEqual(toRange(d.range)));
                return action;
              }),
            );
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
    vscode.languages.registerCompletionItemProvider(
      selector,
      {
        provideCompletionItems(document, position) {
          if (!isFlinkConfig(document)) return undefined;
          const version = flinkVersion();
          const format = formatOf(document);
          const items = configCore()
            .completeAt(document.getText(), position, { version, format })
            .map((c) => {
              const item = new vscode.CompletionItem(
                c.label,
                c.kind === 'key' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.Value,
              );
              item.insertText = c.insertText;
              item.range = toRange(c.range);
              item.detail = c.detail;
              item.documentation = c.documentation ? new vscode.MarkdownString(c.documentation) : undefined;
              item.sortText = c.sortText;
              if (c.deprecated) item.tags = [vscode.CompletionItemTag.Deprecated];
              return item;
            });
          // Snippets write top-level flat keys: offer them where a top-level key is being typed.
          const typed = /^[\w.-]*$/.exec(document.lineAt(position.line).text.slice(0, position.character));
          if (typed) {
            const range = new vscode.Range(position.line, 0, position.line, position.character);
            for (const snippet of configCore().snippetsFor(version, format)) {
              const item = new vscode.CompletionItem(snippet.prefix, vscode.CompletionItemKind.Snippet);
              item.range = range;
              item.insertText = new vscode.SnippetString(snippet.body.join('\n'));
              item.detail = vscode.l10n.t('Flink {0} snippet', version);
              item.documentation = new vscode.MarkdownString(
                `${snippet.description}\n\n\`\`\`yaml\n${snippet.body.join('\n').replace(/\$\{\d+:([^}]*)\}/g, '$1')}\n\`\`\``,
              );
              item.sortText = `1${snippet.prefix}`;
              items.push(item);
            }
          }
          return items;
        },
      },
      '.',
      ':',
      ' ',
    ),
    vscode.languages.registerHoverProvider(selector, {
      provideHover(document, position) {
        if (!isFlinkConfig(document)) return undefined;
        const hover = configCore().hoverAt(document.getText(), position, {
          version: flinkVersion(),
          format: formatOf(document),
        });
        return hover ? new vscode.Hover(new vscode.MarkdownString(hover.markdown), toRange(hover.range)) : undefined;
      },
    }),
  );
  for (const document of vscode.workspace.textDocuments) void diagnostics.check(document);
  log.debug('Flink configuration support ready');
}
