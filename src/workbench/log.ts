import * as vscode from 'vscode';
import { redact } from '../core/redact';

const WRITES = new Set(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);

/**
 * The extension's single output channel; VS Code's log channel handles levels and timestamps. Every line written to
 * it goes through `redact` first, so no password reaches the log whatever a caller hands it.
 */
export function createLog(): vscode.LogOutputChannel {
  const channel = vscode.window.createOutputChannel(vscode.l10n.t('Flink Checkpoints'), { log: true });
  const clean = (value: unknown): unknown =>
    typeof value === 'string'
      ? redact(value)
      : value instanceof Error
        ? redact(value.stack ?? `${value.name}: ${value.message}`)
        : value;
  return new Proxy(channel, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !WRITES.has(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args.map(clean));
    },
  });
}
