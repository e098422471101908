import { Field, InputType, ObjectType } from 'type-graphql';
import { ConnectionType, DateScalar } from '../../../shared/src';
import { DeliveryMethod, Dossier } from './dossier.entity';

@InputType()
export class SubmitDossierInput {
  @Field({ description: 'Code of a public service of the catalogue.' }) serviceCode: string;
  @Field(() => DateScalar, { description: 'Between today and 60 days from now (Vietnam time).' }) appointmentDate: string;
  @Field(() => DeliveryMethod, { nullable: true, description: 'PICKUP when omitted.' }) deliveryMethod?: DeliveryMethod | null;
  @Field(() => String, { nullable: true, description: 'Required for POSTAL_DELIVERY.' }) deliveryAddress?: string | null;
}

@ObjectType()
export class DossierConnection extends ConnectionType(Dossier, 'Dossier') {}
