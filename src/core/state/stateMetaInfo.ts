import type { DataInput } from './dataInput';
import { StateSchemaError } from './errors';

/** `StateMetaInfoSnapshot.BackendStateType`, by ordinal. */
export const BACKEND_STATE_TYPES = ['KEY_VALUE', 'OPERATOR', 'BROADCAST', 'PRIORITY_QUEUE'] as const;
export type BackendStateType = (typeof BACKEND_STATE_TYPES)[number];

/** Bounds the option and serializer counts of one state's meta info (Flink writes a handful). */
export const MAX_OPTIONS = 64;

/**
 * The head of a state's meta info in the unified format (Flink 1.6 on): its name, backend state type and options; the
 * serializers that follow are laid out differently before and after Flink 1.7.
 */
export function readMetaInfoHead(input: DataInput): {
  offset: number;
  name: string;
  backendStateType: BackendStateType;
  options: Record<string, string>;
} {
  const offset = input.offset;
  const name = input.utf('a state name');
  const typeAt = input.offset;
  const ordinal = input.i32(`the backend state type of '${name}'`);
  const backendStateType = BACKEND_STATE_TYPES[ordinal];
  if (backendStateType === undefined) {
    throw new StateSchemaError('invalid', typeAt, `backend state type ${ordinal} of '${name}' is unknown`);
  }
  const options: Record<string, string> = {};
  const o = input.count(`the number of options of '${name}'`, MAX_OPTIONS);
  for (let i = 0; i < o; i++) {
    const key = input.utf(`an option key of '${name}'`);
    options[key] = input.utf(`option ${key} of '${name}'`);
  }
  return { offset, name, backendStateType, options };
}
