/**
 * S3Storage against the Storage conformance suite, on a real S3 endpoint: the s3api middleware
 * of the test run's real Swift (test/support/swift-server.sh). Each test gets a fresh bucket (a
 * container) made by the account admin, who grants read and write to `test:tester3`, whose S3
 * access key is its tempauth name and whose secret is its password; `denyWrite` withdraws the
 * write grant, so the refusal is a real 403 from the server.
 */
import { s3Fixture } from "../support/s3-fixture.js";
import { describeStorageConformance } from "../../src/testing/index.js";

describeStorageConformance({ name: "S3Storage (Swift s3api)", create: s3Fixture });
