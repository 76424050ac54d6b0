// ARM's guid(): a name-based (version 5, SHA-1) UUID of the arguments joined with '-', under ARM's fixed
// namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830 (RFC 4122 §4.3: namespace bytes in network order, UTF-8 name).
import { createHash } from "node:crypto";

const ARM_NAMESPACE = "11fb06fb-712d-4ddd-98c7-e71bbd588830";

export function uuidV5(namespace: string, name: string): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const hash = createHash("sha1").update(namespaceBytes).update(Buffer.from(name, "utf8")).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function armGuid(...values: string[]): string {
  return uuidV5(ARM_NAMESPACE, values.join("-"));
}
