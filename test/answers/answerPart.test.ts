import { loadUnderstanding } from '../../understanding';
import { answerPart } from '../../answers/answerPart';
import { composeAnswer } from '../../answers/composeAnswer';
import { normalize } from '../../understanding/normalize';

const { kb } = loadUnderstanding();
const TODAY = '2026-11-22';

/** The lines a follow-up gets from an entry's answer (and its parts) for the details known. */
function partFor(entryId: string, lang: 'zh' | 'en', question: string, details: Record<string, unknown> = {}): string {
  const entry = kb.byId.get(entryId)!;
  const parts = (entry.parts ?? []).map((p) => ({ text: p[lang], asks: [...(p.asks?.zh ?? []), ...(p.asks?.en ?? [])] }));
  return answerPart(composeAnswer(entry, { lang, today: TODAY, details }), normalize(question), parts).join('\n');
}

describe('the part of an answer a follow-up asks for', () => {
  it('reads English follow-ups word by word', () => {
    expect(partFor('domain.military', 'en', 'so we could still do it through Alibaba Cloud somehow?')).toMatch(/ticket/);
  });

  it('matches what the answer says in other words, by topic ("money back" is a refund)', () => {
    expect(partFor('domain.sensitive-words', 'en', 'do I at least get my money back on a .org?')).toMatch(/refund/);
    expect(partFor('domain.sensitive-words', 'zh', '钱什么时候能退')).toMatch(/5~7/);
  });

  it('reaches an entry\'s parts by the words they are asked with', () => {
    expect(partFor('dayu.unknown-client', 'zh', '用微信扫行不行')).toMatch(/淘宝/);
  });

  it('still finds the line when the whole answer is about the topic asked (size, format)', () => {
    expect(partFor('domain.upload-size-format', 'en', "it's an 8.5MB jpg, now what?", { site: 'international' })).toMatch(/resize/);
  });

  it('finds nothing when the answer does not speak of it', () => {
    expect(partFor('dayu.account-limit', 'en', 'what is the weather in Hangzhou')).toBe('');
  });
});

describe('answers tailored by who the user is', () => {
  const newCert = kb.byId.get('domain.cert-new-or-not-in-db')!;
  const answer = (details: Record<string, unknown>) => composeAnswer(newCert, { lang: 'zh', today: TODAY, details });

  it('does not send a personal certificate to the organization registries', () => {
    const personal = answer({ issueDate: '2026-11-18', certType: 'idCard' });
    expect(personal).toMatch(/2026-11-28/);
    expect(personal).toMatch(/针对的是单位证件/);
    expect(personal).not.toMatch(/在此之前可以查询/);
    expect(answer({ holderType: 'individual' })).toMatch(/针对的是单位证件/);
  });

  it('gives an organization the sync checks and the stamped proof', () => {
    const company = answer({ issueDate: '2026-11-18', certType: 'businessLicense' });
    expect(company).toMatch(/在此之前可以查询/);
    expect(answer({ issueDate: '2026-11-18', holderType: 'organization', certType: 'idCard' })).toMatch(/在此之前可以查询/);
  });
});

describe('follow-up lines under a heading, and the one thing a short answer is about', () => {
  const answer = 'Case one:\n\n1. Fill in the form on the PC.\n2. Send the QR code to the principal.\n\nCase two:\n\n1. Ask a colleague to photograph the organization license.\n2. Upload the license in the app.';

  it('gives a line with the heading it stands under, never a heading alone', () => {
    const part = answerPart(answer, 'who should photograph the license?');
    expect(part[0]).toBe('Case two:');
    expect(part).toContain('1. Ask a colleague to photograph the organization license.');
    expect(part).not.toContain('Case one:');
  });

  it('answers a question about what most lines of a short answer speak of with those lines', () => {
    const short = '最常见的原因：国家代码填写不正确。\n1. 检查国家代码，例如中国为 86。\n2. 请勿将区号填入国家代码处。\n3. 改正后重新提交。';
    expect(answerPart(short, '那国家代码那里应该填什么').join('\n')).toMatch(/86/);
  });
});
