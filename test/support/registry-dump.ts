/**
 * A registry file's tables and rows as plain data, to compare two registries.
 */
import Database from "better-sqlite3";

/** `[[table, rows sorted by the first two columns]…]`, tables by name. */
export function dumpRegistry(path: string): Array<[string, unknown[]]> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>;
    return tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).all()]);
  } finally {
    db.close();
  }
}
