/**
 * Makes a directory refuse new entries, renames and unlinks, for tests of refused writes.
 */
import { execFile } from "node:child_process";
import { chmod } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Makes a directory refuse new entries, renames and unlinks. As root, permission bits do not deny
 * anything (CAP_DAC_OVERRIDE), so the directory is made immutable (`chattr +i`, needs
 * CAP_LINUX_IMMUTABLE and ext2/3/4, xfs, btrfs …): the kernel then refuses with EPERM, the same
 * errno a real permission problem gives, and nothing is faked above the filesystem. Anyone else
 * gets plain `chmod 0555`.
 * @returns a function that unlocks it
 */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  if (process.getuid?.() === 0) {
    try {
      await run("chattr", ["+i", dir]);
    } catch (err) {
      throw new Error(
        `cannot make ${dir} immutable (chattr +i) to test a refused write as root: ${(err as Error).message};` +
          ` run the tests on ext4/xfs/btrfs with CAP_LINUX_IMMUTABLE, or as a non-root user`,
        { cause: err },
      );
    }
    return async () => void (await run("chattr", ["-i", dir]));
  }
  await chmod(dir, 0o555);
  return () => chmod(dir, 0o755);
}
