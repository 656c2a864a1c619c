/**
 * Swift's retries and timeouts are the shared ones of `../retry-policy.ts` (S3 uses them too);
 * re-exported here for the Swift modules that import them by this path.
 *
 * @packageDocumentation
 */
export * from "../retry-policy.js";
