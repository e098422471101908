// The parts of oidc-provider (which ships no type declarations) that the single sign-on code uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type AnyObject = Record<string, any>;

  export interface InteractionDetails {
    uid: string;
    exp: number;
    prompt: { name: string; reasons: string[]; details: AnyObject };
    params: AnyObject;
    session?: { accountId: string; acr?: string };
    grantId?: string;
    result?: AnyObject;
    lastSubmission?: AnyObject;
  }

  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    jti: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
    static find(id: string): Promise<Grant | undefined>;
  }

  /** A stored interaction, as `interactionResult` reads and saves it (for a callback the interaction cookie does not reach). */
  export interface InteractionModel {
    uid: string;
    exp: number;
    returnTo: string;
    params: AnyObject;
    result?: AnyObject;
    save(ttl: number): Promise<string>;
  }

  export interface ClientModel { clientId: string; clientName?: string; clientSecret?: string; scope?: string; [key: string]: any }

  export class Provider {
    constructor(issuer: string, configuration: AnyObject);
    issuer: string;
    proxy: boolean;
    Grant: typeof Grant;
    Client: { find(id: string): Promise<ClientModel | undefined>; prototype: AnyObject };
    Interaction: { find(id: string): Promise<InteractionModel | undefined> };
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: AnyObject, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    on(event: string, listener: (...args: any[]) => void): this;
  }

  export class Check {
    constructor(reason: string, description: string, check: (ctx: AnyObject) => boolean | Promise<boolean>);
    static REQUEST_PROMPT: true;
    static NO_NEED_TO_PROMPT: false;
  }

  export const interactionPolicy: {
    base(): { get(name: string): { checks: { add(check: Check): void } } } & AnyObject;
    Check: typeof Check;
  };

  export const errors: Record<string, new (description?: string, detail?: string) => Error>;
}
