import type { Settings } from '../config/settings';
import type { OutboundPolicy } from './outbound';

/** The outbound policies the bot uses, one per kind of destination, from the settings. */
export interface OutboundPolicies {
  /** Attachment downloads: the attachment hosts, the attachment size and time limits, one retry on a dropped connection. */
  attachment: OutboundPolicy;
  /** Replies to a Bot Framework serviceUrl: a few seconds, one retry. */
  connector: OutboundPolicy;
  /** DingTalk session webhooks from callbacks: DingTalk's hosts only. */
  dingTalkWebhook: OutboundPolicy;
  /** DingTalk's open API at the configured base URL. */
  dingTalkApi: OutboundPolicy;
}

export function outboundPolicies(settings: Settings): OutboundPolicies {
  const { privateNetworks, allowHttp } = settings.outbound;
  const apiBase = new URL(settings.dingTalkApiBase);
  return {
    attachment: {
      hosts: settings.attachmentHosts,
      allowHttp,
      privateNetworks,
      timeoutMs: settings.attachmentTimeoutMs,
      maxBytes: settings.attachmentMaxBytes,
      retries: 1,
      retryDelayMs: 200,
    },
    connector: {
      hosts: settings.serviceUrlHosts,
      allowHttp,
      privateNetworks,
      timeoutMs: settings.connectorTimeoutMs,
      maxBytes: 1024 * 1024,
      retries: 1,
      retryDelayMs: 200,
    },
    dingTalkWebhook: {
      hosts: settings.dingTalkWebhookHosts,
      allowHttp,
      privateNetworks,
      timeoutMs: 5000,
      maxBytes: 64 * 1024,
      retries: 1,
      retryDelayMs: 200,
    },
    // The operator configured this URL: it is used as configured, plain http included (a test or a proxy).
    dingTalkApi: {
      hosts: [apiBase.hostname.toLowerCase()],
      allowHttp: apiBase.protocol === 'http:',
      privateNetworks,
      timeoutMs: 5000,
      maxBytes: 64 * 1024,
      retries: 1,
      retryDelayMs: 200,
    },
  };
}
