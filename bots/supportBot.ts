import { ActivityHandler, TurnContext, type Activity, type ConversationState, type StatePropertyAccessor } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { isBrief, languageOfLocale, leaningLanguage, cultureOf, replyLanguage, type Lang } from '../understanding/language';
import { message } from '../answers/messages';
import { recognizeSlotAnswer } from '../understanding/details';
import type { MainDialog } from '../dialogs/mainDialog';
import { getProfile, learn, type ConversationProfile } from '../dialogs/conversationProfile';
import type { DialogDependencies } from '../dialogs/dialogContext';
import { runAgentCommand } from './agentMode';
import type { Feedback } from './feedback';
import { reply } from './replies';

/** Details a host page may pass (the widget on the ICP filing page passes product = icp). */
const HOST_CONTEXT_KEYS = ['product', 'site'] as const;

/** The activity handler every channel drives: welcome, language, host-page context, then the main dialog. */
export class SupportBot extends ActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly dialog: MainDialog,
    private readonly deps: DialogDependencies,
    private readonly feedback: Feedback,
  ) {
    super();
    this.dialogState = conversationState.createProperty<DialogState>('dialogState');

    this.onMembersAdded(async (context, next) => {
      const joined = (context.activity.membersAdded ?? []).some((m) => m.id !== context.activity.recipient?.id);
      if (joined) {
        const profile = await this.profileOf(context);
        const lang = languageOfLocale(context.activity.locale);
        if (lang) profile.lang = lang;
        const text = lang ? message('welcome', lang) : message('welcomeBilingual', 'zh');
        await context.sendActivity(reply(text, { intent: 'smalltalk.greeting', score: 1 }));
      }
      await next();
    });

    this.onEvent(async (context, next) => {
      this.applyHostContext(context, await this.profileOf(context));
      await next();
    });

    this.onMessage(async (context, next) => {
      // In Teams channels and group chats the text starts with the bot's @-mention; it is not part of the question.
      if (context.activity.text) context.activity.text = TurnContext.removeRecipientMention(context.activity as Activity).trim();
      const profile = await this.profileOf(context);
      this.applyHostContext(context, profile);
      const lang = this.languageFor(context, profile);
      // Issue #13: a reply to the last answer's 有帮助 / 没帮助 is feedback; every reply is recorded for the report.
      if (await this.feedback.handle(context, profile, lang)) return next();
      const agent = this.deps.isAgentConversation(context);
      this.feedback.watch(context, profile, { offerFeedback: !agent });
      const command = agent ? runAgentCommand(context.activity.text ?? '', this.deps.understanding, lang) : undefined;
      if (command) {
        await context.sendActivity(reply(command.text, { intent: command.intent, score: command.score }));
      } else {
        await this.dialog.run(context, this.dialogState);
      }
      await next();
    });
  }

  /** Runs the turn and saves conversation state once at its end. */
  async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
  }

  private profileOf(context: TurnContext): Promise<ConversationProfile> {
    return getProfile(this.deps.profile, context);
  }

  /** The reply language: the message's own (unless it is too brief to tell), else the conversation's, else the locale's; prompts follow it. */
  private languageFor(context: TurnContext, profile: ConversationProfile): Lang {
    const text = context.activity.text ?? '';
    const said = profile.lang && isBrief(text) ? undefined : replyLanguage(text);
    const lang = said ?? profile.lang ?? languageOfLocale(context.activity.locale) ?? leaningLanguage(text);
    profile.lang = lang;
    context.activity.locale = cultureOf(lang);
    return lang;
  }

  private applyHostContext(context: TurnContext, profile: ConversationProfile): void {
    const host = (context.activity.channelData as { context?: Record<string, unknown> } | undefined)?.context ?? (context.activity.name === 'context' ? context.activity.value : undefined);
    if (!host || typeof host !== 'object') return;
    for (const key of HOST_CONTEXT_KEYS) {
      const said = (host as Record<string, unknown>)[key];
      if (typeof said !== 'string' || profile.details[key] !== undefined) continue;
      // Pages say it their way (intl, ICP, aliyun.com): read it like an answer, and keep only a known value.
      const value = recognizeSlotAnswer(key, said, { lang: profile.lang ?? 'zh', today: this.deps.today() });
      if (typeof value === 'string') learn(profile, key, value, 'host');
    }
    const lang = languageOfLocale(typeof (host as Record<string, unknown>).locale === 'string' ? ((host as Record<string, unknown>).locale as string) : undefined);
    if (lang && !profile.lang) profile.lang = lang;
  }
}
