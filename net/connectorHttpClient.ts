import type { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { OutboundError, send, type OutboundPolicy } from './outbound';

type ConnectorClientOptions = NonNullable<ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[4]>;
type HttpClient = NonNullable<ConnectorClientOptions['httpClient']>;
type WebResource = Parameters<HttpClient['sendRequest']>[0];

/**
 * The HTTP client of botbuilder's ConnectorClient (its supported `httpClient` option): replies to a serviceUrl go
 * through the outbound policy (timeout, no redirects, bounded retry, hosts and addresses).
 *
 * The pipeline above this client retries 5xx answers itself (three times, from 1 s apart, or as long as a
 * Retry-After says), so a final 5xx or 429 is thrown as an OutboundError here: that pipeline rethrows non-REST
 * errors at once, and the retry stays the one this policy bounds.
 */
export function connectorHttpClient(policy: OutboundPolicy): HttpClient {
  // One policy object for every reply: outbound keeps one connection pool per policy object, so a policy built per
  // request would open (and leave open) a new pool and a new connection for every reply.
  const replyPolicy: OutboundPolicy = { ...policy, retryStatuses: [429, 502, 503, 504] };
  return {
    async sendRequest(request: WebResource) {
      const response = await send(
        request.url,
        {
          method: request.method as 'GET' | 'POST' | 'PUT' | 'DELETE',
          headers: request.headers.rawHeaders(),
          body: typeof request.body === 'string' || Buffer.isBuffer(request.body) ? request.body : request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: request.abortSignal as AbortSignal | undefined,
        },
        replyPolicy,
      );
      if (response.status >= 500 || response.status === 429) throw new OutboundError('network', response.status);
      const headers = request.headers.clone();
      for (const name of headers.headerNames()) headers.remove(name);
      for (const [name, value] of Object.entries(response.headers)) headers.set(name, value);
      return { request, status: response.status, headers, bodyAsText: response.body.toString('utf8') };
    },
  };
}

/** ConnectorClient options whose requests follow the policy. */
export function connectorClientOptions(policy: OutboundPolicy): ConnectorClientOptions {
  return { httpClient: connectorHttpClient(policy) };
}
