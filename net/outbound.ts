/**
 * Every HTTP request the bot makes itself goes through here, under a policy: which hosts, whether plain http, which
 * private networks, how long, how large, how many attempts. undici does the HTTP; only the policy is written here.
 *
 * The address check runs in the connection's own DNS lookup, so the address that is checked is the address that is
 * connected to (a name that resolves to a public address when checked and to 127.0.0.1 when used is refused too).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'dns';
import { isIP } from 'net';
import ipaddr from 'ipaddr.js';
import { Agent, request, type Dispatcher } from 'undici';

export type OutboundErrorCode = 'invalidUrl' | 'scheme' | 'host' | 'address' | 'redirect' | 'timeout' | 'tooLarge' | 'network';

/** A request refused by the policy or failed on the way; the message is fixed per code, never a URL or a body. */
export class OutboundError extends Error {
  constructor(
    readonly code: OutboundErrorCode,
    /** The HTTP status, for a redirect. */
    readonly status?: number,
  ) {
    super(`outbound request failed: ${code}`);
    this.name = 'OutboundError';
  }
}

export interface OutboundPolicy {
  /** Host rules: `example.com` (that host only) or `.example.com` / `*.example.com` (its subdomains). Unset: any host. */
  hosts?: readonly string[];
  /** Whether plain http:// is allowed (otherwise https only). */
  allowHttp: boolean;
  /** Addresses or CIDR ranges that may be reached although loopback, private, link-local or otherwise non-public. */
  privateNetworks: readonly string[];
  /** Time for one attempt, headers and body. */
  timeoutMs: number;
  /** Largest response body read; a larger one fails with tooLarge. */
  maxBytes: number;
  /** Further attempts after a connection failure or a retryable status (timeouts are not retried: they already waited). */
  retries: number;
  /** Wait before the first retry, doubled for each further one. */
  retryDelayMs: number;
  /** Statuses worth another attempt. */
  retryStatuses?: readonly number[];
}

export interface OutboundRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const DEFAULT_RETRY_STATUSES = [502, 503, 504];

/** Parses a comma-separated host list; entries are lower-cased, a leading `*` is dropped (`*.a.com` = `.a.com`). */
export function hostList(value: string | undefined, fallback: readonly string[]): string[] {
  const entries = (value ?? '').split(',').map((s) => s.trim().toLowerCase().replace(/^\*\./, '.')).filter(Boolean);
  return entries.length ? entries : [...fallback];
}

export function hostAllowed(hostname: string, rules: readonly string[] | undefined): boolean {
  if (!rules) return true;
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return rules.some((rule) => (rule.startsWith('.') ? host.endsWith(rule) && host.length > rule.length : host === rule));
}

/** Whether an address may be connected to: a public unicast address, or one inside a listed private network. */
export function addressAllowed(address: string, privateNetworks: readonly string[]): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  if (parsed.range() === 'unicast') return true;
  return privateNetworks.some((network) => {
    try {
      const [range, bits] = network.includes('/') ? ipaddr.parseCIDR(network) : [ipaddr.process(network), undefined];
      return range.kind() === parsed.kind() && parsed.match(range, bits ?? (range.kind() === 'ipv6' ? 128 : 32));
    } catch {
      return false;
    }
  });
}

/** Checks a URL against the policy before any connection; returns it parsed. */
export function checkUrl(url: string | URL, policy: OutboundPolicy): URL {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new OutboundError('invalidUrl');
  }
  if (parsed.protocol !== 'https:' && !(policy.allowHttp && parsed.protocol === 'http:')) throw new OutboundError('scheme');
  if (parsed.username || parsed.password) throw new OutboundError('invalidUrl');
  if (!hostAllowed(parsed.hostname, policy.hosts)) throw new OutboundError('host');
  const literal = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !addressAllowed(literal, policy.privateNetworks)) throw new OutboundError('address');
  return parsed;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(privateNetworks: readonly string[]) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const refused = addresses.find((a) => !addressAllowed(a.address, privateNetworks));
      if (refused || !addresses.length) return callback(Object.assign(new Error('address not allowed'), { code: 'EADDRNOTALLOWED' }), '');
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

const agents = new WeakMap<OutboundPolicy, Agent>();

function agentFor(policy: OutboundPolicy): Agent {
  let agent = agents.get(policy);
  if (!agent) {
    agent = new Agent({
      connect: { lookup: guardedLookup(policy.privateNetworks) as never, timeout: policy.timeoutMs },
      headersTimeout: policy.timeoutMs,
      bodyTimeout: policy.timeoutMs,
      keepAliveTimeout: 4000,
    });
    agents.set(policy, agent);
  }
  return agent;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request under the policy: the response of any non-redirect status, or an OutboundError. */
export async function send(url: string | URL, init: OutboundRequest, policy: OutboundPolicy): Promise<OutboundResponse> {
  const target = checkUrl(url, policy);
  const retryStatuses = policy.retryStatuses ?? DEFAULT_RETRY_STATUSES;
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= policy.retries;
    try {
      const response = await attemptOnce(target, init, policy);
      if (last || !retryStatuses.includes(response.status)) return response;
    } catch (err) {
      if (last || !(err instanceof OutboundError) || err.code !== 'network' || init.signal?.aborted) throw err;
    }
    await sleep(policy.retryDelayMs * 2 ** attempt);
  }
}

async function attemptOnce(target: URL, init: OutboundRequest, policy: OutboundPolicy): Promise<OutboundResponse> {
  const timeout = AbortSignal.timeout(policy.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(target, {
      method: init.method ?? 'GET',
      headers: init.headers,
      body: init.body,
      signal,
      dispatcher: agentFor(policy),
    });
  } catch (err) {
    throw failure(err, timeout);
  }
  if (response.statusCode >= 300 && response.statusCode < 400) {
    discard(response.body);
    throw new OutboundError('redirect', response.statusCode);
  }
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > policy.maxBytes) {
    discard(response.body);
    throw new OutboundError('tooLarge');
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      total += (chunk as Buffer).length;
      if (total > policy.maxBytes) {
        discard(response.body);
        throw new OutboundError('tooLarge');
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    throw failure(err, timeout);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { status: response.statusCode, headers, body: Buffer.concat(chunks, total) };
}

/** Hangs up on a body not read further (the abort error it emits is expected, not an event to crash on). */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

function failure(err: unknown, timeout: AbortSignal): OutboundError {
  if (err instanceof OutboundError) return err;
  const code = (err as { code?: string })?.code;
  if (code === 'EADDRNOTALLOWED' || (err as { cause?: { code?: string } })?.cause?.code === 'EADDRNOTALLOWED') return new OutboundError('address');
  if (timeout.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return new OutboundError('timeout');
  return new OutboundError('network');
}
