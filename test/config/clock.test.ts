import { today } from '../../config/clock';

describe('today (Asia/Shanghai)', () => {
  it('turns at China midnight, also when asked again within the same minute', () => {
    expect(today(new Date('2026-12-03T15:59:30Z'))).toBe('2026-12-03');
    expect(today(new Date('2026-12-03T15:59:59Z'))).toBe('2026-12-03');
    expect(today(new Date('2026-12-03T16:00:00Z'))).toBe('2026-12-04');
    expect(today(new Date('2026-12-03T16:00:20Z'))).toBe('2026-12-04');
  });

  it('answers for any moment asked, in any order', () => {
    expect(today(new Date('2026-12-03T10:00:00Z'))).toBe('2026-12-03');
    expect(today(new Date('2026-12-03T10:00:30Z'))).toBe('2026-12-03');
    expect(today(new Date('2026-12-02T10:00:10Z'))).toBe('2026-12-02');
    expect(today(new Date('2026-12-03T10:00:40Z'))).toBe('2026-12-03');
    expect(today(new Date('2026-12-04T10:00:40Z'))).toBe('2026-12-04');
  });
});
