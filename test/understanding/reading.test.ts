import { loadUnderstanding } from '../../understanding';
import { readMessage } from '../../understanding/reading';

const understanding = loadUnderstanding();
const read = (text: string, openSlot?: string, lang: 'zh' | 'en' = 'en') => readMessage(text, { lang, today: '2026-11-22', openSlot }, understanding.classifier);

describe('reading: certainty and corrections', () => {
  it('keeps a value hedged where it is said once hedged where it is said again', () => {
    const r = read('the international one maybe, alibabacloud.com?', 'site');
    expect(r.answer).toMatchObject({ slot: 'site', value: 'international', certainty: 'hedged' });
    expect(r.details.filter((d) => d.slot === 'site').every((d) => d.certainty === 'hedged')).toBe(true);
  });

  it('takes "not 100% sure" as a hedge of what the message says', () => {
    expect(read('China site, not 100% sure', 'site').answer).toMatchObject({ value: 'china', certainty: 'hedged' });
  });

  it('takes the date a correction in the same message gives, not the one taken back', () => {
    expect(read('November 18, 2026, no wait, it was November 11, 2026', 'issueDate').answer).toMatchObject({ value: '2026-11-11' });
    expect(read('11月18日，不对，是11月11日', 'issueDate', 'zh').answer).toMatchObject({ value: '2026-11-11' });
  });

  it('reads a yes in clauses as a yes ("对，就是那天")', () => {
    expect(read('对，就是那天', 'issueDate', 'zh').signals.affirm).toBe(true);
    expect(read('yes, that day', 'issueDate').signals.affirm).toBe(true);
    expect(read('对，是11月11日', 'issueDate', 'zh').signals.affirm).toBe(false);
  });

  it('finds no words of its own in a question about the answer just given', () => {
    expect(read('so where is that?').contentWords).toEqual([]);
    expect(read('所以我到底该去哪里弄', undefined, 'zh').contentWords).toEqual([]);
    expect(read('网站建设方案书在哪下载', undefined, 'zh').contentWords.length).toBeGreaterThan(0);
  });
});
