import { describe, expect, it } from 'vitest';
import provincesFile from './provinces.json';
import { demoPostalPointCodes, generatePostalPoints, type GeneratedPostalPoint } from './postal-point.generator';

// Generated once: the tests only read it, and regenerating per test would just repeat the same work.
const points = generatePostalPoints();
const CODE_FORMAT = /^\d{3}-(BC|VHX|DL)-\d{4}$/;
const PREFIX = { POST_OFFICE: 'BC', COMMUNE_CULTURAL_POST_OFFICE: 'VHX', AGENT: 'DL' } as const;

const share = (list: GeneratedPostalPoint[], kind: GeneratedPostalPoint['kind']) =>
  list.filter((p) => p.kind === kind).length / list.length;

describe('generatePostalPoints', () => {
  it('is deterministic for the same options and varies with the seed', () => {
    expect(generatePostalPoints()).toEqual(points);
    expect(generatePostalPoints({ seed: 7, total: 2000 })).toEqual(generatePostalPoints({ seed: 7, total: 2000 }));
    expect(generatePostalPoints({ seed: 8, total: 2000 })).not.toEqual(generatePostalPoints({ seed: 7, total: 2000 }));
  });

  it('produces exactly 13,000 points by default, sorted by code', () => {
    expect(points).toHaveLength(13_000);
    const codes = points.map((p) => p.code);
    expect(codes).toEqual([...codes].sort());
  });

  it('gives unique codes in the <province>-<BC|VHX|DL>-<4 digits> format that agree with kind and province', () => {
    expect(new Set(points.map((p) => p.code)).size).toBe(points.length);
    for (const p of points) {
      expect(p.code).toMatch(CODE_FORMAT);
      expect(p.code.startsWith(`${p.provinceCode}-${PREFIX[p.kind]}-`)).toBe(true);
    }
  });

  it('covers all 63 provinces, each led by an open central post office', () => {
    expect(provincesFile.provinces).toHaveLength(63);
    for (const province of provincesFile.provinces) {
      const central = points.find((p) => p.code === `${province.code}-BC-0001`);
      expect(central, province.name).toMatchObject({
        kind: 'POST_OFFICE',
        name: `Bưu cục trung tâm ${province.name}`,
        provinceName: province.name,
        isOpen: true,
      });
    }
    expect(new Set(points.map((p) => p.provinceCode)).size).toBe(63);
  });

  it('weights provinces by population and commune count', () => {
    const count = (code: string) => points.filter((p) => p.provinceCode === code).length;
    for (const big of ['001', '079', '038', '040']) {
      for (const small of ['006', '012']) expect(count(big)).toBeGreaterThan(3 * count(small));
    }
  });

  it('mixes roughly 25% post offices, 60% BĐ-VHX points and 15% agents', () => {
    expect(share(points, 'POST_OFFICE')).toBeGreaterThan(0.2);
    expect(share(points, 'POST_OFFICE')).toBeLessThan(0.3);
    expect(share(points, 'COMMUNE_CULTURAL_POST_OFFICE')).toBeGreaterThan(0.55);
    expect(share(points, 'COMMUNE_CULTURAL_POST_OFFICE')).toBeLessThan(0.65);
    expect(share(points, 'AGENT')).toBeGreaterThan(0.1);
    expect(share(points, 'AGENT')).toBeLessThan(0.2);
  });

  it('has a few closed points, about 3%', () => {
    const closed = points.filter((p) => !p.isOpen).length / points.length;
    expect(closed).toBeGreaterThan(0.01);
    expect(closed).toBeLessThan(0.05);
  });

  it('writes Vietnamese names, addresses ending in the province, and 11-digit landlines starting with 02', () => {
    for (const p of points) {
      const prefix = { POST_OFFICE: 'Bưu cục ', COMMUNE_CULTURAL_POST_OFFICE: 'Điểm BĐ-VHX Xã ', AGENT: 'Đại lý bưu điện ' }[p.kind];
      expect(p.name.startsWith(prefix)).toBe(true);
      expect(p.address.endsWith(`, ${p.district}, ${p.provinceName}`)).toBe(true);
      expect(p.phone).toMatch(/^0[\d ]+$/);
      expect(p.phone.replace(/ /g, '')).toMatch(/^02\d{9}$/);
    }
    // Names stay unique within a province so the demo's search results are unambiguous.
    expect(new Set(points.map((p) => `${p.provinceCode}|${p.name}`)).size).toBe(points.length);
  });

  it('respects the total option, still covering every province when there is room', () => {
    const small = generatePostalPoints({ total: 500 });
    expect(small).toHaveLength(500);
    expect(new Set(small.map((p) => p.provinceCode)).size).toBe(63);
    expect(generatePostalPoints({ total: 10 })).toHaveLength(10);
    expect(generatePostalPoints({ total: 0 })).toEqual([]);
    expect(() => generatePostalPoints({ total: -1 })).toThrow(RangeError);
  });

  it('keeps the demo codes present and pinned open or closed as named', () => {
    const byCode = new Map(points.map((p) => [p.code, p]));
    const { closedCommune, ...open } = demoPostalPointCodes();
    for (const code of Object.values(open)) expect(byCode.get(code)?.isOpen, code).toBe(true);
    expect(byCode.get(closedCommune)?.isOpen).toBe(false);
    expect(generatePostalPoints({ seed: 99 }).find((p) => p.code === closedCommune)?.isOpen).toBe(false);
  });
});
