import { operatorIdFromUid } from '../metadata/operatorId';

/** Where in a source file a uid is assigned (0-based line and column of the string, as editors count). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly length: number;
}

/** An operator of a job, as the target of a restore knows it. */
export interface JobOperator {
  /** 32 lower-case hex digits: from the uid's hash, `setUidHash`, or the plan's vertex id. */
  readonly operatorId: string;
  readonly uid: string | null;
  readonly name: string | null;
  readonly parallelism: number | null;
  readonly maxParallelism: number | null;
  /** `setUidHash` gave the id directly. */
  readonly fromUidHash?: boolean;
  readonly location?: SourceLocation;
}

/** An operator call in the source that has no uid: Flink derives its id from the job graph's shape. */
export interface UnnamedOperator {
  readonly call: string;
  readonly location: SourceLocation;
}

/** The operators of the job a snapshot is to be restored into, as far as the target describes them. */
export interface JobDescription {
  readonly kind: 'snapshot' | 'plan' | 'source';
  readonly label: string;
  readonly operators: readonly JobOperator[];
  /**
   * Whether every operator of the job is listed with its id. A source scan sees only uids (operators without one get
   * ids only Flink's graph hasher knows); a REST plan lists the first operator of each chain.
   */
  readonly complete: boolean;
  /** Source scan: operator calls without a uid. Plan: chained operator names that have no id of their own. */
  readonly unnamed: readonly UnnamedOperator[];
  readonly chainedNames?: readonly string[];
  /** Plan: the operators it names without an id (chained behind a vertex's first operator, or a StreamGraph's). */
  readonly chained?: readonly ChainedOperator[];
  /** Plan: a StreamGraph plan, which gives no operator an id; operators are known by name only. */
  readonly withoutIds?: boolean;
}

/** An operator a plan names but gives no id: what the plan says of it. */
export interface ChainedOperator {
  readonly name: string;
  readonly parallelism: number | null;
  readonly maxParallelism: number | null;
  /** The job vertex it is chained into (the id of the chain's first operator); null in a StreamGraph plan. */
  readonly vertexId: string | null;
}

/** Source languages whose `.uid(…)` calls are scanned. */
export const UID_SOURCE_EXTENSIONS = ['.java', '.scala', '.py', '.kt'] as const;

const STRING_LITERAL = String.raw`"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'`;
/** `.uid("x")`, `.uid('x')` (Python), `.setUidHash("…")`/`.set_uid_hash(…)`, or a constant name. */
const UID_CALL = new RegExp(
  String.raw`\.(uid|setUidHash|set_uid_hash)\s*\(\s*(?:${STRING_LITERAL}|([A-Za-z_$][\w$.]*))\s*\)`,
  'g',
);
/** `static final String X = "…"`, Scala `val X = "…"`, Python `X = "…"`, Kotlin `const val X = "…"`. */
const CONSTANT = new RegExp(String.raw`\b([A-Za-z_$][\w$]*)\s*(?::\s*String\s*)?=\s*(?:${STRING_LITERAL})`, 'g');
/** DataStream calls that add an operator (with a state of its own or not). */
const OPERATOR_CALL =
  /\.(map|flat_?[mM]ap|filter|process|key_?[bB]y\([^()]*\)\s*\.\s*(?:reduce|sum|min|max)|fromSource|from_source|addSource|add_source|sinkTo|sink_to|addSink|add_sink|aggregate|reduce|apply|transform)\s*\(/g;

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) =>
    e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : e === 'n' ? '\n' : e === 't' ? '\t' : e,
  );
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function locationAt(file: string, starts: number[], index: number, length: number): SourceLocation {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return { file, line: lo, column: index - starts[lo], length };
}

/** Comments blanked (same length, newlines kept), so commented-out calls are not taken for the job's. */
function withoutComments(text: string, python: boolean): string {
  const pattern = python
    ? /("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|#[^\n]*/g
    : /("(?:[^"\\\n]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g;
  return text.replace(pattern, (m, literal: string | undefined) =>
    literal !== undefined ? m : m.replace(/[^\n]/g, ' '),
  );
}

export interface ScannedUid {
  readonly uid: string | null;
  /** Set for `setUidHash`: the operator id as written. */
  readonly uidHash: string | null;
  readonly operatorId: string;
  readonly location: SourceLocation;
}

export interface SourceScan {
  readonly uids: readonly ScannedUid[];
  readonly unnamed: readonly UnnamedOperator[];
  /** `.uid(NAME)` whose constant is not defined in the same file. */
  readonly unresolved: readonly { readonly name: string; readonly location: SourceLocation }[];
}

/**
 * The uids a Java, Scala, Kotlin or Python source file assigns, with the operator ids Flink derives from them, and
 * the operator calls in a chain that end without a uid. A uid given by a constant is resolved within the same file.
 */
export function scanSource(file: string, text: string): SourceScan {
  const python = file.endsWith('.py');
  const clean = withoutComments(text, python);
  const starts = lineStarts(text);
  const constants = new Map<string, string>();
  for (const m of clean.matchAll(CONSTANT)) constants.set(m[1], unescape(m[2] ?? m[3] ?? ''));
  const uids: ScannedUid[] = [];
  const unresolved: { name: string; location: SourceLocation }[] = [];
  const uidCallEnds: number[] = [];
  for (const m of clean.matchAll(UID_CALL)) {
    const literal = m[2] ?? m[3];
    const open = m[0].indexOf('(') + 1;
    const argStart = (m.index ?? 0) + open + m[0].slice(open).search(/\S/);
    uidCallEnds.push(m.index ?? 0);
    let value: string | undefined;
    if (literal !== undefined) value = unescape(literal);
    else {
      const name = m[4];
      value = constants.get(name.slice(name.lastIndexOf('.') + 1));
      if (value === undefined) {
        unresolved.push({ name, location: locationAt(file, starts, argStart, name.length) });
        continue;
      }
    }
    const argLength = literal !== undefined ? literal.length + 2 : m[4].length;
    const location = locationAt(file, starts, argStart, argLength);
    if (m[1] === 'uid') uids.push({ uid: value, uidHash: null, operatorId: operatorIdFromUid(value), location });
    else if (/^[0-9a-fA-F]{32}$/.test(value)) {
      uids.push({ uid: null, uidHash: value, operatorId: value.toLowerCase(), location });
    }
  }
  const unnamed: UnnamedOperator[] = [];
  const calls = [...clean.matchAll(OPERATOR_CALL)].map((m) => ({
    index: m.index ?? 0,
    call: m[1].replace(/\(.*$/s, ''),
  }));
  calls.forEach((c, i) => {
    const next = i + 1 < calls.length ? calls[i + 1].index : clean.length;
    // A uid belongs to the operator call before it, up to the next operator call or the end of the statement.
    const statementEnd = clean.slice(c.index, next).search(python ? /\n\s*\n|\n(?![\s.)\\])/ : /;/);
    const end = statementEnd < 0 ? next : c.index + statementEnd;
    if (!uidCallEnds.some((u) => u > c.index && u < end)) {
      unnamed.push({ call: c.call, location: locationAt(file, starts, c.index + 1, c.call.length) });
    }
  });
  return { uids, unnamed, unresolved };
}

/** The job a set of scanned source files describes: one operator per distinct operator id. */
export function jobFromSources(label: string, scans: readonly SourceScan[]): JobDescription {
  const operators = new Map<string, JobOperator>();
  for (const scan of scans) {
    for (const u of scan.uids) {
      if (!operators.has(u.operatorId)) {
        operators.set(u.operatorId, {
          operatorId: u.operatorId,
          uid: u.uid,
          name: null,
          parallelism: null,
          maxParallelism: null,
          ...(u.uidHash !== null ? { fromUidHash: true } : {}),
          location: u.location,
        });
      }
    }
  }
  return {
    kind: 'source',
    label,
    operators: [...operators.values()],
    complete: false,
    unnamed: scans.flatMap((s) => s.unnamed),
  };
}

export class PlanError extends Error {
  override readonly name = 'PlanError';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const HEX32 = /^[0-9a-fA-F]{32}$/;

/** `KeyGroupRangeAssignment.computeDefaultMaxParallelism`: what Flink derives when the job sets no max parallelism. */
export function defaultMaxParallelism(parallelism: number): number {
  const wanted = parallelism + Math.floor(parallelism / 2);
  const power = wanted <= 1 ? 1 : 2 ** Math.ceil(Math.log2(wanted));
  return Math.min(Math.max(power, 128), 32768);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&gt;': '>',
  '&lt;': '<',
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
};

/**
 * The operator names of a job vertex's description, first operator first. Flink writes the chain as a tree, one
 * operator a line (`Source: Numbers<br/>+- Tracker<br/>`, nested branches as `:- …` and `:  +- …`), or, in the
 * vertex name, joined with ` -> `.
 */
function chainNames(text: string): string[] {
  return text
    .replace(/&(?:gt|lt|amp|quot|#39);/g, (e) => HTML_ENTITIES[e])
    .split(/<br\/?>|\n|\s+->\s+/)
    .map((n) => n.replace(/^[\s:|]*[:+]-\s+/, '').trim())
    .filter((n) => n.length > 0);
}

/** A source's name as the snapshot knows it: Flink prefixes sources and sinks with `Source: ` / `Sink: ` in plans. */
export function planNameMatches(planName: string, operatorName: string): boolean {
  const bare = (n: string) => n.replace(/^(?:Source|Sink):\s*/, '');
  return planName === operatorName || bare(planName) === bare(operatorName);
}

/**
 * The operators a job plan JSON names. Three shapes, as Flink writes them:
 * - REST `GET /jobs/:id/plan` (`{"plan": {"nodes": [{"id", "parallelism", "description"}]}}`): the JobGraph, one node
 *   per chain, whose id is the id of the chain's first operator; the description names the chained operators, which
 *   have no id here; no max parallelism.
 * - REST `GET /jobs/:id` (the same `plan`, plus `vertices: [{"id", "name", "parallelism", "maxParallelism"}]`): the
 *   one form that carries max parallelism (a chain's operators share their vertex's).
 * - `env.getExecutionPlan()` and `flink info` (`{"nodes": [{"id": 1, "type", "contents", "parallelism"}]}`): the
 *   StreamGraph, every operator by name and a number, no operator ids, no max parallelism.
 */
export function jobFromPlan(label: string, json: unknown): JobDescription {
  const root = isRecord(json) && isRecord(json.plan) ? json.plan : json;
  if (!isRecord(root) || !Array.isArray(root.nodes)) {
    throw new PlanError(
      `${label} is not a Flink job plan: expected {"nodes": [...]} (env.getExecutionPlan(), flink info), the plan of REST /jobs/:id/plan, or REST /jobs/:id`,
    );
  }
  const vertices = new Map<string, Record<string, unknown>>();
  if (isRecord(json) && Array.isArray(json.vertices)) {
    for (const v of json.vertices) if (isRecord(v) && typeof v.id === 'string') vertices.set(v.id.toLowerCase(), v);
  }
  const numberOf = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);
  const operators: JobOperator[] = [];
  const chainedNames: string[] = [];
  const chained: ChainedOperator[] = [];
  let hexIds = 0;
  for (const node of root.nodes) {
    if (!isRecord(node)) continue;
    const id = typeof node.id === 'string' && HEX32.test(node.id) ? node.id.toLowerCase() : null;
    const vertex = id !== null ? vertices.get(id) : undefined;
    const text = [node.description, vertex?.name, node.contents, node.type].find(
      (v): v is string => typeof v === 'string' && v.length > 0,
    );
    const parallelism = numberOf(node.parallelism) ?? numberOf(vertex?.parallelism);
    const maxParallelism = numberOf(vertex?.maxParallelism) ?? numberOf(node.maxParallelism);
    const names = chainNames(text ?? '');
    if (id !== null) {
      hexIds++;
      operators.push({ operatorId: id, uid: null, name: names[0] ?? null, parallelism, maxParallelism });
      for (const name of names.slice(1)) chained.push({ name, parallelism, maxParallelism, vertexId: id });
    } else {
      for (const name of names) chained.push({ name, parallelism, maxParallelism, vertexId: null });
    }
    chainedNames.push(...names.slice(id !== null ? 1 : 0));
  }
  if (hexIds === 0 && chainedNames.length === 0) throw new PlanError(`${label} lists no operators`);
  return {
    kind: 'plan',
    label,
    operators,
    complete: false,
    unnamed: [],
    chainedNames,
    chained,
    withoutIds: hexIds === 0,
  };
}
