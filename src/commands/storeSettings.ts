import * as vscode from 'vscode';

export interface StoreConfig {
  name: string;
  uri: string;
}

const SECTION = 'flinkCheckpoints';

/** Stores from settings; entries without a name or URI are skipped rather than breaking the tree. */
export function readStoreConfigs(): StoreConfig[] {
  const raw = vscode.workspace.getConfiguration(SECTION).get<unknown[]>('stores', []);
  return raw.filter((entry): entry is StoreConfig => {
    const candidate = entry as Partial<StoreConfig> | null;
    return typeof candidate?.name === 'string' && typeof candidate.uri === 'string';
  });
}

export async function writeStoreConfigs(stores: StoreConfig[]): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update('stores', stores, vscode.ConfigurationTarget.Global);
}
