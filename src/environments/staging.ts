// Staging a template's folder in the lab's storage account, so ARM can download the linked templates and scripts the
// template names through `_artifactsLocation` + `_artifactsLocationSasToken`.
//
// No account key is used anywhere: the service connection's Entra identity writes the blobs (bearer token) and asks
// the storage service for a user delegation key, from which a SAS is made that is read-only (sp=r), HTTPS-only
// (spr=https), scoped to one container made for this run, and valid only for the deployment's timeout plus a margin.
// The blobs and the container are removed afterwards, after a failure and after a cancel too, which revokes what the
// SAS could read. The identity needs "Storage Blob Data Contributor" on the lab's storage account.
import { randomBytes } from "node:crypto";
import { lstatSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { GenericResource } from "@azure/arm-resources";
import { BlobServiceClient, ContainerSASPermissions, generateBlobSASQueryParameters, SASProtocol } from "@azure/storage-blob";
import { USER_AGENT } from "../azure/clients";
import { isNotFoundError, toAzureOperationError } from "../azure/errors";
import { labId, type LabRef } from "../azure/ids";
import { neutralizeUntrustedText } from "../azure/untrusted-text";
import { AzureOperationError, InputError } from "../errors";
import type { LabContext } from "../lab";

/** What staging needs of a blob service; @azure/storage-blob behind it in a task, a fake in unit tests. */
export interface StagingStore {
  /** The storage account's name, for messages. */
  readonly accountName: string;
  /** `https://<account>.blob.<suffix>/<container>` (no trailing slash). */
  containerUrl(container: string): string;
  createContainer(container: string, signal: AbortSignal): Promise<void>;
  upload(container: string, blobName: string, content: Buffer, signal: AbortSignal): Promise<void>;
  /** A blob that is not there is not an error. */
  deleteBlob(container: string, blobName: string, signal: AbortSignal): Promise<void>;
  /** A container that is not there is not an error. */
  deleteContainer(container: string, signal: AbortSignal): Promise<void>;
  /** A read-only, HTTPS-only SAS for the container (the query string, without "?"). */
  readOnlySas(container: string, validity: { startsOn: Date; expiresOn: Date }, signal: AbortSignal): Promise<string>;
}

export interface StagedFile {
  /** Path relative to the folder, with "/" separators: the blob's name. */
  relativePath: string;
  absolutePath: string;
  size: number;
}

export interface FolderLimits {
  maxFiles: number;
  maxBytes: number;
}

export const DEFAULT_FOLDER_LIMITS: FolderLimits = { maxFiles: 500, maxBytes: 100 * 1024 * 1024 };

/**
 * The files of a template's folder, recursively, in a stable order. Hidden entries (".git", ".vs"…) and symbolic
 * links are left out. Too many files or bytes is an input error: the folder is probably not the template's own.
 */
export function collectTemplateFolder(folder: string, options: { inputName: string; limits?: FolderLimits }): StagedFile[] {
  const limits = options.limits ?? DEFAULT_FOLDER_LIMITS;
  const files: StagedFile[] = [];
  let bytes = 0;
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const size = lstatSync(path).size;
        files.push({ relativePath: relative(folder, path).split(sep).join("/"), absolutePath: path, size });
        bytes += size;
        if (files.length > limits.maxFiles) {
          throw new InputError(options.inputName, `the template's folder '${folder}' holds more than ${limits.maxFiles} files, which would all be staged for the deployment. Keep the template and the files it links in a folder of their own.`);
        }
        if (bytes > limits.maxBytes) {
          throw new InputError(options.inputName, `the template's folder '${folder}' holds more than ${sizeText(limits.maxBytes)}, which would all be staged for the deployment. Keep the template and the files it links in a folder of their own.`);
        }
      }
    }
  };
  walk(folder);
  return files;
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${bytes} bytes`;
}

/** A container name of its own for one run: lower case, 3–63 characters. */
export function stagingContainerName(random: () => Buffer = () => randomBytes(6)): string {
  return `dtl-env-staging-${random().toString("hex")}`;
}

/**
 * The `_artifactsLocation` value for a container. Templates combine it in one of two ways: concat(location,
 * '/nested/x.json', sas) wants no trailing slash; uri(location, 'nested/x.json') resolves relative to it and needs
 * one (without it, uri() would replace the container's name).
 */
export function artifactsLocationFor(containerUrl: string, templateText: string): string {
  const base = containerUrl.replace(/\/+$/, "");
  return /uri\s*\(\s*parameters\s*\(\s*'_artifactsLocation'\s*\)/i.test(templateText) ? `${base}/` : base;
}

/** The SAS validity: from 5 minutes ago (clock skew) until the deployment's timeout plus 15 minutes, at most 7 days. */
export function sasValidity(now: Date, timeoutMs: number): { startsOn: Date; expiresOn: Date } {
  const lifetime = Math.min(timeoutMs + 15 * 60_000, 7 * 24 * 3600_000 - 60_000);
  return { startsOn: new Date(now.getTime() - 5 * 60_000), expiresOn: new Date(now.getTime() + lifetime) };
}

// ---------------------------------------------------------------- the lab's storage

/** The lab's storage account: artifactsStorageAccount, else defaultStorageAccount. */
export async function labStorageAccountId(ctx: LabContext, lab: LabRef): Promise<string> {
  let account: string | undefined;
  try {
    const found = await ctx.clients.devTestLabs(lab.subscriptionId).labs.get(lab.resourceGroup, lab.labName, { abortSignal: ctx.signal });
    account = found.artifactsStorageAccount || found.defaultStorageAccount || undefined;
  } catch (err) {
    throw toAzureOperationError(err, { operation: "Reading the lab's storage account", resource: labId(lab) });
  }
  if (!account) throw new AzureOperationError("Staging the template's files", labId(lab), "the lab names no storage account (artifactsStorageAccount, defaultStorageAccount). Check the lab in the portal.");
  return account;
}

const STORAGE_API_VERSION = "2023-05-01";

/** Opens the lab's storage account for staging with the service connection's identity. */
export async function openLabStagingStore(ctx: LabContext, lab: LabRef): Promise<StagingStore> {
  const accountId = await labStorageAccountId(ctx, lab);
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(accountId)?.[1];
  let account: GenericResource;
  try {
    // getById puts the id after the host's "/": a leading "/" would make "//subscriptions…".
    account = await ctx.clients.resources(subscriptionId).resources.getById(accountId.replace(/^\/+/, ""), STORAGE_API_VERSION, { abortSignal: ctx.signal });
  } catch (err) {
    if (isNotFoundError(err)) throw new AzureOperationError("Staging the template's files", accountId, "the lab's storage account does not exist or the service connection cannot read it. Grant the connection's identity Reader on it.", "NotFound");
    throw toAzureOperationError(err, { operation: "Reading the lab's storage account", resource: accountId });
  }
  const endpoints = (account.properties as { primaryEndpoints?: { blob?: unknown } } | undefined)?.primaryEndpoints;
  const blobEndpoint = typeof endpoints?.blob === "string" ? endpoints.blob : undefined;
  if (!blobEndpoint || !/^https:\/\//i.test(blobEndpoint)) {
    throw new AzureOperationError("Staging the template's files", accountId, "the lab's storage account has no HTTPS blob endpoint. Check the account in the portal.");
  }
  const service = new BlobServiceClient(blobEndpoint, ctx.clients.credential, {
    userAgentOptions: { userAgentPrefix: USER_AGENT },
    retryOptions: { maxTries: 4 },
  });
  return new BlobStagingStore(service, accountId);
}

class BlobStagingStore implements StagingStore {
  readonly accountName: string;
  constructor(
    private readonly service: BlobServiceClient,
    private readonly accountId: string,
  ) {
    this.accountName = service.accountName || accountId.split("/").pop() || "storage";
  }

  containerUrl(container: string): string {
    return this.service.getContainerClient(container).url.replace(/\/+$/, "");
  }

  async createContainer(container: string, signal: AbortSignal): Promise<void> {
    // Tagged like every transient resource, so a container a killed run could not remove is recognisable.
    const metadata = { createdby: "dtlimagefactory", purpose: "environmentstaging" };
    await this.call(`Creating the staging container '${container}'`, () => this.service.getContainerClient(container).create({ abortSignal: signal, metadata }));
  }

  async upload(container: string, blobName: string, content: Buffer, signal: AbortSignal): Promise<void> {
    const blob = this.service.getContainerClient(container).getBlockBlobClient(blobName);
    await this.call(`Uploading '${blobName}'`, () => blob.uploadData(content, { abortSignal: signal, blobHTTPHeaders: { blobContentType: contentTypeOf(blobName) } }));
  }

  async deleteBlob(container: string, blobName: string, signal: AbortSignal): Promise<void> {
    await this.call(`Deleting the staged '${blobName}'`, () => this.service.getContainerClient(container).getBlockBlobClient(blobName).deleteIfExists({ abortSignal: signal, deleteSnapshots: "include" }));
  }

  async deleteContainer(container: string, signal: AbortSignal): Promise<void> {
    await this.call(`Deleting the staging container '${container}'`, () => this.service.getContainerClient(container).deleteIfExists({ abortSignal: signal }));
  }

  async readOnlySas(container: string, validity: { startsOn: Date; expiresOn: Date }, signal: AbortSignal): Promise<string> {
    const key = await this.call("Getting a user delegation key", () => this.service.getUserDelegationKey(validity.startsOn, validity.expiresOn, { abortSignal: signal }));
    return generateBlobSASQueryParameters(
      { containerName: container, permissions: ContainerSASPermissions.parse("r"), protocol: SASProtocol.Https, startsOn: validity.startsOn, expiresOn: validity.expiresOn },
      key,
      this.accountName,
    ).toString();
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      if (status === 403) {
        throw new AzureOperationError(
          what,
          `storage account '${this.accountName}'`,
          `the service connection's identity may not do this (HTTP 403). Grant it the role "Storage Blob Data Contributor" on the lab's storage account (${neutralizeUntrustedText(this.accountId, { maxLength: 300 })}); no account key is used.`,
          "AuthorizationPermissionMismatch",
        );
      }
      throw toAzureOperationError(err, { operation: what, resource: `storage account '${this.accountName}'` });
    }
  }
}

function contentTypeOf(name: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith(".json")) return "application/json";
  if (lower.endsWith(".ps1") || lower.endsWith(".sh") || lower.endsWith(".txt") || lower.endsWith(".md")) return "text/plain";
  return "application/octet-stream";
}
