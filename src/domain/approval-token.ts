import { DomainError } from "./errors";

export type ApprovalDecision = "approve" | "reject";
export interface ApprovalClaims {
  instanceId: string;
  connectionId: string;
  decisions: ApprovalDecision[];
  approver?: string;
  expiresAt: string;
  nonce: string;
}
export async function createApprovalToken(claims: ApprovalClaims, key: Uint8Array): Promise<string> {
  throw new DomainError("NOT_IMPLEMENTED", claims.nonce + String(key.length));
}
export async function verifyApprovalToken(token: string, key: Uint8Array, now: string): Promise<ApprovalClaims> {
  throw new DomainError("NOT_IMPLEMENTED", token + String(key.length) + now);
}
