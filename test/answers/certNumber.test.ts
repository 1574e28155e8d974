import { analyzeCertNumber, kindOfCertType, type CertNumberAnalysis } from '../../answers/certNumber';

// Valid numbers, each checked by hand rather than with the code under test:
// - 11010519491231002X is the example of GB 11643-1999. Digits × weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
//   7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 → check "X".
// - 440308199901011234: 28+36+0+15+0+32+2+9+54+27+0+9+0+5+8+8+6 = 239; 239 mod 11 = 8 → check "4".
// - 91350100M000100Y43 (M = 21, Y = 30 in GB 32100's character set), weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
//   9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640; 1640 mod 31 = 28; 31 - 28 = 3 → check "3".
// - 91110000802100433B: 9+3+9+27+0+0+0+0+160+0+50+13+0+0+40+90+84 = 485; 485 mod 31 = 20; 31 - 20 = 11 → "B".
const ID = '11010519491231002X';
const ID2 = '440308199901011234';
const USCC = '91350100M000100Y43';
const USCC_B = '91110000802100433B';

const codes = (a: CertNumberAnalysis) => a.problems.map((p) => p.code);

describe('analyzeCertNumber: resident identity card', () => {
  it('accepts the standard example and a hand-checked number', () => {
    for (const n of [ID, ID2]) {
      const a = analyzeCertNumber(n, 'idCard');
      expect(a).toMatchObject({ kind: 'idCard', checked: true, ok: true, length: 18, problems: [] });
    }
  });

  it('masks all but the first 3 and last 2 characters', () => {
    expect(analyzeCertNumber(ID).masked).toBe('110*************2X');
  });

  it('reports a lowercase x as such, not as a wrong check character', () => {
    const a = analyzeCertNumber('11010519491231002x', 'idCard');
    expect(a.ok).toBe(false);
    expect(a.problems).toEqual([{ code: 'lowercaseX', position: 18, found: 'x', expected: 'X' }]);
  });

  it.each([
    ['1101O519491231002X', 5, 'O', '0'],
    ['11010519491231OO2X', 15, 'O', '0'],
    ['I1010519491231002X', 1, 'I', '1'],
    ['1l010519491231002X', 2, 'l', '1'],
    ['44030B199901011234', 6, 'B', '8'],
    ['11010S19491231002X', 6, 'S', '5'],
    ['1101051949123100ZX', 17, 'Z', '2'],
  ])('finds letters typed for digits in %s', (input, position, found, expected) => {
    const a = analyzeCertNumber(input, 'idCard');
    expect(a.problems[0]).toEqual({ code: 'letterForDigit', position, found, expected });
    // Once the look-alikes are read as digits the number checks out, so no check-character problem is added.
    expect(codes(a).every((c) => c === 'letterForDigit')).toBe(true);
  });

  it('finds spaces and other separators, positioned between characters of the number', () => {
    const a = analyzeCertNumber('110105 19491231-002X', 'idCard');
    expect(a.problems).toEqual([
      { code: 'separator', position: 7, found: ' ' },
      { code: 'separator', position: 15, found: '-' },
    ]);
    expect(a.length).toBe(18);
  });

  it('finds full-width characters and the ideographic space', () => {
    const a = analyzeCertNumber('１10105\u300019491231002X', 'idCard');
    expect(a.problems).toEqual([
      { code: 'fullWidth', position: 1, found: '１', expected: '1' },
      { code: 'separator', position: 7, found: '\u3000' },
    ]);
  });

  it('says how many characters were given when one is missing or extra', () => {
    const short = analyzeCertNumber('11010519491231002', 'idCard');
    expect(short).toMatchObject({ length: 17, ok: false });
    expect(short.problems).toEqual([{ code: 'length', expected: '18' }]);
    expect(analyzeCertNumber('110105194912310021X', 'idCard')).toMatchObject({ length: 19, problems: [{ code: 'length', expected: '18' }] });
  });

  it('names the expected check character when it fails', () => {
    const a = analyzeCertNumber('110105194912310021', 'idCard');
    expect(a.problems).toEqual([{ code: 'checkChar', position: 18, found: '1', expected: 'X' }]);
  });

  it('checks that positions 7-14 are a plausible date of birth', () => {
    const a = analyzeCertNumber('110105194913310021', 'idCard');
    expect(codes(a)).toContain('birthDate');
    expect(a.problems.find((p) => p.code === 'birthDate')).toEqual({ code: 'birthDate', position: 7 });
    const future = analyzeCertNumber(ID, 'idCard', { today: '1949-12-30' });
    expect(codes(future)).toEqual(['birthDate']);
  });

  it('says X can only be the last character', () => {
    const a = analyzeCertNumber('1101051949123100X2', 'idCard');
    expect(a.problems[0]).toEqual({ code: 'misplacedX', position: 17, found: 'X' });
  });

  it('says a letter that looks like no digit cannot go in a digit position', () => {
    expect(analyzeCertNumber('1101051949123100M2', 'idCard').problems[0]).toEqual({ code: 'digitExpected', position: 17, found: 'M' });
    expect(analyzeCertNumber('11010519491231002号', 'idCard').problems[0]).toEqual({ code: 'invalidChar', position: 18, found: '号' });
  });
});

describe('analyzeCertNumber: Unified Social Credit Code', () => {
  it.each(['usccCert', 'businessLicense', 'orgCodeCert'])('accepts valid codes for %s', (certType) => {
    for (const n of [USCC, USCC_B]) expect(analyzeCertNumber(n, certType)).toMatchObject({ kind: 'uscc', ok: true, problems: [] });
  });

  it('reads O typed in the digit-only positions 2-8 as the digit 0', () => {
    expect(analyzeCertNumber('9135O100M000100Y43', 'usccCert').problems).toEqual([{ code: 'letterForDigit', position: 5, found: 'O', expected: '0' }]);
  });

  it('says the letters I, O, Z, S and V are never used', () => {
    const a = analyzeCertNumber('91350100M0001O0Y43', 'businessLicense');
    expect(a.problems).toEqual([{ code: 'excludedLetter', position: 14, found: 'O', expected: '0' }]);
    expect(analyzeCertNumber('91350100MV00100Y43', 'usccCert').problems[0]).toEqual({ code: 'excludedLetter', position: 10, found: 'V' });
  });

  it('asks for capitals', () => {
    expect(analyzeCertNumber('91350100m000100Y43', 'usccCert').problems).toEqual([{ code: 'lowercase', position: 9, found: 'm', expected: 'M' }]);
  });

  it('names the expected check character', () => {
    expect(analyzeCertNumber('91350100M000100Y48', 'usccCert').problems).toEqual([{ code: 'checkChar', position: 18, found: '8', expected: '3' }]);
  });

  it('spots a digit typed where a letter belongs, through the check character', () => {
    // The check character B typed as the digit 8.
    expect(analyzeCertNumber('911100008021004338', 'usccCert').problems).toEqual([{ code: 'lookAlike', position: 18, found: '8', expected: 'B' }]);
    // A letter typed for a digit in the organization code part, where letters are allowed too.
    expect(analyzeCertNumber('91350100MD00100Y43', 'usccCert').problems).toEqual([{ code: 'lookAlike', position: 10, found: 'D', expected: '0' }]);
    expect(analyzeCertNumber('911100008021Q0433B', 'usccCert').problems).toEqual([{ code: 'lookAlike', position: 13, found: 'Q', expected: '0' }]);
  });

  it('names only the check character when more than one look-alike swap would fit', () => {
    // B→8 at 9 and 0→D at 14 both make this check character agree: no guess.
    expect(analyzeCertNumber('91110000B02100433B', 'usccCert').problems).toEqual([{ code: 'checkChar', position: 18, found: 'B', expected: 'D' }]);
  });

  it('finds a space, a 17-character code and a duplicate-license suffix', () => {
    expect(analyzeCertNumber('91350100 M000100Y43', 'usccCert').problems).toEqual([{ code: 'separator', position: 9, found: ' ' }]);
    expect(analyzeCertNumber('91350100M000100Y4', 'usccCert').problems).toEqual([{ code: 'length', expected: '18' }]);
    expect(analyzeCertNumber('91350100M000100Y43（1-1）', 'businessLicense')).toMatchObject({ ok: false, length: 18, problems: [{ code: 'copyNumber' }] });
  });
});

describe('analyzeCertNumber: kinds', () => {
  it('infers the kind from the shape when no certificate type is given', () => {
    expect(analyzeCertNumber(ID).kind).toBe('idCard');
    expect(analyzeCertNumber(ID2).kind).toBe('idCard');
    expect(analyzeCertNumber(USCC).kind).toBe('uscc');
    expect(analyzeCertNumber(USCC_B).kind).toBe('uscc');
    expect(analyzeCertNumber('1101O519491231002X').kind).toBe('idCard');
    expect(analyzeCertNumber('9135O100M000100Y43').kind).toBe('uscc');
    expect(analyzeCertNumber('911100008021004338').kind).toBe('uscc');
    expect(analyzeCertNumber('11010519491231002').kind).toBe('idCard');
    expect(analyzeCertNumber('12').kind).toBe('unknown');
  });

  it('says when the number is valid for the other certificate type', () => {
    expect(analyzeCertNumber(USCC, 'idCard')).toMatchObject({ kind: 'uscc', declaredKind: 'idCard', ok: false, problems: [{ code: 'typeMismatch', expected: 'uscc' }] });
    expect(analyzeCertNumber(ID, 'businessLicense')).toMatchObject({ kind: 'idCard', declaredKind: 'uscc', problems: [{ code: 'typeMismatch', expected: 'idCard' }] });
    // A mistyped USCC under the identity card type: the type problem first, then the code's own problems.
    expect(analyzeCertNumber('9135O100M000100Y43', 'idCard')).toMatchObject({
      kind: 'uscc',
      problems: [{ code: 'typeMismatch', expected: 'uscc' }, { code: 'letterForDigit', position: 5, found: 'O', expected: '0' }],
    });
    // One stray letter in an identity card number is a typo, not another kind of number.
    expect(analyzeCertNumber('1101051949123100M2', 'idCard').kind).toBe('idCard');
    // A mistyped identity card number that happens to pass the USCC check is still treated as an identity card number.
    expect(analyzeCertNumber('11010519491331002X', 'idCard').kind).toBe('idCard');
  });

  it('does not check numbers of other certificate types against these standards', () => {
    const a = analyzeCertNumber('E12345678', 'passport');
    expect(a).toMatchObject({ kind: 'other', checked: false, ok: false, problems: [] });
    expect(analyzeCertNumber('E123 45678', 'passport').problems).toEqual([{ code: 'separator', position: 5, found: ' ' }]);
  });

  it('maps certificate types', () => {
    expect(kindOfCertType('idCard')).toBe('idCard');
    expect(kindOfCertType('usccCert')).toBe('uscc');
    expect(kindOfCertType('businessLicense')).toBe('uscc');
    expect(kindOfCertType('orgCodeCert')).toBe('uscc');
    expect(kindOfCertType('passport')).toBe('other');
    expect(kindOfCertType(undefined)).toBeUndefined();
  });

  it('reports an empty number', () => {
    expect(analyzeCertNumber('   ')).toMatchObject({ kind: 'unknown', ok: false, length: 0, masked: '', problems: [{ code: 'empty' }] });
  });
});

describe('analyzeCertNumber: privacy', () => {
  const inputs: [string, string?][] = [
    [ID], [ID2, 'idCard'], [USCC, 'usccCert'], ['1101O519491231002X'], ['110105 19491231 002X', 'idCard'], ['11010519491231002x'],
    ['110105194912310021'], ['91350100M000100Y48'], ['911100008021004338'], [USCC, 'idCard'], ['E12345678', 'passport'], ['1101051949'],
  ];

  it.each(inputs.map(([input, certType]) => ({ input, certType })))('keeps no more than single characters of $input, and survives JSON', ({ input, certType }) => {
    const a = analyzeCertNumber(input, certType);
    const json = JSON.stringify(a);
    expect(JSON.parse(json)).toEqual(a);
    const number = input.replace(/\s/g, '');
    for (let i = 0; i + 6 <= number.length; i++) expect(json).not.toContain(number.slice(i, i + 6));
    for (const p of a.problems) if (p.found !== undefined) expect(Array.from(p.found)).toHaveLength(1);
    expect(Object.keys(a).sort()).toEqual(expect.arrayContaining(['checked', 'kind', 'length', 'masked', 'ok', 'problems']));
  });

  it('masks short inputs further', () => {
    expect(analyzeCertNumber('1101051', 'idCard').masked).toBe('1*****1');
    expect(analyzeCertNumber('110', 'idCard').masked).toBe('***');
  });
});
