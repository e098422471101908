import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';

/**
 * The kinds of integrated documents (giấy tờ tích hợp) the documents subgraph's wallet holds. Declared here with
 * the same values and description as there: a consent names some of them, and composition requires the two
 * declarations to agree.
 */
export enum IntegratedDocumentType {
  /** Căn cước công dân (chip ID card). */
  CITIZEN_ID_CARD = 'CITIZEN_ID_CARD',
  /** Giấy phép lái xe. */
  DRIVING_LICENCE = 'DRIVING_LICENCE',
  /** Thẻ bảo hiểm y tế. */
  HEALTH_INSURANCE_CARD = 'HEALTH_INSURANCE_CARD',
  VEHICLE_REGISTRATION = 'VEHICLE_REGISTRATION',
  VACCINATION_RECORD = 'VACCINATION_RECORD',
  TEST_RESULT = 'TEST_RESULT',
  PASSPORT = 'PASSPORT',
  /** Mã số thuế. */
  TAX_CODE = 'TAX_CODE',
  /** Sổ bảo hiểm xã hội. */
  SOCIAL_INSURANCE_BOOK = 'SOCIAL_INSURANCE_BOOK',
}
registerEnumType(IntegratedDocumentType, { name: 'IntegratedDocumentType', description: 'A kind of document the wallet holds (giấy tờ tích hợp).' });

/** The catalogue's order: lists of types are kept in it, so answers and stored rows read the same every time. */
export const DOCUMENT_TYPE_ORDER: readonly IntegratedDocumentType[] = Object.values(IntegratedDocumentType);

/**
 * Owned by the documents subgraph; identity names one document of a holder by key (what a QR scan shows).
 * Documents answers it only when `holderAccountId` is the document's real holder, so a code naming someone
 * else's document shows nothing of it.
 */
@ObjectType()
@Directive('@key(fields: "id holderAccountId", resolvable: false)')
export class IntegratedDocument {
  @Field(() => ID) id: string;
  @Field(() => ID) holderAccountId: string;
}

/** Owned by the documents subgraph: a holder's valid documents of one type (what a partner's consent lets it receive). */
@ObjectType()
@Directive('@key(fields: "holderAccountId type", resolvable: false)')
export class DocumentsOfType {
  @Field(() => ID) holderAccountId: string;
  @Field(() => IntegratedDocumentType) type: IntegratedDocumentType;
}
