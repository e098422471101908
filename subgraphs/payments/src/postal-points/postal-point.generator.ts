import provincesFile from './provinces.json';

/** bưu cục / điểm Bưu điện - Văn hóa xã / đại lý bưu điện */
export type PostalPointKind = 'POST_OFFICE' | 'COMMUNE_CULTURAL_POST_OFFICE' | 'AGENT';

export interface GeneratedPostalPoint {
  code: string;
  name: string;
  kind: PostalPointKind;
  provinceCode: string;
  provinceName: string;
  district: string;
  address: string;
  phone: string;
  isOpen: boolean;
}

const DEFAULT_TOTAL = 13_000;
const DEFAULT_SEED = 20_250_701;
const KIND_CODE: Record<PostalPointKind, string> = { POST_OFFICE: 'BC', COMMUNE_CULTURAL_POST_OFFICE: 'VHX', AGENT: 'DL' };

// Per province: [weight, landline area code, district of the provincial capital].
// Weight ≈ commune count + 20 × population in millions (pre-2025 figures, rounded): the commune count drives the
// rural BĐ-VHX network, population drives post offices and agents in towns. Area codes are the real post-2017 ones.
// The capital district defaults to "Thành phố <province>" and is only spelled out where the city has another name.
const PROFILE: Record<string, [number, string, string?]> = {
  '001': [747, '24', 'Quận Hoàn Kiếm'], '002': [211, '219'], '004': [172, '206'], '006': [114, '209'],
  '008': [154, '207'], '010': [167, '214'], '011': [141, '215', 'Thành phố Điện Biên Phủ'], '012': [115, '213'],
  '014': [225, '212'], '015': [190, '216'], '017': [168, '218'], '019': [204, '208'], '020': [216, '205'],
  '022': [198, '203', 'Thành phố Hạ Long'], '024': [246, '204'], '025': [255, '210', 'Thành phố Việt Trì'],
  '026': [159, '211', 'Thành phố Vĩnh Yên'], '027': [150, '222'], '030': [274, '220'],
  '031': [258, '225', 'Quận Hồng Bàng'], '033': [164, '221'], '034': [297, '227'],
  '035': [115, '226', 'Thành phố Phủ Lý'], '036': [240, '228'], '037': [139, '229'], '038': [621, '237'],
  '040': [528, '238', 'Thành phố Vinh'], '042': [242, '239'], '044': [169, '232', 'Thành phố Đồng Hới'],
  '045': [138, '233', 'Thành phố Đông Hà'], '046': [164, '234', 'Thành phố Huế'], '048': [80, '236', 'Quận Hải Châu'],
  '049': [263, '235', 'Thành phố Tam Kỳ'], '051': [198, '255'], '052': [185, '256', 'Thành phố Quy Nhơn'],
  '054': [127, '257', 'Thành phố Tuy Hòa'], '056': [164, '258', 'Thành phố Nha Trang'],
  '058': [77, '259', 'Thành phố Phan Rang - Tháp Chàm'], '060': [149, '252', 'Thành phố Phan Thiết'],
  '062': [113, '260'], '064': [248, '269', 'Thành phố Pleiku'], '066': [221, '262', 'Thành phố Buôn Ma Thuột'],
  '067': [84, '261', 'Thành phố Gia Nghĩa'], '068': [168, '263', 'Thành phố Đà Lạt'],
  '070': [131, '271', 'Thành phố Đồng Xoài'], '072': [117, '276'], '074': [143, '274', 'Thành phố Thủ Dầu Một'],
  '075': [232, '251', 'Thành phố Biên Hòa'], '077': [105, '254', 'Thành phố Vũng Tàu'], '079': [498, '28', 'Quận 1'],
  '080': [222, '272', 'Thành phố Tân An'], '082': [207, '273', 'Thành phố Mỹ Tho'], '083': [183, '275'],
  '084': [126, '294'], '086': [127, '270'], '087': [175, '277', 'Thành phố Cao Lãnh'],
  '089': [193, '296', 'Thành phố Long Xuyên'], '091': [179, '297', 'Thành phố Rạch Giá'],
  '092': [108, '292', 'Quận Ninh Kiều'], '093': [90, '293', 'Thành phố Vị Thanh'], '094': [133, '299'],
  '095': [82, '291'], '096': [125, '290'],
};

// Centrally-run cities: districts are mostly "Quận", and BĐ-VHX points (a rural programme) give way to post offices
// and agents. The other ratios are tuned so the national mix lands near 25% / 60% / 15%.
const CITIES = new Set(['001', '031', '048', '079', '092']);
const RATIOS = { city: { office: 0.35, agent: 0.3 }, province: { office: 0.24, agent: 0.13 } };
const CLOSED_SHARE = 0.03;

const PLACE_WORDS = [
  'Tân', 'Hòa', 'An', 'Phú', 'Bình', 'Thạnh', 'Long', 'Đông', 'Tây', 'Nam', 'Bắc', 'Trung', 'Hưng', 'Lợi', 'Thuận',
  'Minh', 'Quang', 'Yên', 'Lập', 'Thành', 'Phước', 'Hiệp', 'Mỹ', 'Vĩnh', 'Thịnh', 'Phong', 'Thái', 'Hải', 'Sơn', 'Lâm',
  'Hà', 'Định', 'Xuân', 'Thọ', 'Lộc', 'Nghĩa', 'Đức', 'Hồng', 'Kim', 'Ngọc', 'Thanh', 'Lạc', 'Khánh', 'Hợp', 'Tiến',
  'Đại', 'Hoa', 'Cường', 'Điền', 'Giang', 'Châu', 'Tường', 'Quý', 'Hiếu', 'Việt', 'Liên', 'Cát', 'Trường', 'Tú', 'Dương',
];
const STREETS = [
  'Lê Lợi', 'Trần Hưng Đạo', 'Nguyễn Huệ', 'Hùng Vương', 'Quang Trung', 'Lý Thường Kiệt', 'Hai Bà Trưng', 'Nguyễn Trãi',
  'Lê Duẩn', 'Phan Đình Phùng', 'Trần Phú', 'Nguyễn Văn Cừ', 'Lê Hồng Phong', 'Điện Biên Phủ', 'Ngô Quyền', 'Bà Triệu',
];

/** Codes the demo data and README can name; they exist for the default total and are pinned open/closed as named. */
export function demoPostalPointCodes() {
  return {
    hanoiCentral: '001-BC-0001',
    hoChiMinhCentral: '079-BC-0001',
    daNangCentral: '048-BC-0001',
    hanoiCommune: '001-VHX-0001',
    hoChiMinhAgent: '079-DL-0001',
    // Pinned closed so the "point is closed" error path can be demonstrated without hunting for a random one.
    closedCommune: '034-VHX-0002',
  } as const;
}

// mulberry32: tiny, fast and good enough for fake data; Math.random would make seeds and tests meaningless.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Largest-remainder apportionment, so the counts add up to exactly `total`. */
function apportion(total: number, weights: number[]): number[] {
  // One point per province first (when there is room) so every province gets its central post office.
  const base = total >= weights.length ? 1 : 0;
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => ((total - base * weights.length) * w) / sum);
  const counts = exact.map((x) => base + Math.floor(x));
  const left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ r: x - Math.floor(x), i })).sort((p, q) => q.r - p.r || p.i - q.i);
  for (let k = 0; k < left; k++) counts[byRemainder[k].i]++;
  return counts;
}

export function generatePostalPoints(options: { seed?: number; total?: number } = {}): GeneratedPostalPoint[] {
  const total = options.total ?? DEFAULT_TOTAL;
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`total must be a non-negative integer, got ${total}`);
  const rng = mulberry32(options.seed ?? DEFAULT_SEED);
  const int = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
  const place = () => {
    const first = pick(PLACE_WORDS);
    let second = pick(PLACE_WORDS);
    while (second === first) second = pick(PLACE_WORDS);
    return `${first} ${second}`;
  };

  const provinces = provincesFile.provinces.map((p) => {
    const profile = PROFILE[p.code];
    if (!profile) throw new Error(`No weight/area code for province ${p.code} ${p.name}`);
    return { ...p, weight: profile[0], area: profile[1], capital: profile[2] ?? `Thành phố ${p.name}` };
  });
  const counts = apportion(total, provinces.map((p) => p.weight));
  const points: GeneratedPostalPoint[] = [];

  provinces.forEach((province, index) => {
    const n = counts[index];
    if (n === 0) return;
    const city = CITIES.has(province.code);
    // Southern provinces call hamlets "ấp", the North and Centre "thôn".
    const hamlet = Number(province.code) >= 70 ? 'Ấp' : 'Thôn';
    const used = new Set<string>(); // names and districts stay unique within a province, which keeps demo search sane
    const unique = (make: () => string, label: (s: string) => string = (s) => s): string => {
      let value = make();
      for (let attempt = 0; used.has(label(value)) && attempt < 40; attempt++) value = make();
      for (let k = 2; used.has(label(value)); k++) value = `${make()} ${k}`;
      used.add(label(value));
      return value;
    };

    // Roughly one district per 18 points, which matches ~700 districts nationwide.
    const districtCount = Math.min(30, Math.max(1, Math.round(n / 18)));
    const districts = [province.capital];
    for (let d = 1; d < districtCount; d++) {
      const prefix = city ? (d < districtCount * 0.45 ? 'Quận' : 'Huyện') : rng() < 0.12 ? 'Thị xã' : 'Huyện';
      districts.push(unique(() => `${prefix} ${place()}`));
    }
    const bare = (district: string) => district.replace(/^(Quận|Huyện|Thị xã|Thành phố) /, '');
    // BĐ-VHX points serve communes, and urban districts (quận) have none, only wards.
    const ruralDistricts = districts.filter((d) => !d.startsWith('Quận'));
    // Wards (some just numbered, as in the South) exist only in urban districts; a rural district has a township and communes.
    const locality = (district: string, urban: boolean) => {
      if (district.startsWith('Huyện')) return urban ? `Thị trấn ${place()}` : `Xã ${place()}`;
      if (urban || district.startsWith('Quận')) return `Phường ${rng() < 0.3 ? int(1, 15) : place()}`;
      return `Xã ${place()}`;
    };
    const street = () => `Số ${int(1, 300)} ${pick(STREETS)}`;
    // Real landline shape: 0 + area code + subscriber number starting with 3 (VNPT lines), 11 digits in all.
    const phone = () => {
      const digits = `3${String(int(0, 9_999_999)).padStart(7, '0')}`.slice(0, 10 - province.area.length);
      const head = `0${province.area}`;
      return head.length === 3 ? `${head} ${digits.slice(0, 4)} ${digits.slice(4)}` : `${head} ${digits.slice(0, 3)} ${digits.slice(3)}`;
    };
    const sequence: Record<PostalPointKind, number> = { POST_OFFICE: 0, COMMUNE_CULTURAL_POST_OFFICE: 0, AGENT: 0 };
    const add = (kind: PostalPointKind, name: string, district: string, address: string) => {
      const seq = ++sequence[kind];
      if (seq > 9999) throw new RangeError(`More than 9999 ${kind} points in province ${province.code}`);
      const code = `${province.code}-${KIND_CODE[kind]}-${String(seq).padStart(4, '0')}`;
      const p = { code, name, kind, provinceCode: province.code, provinceName: province.name, district, address };
      points.push({ ...p, phone: phone(), isOpen: rng() >= CLOSED_SHARE });
    };

    const ratio = city ? RATIOS.city : RATIOS.province;
    const offices = Math.max(1, Math.round(n * ratio.office));
    const agents = Math.min(n - offices, Math.round(n * ratio.agent));
    const communes = n - offices - agents;

    const ward = unique(() => `Phường ${place()}`);
    add('POST_OFFICE', unique(() => `Bưu cục trung tâm ${province.name}`), districts[0], `${street()}, ${ward}, ${districts[0]}, ${province.name}`);
    for (let j = 1; j < offices; j++) {
      // The first offices after the central one are the district post offices, named after their district.
      const districtOffice = j < districts.length;
      const district = districtOffice ? districts[j] : pick(districts);
      const name = districtOffice ? unique(() => `Bưu cục ${bare(district)}`) : unique(() => `Bưu cục ${place()}`);
      const town = districtOffice && district.startsWith('Huyện') ? `Thị trấn ${bare(district)}` : locality(district, true);
      add('POST_OFFICE', name, district, `${street()}, ${town}, ${district}, ${province.name}`);
    }
    for (let j = 0; j < communes; j++) {
      const district = pick(ruralDistricts.length > 0 ? ruralDistricts : districts);
      const commune = unique(() => `Xã ${place()}`, (c) => `Điểm BĐ-VHX ${c}`);
      add('COMMUNE_CULTURAL_POST_OFFICE', `Điểm BĐ-VHX ${commune}`, district, `${hamlet} ${int(1, 12)}, ${commune}, ${district}, ${province.name}`);
    }
    for (let j = 0; j < agents; j++) {
      const district = pick(districts);
      const urban = rng() < (district.startsWith('Huyện') ? 0.3 : 0.8);
      const area = unique(() => locality(district, urban), (a) => `Đại lý bưu điện ${a}`);
      const where = area.startsWith('Xã') ? `${hamlet} ${int(1, 12)}` : street();
      add('AGENT', `Đại lý bưu điện ${area}`, district, `${where}, ${area}, ${district}, ${province.name}`);
    }
  });

  const { closedCommune, ...openDemo } = demoPostalPointCodes();
  const pinnedOpen = new Set<string>(Object.values(openDemo));
  for (const point of points) {
    // Central post offices and the named demo points are always open so demos never hit a random closure.
    if (point.code.endsWith('-BC-0001') || pinnedOpen.has(point.code)) point.isOpen = true;
    if (point.code === closedCommune) point.isOpen = false;
  }
  // Plain code-unit comparison: codes are fixed-width ASCII, and localeCompare would depend on the host's ICU.
  return points.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
