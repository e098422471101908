import { AgencyLevel } from './agency.entity';

/**
 * The agencies the catalogue's services and the wallet's documents name. Migration
 * AgenciesAndServiceGroups1795800000000 inserts these; a change here reaches no database that already ran it,
 * so a change of agencies is a new migration.
 */
export const AGENCIES = [
  { code: 'C06', name: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội (Bộ Công an)', level: AgencyLevel.MINISTRY },
  { code: 'C08', name: 'Cục Cảnh sát giao thông (Bộ Công an)', level: AgencyLevel.MINISTRY },
  { code: 'A08', name: 'Cục Quản lý xuất nhập cảnh (Bộ Công an)', level: AgencyLevel.MINISTRY },
  { code: 'CDB', name: 'Cục Đường bộ Việt Nam', level: AgencyLevel.MINISTRY },
  { code: 'BHXH', name: 'Bảo hiểm xã hội Việt Nam', level: AgencyLevel.MINISTRY },
  { code: 'BYT', name: 'Bộ Y tế', level: AgencyLevel.MINISTRY },
  { code: 'TCT', name: 'Cục Thuế (Bộ Tài chính)', level: AgencyLevel.MINISTRY },
  { code: 'EVN', name: 'Tập đoàn Điện lực Việt Nam', level: AgencyLevel.MINISTRY },
  { code: 'SCT', name: 'Sở Công Thương', level: AgencyLevel.PROVINCE },
] as const;
