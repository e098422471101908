import { registerEnumType } from 'type-graphql';

/**
 * The attributes of a person that can leave the registry: what a consent lets a partner check, what a
 * holder chooses to show with an identity QR code, what an access-log entry says was read.
 */
export enum IdentityAttribute {
  PERSONAL_ID_NUMBER = 'PERSONAL_ID_NUMBER',
  FULL_NAME = 'FULL_NAME',
  DATE_OF_BIRTH = 'DATE_OF_BIRTH',
  GENDER = 'GENDER',
  PHONE = 'PHONE',
  EMAIL = 'EMAIL',
  /** A foreigner's passport number and nationality. */
  PASSPORT = 'PASSPORT',
}
registerEnumType(IdentityAttribute, { name: 'IdentityAttribute', description: 'An attribute of a person that can be shared, checked or logged.' });
