import * as http from 'node:http';
import * as https from 'node:https';
import { addSecret, redact as redactText } from '../redact';
import { ClusterError, ClusterErrorCode } from './errors';

/** Credentials for a cluster behind an authenticating gateway (Flink's REST API has none of its own). */
export type ClusterAuth =
  | { readonly kind: 'basic'; readonly user: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string };

/** How to reach one cluster's REST API. */
export interface ClusterConnection {
  /** The JobManager's REST address (the Web UI address), http or https, optionally with a path prefix. */
  readonly url: string;
  readonly auth?: ClusterAuth;
  /** PEM certificate(s) to trust for https, besides the system's. */
  readonly ca?: string | Buffer;
  /** Default per-request timeout, ms (default {@link DEFAULT_CLUSTER_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
}

/** Cancellation and timeout of one call. */
export interface ClusterCallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export const DEFAULT_CLUSTER_TIMEOUT_MS = 30_000;

/** Larger answers are refused: no REST answer of Flink's is this large, a misdirected download may be. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** One request as sent. */
export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query below the cluster URL, e.g. `/jobs/overview`. */
  readonly route: string;
  readonly json?: unknown;
  /** A raw body with its content type (jar upload). */
  readonly body?: { readonly contentType: string; readonly bytes: Buffer };
  /** What the call does, for messages ("listing jobs"). */
  readonly what: string;
}

/** A JSON answer of the cluster. */
export interface HttpAnswer {
  readonly status: number;
  readonly json: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

/**
 * HTTP(S) transport of the REST client: one JSON request, its answer parsed, every failure a {@link ClusterError}
 * that names the cluster by its redacted URL. Uses node:http(s) rather than fetch so a custom CA applies to this
 * cluster only.
 */
export class ClusterHttp {
  /** The cluster's URL without credentials, query or trailing slash: how messages name it. */
  readonly label: string;
  private readonly base: URL;
  private readonly auth: ClusterAuth | undefined;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;

  constructor(connection: ClusterConnection) {
    let url: URL;
    try {
      url = new URL(connection.url.trim());
    } catch {
      throw new ClusterError('invalid-url', redactText(connection.url), 'not a URL');
    }
    const userInfo =
      url.username !== ''
        ? { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
        : undefined;
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    url.pathname = url.pathname.replace(/\/+$/, '');
    this.base = url;
    this.label = url.toString().replace(/\/+$/, '');
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ClusterError('invalid-url', this.label, `${url.protocol.replace(/:$/, '')} is not http or https`);
    }
    this.auth = connection.auth ?? (userInfo ? { kind: 'basic', ...userInfo } : undefined);
    this.timeoutMs = connection.timeoutMs ?? DEFAULT_CLUSTER_TIMEOUT_MS;
    this.agent =
      url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ...(connection.ca !== undefined ? { ca: connection.ca } : {}) })
        : new http.Agent({ keepAlive: true });
  }

  /** Closes idle connections; the client stays usable. */
  close(): void {
    this.agent.destroy();
  }

  /** A ClusterError for this cluster, with secrets removed from Flink's text. */
  error(code: ClusterErrorCode, detail: string, advice?: string, status?: number, cause?: unknown): ClusterError {
    return new ClusterError(
      code,
      this.label,
      this.redact(detail),
      advice === undefined ? undefined : this.redact(advice),
      status,
      { cause },
    );
  }

  private redact(text: string): string {
    const auth = this.auth;
    if (auth !== undefined) addSecret(auth.kind === 'basic' ? auth.password : auth.token);
    return redactText(text);
  }

  /** Sends one request; resolves with a 2xx JSON answer, rejects with a ClusterError for anything else. */
  async send(call: HttpCall, options?: ClusterCallOptions): Promise<HttpAnswer> {
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    const controller = new AbortController();
    const outer = options?.signal;
    let abortedBy: 'cancelled' | 'timeout' | undefined;
    const onAbort = (): void => {
      abortedBy ??= 'cancelled';
      controller.abort();
    };
    if (outer?.aborted) throw this.error('cancelled', `${call.what} was cancelled`);
    outer?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      abortedBy ??= 'timeout';
      controller.abort();
    }, timeoutMs);
    try {
      return await this.exchange(call, controller.signal);
    } catch (error) {
      if (abortedBy === 'cancelled') throw this.error('cancelled', `${call.what} was cancelled`);
      if (abortedBy === 'timeout') throw this.error('timeout', `no answer within ${timeoutMs} ms while ${call.what}`);
      throw error;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  private exchange(call: HttpCall, signal: AbortSignal): Promise<HttpAnswer> {
    const url = new URL(this.base.toString());
    const q = call.route.indexOf('?');
    url.pathname = `${this.base.pathname.replace(/\/+$/, '')}${q < 0 ? call.route : call.route.slice(0, q)}`;
    if (q >= 0) url.search = call.route.slice(q);
    const payload =
      call.body?.bytes ?? (call.json === undefined ? undefined : Buffer.from(JSON.stringify(call.json), 'utf8'));
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = call.body?.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    if (this.auth?.kind === 'basic') {
      headers.Authorization = `Basic ${Buffer.from(`${this.auth.user}:${this.auth.password}`, 'utf8').toString('base64')}`;
    } else if (this.auth?.kind === 'bearer') {
      headers.Authorization = `Bearer ${this.auth.token}`;
    }
    const request = url.protocol === 'https:' ? https.request : http.request;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = request(url, { method: call.method, headers, agent: this.agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            res.destroy();
            reject(
              this.error(
                'not-flink',
                `the answer to ${call.what} is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (error) => reject(this.networkError(error, call)));
        res.on('end', () => {
          try {
            resolve(this.answer(res, Buffer.concat(chunks).toString('utf8'), call));
          } catch (error) {
            reject(error);
          }
        });
      });
      req.on('error', (error) => reject(this.networkError(error, call)));
      req.end(payload);
    });
  }

  private answer(res: http.IncomingMessage, text: string, call: HttpCall): HttpAnswer {
    const status = res.statusCode ?? 0;
    const contentType = String(res.headers['content-type'] ?? '');
    let json: unknown;
    let parsed = false;
    if (text.trim() !== '' && (contentType.includes('json') || /^\s*[[{]/.test(text))) {
      try {
        json = JSON.parse(text);
        parsed = true;
      } catch {
        parsed = false;
      }
    }
    if (status === 401 || status === 403) {
      throw this.error(
        'auth-failed',
        `${call.what} was refused with HTTP ${status}${this.auth ? '' : ' (no credentials were given)'}`,
        undefined,
        status,
      );
    }
    if (status >= 300 && status < 400) {
      const location = String(res.headers.location ?? '');
      throw this.error(
        'not-flink',
        `${call.what} was redirected (HTTP ${status}) to ${redactText(location)}`,
        'Give the final REST address; a redirect to a login page means the gateway wants credentials.',
        status,
      );
    }
    const flinkErrors = parsed ? errorsOf(json) : undefined;
    if (status >= 400) {
      if (flinkErrors !== undefined) {
        const message = describeFlinkErrors(flinkErrors);
        if (status === 404 || /NotFoundException|not found/i.test(message)) {
          throw this.error('not-found', `${call.what}: ${message}`, undefined, status);
        }
        // Flink answers 503 while its leader is being elected (at start, after a failover): not a rejection.
        if (status === 503) {
          throw this.error(
            'unreachable',
            `${call.what}: ${message}`,
            'Retry in a moment: the JobManager is starting or failing over.',
            status,
          );
        }
        throw this.error('rejected', `${call.what} failed with HTTP ${status}: ${message}`, undefined, status);
      }
      if (status === 404) {
        throw this.error(
          'not-flink',
          `${call.what}: HTTP 404 with ${describeBody(contentType, text)}`,
          undefined,
          status,
        );
      }
      if (status === 502 || status === 503 || status === 504) {
        throw this.error(
          'unreachable',
          `${call.what}: HTTP ${status} from a proxy in front of the cluster (${describeBody(contentType, text)})`,
          undefined,
          status,
        );
      }
      throw this.error(
        'not-flink',
        `${call.what} failed with HTTP ${status} and ${describeBody(contentType, text)}`,
        undefined,
        status,
      );
    }
    if (text.trim() === '') return { status, json: {} };
    if (!parsed || json === null || typeof json !== 'object') {
      throw this.error(
        'not-flink',
        `${call.what} got ${describeBody(contentType, text)} instead of JSON`,
        undefined,
        status,
      );
    }
    return { status, json };
  }

  private networkError(error: unknown, call: HttpCall): ClusterError {
    if (error instanceof ClusterError) return error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'ABORT_ERR' || (error as Error).name === 'AbortError') {
      return this.error('cancelled', `${call.what} was aborted`);
    }
    if (
      /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|EPROTO$|ERR_OSSL)/.test(code) ||
      /SSL|TLS|certificate/i.test(message)
    ) {
      return this.error(
        'tls',
        `TLS failed while ${call.what}: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`,
        undefined,
        undefined,
        error,
      );
    }
    if (code.startsWith('HPE_')) {
      return this.error(
        'not-flink',
        `the answer to ${call.what} is not HTTP (${message}); is this an https endpoint given as http?`,
        undefined,
        undefined,
        error,
      );
    }
    if (NETWORK_CODES.has(code)) {
      return this.error('unreachable', `cannot connect while ${call.what}: ${message}`, undefined, undefined, error);
    }
    return this.error('unreachable', `${call.what} failed: ${message}`, undefined, undefined, error);
  }
}

/** `errors` of Flink's ErrorResponseBody, when the body is one. */
function errorsOf(json: unknown): string[] | undefined {
  if (json === null || typeof json !== 'object' || !('errors' in json)) return undefined;
  const errors = (json as { errors: unknown }).errors;
  return Array.isArray(errors) ? errors.map(String) : undefined;
}

/**
 * Flink's `errors[]` as one line: the first line of the first error and the root cause of the server-side stack trace
 * ("Internal server error." alone says nothing; the last `Caused by:` says why).
 */
export function describeFlinkErrors(errors: readonly string[]): string {
  const first = (errors[0] ?? 'no message').split('\n')[0].trim();
  // The trace follows the first message; without a `Caused by:` its own first line is the cause.
  const root = rootCause((errors.length > 1 ? errors.slice(1) : errors).join('\n'));
  return root !== undefined && !first.includes(root) ? `${first} — ${root}` : first;
}

/** The innermost cause named in a Java stack trace text, or its first line when it has no `Caused by:`. */
export function rootCause(stackTrace: string): string | undefined {
  const causes = [...stackTrace.matchAll(/^\s*Caused by: (.+)$/gm)].map((m) => m[1].trim());
  if (causes.length > 0) return causes[causes.length - 1];
  const first = stackTrace
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('<'));
  return first;
}

function describeBody(contentType: string, text: string): string {
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
  if (/html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(text)) {
    return `an HTML page${title ? ` ("${title.slice(0, 80)}")` : ''}`;
  }
  if (text.trim() === '') return 'an empty body';
  return `${contentType || 'an untyped body'} starting "${text.trim().slice(0, 60).replace(/\s+/g, ' ')}"`;
}
