import { loadUnderstanding } from '../../understanding';
import { readMessage } from '../../understanding/reading';
import { decide, type Decision } from '../../dialogs/policy';
import { tailoredBy } from '../../dialogs/mainDialog';
import type { ConversationProfile } from '../../dialogs/conversationProfile';
import type { Lang } from '../../understanding/language';

const TODAY = '2026-11-22';
const understanding = loadUnderstanding();

interface Situation {
  lang?: Lang;
  /** The entry being worked on or last answered. */
  entry?: string;
  openSlot?: string;
  answered?: boolean;
  details?: Record<string, unknown>;
  hedged?: Record<string, string>;
  suggestions?: string[];
}

/** The policy's decision for a message in a situation, the message read as the bot reads it. */
function decision(text: string, s: Situation = {}, answeredByLastEntry?: () => boolean): Decision {
  const lang = s.lang ?? 'zh';
  const tracker: ConversationProfile = {
    lang,
    details: { ...s.details },
    unknown: [],
    entryId: s.entry,
    entryScore: s.entry ? 0.9 : undefined,
    hedged: s.hedged,
    suggestions: s.suggestions,
    lastAnswer: s.answered && s.entry ? { entryId: s.entry, details: { ...s.details } } : undefined,
  };
  const reading = readMessage(text, { lang, today: TODAY, openSlot: s.openSlot, product: tracker.details.product as never }, understanding.classifier);
  const entry = s.entry ? understanding.kb.byId.get(s.entry) : undefined;
  return decide({
    reading,
    tracker,
    openSlot: s.openSlot,
    tailoredBy: entry ? tailoredBy(entry) : [],
    answerable: (id) => ['failure', 'question'].includes(understanding.kb.byId.get(id)!.kind),
    answeredByLastEntry,
    productOf: (id) => understanding.kb.byId.get(id)?.product,
    isQuestionEntry: (id) => understanding.kb.byId.get(id)?.kind === 'question',
    relatedToLastEntry: (id) => !!entry && (understanding.kb.byId.get(id)?.product === entry.product || !!entry.sharedWith?.includes(id)),
  });
}

const atIssueDate: Situation = { entry: 'domain.cert-new-or-not-in-db', openSlot: 'issueDate' };
const atSite: Situation = { entry: 'domain.upload-format-unsupported', openSlot: 'site', lang: 'en' };
const afterProvince: Situation = { entry: 'icp.principal-not-legal-rep', answered: true, details: { province: 'guangdong' } };
const afterDayuLimit: Situation = { entry: 'dayu.account-limit', answered: true };

describe('policy: steering', () => {
  it.each([
    ['取消吧', 'cancel', atIssueDate],
    ['start over', 'restart', {}],
    ['帮助', 'helpAtQuestion', atIssueDate],
    ['help', 'help', {}],
  ] as const)('%s → %s', (text, action, situation) => {
    expect(decision(text, situation).action).toBe(action);
  });
});

describe('policy: another detail asked about at a question', () => {
  const atNumber: Situation = { entry: 'domain.number-not-found', openSlot: 'certNumber', lang: 'en' };
  it.each([["I serve in the army, does it matter?", atNumber], ['我是军人，有影响吗', { ...atNumber, lang: 'zh' as const }]] as const)(
    '%s is the detail taken, not "why this question"',
    (text, situation) => {
      const d = decision(text, situation);
      expect(d.case).not.toBe('why this question');
      expect(['rememberOther', 'correct']).toContain(d.action);
    },
  );

  it('a bare why still explains the question', () => {
    expect(decision('why do you need that?', { entry: 'domain.number-not-found', openSlot: 'certNumber', lang: 'en' }).action).toBe('explainDetail');
  });
});

describe('policy: a cancel word beside a request for a person', () => {
  it.each([
    ['算了转人工吧', atIssueDate],
    ['never mind, human agent', { ...atSite }],
    ['不问了找真人客服', afterDayuLimit],
  ] as const)('%s → handoff', (text, situation) => {
    expect(decision(text, situation)).toMatchObject({ case: 'cancel for a person', action: 'handoff' });
  });

  it('a cancel word alone still cancels', () => {
    expect(decision('算了', atIssueDate).action).toBe('cancel');
  });
});

describe('policy: at a question', () => {
  it('takes the answer to the question', () => {
    expect(decision('上个月15号', atIssueDate)).toMatchObject({ case: 'answer to the question', action: 'takeAnswer' });
  });

  it('remembers another detail and asks again instead of switching entries ("中国内地" at the issue date)', () => {
    expect(decision('中国内地', atIssueDate)).toMatchObject({ case: 'another detail at a question', action: 'rememberOther' });
    expect(decision('我们是个人', { ...atIssueDate, lang: 'zh' }).action).toBe('rememberOther');
  });

  it('replaces a detail said differently before (a correction)', () => {
    expect(decision('不对，是澳门', { entry: 'domain.overseas-user', openSlot: 'holderType', details: { region: 'hk' } })).toMatchObject({ action: 'correct' });
  });

  it.each(['为什么要问这个', '這是什麼意思', 'why do you need this?', '这跟地区有啥关系', 'what does the date have to do with it?'])('explains why the detail matters: %s', (text) => {
    expect(decision(text, atIssueDate).action).toBe('explainDetail');
  });

  it.each(['不知道', 'no idea', '記不得了'])('takes "%s" as not knowing (the prompt answers in general)', (text) => {
    expect(decision(text, atIssueDate)).toMatchObject({ case: "don't know at a question", action: 'takeAnswer' });
  });

  it('asks to confirm a hedged answer, never takes it as certain', () => {
    expect(decision('not sure which site, the English one I think', atSite)).toMatchObject({ action: 'confirmHedge' });
    expect(decision('好像是国际站吧', { ...atSite, lang: 'zh' }).action).toBe('confirmHedge');
    expect(decision('国际站', { ...atSite, lang: 'zh' }).action).toBe('takeAnswer');
  });

  it('keeps a date said with a hedge as unsure, a plain one as sure', () => {
    const read = (text: string) => readMessage(text, { lang: 'zh', today: TODAY }, understanding.classifier).details.find((d) => d.slot === 'issueDate');
    expect(read('新证我记得是上周二拿的，提交后提示新颁发证件')).toMatchObject({ value: '2026-11-10', certainty: 'hedged' });
    expect(read('新证是上周二拿的，不过好像审核的人说要等')).toMatchObject({ value: '2026-11-10', certainty: 'sure' });
    expect(decision('大概是11月12号吧', atIssueDate).action).toBe('confirmHedge');
  });

  it('reads a value said beside "not sure" as hedged, and both values with "don\'t know" as not knowing', () => {
    expect(decision('china site? not sure', atSite).action).toBe('confirmHedge');
    expect(decision('the china one, I\'m not certain though', atSite).action).toBe('confirmHedge');
    expect(decision('中国站吧，我也不太确定', { ...atSite, lang: 'zh' }).action).toBe('confirmHedge');
    expect(decision('不知道是中国站还是国际站', { ...atSite, lang: 'zh' })).toMatchObject({ case: "don't know at a question" });
    expect(decision('pretty sure it is the China site', atSite).action).toBe('takeAnswer');
  });

  it('takes a confirmed hedge, asks again on a no, takes a named value over the hedge', () => {
    const hedged = { ...atSite, hedged: { site: 'international' } };
    expect(decision('yes', hedged).action).toBe('takeHedged');
    expect(decision('对的', { ...hedged, lang: 'zh' }).action).toBe('takeHedged');
    expect(decision('no', hedged).action).toBe('reask');
    expect(decision('no, the China site', hedged).action).toBe('takeAnswer');
  });

  it('answers a question the entry being worked on covers, then asks again, rather than switching', () => {
    const atNumber: Situation = { entry: 'domain.number-not-found', openSlot: 'certNumber' };
    expect(decision('我户口还在迁移，会不会是因为这个', atNumber, () => true)).toMatchObject({ case: 'question the entry answers, at a question', action: 'answerPartAtQuestion' });
    expect(decision('注册联系人信息有误', atNumber, () => true).action).toBe('answerEntry');
  });

  it('switches on a new failure pasted at a question, and hands off on request', () => {
    expect(decision('注册联系人信息有误', atIssueDate)).toMatchObject({ case: 'new failure at a question', action: 'answerEntry', entryId: 'domain.contact-info-wrong' });
    expect(decision('转人工', atIssueDate).action).toBe('handoff');
  });

  it('never reads a detail alone as a hand-off or another entry ("个人" is not 人工)', () => {
    expect(decision('个人', { entry: 'domain.overseas-user', openSlot: 'region' }).action).toBe('rememberOther');
  });
});

describe('policy: after an answer', () => {
  it('recomputes the answer when a detail it is tailored by changes', () => {
    expect(decision('那北京呢', afterProvince)).toMatchObject({ case: 'changed detail after the answer', action: 'recompute', entryId: 'icp.principal-not-legal-rep' });
    expect(decision('不对，是浙江', afterProvince).action).toBe('recompute');
  });

  it('answers a follow-up in the entry\'s context, not as a new failure', () => {
    expect(decision('我还有个旧号，注销了行不行', afterDayuLimit)).toMatchObject({ case: 'follow-up on the answer', action: 'answerPart' });
    expect(decision('where do I send that?', { ...afterDayuLimit, lang: 'en' }).action).toBe('answerPart');
    expect(decision('那如果是企业呢', afterDayuLimit).action).toBe('answerPart');
  });

  it('stays in the entry answered when the steps did not help, whatever the wording ("照样", "no luck")', () => {
    const afterFace: Situation = { entry: 'icp.face-mismatch', answered: true };
    expect(decision('按你说的重新弄了一遍，照样报这个', afterFace)).toMatchObject({ case: 'follow-up on the answer', action: 'answerPart', entryId: 'icp.face-mismatch' });
    expect(decision('tried it again in daylight, no luck', { ...afterFace, lang: 'en' })).toMatchObject({ action: 'answerPart', entryId: 'icp.face-mismatch' });
  });

  it('keeps a message with no failure and no follow-up words in the entry answered, never out of scope', () => {
    const afterMilitary: Situation = { entry: 'domain.military', answered: true, lang: 'en' };
    const d = decision('so there is honestly nothing Alibaba Cloud can do for a unit like ours', afterMilitary);
    expect(d).toMatchObject({ action: 'answerPart', entryId: 'domain.military' });
    expect(decision('我们领导不太想换地方注册', { ...afterMilitary, lang: 'zh' }).action).toBe('answerPart');
  });

  it('reads small talk that asks something as a follow-up, not as thanks', () => {
    expect(decision('ok thanks, and which papers do they want from me?', { ...afterDayuLimit, lang: 'en' }).action).toBe('answerPart');
    expect(decision('thanks a lot', { ...afterDayuLimit, lang: 'en' }).action).toBe('smalltalk');
  });

  it('stays with the entry answered when its answer covers the follow-up, though another entry fits it better', () => {
    const afterInconsistent: Situation = { entry: 'domain.registrant-inconsistent', answered: true };
    expect(decision('所属区域在哪看', afterInconsistent, () => true)).toMatchObject({ case: 'follow-up the answer covers', action: 'answerPart' });
    expect(decision('所属区域在哪看', afterInconsistent, () => false).entryId).toBe('domain.overseas-region-mismatch');
  });

  it('still refuses a plainly off-topic question after an answer', () => {
    expect(decision('顺便问下你们的云服务器怎么收费', afterDayuLimit, () => false)).toMatchObject({ case: 'off topic after the answer', action: 'outOfScope' });
    expect(decision('can you recommend a good CDN provider?', { ...afterDayuLimit, lang: 'en' }, () => false).action).toBe('outOfScope');
    expect(decision('refreshed a few times already, still nothing', { entry: 'dayu.qr-blank', answered: true, lang: 'en' }, () => false).action).toBe('answerPart');
  });

  it('takes a question with no words of its own as asking about the answer, though it reads like the off-topic examples', () => {
    const afterValidity: Situation = { entry: 'domain.identity-validity-failed', answered: true };
    expect(decision('那到底要怎么弄啊？', afterValidity, () => false)).toMatchObject({ case: 'follow-up on the answer', action: 'answerPart' });
    expect(decision('and where would that be?', { ...afterValidity, lang: 'en' }, () => false)).toMatchObject({ case: 'follow-up on the answer', action: 'answerPart' });
  });

  it('switches to an entry written for the question asked, though a line of the last answer shares a word with it', () => {
    const afterIncomplete: Situation = { entry: 'icp.materials-incomplete', answered: true };
    expect(decision('网站建设方案书的模板从哪里下', afterIncomplete, () => true)).toMatchObject({ case: 'new failure after the answer', entryId: 'icp.template-download' });
  });

  it('switches to another product\'s failure named with its product, though it opens like a follow-up and is not recognized as surely as a prompt', () => {
    const tracker: ConversationProfile = { lang: 'zh', details: {}, unknown: [], entryId: 'icp.face-mismatch', entryScore: 0.9, lastAnswer: { entryId: 'icp.face-mismatch', details: {} } };
    const entry = understanding.kb.byId.get('icp.face-mismatch')!;
    const fixed = (id: string, score: number) => ({ classify: () => ({ intent: id, score, candidates: [{ id, product: understanding.kb.byId.get(id)!.product, score }] }) }) as never;
    const input = (text: string, id: string, score: number) => ({
      reading: readMessage(text, { lang: 'zh', today: TODAY }, fixed(id, score)),
      tracker,
      tailoredBy: tailoredBy(entry),
      answerable: () => true,
      answeredByLastEntry: () => false,
      relatedToLastEntry: (other: string) => understanding.kb.byId.get(other)?.product === entry.product || !!entry.sharedWith?.includes(other),
    });
    expect(decide(input('还有，大鱼号认证的二维码一片空白咋整', 'dayu.qr-blank', 0.8))).toMatchObject({ action: 'answerEntry', entryId: 'dayu.qr-blank' });
    // Not as sure, or the prompt this entry shares with 大鱼号: still a follow-up on the answer given.
    expect(decide(input('还有，大鱼号认证的二维码一片空白咋整', 'dayu.qr-blank', 0.4)).action).not.toBe('answerEntry');
    expect(decide(input('那如果是大鱼号呢', 'dayu.verify-failed-generic', 0.8)).action).not.toBe('answerEntry');
  });

  it('switches on a real new failure', () => {
    expect(decision('域名实名认证失败，提示注册联系人信息有误', afterDayuLimit)).toMatchObject({ case: 'new failure after the answer', entryId: 'domain.contact-info-wrong' });
  });

  it('gives the answer again for "why?"', () => {
    expect(decision('为什么', afterProvince).action).toBe('answerAgain');
  });

  it('still says thanks and picks an offered entry by its number', () => {
    expect(decision('谢谢', afterProvince).action).toBe('smalltalk');
    expect(decision('2', { suggestions: ['domain.cert-missing', 'domain.cert-unclear'] })).toMatchObject({ action: 'pick', entryId: 'domain.cert-unclear' });
  });
});

describe('policy: no context', () => {
  it.each([
    ['居民身份证', 'zh'],
    ['上个月15号', 'zh'],
    ['香港的', 'zh'],
    ['international site', 'en'],
    ['個人', 'zh'],
  ] as const)('a bare answer with no conversation behind it says the context was lost: %s', (text, lang) => {
    expect(decision(text, { lang }).action).toBe('lostContext');
  });

  it('asks which product when the message is about a prompt both products show, naming neither', () => {
    const d = decision('刷脸那步一直说人脸和公安库不一致，怎么回事');
    expect(d).toMatchObject({ action: 'clarify' });
    expect(d.candidates).toEqual(expect.arrayContaining(['icp.face-mismatch', 'dayu.verify-failed-generic']));
    expect(decision('the face scan keeps telling me my face does not match the public security database', { lang: 'en' }).action).toBe('clarify');
    // One product's prompt pasted whole is that product's.
    expect(decision('人脸核验采集人脸与公安库不一致')).toMatchObject({ action: 'answerEntry', entryId: 'icp.face-mismatch' });
  });

  it('keeps a story naming a product and what the system showed in scope: it asks which failure', () => {
    const d = decision('我在阿里云APP里弄网站备案，证件都传好了，最后一步弹出来说我填的号码跟名字对应不起来，搞了一上午');
    expect(d).toMatchObject({ action: 'whichFailure', product: 'icp' });
    expect(d.candidates?.every((id) => id.startsWith('icp.'))).toBe(true);
  });

  it('a new failure is a new request, even short', () => {
    expect(decision('不在实名库中').action).toBe('answerEntry');
    expect(decision('what is the weather today', { lang: 'en' }).action).toBe('outOfScope');
  });
});

describe('policy: a failure said without saying which', () => {
  it.each([
    ['实名认证没通过，怎么回事', 'zh'],
    ['审核又被驳回了', 'zh'],
    ['刷脸一直不成功', 'zh'],
    ['my verification keeps getting rejected', 'en'],
    ['the upload was unsuccessful, what do I do', 'en'],
  ] as const)('"%s" names no failure and no product: the product and the failure are asked, with candidates', (text, lang) => {
    const d = decision(text, { lang });
    expect(d.action).toBe('whichFailure');
    expect(d.product).toBeUndefined();
    expect(d.candidates!.length).toBeGreaterThan(0);
    // Of the candidates, the best of each product comes first, so the first ones also tell the products apart.
    const products = d.candidates!.map((id) => understanding.kb.byId.get(id)!.product);
    const distinct = new Set(products).size;
    expect(new Set(products.slice(0, distinct)).size).toBe(distinct);
  });

  it('with no product known, the offer spans products: the best of each among the likeliest', () => {
    const d = decision('资料上传一直不成功');
    expect(d.action).toBe('whichFailure');
    const products = new Set(d.candidates!.slice(0, 3).map((id) => understanding.kb.byId.get(id)!.product));
    expect(products.size).toBeGreaterThan(1);
  });

  it.each([
    ['大鱼号刷脸没通过', 'dayu'],
    ['在阿里云app上做备案，上传资料失败了', 'icp'],
    ['domain real-name verification was rejected', 'domain'],
  ] as const)('"%s" names its product (%s) but no failure: only that product\'s failures are offered', (text, product) => {
    const d = decision(text, { lang: /[a-z]/.test(text[0]) ? 'en' : 'zh' });
    expect(d).toMatchObject({ action: 'whichFailure', product });
    expect(d.candidates!.length).toBeGreaterThan(0);
    for (const id of d.candidates!) expect(understanding.kb.byId.get(id)!.product).toBe(product);
  });

  it('a failure named in the message is answered, with or without a general "failed" beside it', () => {
    expect(decision('域名认证没过，提示证件号码的位数有误')).toMatchObject({ action: 'answerEntry', entryId: 'domain.cert-type-or-number' });
    expect(decision('备案上传失败，说是非法参数')).toMatchObject({ action: 'answerEntry', entryId: 'icp.illegal-param' });
    expect(decision('domain verification failed, it says the registrant information is inconsistent', { lang: 'en' })).toMatchObject({
      action: 'answerEntry',
      entryId: 'domain.registrant-inconsistent',
    });
  });

  it('below the answer threshold a clear best is answered; close candidates or a very low best are asked about', () => {
    const read = readMessage('拍的照片太模糊了，被审核退回来了两次，怎么弄', { lang: 'zh', today: TODAY }, understanding.classifier);
    const decideWith = (scores: [string, number][]): Decision => {
      const candidates = scores.map(([id, score]) => ({ id, score, product: understanding.kb.byId.get(id)!.product }));
      const reading = { ...read, classification: { intent: scores[0][0], score: scores[0][1], candidates } };
      return decide({ reading, tracker: { lang: 'zh', details: {}, unknown: [] }, tailoredBy: [], answerable: () => true, productOf: (id) => understanding.kb.byId.get(id)?.product });
    };
    expect(decideWith([['domain.cert-unclear', 0.4], ['domain.cert-unqualified', 0.02]])).toMatchObject({ action: 'answerEntry', entryId: 'domain.cert-unclear' });
    expect(decideWith([['domain.cert-unclear', 0.4], ['domain.cert-unqualified', 0.3]]).action).toBe('whichFailure');
    expect(decideWith([['domain.cert-unclear', 0.1], ['domain.cert-unqualified', 0.01]]).action).toBe('whichFailure');
  });

  it('an unspecific message recognized below the answer threshold is never answered', () => {
    for (const text of ['审核那边说不行', '搞了半天还是失败', 'ICP thing in the app said no']) {
      const d = decision(text, { lang: /[a-z]/i.test(text[0]) ? 'en' : 'zh' });
      expect(d.action).not.toBe('answerEntry');
    }
  });

  it('the product given after "which product?" offers that product\'s failures, those offered first', () => {
    const offered = ['dayu.abnormal-failure', 'domain.number-not-found', 'icp.face-mismatch'];
    const d = decision('大鱼号', { suggestions: offered });
    expect(d).toMatchObject({ action: 'whichFailure', product: 'dayu' });
    expect(d.candidates![0]).toBe('dayu.abnormal-failure');
    for (const id of d.candidates!) expect(understanding.kb.byId.get(id)!.product).toBe('dayu');
  });
});

describe('policy: a certificate number after an answer', () => {
  it('after an answer that does not depend on the number, the number is checked in that entry\'s context', () => {
    const d = decision('我的号码是 440301199003071234', { entry: 'domain.cert-unclear', answered: true });
    expect(d).toMatchObject({ action: 'checkNumber', entryId: 'domain.cert-unclear' });
  });

  it('after an answer tailored by the number, the answer is recomputed with it', () => {
    const d = decision('440301199003071234', { entry: 'domain.cert-type-or-number', answered: true, details: { certType: 'idCard' } });
    expect(d).toMatchObject({ action: 'recompute', entryId: 'domain.cert-type-or-number' });
  });
});
