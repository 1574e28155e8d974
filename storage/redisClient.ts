import type { Cluster, Redis } from 'ioredis';

/** A standalone/Sentinel client or a Cluster client: both run the same commands and Lua scripts. */
export type RedisClient = Redis | Cluster;

/** ioredis options shared by every client this project creates: fail fast, reconnect forever in the background. */
export const FAIL_FAST_OPTIONS = {
  /** A command without a reply within a second rejects with "Command timed out". */
  commandTimeout: 1000,
  connectTimeout: 1000,
  /** In-flight commands reject as soon as the connection drops instead of waiting for reconnection … */
  maxRetriesPerRequest: 0,
  /** … and are not re-sent after reconnection: a caller told "failed" must not see its write applied later. */
  autoResendUnfulfilledCommands: false,
  /** No queue while disconnected: a command issued during an outage rejects at once. */
  enableOfflineQueue: false,
} as const;

/** Reconnect delays: 100 ms doubling up to 2 s, plus jitter, never giving up (Redis coming back resumes service). */
export function reconnectDelay(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt, 5), 2000) + Math.floor(Math.random() * 100);
}

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

/** Defines (once per client) the Lua scripts a module needs; ioredis runs them by EVALSHA and falls back to EVAL. */
export function defineScripts(client: RedisClient, scripts: Record<string, { lua: string; numberOfKeys: number }>): void {
  for (const [name, definition] of Object.entries(scripts)) {
    if (typeof (client as unknown as Record<string, unknown>)[name] !== 'function') client.defineCommand(name, definition);
  }
}

export function runScript(client: RedisClient, name: string, keys: string[], args: (string | number)[]): Promise<unknown> {
  const fn = (client as unknown as Record<string, ScriptFn>)[name];
  return fn.call(client, ...keys, ...args);
}

/** Redis (or the network) failed: the operation may be retried once Redis answers again. */
export class StorageUnavailableError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`Redis storage unavailable (${operation}): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StorageUnavailableError';
  }
}

/** The logging this module needs; a pino logger fits. Callers never pass conversation content here. */
export interface StorageLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: StorageLogger = { info() {}, warn() {}, error() {} };
