import type { CsvColumn } from './csv';
import { ReconciliationStatus } from './reconciliation.types';

/** A reconciliation line as the export reads it (amounts as decimal strings, straight from PostgreSQL). */
export interface ReconciliationCsvRow {
  postal_point_code: string; postal_point_name: string | null; province_code: string | null; province_name: string | null;
  due: string; collected: string; cod_collected: string; cod_dispatched: string; remitted: string | null; difference: string | null;
  to_remit: string | null; cash_advance: string | null;
  status: ReconciliationStatus; movement_count: number;
}

export const STATUS_LABELS: Record<ReconciliationStatus, string> = {
  MATCHED: 'Khớp',
  SHORT: 'Nộp thiếu',
  OVER: 'Nộp thừa',
  MISSING: 'Chưa nộp',
  UNEXPECTED: 'Nộp khi không có phát sinh',
};

/** The reconciliation CSV's columns, in Vietnamese as finance reads them; amounts in whole đồng. */
export function reconciliationCsvColumns(businessDate: string, byAgency: boolean): CsvColumn<ReconciliationCsvRow>[] {
  return [
    { header: 'Ngày nghiệp vụ', value: () => businessDate },
    { header: 'Mã điểm phục vụ', value: (r) => r.postal_point_code },
    { header: 'Tên điểm phục vụ', value: (r) => r.postal_point_name },
    { header: 'Mã tỉnh', value: (r) => r.province_code },
    { header: 'Tỉnh/Thành phố', value: (r) => r.province_name },
    { header: 'Phải nộp (đồng)', kind: 'number', value: (r) => r.due },
    { header: 'Đã thu (đồng)', kind: 'number', value: (r) => r.collected },
    { header: 'Thu hộ COD (đồng)', kind: 'number', value: (r) => r.cod_collected },
    { header: 'COD giao bưu tá (đồng)', kind: 'number', value: (r) => r.cod_dispatched },
    { header: 'Đã nộp (đồng)', kind: 'number', value: (r) => r.remitted },
    { header: 'Chênh lệch (đồng)', kind: 'number', value: (r) => r.difference },
    { header: 'Cần nộp (đồng)', kind: 'number', value: (r) => r.to_remit },
    { header: 'Cấp bù tiền mặt (đồng)', kind: 'number', value: (r) => r.cash_advance },
    { header: byAgency ? 'Trạng thái (đã thu so với phải nộp)' : 'Trạng thái', value: (r) => STATUS_LABELS[r.status] },
    { header: 'Mã trạng thái', value: (r) => r.status },
    { header: 'Số giao dịch', kind: 'number', value: (r) => r.movement_count },
  ];
}
