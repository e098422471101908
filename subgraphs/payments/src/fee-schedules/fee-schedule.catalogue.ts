/**
 * Fee schedules of the public services the portal opened with, by the documents subgraph's service codes
 * (the same codes on both sides). Amounts in whole đồng; an empty list is a free service, stated explicitly.
 *
 * Migration FeeSchedulesWithEffectiveDates1795568400000 inserts these, in force from FEE_SCHEDULES_IN_FORCE_FROM.
 * Databases that already ran it never read this file again, so editing an entry here changes nothing there and
 * makes new databases disagree with them: a new or changed fee is a new schedule (its own dates) in a new migration.
 */
export const FEE_SCHEDULES: Readonly<Record<string, readonly { name: string; amount: bigint }[]>> = {
  GPLX_EXCHANGE: [{ name: 'Lệ phí cấp đổi giấy phép lái xe', amount: 135_000n }],
  PROMOTION_NOTICE: [],
  BHYT_CARD_REISSUE: [],
  ELECTRICITY_LV_CONNECTION: [],
  ELECTRICITY_MV_CONNECTION: [],
  ELECTRICITY_BILL_PAYMENT: [],
  CCCD_ISSUE: [],
  CCCD_RENEWAL: [{ name: 'Lệ phí đổi thẻ căn cước', amount: 50_000n }],
  CCCD_REISSUE: [{ name: 'Lệ phí cấp lại thẻ căn cước', amount: 70_000n }],
  RESIDENCE_REGISTRATION: [{ name: 'Lệ phí đăng ký thường trú', amount: 20_000n }],
};

/** A fixed day before the portal's first dossier, so the opening schedules cover every dossier it holds. */
export const FEE_SCHEDULES_IN_FORCE_FROM = '2024-01-01';
