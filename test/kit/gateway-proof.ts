import { GatewayProofSigner } from '../../subgraphs/shared/src/auth/gateway-proof';
import { newEs256KeyPair, type KeyPairPem } from '../../scripts/lib/keys';

let keys: KeyPairPem | undefined;
let signer: Promise<GatewayProofSigner> | undefined;

/** The gateway key pair of this test process: the stack's gateway signs with it, its subgraphs verify with it. */
export function testGatewayKeys(): { GATEWAY_PRIVATE_KEY: string; GATEWAY_PUBLIC_KEY: string } {
  keys ??= newEs256KeyPair();
  return { GATEWAY_PRIVATE_KEY: keys.privateKey, GATEWAY_PUBLIC_KEY: keys.publicKey };
}

/** A proof as the gateway would make it, for a direct call that pretends to come from the gateway (or is the test's stand-in for it). */
export async function testGatewayProof(subgraph: string, body: string, clientIp = '127.0.0.1'): Promise<string> {
  signer ??= GatewayProofSigner.fromPem(testGatewayKeys().GATEWAY_PRIVATE_KEY);
  return (await signer).sign(subgraph, body, clientIp);
}
