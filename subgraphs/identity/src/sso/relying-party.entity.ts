import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';

/**
 * A relying party: a portal (the postal services' own, the National Public Service Portal, a partner's) that signs
 * people in through the graph's OpenID Connect provider. Registered by an administrator with the exact addresses it
 * may send people back to, the scopes it may ask for and the assurance levels of the accounts it accepts. A
 * confidential one (a server) authenticates with a client secret; a public one (an app in a browser or on a phone)
 * has none and relies on PKCE alone, which every relying party must use anyway.
 */
@Entity({ name: 'relying_parties' })
@ObjectType({ description: 'A system that signs people in with their identity account (OpenID Connect relying party).' })
export class RelyingParty {
  @PrimaryGeneratedColumn('uuid')
  @Field(() => ID)
  id: string;

  @Column({ name: 'client_id', type: 'text' })
  @Field({ description: 'Its OpenID Connect client_id.' })
  clientId: string;

  @Column({ type: 'text' })
  @Field({ description: 'The name people see on the consent page.' })
  name: string;

  @Column({ name: 'redirect_uris', type: 'text', array: true })
  @Field(() => [String], { description: 'Where people may be sent back with a code: exact matches only.' })
  redirectUris: string[];

  @Column({ name: 'post_logout_redirect_uris', type: 'text', array: true })
  @Field(() => [String], { description: 'Where people may be sent after signing out (RP-initiated logout).' })
  postLogoutRedirectUris: string[];

  @Column({ name: 'allowed_scopes', type: 'text', array: true })
  @Field(() => [String], { description: 'The scopes it may ask for (openid, profile, phone, email, offline_access, graph).' })
  allowedScopes: string[];

  @Column({ name: 'allowed_levels', type: 'smallint', array: true })
  @Field(() => [Int], { description: 'The assurance levels of the accounts it accepts (1, 2 or both).' })
  allowedLevels: number[];

  /** See partners/partner-secret.ts. Null for a public client. Never selected unless asked for, never in the graph. */
  @Column({ name: 'secret_hash', type: 'text', nullable: true, select: false })
  secretHash?: string | null;

  @Column({ type: 'boolean' })
  @Field({ description: 'An inactive relying party signs nobody in; its tokens are no longer refreshed.' })
  active: boolean;

  @Column({ type: 'boolean', insert: false, update: false })
  @Field({ description: 'True when it authenticates with a client secret (a server); false for a public client (PKCE only).' })
  confidential: boolean;

  @Column({ name: 'created_by_account_id', type: 'uuid', nullable: true })
  createdByAccountId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field()
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
