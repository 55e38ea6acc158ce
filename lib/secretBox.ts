import crypto from "node:crypto";

/**
 * Webhook secrets at rest. AgentDesk must read them back (it signs outgoing deliveries and checks
 * incoming ones with them), so they cannot be hashed; they are sealed with AES-256-GCM under a
 * key derived from AUTH_SECRET, so a copy of the database (a backup, a dump) holds no usable
 * secret without the web's own. Changing AUTH_SECRET makes them unreadable: the webhook says so
 * and a rotated secret is sealed under the new key.
 */
export type SecretBox = {
  seal(plain: string): string;
  /** The secret, or SecretUnreadableError; a value stored before sealing comes back as it is. */
  open(stored: string): string;
};

export class SecretUnreadableError extends Error {}

const PREFIX = "sealed:v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function createSecretBox(authSecret: string): SecretBox {
  const key = Buffer.from(crypto.hkdfSync("sha256", authSecret, "agentdesk", "stored webhook secrets v1", 32));
  return {
    seal(plain) {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
      const sealed = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const raw = Buffer.from(stored.slice(PREFIX.length), "base64url");
      try {
        const decipher = crypto.createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretUnreadableError("the stored secret cannot be read with this AUTH_SECRET (it was sealed under another); rotate the secret");
      }
    },
  };
}
