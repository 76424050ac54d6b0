// The emulator's Entra directory: tenants, service principals (with their secret, certificate and federated
// credentials), managed identities, and which subscriptions each may touch (seeded, changeable at run time
// through the admin API, restored by reset).
import { createPublicKey, type KeyObject } from "node:crypto";
import type { Seed, SeedManagedIdentity, SeedPrincipal, SeedSubscription, SeedTenant } from "../core/contracts";
import type { HostSeed, SeedServiceConnection } from "../seed/types";
import { issueCertificate, newKeyPair, thumbprints, type KeyPair } from "./certificates";
import { devOpsIssuer, devOpsSubject, entraIssuer, entraServiceConnectionSubject, tokenExchangeAudience } from "./issuers";

export interface PrincipalCertificate {
  certificatePem: string;
  /** Present when the emulator generated the certificate: a test hands it to ClientCertificateCredential. */
  privateKeyPem?: string;
  publicKey: KeyObject;
  thumbprintHex: string;
  x5t: string;
  x5tS256: string;
}

export interface Principal extends SeedPrincipal {
  certificate: PrincipalCertificate;
}

/** Anything that can hold a token: the caller of an ARM request. */
export interface Identity {
  kind: "servicePrincipal" | "managedIdentity";
  tenantId: string;
  clientId: string;
  objectId: string;
  displayName: string;
}

export interface FederatedCredential {
  serviceConnectionId: string;
  issuer: string;
  subject: string;
  audience: string;
}

export interface PermissionSelector {
  clientId?: string;
  objectId?: string;
}

export class Directory {
  private readonly overrides = new Map<string, string[]>();

  private constructor(
    readonly seed: HostSeed,
    readonly principals: Principal[],
  ) {}

  /** Gives every principal that has no certificate in the seed a freshly generated one (with its key). */
  static async create(seed: HostSeed, takeKey: () => Promise<KeyPair> = newKeyPair): Promise<Directory> {
    const principals = await Promise.all(seed.principals.map(async (principal): Promise<Principal> => {
      if (principal.certificatePem) {
        return { ...principal, certificate: { certificatePem: principal.certificatePem, publicKey: createPublicKey(principal.certificatePem), ...thumbprints(principal.certificatePem) } };
      }
      const issued = await issueCertificate({ commonName: principal.displayName, validDays: 365, keys: await takeKey() });
      return {
        ...principal,
        certificatePem: issued.certificatePem,
        certificate: { certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem, publicKey: issued.publicKey, thumbprintHex: issued.thumbprintHex, x5t: issued.x5t, x5tS256: issued.x5tS256 },
      };
    }));
    return new Directory(seed, principals);
  }

  /** The seed as the ARM layer receives it: generated certificates filled in. */
  armSeed(): Seed {
    const { devOps: _devOps, ...rest } = this.seed;
    return { ...rest, principals: this.principals.map(({ certificate: _certificate, ...principal }) => principal) };
  }

  /** A tenant by id or by domain name, as an authority URL may name it. */
  tenant(idOrDomain: string): SeedTenant | undefined {
    const key = idOrDomain.toLowerCase();
    return this.seed.tenants.find((tenant) => tenant.id.toLowerCase() === key || tenant.defaultDomain.toLowerCase() === key);
  }

  subscription(id: string): SeedSubscription | undefined {
    return this.seed.subscriptions.find((subscription) => sameId(subscription.id, id));
  }

  principal(tenantId: string, clientId: string): Principal | undefined {
    return this.principals.find((principal) => sameId(principal.tenantId, tenantId) && sameId(principal.clientId, clientId));
  }

  /** AD FS has no tenant in its URLs: a client id names the principal. */
  principalInAnyTenant(clientId: string): Principal | undefined {
    return this.principals.find((principal) => sameId(principal.clientId, clientId));
  }

  /** The managed identity for a client id or object id, or the system-assigned (isDefault, else first) one. */
  managedIdentity(selector: PermissionSelector = {}): SeedManagedIdentity | undefined {
    const list = this.seed.managedIdentities;
    if (selector.clientId) return list.find((identity) => sameId(identity.clientId, selector.clientId));
    if (selector.objectId) return list.find((identity) => sameId(identity.objectId, selector.objectId));
    return list.find((identity) => identity.isDefault) ?? list[0];
  }

  identityByObjectId(objectId: string): Identity | undefined {
    const principal = this.principals.find((entry) => sameId(entry.objectId, objectId));
    if (principal) return { kind: "servicePrincipal", tenantId: principal.tenantId, clientId: principal.clientId, objectId: principal.objectId, displayName: principal.displayName };
    const managed = this.seed.managedIdentities.find((entry) => sameId(entry.objectId, objectId));
    if (managed) return { kind: "managedIdentity", tenantId: managed.tenantId, clientId: managed.clientId, objectId: managed.objectId, displayName: `managed-identity-${managed.clientId}` };
    return undefined;
  }

  /** Subscription ids the identity may read and write: the admin override when set, else the seed's. */
  subscriptionsOf(objectId: string): string[] {
    const override = this.overrides.get(objectId.toLowerCase());
    if (override) return override;
    const principal = this.principals.find((entry) => sameId(entry.objectId, objectId));
    if (principal) return principal.subscriptions;
    return this.seed.managedIdentities.find((entry) => sameId(entry.objectId, objectId))?.subscriptions ?? [];
  }

  canAccess(objectId: string, subscriptionId: string): boolean {
    return this.subscriptionsOf(objectId).some((id) => sameId(id, subscriptionId));
  }

  /** Replaces an identity's subscriptions; throws when the selector names nobody. */
  setPermissions(selector: PermissionSelector, subscriptions: string[]): Identity {
    const objectId = selector.objectId
      ?? this.principals.find((principal) => sameId(principal.clientId, selector.clientId))?.objectId
      ?? this.seed.managedIdentities.find((identity) => sameId(identity.clientId, selector.clientId))?.objectId;
    const identity = objectId ? this.identityByObjectId(objectId) : undefined;
    if (!identity) throw new Error(`No principal or managed identity has ${selector.objectId ? `object id ${selector.objectId}` : `client id ${String(selector.clientId)}`}.`);
    this.overrides.set(identity.objectId.toLowerCase(), [...subscriptions]);
    return identity;
  }

  permissionOverrides(): Record<string, string[]> {
    return Object.fromEntries(this.overrides);
  }

  resetPermissions(): void {
    this.overrides.clear();
  }

  serviceConnection(id: string): SeedServiceConnection | undefined {
    return this.seed.devOps?.serviceConnections.find((connection) => sameId(connection.id, id));
  }

  /** The issuer and subject of the OIDC token Azure DevOps issues for a service connection. */
  oidcIdentity(baseUrl: string, connection: SeedServiceConnection): { issuer: string; subject: string } | undefined {
    const devOps = this.seed.devOps;
    if (!devOps) return undefined;
    if (connection.issuerForm === "entra") {
      const tenantId = connection.tenantId ?? this.seed.tenants[0]?.id ?? "";
      return { issuer: entraIssuer(baseUrl, tenantId), subject: entraServiceConnectionSubject(tenantId, devOps.organizationId, connection.id) };
    }
    return { issuer: devOpsIssuer(baseUrl, devOps.organizationId), subject: devOpsSubject(devOps.organization, devOps.project, connection.name) };
  }

  /** The federated identity credentials registered on a principal, one per trusted service connection. */
  federatedCredentials(baseUrl: string, principal: SeedPrincipal): FederatedCredential[] {
    const credentials: FederatedCredential[] = [];
    for (const id of principal.federatedServiceConnections ?? []) {
      const connection = this.serviceConnection(id);
      const oidc = connection ? this.oidcIdentity(baseUrl, connection) : undefined;
      if (oidc) credentials.push({ serviceConnectionId: id, issuer: oidc.issuer, subject: oidc.subject, audience: tokenExchangeAudience });
    }
    return credentials;
  }

  /** JSON for /_emulator/state: everything a test may need, secrets included (this is a test tool). */
  describe(baseUrl: string): unknown {
    return {
      tenants: this.seed.tenants,
      subscriptions: this.seed.subscriptions,
      principals: this.principals.map((principal) => ({
        tenantId: principal.tenantId,
        clientId: principal.clientId,
        objectId: principal.objectId,
        displayName: principal.displayName,
        clientSecret: principal.clientSecret,
        certificatePem: principal.certificate.certificatePem,
        certificateWithKeyPem: principal.certificate.privateKeyPem ? `${principal.certificate.certificatePem.trim()}\n${principal.certificate.privateKeyPem.trim()}\n` : undefined,
        certificateThumbprint: principal.certificate.thumbprintHex,
        federatedCredentials: this.federatedCredentials(baseUrl, principal),
        subscriptions: this.subscriptionsOf(principal.objectId),
      })),
      managedIdentities: this.seed.managedIdentities.map((identity) => ({ ...identity, subscriptions: this.subscriptionsOf(identity.objectId) })),
      devOps: this.seed.devOps,
    };
  }
}

export function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}
