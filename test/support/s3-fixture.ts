/**
 * A fresh bucket on the test Swift's S3 API for one test, and an S3Storage on it as a user with
 * container grants only.
 */
import { S3Storage } from "../../src/storage/s3/s3-storage.js";
import type { S3StorageOptions } from "../../src/storage/s3/s3-options.js";
import type { StorageFixture } from "../../src/testing/index.js";
import { SwiftAdmin } from "./swift-admin.js";
import { swiftServer } from "./swift-server.js";

let counter = 0;

/** A valid bucket name no other test uses. */
export function uniqueBucket(tag: string): string {
  return `${tag}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`.toLowerCase();
}

/** S3 options for the test server as `test:tester3` (or the account admin). */
export async function s3Options(admin = false): Promise<S3StorageOptions> {
  const server = await swiftServer();
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    accessKeyId: admin ? server.user : server.reader.user,
    secretAccessKey: admin ? server.key : server.reader.key,
    region: "us-east-1",
    env: {},
  };
}

/** A conformance fixture: a bucket granted to test:tester3, and an S3Storage on `s3://bucket/prefix`. */
export async function s3Fixture(extra: S3StorageOptions = {}): Promise<StorageFixture & { bucket: string }> {
  const server = await swiftServer();
  const admin = new SwiftAdmin(server);
  const bucket = uniqueBucket("s3c");
  const reader = server.reader.user;
  const grants = { "x-container-read": reader, "x-container-write": reader };
  await admin.createContainer(bucket, grants);
  // s3api keeps multipart segments in "<bucket>+segments", which only an account admin may create
  await admin.createContainer(`${bucket}+segments`, grants);
  const storage = await S3Storage.open(`s3://${bucket}/root`, { ...(await s3Options()), ...extra });
  return {
    storage,
    bucket,
    async cleanup() {
      await storage.close();
      await admin.removeContainer(bucket);
      await admin.removeContainer(`${bucket}+segments`);
    },
    async denyWrite() {
      await admin.postContainer(bucket, { "x-container-write": "" });
      await admin.postContainer(`${bucket}+segments`, { "x-container-write": "" });
    },
  };
}
