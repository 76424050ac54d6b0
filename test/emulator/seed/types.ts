// What a seed file may hold beyond the shared contract (core/contracts.ts): the Azure DevOps side of workload
// identity federation. The ARM layer receives the seed as the contract's Seed and ignores these members.
import type { Seed } from "../core/contracts";

export interface SeedServiceConnection {
  /** The service connection (endpoint) id: `serviceConnectionId` of the OIDC request. */
  id: string;
  /** Its name: the last part of the `sc://org/project/name` subject. */
  name: string;
  /**
   * Which OIDC token the Azure DevOps endpoint issues for it: "devops" (issuer `…/_vstoken/{organizationId}`,
   * subject `sc://org/project/name`, the classic form) or "entra" (issuer = the Entra tenant's, subject
   * `/eid1/c/pub/t/…/a/…/sc/{organizationId}/{id}`, the form newer connections use). Default "devops".
   */
  issuerForm?: "devops" | "entra";
  /** Tenant of the principal it federates with (needed for the "entra" issuer form). */
  tenantId?: string;
}

export interface SeedDevOps {
  organization: string;
  organizationId: string;
  project: string;
  projectId: string;
  serviceConnections: SeedServiceConnection[];
}

export interface HostSeed extends Seed {
  devOps?: SeedDevOps;
}
