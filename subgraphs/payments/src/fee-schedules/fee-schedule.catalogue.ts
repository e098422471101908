/**
 * Fee schedules of the public services the portal opened with, by the documents subgraph's service codes
 * (the same codes on both sides). Amounts in whole đồng; an empty list is a free service.
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
