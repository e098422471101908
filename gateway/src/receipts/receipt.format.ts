import type { Receipt } from './receipt.query';

/** What the receipt shows where a value could not be read. */
export const MISSING = '—';

const VIETNAM_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** Whole đồng with dots between thousands, as Vietnamese writes money: "1250000" → "1.250.000 đ". */
export function formatDong(amount: string | null): string {
  if (amount === null || !/^-?\d+$/.test(amount)) return MISSING;
  const negative = amount.startsWith('-');
  const digits = amount.replace(/^-/, '').replace(/^0+(?=\d)/, '');
  return `${negative ? '-' : ''}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.')} đ`;
}

/** A calendar date (the Date scalar, YYYY-MM-DD) as dd/MM/yyyy; it names a day, so no time zone applies. */
export function formatDate(date: string | null): string {
  const match = date ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  return match ? `${match[3]}/${match[2]}/${match[1]}` : MISSING;
}

/** An instant as dd/MM/yyyy HH:mm in Vietnam time. */
export function formatInstant(instant: string | null): string {
  const at = instant ? new Date(instant) : null;
  if (!at || Number.isNaN(at.getTime())) return MISSING;
  const part = Object.fromEntries(VIETNAM_TIME.formatToParts(at).map(({ type, value }) => [type, value]));
  return `${part.day}/${part.month}/${part.year} ${part.hour}:${part.minute}`;
}

interface Bilingual { vi: string; en: string }

const STATUS: Record<string, Bilingual> = {
  SUBMITTED: { vi: 'Đã nộp', en: 'Submitted' },
  RECEIVED: { vi: 'Đã tiếp nhận', en: 'Received' },
  IN_PROCESSING: { vi: 'Đang giải quyết', en: 'In processing' },
  NEEDS_SUPPLEMENT: { vi: 'Cần bổ sung', en: 'Needs a supplement' },
  RESULT_READY: { vi: 'Đã có kết quả', en: 'Result ready' },
  RESULT_RETURNED: { vi: 'Đã trả kết quả', en: 'Result returned' },
  REJECTED: { vi: 'Từ chối', en: 'Rejected' },
  CANCELLED: { vi: 'Đã hủy', en: 'Cancelled' },
};
const CHANNEL: Record<string, Bilingual> = {
  ONLINE: { vi: 'Trực tuyến', en: 'Online' },
  POSTAL_POINT: { vi: 'Tại điểm bưu điện', en: 'At a postal point' },
};
const DELIVERY: Record<string, Bilingual> = {
  PICKUP: { vi: 'Nhận trực tiếp', en: 'Collected in person' },
  POSTAL_DELIVERY: { vi: 'Chuyển phát qua bưu chính công ích', en: 'Delivered by the public postal service' },
};

/** A value the schema may one day add is shown as it is rather than refused. */
const labelOf = (labels: Record<string, Bilingual>, value: string): string => {
  const label = labels[value];
  return label ? `${label.vi} (${label.en})` : value;
};

/** One line of the receipt: a Vietnamese label, its English subtitle, the value as printed. */
export interface ReceiptLine { label: string; subtitle: string; value: string; emphasis?: boolean }

/** The receipt as both the page and the PDF print it, in this order. */
export interface ReceiptView {
  registrationCode: string;
  agencyName: string;
  /** PDF metadata and the page's title. */
  title: string;
  lines: ReceiptLine[];
  /** When the dossier was submitted: the PDF's creation date, so the same dossier always gives the same file. */
  submittedAt: Date;
}

export function receiptView(receipt: Receipt): ReceiptView {
  const lines: ReceiptLine[] = [
    { label: 'Mã hồ sơ', subtitle: 'Registration code', value: receipt.registrationCode, emphasis: true },
    { label: 'Thủ tục', subtitle: 'Service', value: receipt.serviceName },
    { label: 'Cơ quan giải quyết', subtitle: 'Handling agency', value: receipt.agencyName },
    { label: 'Người nộp', subtitle: 'Applicant', value: receipt.applicantName ?? MISSING },
    receipt.receivedAt
      ? { label: 'Thời điểm tiếp nhận', subtitle: 'Received at', value: formatInstant(receipt.receivedAt) }
      : { label: 'Thời điểm nộp', subtitle: 'Submitted at', value: formatInstant(receipt.submittedAt) },
    { label: 'Ngày hẹn', subtitle: 'Appointment date', value: formatDate(receipt.appointmentDate), emphasis: true },
    { label: 'Hình thức nhận kết quả', subtitle: 'Delivery of the result', value: labelOf(DELIVERY, receipt.deliveryMethod) },
    ...(receipt.deliveryMethod === 'POSTAL_DELIVERY'
      ? [{ label: 'Địa chỉ nhận kết quả', subtitle: 'Delivery address', value: receipt.deliveryAddress ?? MISSING }]
      : []),
    { label: 'Phí, lệ phí phải nộp', subtitle: 'Fees due', value: formatDong(receipt.amountDue), emphasis: true },
    { label: 'Kênh nộp', subtitle: 'Channel', value: labelOf(CHANNEL, receipt.channel) },
    { label: 'Trạng thái', subtitle: 'Status', value: labelOf(STATUS, receipt.status) },
  ];
  return {
    registrationCode: receipt.registrationCode,
    agencyName: receipt.agencyName,
    title: `Phiếu tiếp nhận hồ sơ ${receipt.registrationCode}`,
    lines,
    submittedAt: new Date(receipt.submittedAt),
  };
}

/** The file name a browser offers when saving the PDF; registration codes are [A-Z0-9-] already. */
export function receiptFileName(registrationCode: string): string {
  return `phieu-tiep-nhan-${registrationCode.replace(/[^A-Za-z0-9-]/g, '_')}.pdf`;
}
