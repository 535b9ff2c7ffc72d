import { entryRecord, plainValue, type StateEntry } from '../core/state/values';
import type { EntryView } from '../../media/protocol';

/** An entry as the entry browser shows it. */
export function entryView(entry: StateEntry): EntryView {
  return {
    keyGroup: entry.keyGroup,
    subtask: entry.subtask ?? null,
    // A webview message is a structured clone, which calls no toJSON: byte arrays are made hex here.
    key: plainValue(entry.key),
    namespace: plainValue(entry.namespace),
    ...(entry.userKey === undefined ? {} : { userKey: plainValue(entry.userKey) }),
    value: plainValue(entry.value),
  };
}

/** The text "Copy as JSON" puts on the clipboard: one entry as an object, several as an array. */
export function entriesJson(entries: StateEntry | readonly StateEntry[]): string {
  const value = Array.isArray(entries)
    ? (entries as readonly StateEntry[]).map(entryRecord)
    : entryRecord(entries as StateEntry);
  return JSON.stringify(value, null, 2);
}
