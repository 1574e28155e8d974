import { extractDetails, saysAny } from '../understanding/details';
import { slotCatalog } from '../understanding/slots';
import { analyzeCertNumber } from '../answers/certNumber';
import type { ConversationProfile } from './conversationProfile';

/**
 * Details said in passing, in any message (a new prompt, an answer to a question, a follow-up), are remembered for the
 * rest of the conversation; a certificate number only as its masked analysis, and an issue date only if not in the future
 * and not said as another date ("那12月1号提交可以吗", slots.yaml `notWith`).
 * Returns the names of the details the message spoke of, remembered or not.
 */
export function rememberDetails(text: string, profile: ConversationProfile, today: string): string[] {
  const found = extractDetails(text, { lang: profile.lang ?? 'zh', today }) as Record<string, unknown>;
  const remembered: string[] = [];
  for (const [slot, value] of Object.entries(found)) {
    if (value === undefined) continue;
    remembered.push(slot);
    const notWith = slotCatalog().slots[slot]?.notWith;
    if (notWith && saysAny(text, notWith)) continue;
    if (slot === 'certNumber') {
      profile.details.certNumber = analyzeCertNumber(String(value), (found.certType ?? profile.details.certType) as string | undefined);
    } else if (slot !== 'issueDate' || String(value) <= today) {
      profile.details[slot] = value;
    }
  }
  return remembered;
}
