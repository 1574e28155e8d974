import { extractDetails } from '../understanding/details';
import { analyzeCertNumber } from '../answers/certNumber';
import type { ConversationProfile } from './conversationProfile';

/**
 * Details said in passing, in any message (a new prompt, an answer to a question, a follow-up), are remembered for the
 * rest of the conversation; a certificate number only as its masked analysis, and an issue date only if not in the future.
 * Returns the names of the details the message gave.
 */
export function rememberDetails(text: string, profile: ConversationProfile, today: string): string[] {
  const found = extractDetails(text, { lang: profile.lang ?? 'zh', today }) as Record<string, unknown>;
  const remembered: string[] = [];
  for (const [slot, value] of Object.entries(found)) {
    if (value === undefined) continue;
    if (slot === 'certNumber') {
      profile.details.certNumber = analyzeCertNumber(String(value), (found.certType ?? profile.details.certType) as string | undefined);
    } else if (slot !== 'issueDate' || String(value) <= today) {
      profile.details[slot] = value;
    } else {
      continue;
    }
    remembered.push(slot);
  }
  return remembered;
}
