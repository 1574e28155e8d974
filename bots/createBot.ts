import type { Storage, TurnContext } from 'botbuilder';
import pino from 'pino';
import { MemberConversationState } from '../storage/stateKey';
import { loadUnderstanding, type Understanding } from '../understanding';
import { MainDialog } from '../dialogs/mainDialog';
import type { ConversationProfile } from '../dialogs/conversationProfile';
import type { DialogDependencies } from '../dialogs/dialogContext';
import { downloadAttachment } from '../answers/attachmentDownload';
import { outboundPolicies } from '../net/policies';
import { composeAnswer } from '../answers/composeAnswer';
import { today } from '../config/clock';
import type { Settings } from '../config/settings';
import { MemoryCaseStore } from '../storage/handoffCases';
import { MemoryTrafficLog, type TrafficLog } from '../storage/trafficLog';
import type { Lang } from '../understanding/language';
import { isAgentConversation } from './agentMode';
import { Feedback, type PendingFeedback } from './feedback';
import { HandoffService, type HandoffOptions } from './handoff/handoffService';
import { SupportBot } from './supportBot';

export interface BotOverrides {
  today?: () => string;
  download?: (url: string) => Promise<Buffer>;
  /** The clock of recorded traffic and hand-off cases (ms). */
  now?: () => number;
}

/** Where hand-off cases and recorded traffic live; without them (warm-up, unit tests) both stay in this process. */
export interface BotServices {
  handoff: HandoffService;
  traffic: TrafficLog;
}

/** The bot's answer for an entry and details, as the dialogs would give it (shown to agents with a case). */
export function answerOf(understanding: Understanding, todayOf: () => string) {
  return (entryId: string, lang: Lang, details: Record<string, unknown>): string | undefined => {
    const entry = understanding.kb.byId.get(entryId);
    if (!entry) return undefined;
    if (entry.kind !== 'failure' && entry.kind !== 'question') return entry.answer[lang].trim();
    return composeAnswer(entry, { lang, today: todayOf(), details });
  };
}

/** A hand-off service over the given cases and desk; the other options from the knowledge base. */
export function createHandoffService(options: Omit<HandoffOptions, 'titleOf' | 'answerFor'>, todayOf: () => string = () => today()): HandoffService {
  const understanding = loadUnderstanding();
  return new HandoffService({
    ...options,
    titleOf: (id, lang) => understanding.kb.byId.get(id)?.title[lang],
    answerFor: answerOf(understanding, todayOf),
  });
}

/** The bot with its dialogs over a storage: one instance serves every channel. */
export function createBot(storage: Storage, settings: Settings, overrides: BotOverrides = {}, services?: BotServices): SupportBot {
  const conversationState = new MemberConversationState(storage);
  const attachmentPolicy = outboundPolicies(settings).attachment;
  const todayOf = overrides.today ?? (() => today());
  const handoff =
    services?.handoff ??
    createHandoffService({ cases: new MemoryCaseStore(settings.handoff.caseTtlSeconds), timeoutSeconds: settings.handoff.timeoutSeconds, logger: pino({ level: 'silent' }), now: overrides.now }, todayOf);
  const deps: DialogDependencies = {
    understanding: loadUnderstanding(),
    profile: conversationState.createProperty<ConversationProfile>('profile'),
    today: todayOf,
    download: overrides.download ?? ((url) => downloadAttachment(url, attachmentPolicy)),
    isAgentConversation: (context: TurnContext) => isAgentConversation(context, settings.agentConversations),
    handoff,
  };
  const feedback = new Feedback({
    understanding: deps.understanding,
    traffic: services?.traffic ?? new MemoryTrafficLog(settings.trafficTtlSeconds, overrides.now),
    pending: conversationState.createProperty<PendingFeedback | undefined>('feedback'),
    handoff,
    now: overrides.now,
  });
  handoff.whenOpened((context, request, maskedText) => feedback.recordHandoff(context, request, maskedText));
  return new SupportBot(conversationState, new MainDialog(deps), deps, feedback);
}
