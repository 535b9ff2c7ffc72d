import * as vscode from 'vscode';
import { scanSource } from '../core/state/uids';
import { formatBytes } from '../viewModel/format';

/** One operator of the chosen job's latest checkpoint, as a lens shows it. */
export interface LensOperator {
  readonly operatorId: string;
  readonly size: number;
  readonly states: readonly { readonly name: string; readonly kind: string }[];
}

/**
 * A lens above every `.uid("…")` and `.setUidHash("…")` of a Java, Scala, Kotlin or Python source: the operator id
 * Flink derives, and, once a job is chosen (`flinkCheckpoints.uidLens.job`), that operator's states and state size in
 * the job's latest restorable checkpoint, or that the checkpoint has no state for it.
 */
export class UidLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private latest: { snapshot: string; operators: Map<string, LensOperator> } | null = null;

  setOperators(latest: { snapshot: string; operators: readonly LensOperator[] } | null): void {
    this.latest = latest && {
      snapshot: latest.snapshot,
      operators: new Map(latest.operators.map((o) => [o.operatorId, o])),
    };
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const scan = scanSource(document.uri.toString(), document.getText());
    return scan.uids.map((u) => {
      const range = new vscode.Range(
        u.location.line,
        u.location.column,
        u.location.line,
        u.location.column + u.location.length,
      );
      return new vscode.CodeLens(range, this.command(u.uid ?? u.uidHash ?? '', u.operatorId));
    });
  }

  private command(uid: string, operatorId: string): vscode.Command {
    if (this.latest === null) {
      return {
        title: vscode.l10n.t('operator {0} · Choose a job for state…', operatorId),
        command: 'flinkCheckpoints.chooseUidLensJob',
      };
    }
    const op = this.latest.operators.get(operatorId);
    const title =
      op === undefined
        ? vscode.l10n.t('{0}: not in {1} (no state to restore)', uid, this.latest.snapshot)
        : op.states.length === 0
          ? vscode.l10n.t('{0}: {1} in {2}', uid, formatBytes(op.size), this.latest.snapshot)
          : vscode.l10n.t(
              '{0}: {1} in {2} · {3}',
              uid,
              formatBytes(op.size),
              this.latest.snapshot,
              op.states.map((s) => `${s.name} (${s.kind})`).join(', '),
            );
    return { title, command: 'flinkCheckpoints.refreshUidLenses', tooltip: vscode.l10n.t('operator {0}', operatorId) };
  }

  dispose(): void {
    this.changed.dispose();
  }
}
