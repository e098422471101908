/**
 * Vietnam's public holidays (ngày nghỉ lễ, Tết) on working days, as the government announces them for each year
 * (Labour Code art. 112: New Year, Tết, Hùng Kings' day, 30/4, 1/5, National Day; days falling on a weekend are
 * made up on the next working day). Migration DossierLifeCycle1795810000000 writes these; next year's days go in
 * a new migration once they are announced.
 */
export const PUBLIC_HOLIDAYS: readonly { day: string; name: string }[] = [
  { day: '2026-01-01', name: 'Tết Dương lịch' },
  ...['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'].map((day) => ({ day, name: 'Tết Nguyên đán' })),
  { day: '2026-04-27', name: 'Giỗ Tổ Hùng Vương (nghỉ bù)' },
  { day: '2026-04-30', name: 'Ngày Chiến thắng' },
  { day: '2026-05-01', name: 'Ngày Quốc tế Lao động' },
  { day: '2026-09-01', name: 'Quốc khánh' },
  { day: '2026-09-02', name: 'Quốc khánh' },
  { day: '2027-01-01', name: 'Tết Dương lịch' },
  ...['2027-02-04', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10'].map((day) => ({ day, name: 'Tết Nguyên đán' })),
  { day: '2027-04-16', name: 'Giỗ Tổ Hùng Vương' },
  { day: '2027-04-30', name: 'Ngày Chiến thắng' },
  { day: '2027-05-03', name: 'Ngày Quốc tế Lao động (nghỉ bù)' },
  { day: '2027-09-02', name: 'Quốc khánh' },
  { day: '2027-09-03', name: 'Quốc khánh' },
];
