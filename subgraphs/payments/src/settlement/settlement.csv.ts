import type { CsvColumn } from '../reconciliation/csv';

/** Every item of a batch with what a spreadsheet shows of it, in (business day, movement id) order: for the CSV. */
export const SETTLEMENT_EXPORT_SQL = `
  SELECT b.agency_code, b.business_date::text AS batch_date, s.business_date::text AS business_date, s.payment_id,
         p.type, p.purpose, p.channel, p.postal_point_code, pp.name AS postal_point_name, p.dossier_id, p.bill_reference,
         p.amount::text AS amount, s.effect::text AS effect, s.is_adjustment, p.original_id, p.reason,
         to_char((p.recorded_at AT TIME ZONE 'UTC') + interval '7 hours', 'YYYY-MM-DD HH24:MI:SS') AS recorded_at
  FROM payments.settlement_batch_items s
  JOIN payments.settlement_batches b ON b.id = s.batch_id
  JOIN payments.payments p ON p.business_date = s.business_date AND p.id = s.payment_id
  LEFT JOIN payments.postal_points pp ON pp.code = p.postal_point_code
  WHERE s.batch_id = $1
  ORDER BY s.business_date, s.payment_id`;

export interface SettlementCsvRow {
  agency_code: string; batch_date: string; business_date: string; payment_id: string; type: string; purpose: string; channel: string;
  postal_point_code: string | null; postal_point_name: string | null; dossier_id: string | null; bill_reference: string | null;
  amount: string; effect: string; is_adjustment: boolean; original_id: string | null; reason: string | null; recorded_at: string;
}

/** The settlement batch CSV's columns; amounts in whole đồng, the effect signed (+ owed to the agency). */
export const SETTLEMENT_CSV_COLUMNS: CsvColumn<SettlementCsvRow>[] = [
  { header: 'Đơn vị thụ hưởng', value: (r) => r.agency_code },
  { header: 'Ngày quyết toán', value: (r) => r.batch_date },
  { header: 'Ngày nghiệp vụ', value: (r) => r.business_date },
  { header: 'Mã giao dịch', value: (r) => r.payment_id },
  { header: 'Loại', value: (r) => r.type },
  { header: 'Mục đích', value: (r) => r.purpose },
  { header: 'Kênh', value: (r) => r.channel },
  { header: 'Mã điểm phục vụ', value: (r) => r.postal_point_code },
  { header: 'Tên điểm phục vụ', value: (r) => r.postal_point_name },
  { header: 'Mã hồ sơ', value: (r) => r.dossier_id },
  { header: 'Mã hóa đơn', value: (r) => r.bill_reference },
  { header: 'Số tiền (đồng)', kind: 'number', value: (r) => r.amount },
  { header: 'Quyết toán (đồng)', kind: 'number', value: (r) => r.effect },
  { header: 'Điều chỉnh', value: (r) => (r.is_adjustment ? 'Có' : 'Không') },
  { header: 'Giao dịch gốc', value: (r) => r.original_id },
  { header: 'Lý do', value: (r) => r.reason },
  { header: 'Thời điểm ghi nhận (giờ Việt Nam)', value: (r) => r.recorded_at },
];
