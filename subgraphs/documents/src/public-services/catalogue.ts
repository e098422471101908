/**
 * The services the National Public Service Portal opened with, then identity card and residence
 * procedures. Codes are shared with the payments subgraph, which holds their fee schedules.
 *
 * Migration PublicServiceCatalogue1795564800000 inserts these. Databases that already ran it never read this
 * file again, so an entry added or changed here reaches none of them: a catalogue change is a new migration.
 */
export const CATALOGUE = [
  { code: 'GPLX_EXCHANGE', name: 'Đổi giấy phép lái xe', agencyCode: 'CDB', agencyName: 'Cục Đường bộ Việt Nam' },
  { code: 'PROMOTION_NOTICE', name: 'Thông báo hoạt động khuyến mại', agencyCode: 'SCT', agencyName: 'Sở Công Thương' },
  { code: 'BHYT_CARD_REISSUE', name: 'Cấp lại thẻ bảo hiểm y tế do bị mất, hỏng', agencyCode: 'BHXH', agencyName: 'Bảo hiểm xã hội Việt Nam' },
  { code: 'ELECTRICITY_LV_CONNECTION', name: 'Cấp điện mới từ lưới điện hạ áp', agencyCode: 'EVN', agencyName: 'Tập đoàn Điện lực Việt Nam' },
  { code: 'ELECTRICITY_MV_CONNECTION', name: 'Cấp điện mới từ lưới điện trung áp', agencyCode: 'EVN', agencyName: 'Tập đoàn Điện lực Việt Nam' },
  { code: 'ELECTRICITY_BILL_PAYMENT', name: 'Thanh toán tiền điện', agencyCode: 'EVN', agencyName: 'Tập đoàn Điện lực Việt Nam' },
  { code: 'CCCD_ISSUE', name: 'Cấp thẻ căn cước', agencyCode: 'C06', agencyName: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội (Bộ Công an)' },
  { code: 'CCCD_RENEWAL', name: 'Đổi thẻ căn cước', agencyCode: 'C06', agencyName: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội (Bộ Công an)' },
  { code: 'CCCD_REISSUE', name: 'Cấp lại thẻ căn cước', agencyCode: 'C06', agencyName: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội (Bộ Công an)' },
  { code: 'RESIDENCE_REGISTRATION', name: 'Đăng ký thường trú', agencyCode: 'C06', agencyName: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội (Bộ Công an)' },
] as const;
