import { timingSafeEqual } from 'crypto';
import type { Express } from 'express';
import { loadUnderstanding } from '../understanding';
import type { TrafficLog } from '../storage/trafficLog';
import { buildReport } from './report';
import { reportPage } from './reportPage';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;

export interface AdminReportOptions {
  /** ADMIN_TOKEN; unset: every request gets 401. */
  token?: string;
  traffic: TrafficLog;
  now?: () => number;
}

function authorized(header: string | undefined, token: string | undefined): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (!token || !given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** GET /admin/report (`?days=N`, default 30; `?format=json`): the knowledge owner's report, behind ADMIN_TOKEN. */
export function mountAdminReport(app: Express, options: AdminReportOptions): void {
  const now = options.now ?? Date.now;
  app.get('/admin/report', async (req, res, next) => {
    if (!authorized(req.header('authorization'), options.token)) {
      res.status(401).set('www-authenticate', 'Bearer').json({ error: 'unauthorized' });
      return;
    }
    const days = Number(req.query.days ?? DEFAULT_DAYS);
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
      res.status(400).json({ error: `days must be a whole number from 1 to ${MAX_DAYS}` });
      return;
    }
    try {
      const to = now();
      const from = to - days * DAY_MS;
      const report = buildReport(await options.traffic.since(from), loadUnderstanding(), { from, to });
      if (req.query.format === 'json') res.json(report);
      else res.type('html').set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(reportPage(report));
    } catch (err) {
      next(err);
    }
  });
}
