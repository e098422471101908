import { registerEnumType } from 'type-graphql';

/** The eight groups of services the National Public Service Portal opened with (nhóm dịch vụ công). */
export enum ServiceGroup {
  DRIVING_LICENCES = 'DRIVING_LICENCES',
  TRADE_PROMOTION = 'TRADE_PROMOTION',
  HEALTH_INSURANCE = 'HEALTH_INSURANCE',
  ELECTRICITY_CONNECTION = 'ELECTRICITY_CONNECTION',
  BILL_PAYMENT = 'BILL_PAYMENT',
  IDENTITY_CARDS = 'IDENTITY_CARDS',
  RESIDENCE = 'RESIDENCE',
  EXIT_AND_ENTRY = 'EXIT_AND_ENTRY',
}
registerEnumType(ServiceGroup, {
  name: 'ServiceGroup',
  description: 'A group of public services (nhóm dịch vụ công).',
  valuesConfig: {
    DRIVING_LICENCES: { description: 'Giấy phép lái xe' },
    TRADE_PROMOTION: { description: 'Khuyến mại' },
    HEALTH_INSURANCE: { description: 'Bảo hiểm y tế' },
    ELECTRICITY_CONNECTION: { description: 'Cấp điện' },
    BILL_PAYMENT: { description: 'Thanh toán hóa đơn' },
    IDENTITY_CARDS: { description: 'Căn cước' },
    RESIDENCE: { description: 'Cư trú' },
    EXIT_AND_ENTRY: { description: 'Xuất nhập cảnh' },
  },
});

/** How much of a service is online (Decree 42/2022): the whole of it, or the submission only. */
export enum OnlineLevel { FULL = 'FULL', PARTIAL = 'PARTIAL' }
registerEnumType(OnlineLevel, {
  name: 'OnlineLevel',
  description: 'Dịch vụ công trực tuyến toàn trình (FULL: submitted, paid and returned online) or một phần (PARTIAL: the applicant comes to a counter for some step).',
});

/**
 * Each service's group, how far it is online and its processing time in working days. Migration
 * AgenciesAndServiceGroups1795800000000 writes these (and adds PASSPORT_ISSUE, the eighth group's first service);
 * a later change is a new migration.
 */
export const SERVICE_DETAILS: Record<string, { group: ServiceGroup; onlineLevel: OnlineLevel; processingDays: number }> = {
  GPLX_EXCHANGE: { group: ServiceGroup.DRIVING_LICENCES, onlineLevel: OnlineLevel.FULL, processingDays: 5 },
  PROMOTION_NOTICE: { group: ServiceGroup.TRADE_PROMOTION, onlineLevel: OnlineLevel.FULL, processingDays: 3 },
  BHYT_CARD_REISSUE: { group: ServiceGroup.HEALTH_INSURANCE, onlineLevel: OnlineLevel.FULL, processingDays: 7 },
  ELECTRICITY_LV_CONNECTION: { group: ServiceGroup.ELECTRICITY_CONNECTION, onlineLevel: OnlineLevel.PARTIAL, processingDays: 4 },
  ELECTRICITY_MV_CONNECTION: { group: ServiceGroup.ELECTRICITY_CONNECTION, onlineLevel: OnlineLevel.PARTIAL, processingDays: 7 },
  ELECTRICITY_BILL_PAYMENT: { group: ServiceGroup.BILL_PAYMENT, onlineLevel: OnlineLevel.FULL, processingDays: 1 },
  CCCD_ISSUE: { group: ServiceGroup.IDENTITY_CARDS, onlineLevel: OnlineLevel.PARTIAL, processingDays: 7 },
  CCCD_RENEWAL: { group: ServiceGroup.IDENTITY_CARDS, onlineLevel: OnlineLevel.PARTIAL, processingDays: 7 },
  CCCD_REISSUE: { group: ServiceGroup.IDENTITY_CARDS, onlineLevel: OnlineLevel.PARTIAL, processingDays: 7 },
  RESIDENCE_REGISTRATION: { group: ServiceGroup.RESIDENCE, onlineLevel: OnlineLevel.FULL, processingDays: 7 },
  PASSPORT_ISSUE: { group: ServiceGroup.EXIT_AND_ENTRY, onlineLevel: OnlineLevel.PARTIAL, processingDays: 8 },
};

/** The eighth group's service, added with the groups. */
export const PASSPORT_ISSUE = { code: 'PASSPORT_ISSUE', name: 'Cấp hộ chiếu phổ thông', agencyCode: 'A08' } as const;
