import { analyzeCertNumber, type CertNumberAnalysis, type CertProblemCode } from '../../answers/certNumber';
import { renderCertProblems, renderImageProblems, formatSize, describeChar } from '../../answers/diagnostics';
import { facts } from '../../answers/facts';
import type { ImageProblem, ImageProblemCode } from '../../answers/imageCheck';

// Inputs that between them produce every certificate-number problem code.
const CERT_SAMPLES: [string, string?][] = [
  [''],
  ['91350100M000100Y43(1-1)', 'usccCert'],
  ['-110105 19491231002X。', 'idCard'],
  ['１10105194912310021', 'idCard'],
  ['1101O519491231002x', 'idCard'],
  ['1101051949123100M2', 'idCard'],
  ['1101051949123100X2', 'idCard'],
  ['11010519491231002号', 'idCard'],
  ['91350100MD00100Y43', 'usccCert'],
  ['91350100MV0O100Y43', 'usccCert'],
  ['91350100m000100Y43', 'usccCert'],
  ['110105194913310021', 'idCard'],
  ['1101051949123', 'idCard'],
  ['91350100M000100Y43', 'idCard'],
];

describe('diagnostic sentences', () => {
  const analyses: CertNumberAnalysis[] = CERT_SAMPLES.map(([raw, type]) => analyzeCertNumber(raw, type));

  it('the samples cover every certificate-number problem code', () => {
    const seen = new Set(analyses.flatMap((a) => a.problems.map((p) => p.code)));
    const all: CertProblemCode[] = [
      'empty', 'copyNumber', 'separator', 'fullWidth', 'letterForDigit', 'digitExpected', 'lookAlike', 'excludedLetter',
      'misplacedX', 'invalidChar', 'lowercaseX', 'lowercase', 'length', 'checkChar', 'birthDate', 'typeMismatch',
    ];
    expect([...seen].sort()).toEqual([...all].sort());
  });

  it.each(['zh', 'en'] as const)('fills every placeholder of every certificate-number sentence (%s)', (lang) => {
    for (const a of analyses) {
      const lines = renderCertProblems(a, lang);
      expect(lines).toHaveLength(a.problems.length);
      for (const line of lines) {
        expect(line).not.toMatch(/\{\w+\}/);
        expect(line).not.toMatch(/undefined/);
      }
    }
  });

  it.each(['zh', 'en'] as const)('fills every placeholder of every image sentence (%s)', (lang) => {
    const problems: Record<ImageProblemCode, ImageProblem> = {
      unreadable: { code: 'unreadable' },
      notImage: { code: 'notImage', found: 'pdf' },
      renamed: { code: 'renamed', found: 'jpg', expected: 'png' },
      formatNotAllowed: { code: 'formatNotAllowed', found: 'webp' },
      tooSmall: { code: 'tooSmall', bytes: 1000, limitBytes: 56320 },
      tooLarge: { code: 'tooLarge', bytes: 5_000_000, limitBytes: 4194304 },
    };
    for (const rule of Object.values(facts().uploadRules.rules)) {
      const lines = renderImageProblems(Object.values(problems), rule, lang);
      expect(lines).toHaveLength(6);
      for (const line of lines) expect(line).not.toMatch(/\{\w+\}|undefined/);
    }
    expect(renderImageProblems([problems.formatNotAllowed], undefined, lang)).toEqual([]);
  });

  it('writes sizes in bytes, KB and MB, exact next to a limit they would round to', () => {
    expect(formatSize(512, 'zh')).toBe('512 字节');
    expect(formatSize(512, 'en')).toBe('512 bytes');
    expect(formatSize(56320, 'en')).toBe('55 KB');
    expect(formatSize(56319, 'en', 56320)).toBe('55 KB (56,319 bytes)');
    expect(formatSize(56000, 'zh', 56320)).toBe('54.7 KB');
    expect(formatSize(4194304, 'zh', 4194304)).toBe('4 MB');
    expect(formatSize(1536 * 1024, 'en')).toBe('1.5 MB');
  });

  it('names characters', () => {
    expect(describeChar(' ', 'zh')).toBe('空格');
    expect(describeChar('O', 'en')).toBe('the letter "O"');
    expect(describeChar('0', 'zh')).toBe('数字“0”');
    expect(describeChar('、', 'zh')).toBe('“、”');
  });
});
