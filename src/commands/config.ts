import * as vscode from 'vscode';
import * as path from 'node:path';
import { configCore } from '../providers/flinkConfig';
import { Services } from '../services';
import { flinkVersion } from '../settings';
import { registerCommand } from './register';

export function register(services: Services): void {
  registerCommand(services, 'flinkCheckpoints.migrateConfig', (uri?: vscode.Uri) => migrate(services, uri));
}

/**
 * Converts the flink-conf.yaml in the editor (or the one given) into config.yaml beside it. Nothing is written until
 * the user saves: the result opens as an unsaved document; an existing config.yaml is only replaced after a modal
 * confirmation, because Flink 1.19/1.20 ignore config.yaml while flink-conf.yaml exists and 2.x reads only config.yaml.
 */
async function migrate(services: Services, given: vscode.Uri | undefined): Promise<string | undefined> {
  const uri = given ?? vscode.window.activeTextEditor?.document.uri;
  if (!uri || path.posix.basename(uri.path) !== 'flink-conf.yaml') {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a flink-conf.yaml to migrate it to config.yaml.'));
    return undefined;
  }
  const rename = await vscode.window.showQuickPick(
    [
      // First (Enter takes it): the old keys are resolved by every Flink up to 2.3; renamed keys need the named line.
      {
        label: vscode.l10n.t('Keep keys as they are'),
        description: vscode.l10n.t('same keys, nested YAML: read by every Flink that reads config.yaml'),
        rename: false,
      },
      {
        label: vscode.l10n.t('Rename deprecated keys'),
        description: vscode.l10n.t('to the keys of Flink {0}; older Flink ignores them', flinkVersion()),
        rename: true,
      },
    ],
    { title: vscode.l10n.t('Migrate to config.yaml') },
  );
  if (!rename) return undefined;
  const source = await vscode.workspace.openTextDocument(uri);
  const { MigrationError, migrateToConfigYaml } = configCore();
  let result;
  try {
    result = migrateToConfigYaml(source.getText(), { renameDeprecated: rename.rename, version: flinkVersion() });
  } catch (error) {
    if (!(error instanceof MigrationError)) throw error;
    void vscode.window.showErrorMessage(vscode.l10n.t('flink-conf.yaml was not migrated: {0}', error.message));
    return undefined;
  }
  for (const note of result.notes) {
    services.log.info(`Migration, flink-conf.yaml line ${note.line + 1}: ${note.message}`);
  }
  for (const [from, to] of result.renamed) services.log.info(`Migration renamed ${from} → ${to}`);
  for (const a of result.attention) {
    services.log.warn(`Migration, flink-conf.yaml line ${a.line + 1} needs attention: ${a.message}`);
  }
  const target = vscode.Uri.joinPath(uri, '..', 'config.yaml');
  const exists = await Promise.resolve(vscode.workspace.fs.stat(target)).then(
    () => true,
    () => false,
  );
  const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: result.text });
  await vscode.window.showTextDocument(document, { preview: false });
  const save = exists ? vscode.l10n.t('Replace config.yaml…') : vscode.l10n.t('Save as config.yaml');
  const done = vscode.l10n.t(
    'Migrated flink-conf.yaml ({0} keys renamed; details in the log). Delete flink-conf.yaml once config.yaml is in place: Flink 1.19 and 1.20 use flink-conf.yaml when both exist.',
    result.renamed.length,
  );
  // Misspelt keys and bad values are carried over as Flink read them; they are marked "# ATTENTION:" in the file.
  const choice = result.attention.length
    ? await vscode.window.showWarningMessage(
        vscode.l10n.t(
          '{0} {1} setting(s) need attention before use, marked "# ATTENTION:" in the file: {2}.',
          done,
          result.attention.length,
          [...new Set(result.attention.map((a) => a.key))].join(', '),
        ),
        save,
      )
    : await vscode.window.showInformationMessage(done, save);
  if (choice !== save) return result.text;
  if (exists) {
    const replace = vscode.l10n.t('Replace');
    if (
      (await vscode.window.showWarningMessage(
        vscode.l10n.t('Replace the existing {0}?', target.fsPath || target.toString()),
        { modal: true },
        replace,
      )) !== replace
    ) {
      return result.text;
    }
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(result.text));
  services.log.info(`Wrote ${target.toString()}`);
  await vscode.window.showTextDocument(target);
  return result.text;
}
