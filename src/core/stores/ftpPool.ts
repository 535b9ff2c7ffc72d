import type { Deadline } from './deadline';
import type { StoreError } from './errors';

/** What the pool needs of a connection: basic-ftp's Client, which closes itself on any timeout or connection error. */
export interface PoolClient {
  readonly closed: boolean;
  close(): void;
}

/** Idle pooled connections are closed after this long, before servers drop them (typically 300 s). */
const IDLE_CLOSE_MS = 60_000;

export interface Pooled<C extends PoolClient = PoolClient> {
  readonly client: C;
  /** Opened for this call (a failure on it is not a stale connection). */
  readonly fresh: boolean;
}

interface Waiter<C extends PoolClient> {
  resolve(pooled: Pooled<C>): void;
  reject(error: StoreError): void;
}

/**
 * Control connections for one FTP store. A basic-ftp Client runs one task at a time and is closed by any timeout
 * or connection error, so calls borrow a client, and broken clients are dropped and replaced. Connecting is
 * single-flight: while a connection is being opened no second one is started, and when it fails every caller waiting
 * for a connection gets that same error (a dead server or a wrong password costs one attempt, not one per caller).
 * A rejected login is remembered until close(), so no call retries it.
 */
export class FtpPool<C extends PoolClient> {
  private readonly idle: { client: C; since: number }[] = [];
  private readonly waiters: Waiter<C>[] = [];
  private live = 0;
  private connecting = false;
  private authFailure: StoreError | undefined;
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly size: number,
    private readonly connect: () => Promise<C>,
  ) {}

  acquire(deadline: Deadline): Promise<Pooled<C>> {
    if (this.authFailure) return Promise.reject(this.authFailure);
    deadline.check();
    return new Promise<Pooled<C>>((resolve, reject) => {
      const waiter: Waiter<C> = {
        resolve: (pooled) => {
          deadline.signal.removeEventListener('abort', onAbort);
          resolve(pooled);
        },
        reject: (error) => {
          deadline.signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(deadline.reason);
      };
      deadline.signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** Returns a client; `broken` (or a client basic-ftp closed) is dropped instead of reused. */
  release(client: C, broken: boolean): void {
    if (broken || client.closed) {
      client.close();
      this.live--;
    } else {
      this.idle.push({ client, since: Date.now() });
      this.startSweeper();
    }
    this.pump();
  }

  private pump(): void {
    while (this.waiters.length > 0 && this.idle.length > 0) {
      const { client } = this.idle.pop()!;
      if (client.closed) {
        this.live--;
        continue;
      }
      this.waiters.shift()!.resolve({ client, fresh: false });
    }
    if (this.waiters.length === 0 || this.connecting || this.live >= this.size) return;
    this.connecting = true;
    this.live++;
    this.connect().then(
      (client) => {
        this.connecting = false;
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve({ client, fresh: true });
        else this.idle.push({ client, since: Date.now() });
        this.pump();
      },
      (error: StoreError) => {
        this.connecting = false;
        this.live--;
        if (error.code === 'auth-failed') this.authFailure = error;
        for (const waiter of this.waiters.splice(0)) waiter.reject(error);
      },
    );
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (let i = this.idle.length - 1; i >= 0; i--) {
        if (now - this.idle[i].since >= IDLE_CLOSE_MS) {
          this.idle[i].client.close();
          this.idle.splice(i, 1);
          this.live--;
        }
      }
      if (this.idle.length === 0) this.stopSweeper();
    }, IDLE_CLOSE_MS / 4);
    this.sweeper.unref?.();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Closes idle clients and forgets a rejected login; clients in use are closed when returned. */
  close(): void {
    for (const { client } of this.idle.splice(0)) {
      client.close();
      this.live--;
    }
    this.authFailure = undefined;
    this.stopSweeper();
  }
}
