import * as vscode from 'vscode';
import { operatorIdFromUid } from '../core/metadata';
import { parseFlinkVersion } from '../core/restore/flinkVersion';
import {
  GenerateError,
  generateJava,
  generateSql,
  withoutUserInfo,
  type GenerateRequest,
} from '../core/state/generate';
import { readStoredSnapshot } from '../core/state/storeSnapshot';
import { Services } from '../services';
import { flinkVersion } from '../settings';
import { registerCommand } from './register';

interface NodeRef {
  readonly storeId: string;
  readonly path: string;
}

/** What "Generate State Reader…" writes; tests pass it to skip the questions. */
export interface GenerateChoice {
  readonly operator: string;
  readonly language: 'sql' | 'java';
}

/**
 * "Generate State Reader…" on a checkpoint or savepoint: for state too large to read in the editor, the Flink SQL or
 * State Processor API job that reads an operator's state on the cluster, opened as a new document. The snapshot is
 * named as the JobManager sees the store (its cluster path when set), never with credentials.
 */
export function register(services: Services): void {
  registerCommand(
    services,
    'flinkCheckpoints.generateStateReader',
    async (node?: NodeRef, given?: GenerateChoice): Promise<string | undefined> => {
      if (!node) {
        void vscode.window.showInformationMessage(
          vscode.l10n.t(
            'Run Generate State Reader… on a complete checkpoint or savepoint in the Checkpoint Stores view.',
          ),
        );
        return undefined;
      }
      const { store } = await services.stores.get(node.storeId);
      const snapshot = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Reading the state schema of {0}…', node.path),
        },
        () => readStoredSnapshot(store, node.path),
      );
      const withState = snapshot.schemas.filter((s) => s.states.length > 0);
      const operator =
        given?.operator ??
        (
          await vscode.window.showQuickPick(
            withState.map((s) => ({
              label: s.uid ?? s.name ?? s.operatorId,
              description: s.operatorId,
              detail: s.states.map((st) => `${st.name} (${st.kind})`).join(', '),
            })),
            { title: vscode.l10n.t('Operator whose state to read') },
          )
        )?.description;
      if (operator === undefined) return undefined;
      const language =
        given?.language ??
        (
          await vscode.window.showQuickPick(
            [
              { label: vscode.l10n.t('Flink SQL (savepoint connector, Flink 2.1+)'), id: 'sql' as const },
              { label: vscode.l10n.t('State Processor API job (Java)'), id: 'java' as const },
            ],
            { title: vscode.l10n.t('Read the state with') },
          )
        )?.id;
      if (language === undefined) return undefined;
      const schema = withState.find(
        (s) => s.operatorId === operator || s.uid === operator || s.operatorId === operatorIdFromUid(operator),
      );
      const op = snapshot.metadata.operators.find((o) => o.operatorId === schema?.operatorId);
      if (!schema || !op) {
        void vscode.window.showWarningMessage(vscode.l10n.t('No operator {0} with state in {1}.', operator, node.path));
        return undefined;
      }
      const config = services.stores.configs().find((c) => c.id === node.storeId);
      const root = (config?.clusterPath ?? config?.uri ?? '').replace(/\/+$/, '');
      const native = op.subtasks.some(
        (s) => 'managedKeyedState' in s && s.managedKeyedState?.type === 'IncrementalRemoteKeyedStateHandle',
      );
      const request: GenerateRequest = {
        snapshotUri: withoutUserInfo(`${root}${node.path}`),
        flinkLine: parseFlinkVersion(flinkVersion()).line,
        backend: native ? 'rocksdb' : 'hashmap',
        operator: { operatorId: op.operatorId, uid: op.uid ?? schema.uid, name: op.name },
        states: schema.states,
      };
      let text: string;
      try {
        text = (language === 'sql' ? generateSql(request) : generateJava(request)).text;
      } catch (error) {
        if (!(error instanceof GenerateError)) throw error;
        void vscode.window.showWarningMessage(error.message);
        return undefined;
      }
      const document = await vscode.workspace.openTextDocument({ language, content: text });
      await vscode.window.showTextDocument(document);
      services.log.info(`generated ${language} reading the state of ${operator} in ${node.path}`);
      return text;
    },
  );
}
