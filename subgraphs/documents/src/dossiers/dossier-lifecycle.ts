import { registerEnumType } from 'type-graphql';

/** The checked life cycle of a dossier (hồ sơ thủ tục hành chính). */
export enum DossierStatus {
  SUBMITTED = 'SUBMITTED', // đã nộp
  RECEIVED = 'RECEIVED', // đã tiếp nhận
  IN_PROCESSING = 'IN_PROCESSING', // đang xử lý
  NEEDS_SUPPLEMENT = 'NEEDS_SUPPLEMENT', // yêu cầu bổ sung
  RESULT_READY = 'RESULT_READY', // có kết quả
  RESULT_RETURNED = 'RESULT_RETURNED', // đã trả kết quả
  REJECTED = 'REJECTED', // từ chối
  CANCELLED = 'CANCELLED', // đã hủy
}
registerEnumType(DossierStatus, { name: 'DossierStatus' });

const NEXT: Record<DossierStatus, readonly DossierStatus[]> = {
  [DossierStatus.SUBMITTED]: [DossierStatus.RECEIVED, DossierStatus.REJECTED, DossierStatus.CANCELLED],
  [DossierStatus.RECEIVED]: [DossierStatus.IN_PROCESSING, DossierStatus.REJECTED, DossierStatus.CANCELLED],
  [DossierStatus.IN_PROCESSING]: [DossierStatus.NEEDS_SUPPLEMENT, DossierStatus.RESULT_READY, DossierStatus.REJECTED],
  [DossierStatus.NEEDS_SUPPLEMENT]: [DossierStatus.IN_PROCESSING, DossierStatus.CANCELLED],
  [DossierStatus.RESULT_READY]: [DossierStatus.RESULT_RETURNED],
  [DossierStatus.RESULT_RETURNED]: [],
  [DossierStatus.REJECTED]: [],
  [DossierStatus.CANCELLED]: [],
};

export function canTransition(from: DossierStatus, to: DossierStatus): boolean {
  return NEXT[from].includes(to);
}

export function isFinal(status: DossierStatus): boolean {
  return NEXT[status].length === 0;
}
