import { holds, testedKeys } from '../../kb/condition';
import type { Condition } from '../../kb/types';

describe('conditions of answer cases', () => {
  it('holds on equal values and lists; an unknown key never holds', () => {
    expect(holds({ region: 'hk' }, { region: 'hk' })).toBe(true);
    expect(holds({ region: ['hk', 'mo'] }, { region: 'mo' })).toBe(true);
    expect(holds({ region: 'hk' }, {})).toBe(false);
  });

  it('{ not } holds when the detail is unknown or none of the values', () => {
    expect(holds({ holderType: { not: 'organization' } }, {})).toBe(true);
    expect(holds({ holderType: { not: 'organization' } }, { holderType: 'individual' })).toBe(true);
    expect(holds({ holderType: { not: ['individual', 'organization'] } }, { holderType: 'organization' })).toBe(false);
    expect(holds({ resubmitPassed: { not: [true, false] } }, { resubmitPassed: false })).toBe(false);
  });

  it('anyOf holds when one of its conditions does, beside the other keys', () => {
    const personal: Condition = { resubmitPassed: false, anyOf: [{ holderType: 'individual' }, { holderType: { not: 'organization' }, certType: ['idCard', 'passport'] }] };
    expect(holds(personal, { resubmitPassed: false, certType: 'idCard' })).toBe(true);
    expect(holds(personal, { resubmitPassed: false, holderType: 'organization', certType: 'idCard' })).toBe(false);
    expect(holds(personal, { resubmitPassed: true, holderType: 'individual' })).toBe(false);
    expect(testedKeys(personal).sort()).toEqual(['certType', 'holderType', 'holderType', 'resubmitPassed']);
  });
});
