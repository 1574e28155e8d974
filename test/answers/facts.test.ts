import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { facts, loadFacts, FactsError, FACTS_KNOWLEDGE_DIR, REGIONS } from '../../answers/facts';

function copyKnowledge(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facts-'));
  for (const sub of ['schema', 'facts', 'messages']) fs.cpSync(path.join(FACTS_KNOWLEDGE_DIR, sub), path.join(dir, sub), { recursive: true });
  return dir;
}

describe('facts', () => {
  it('loads and validates every facts file', () => {
    const f = loadFacts();
    expect(f.cnRegistration.supported.china.hk).toEqual({ organization: true, individual: false });
    expect(f.uploadRules.rules.china).toMatchObject({ minBytes: 55 * 1024, maxBytes: 1024 * 1024, maxInclusive: true, formats: ['jpg', 'bmp'] });
    expect(f.uploadRules.rules.international).toMatchObject({ minBytes: 55 * 1024, maxBytes: 5 * 1024 * 1024 });
    expect(f.uploadRules.rules.icp.minBytes).toBeUndefined();
    expect(f.uploadRules.rules.icp).toMatchObject({ maxBytes: 4 * 1024 * 1024, maxInclusive: false });
    expect(facts()).toBe(facts());
  });

  it('keeps the doc 000 table: the China site refuses HK/Macao individuals and everyone in Taiwan or abroad', () => {
    const { supported } = facts().cnRegistration;
    const refused = REGIONS.flatMap((r) => (['individual', 'organization'] as const).filter((h) => !supported.china[r][h]).map((h) => `${r}/${h}`));
    expect(refused.sort()).toEqual(['hk/individual', 'mo/individual', 'overseas/individual', 'overseas/organization', 'tw/individual', 'tw/organization']);
    for (const r of REGIONS) expect(supported.international[r]).toEqual({ individual: true, organization: true });
  });

  it('lists the 18 provinces of doc 002 once each, among 34 named divisions', () => {
    const { legalRepRequired, provinces } = facts().legalRep;
    expect(Object.keys(provinces)).toHaveLength(34);
    expect(new Set(legalRepRequired).size).toBe(18);
    expect(legalRepRequired.map((p) => provinces[p].zh).join('、')).toBe(
      '宁夏、西藏、山东、广东、湖北、云南、浙江、贵州、黑龙江、陕西、内蒙古、上海、江西、湖南、天津、河南、福建、重庆',
    );
    expect(legalRepRequired).toContain('shaanxi');
    expect(legalRepRequired).not.toContain('shanxi');
  });

  it('refuses a facts file that breaks its schema, naming the file', () => {
    const dir = copyKnowledge();
    const file = path.join(dir, 'facts', 'cn-registration.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('tw: { organization: false, individual: false }', 'tw: { organization: false }'));
    expect(() => loadFacts(dir)).toThrow(FactsError);
    expect(() => loadFacts(dir)).toThrow(/cn-registration\.yaml.*individual/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a diagnostics file missing a template', () => {
    const dir = copyKnowledge();
    const file = path.join(dir, 'messages', 'diagnostics.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n    lowercaseX:\n.*\n.*\n/, '\n'));
    expect(() => loadFacts(dir)).toThrow(/diagnostics\.yaml.*lowercaseX/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unknown province in the legal-representative list', () => {
    const dir = copyKnowledge();
    const file = path.join(dir, 'facts', 'legal-rep-provinces.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('  - ningxia\n', '  - ningxai\n'));
    expect(() => loadFacts(dir)).toThrow(/legal-rep-provinces\.yaml/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a rule whose minimum is not below its maximum', () => {
    const dir = copyKnowledge();
    const file = path.join(dir, 'facts', 'upload-rules.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('maxBytes: 1048576', 'maxBytes: 56320'));
    expect(() => loadFacts(dir)).toThrow(/china: minBytes must be below maxBytes/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
