/**
 * Loads a Node store's modules once its driver is found. The drivers (better-sqlite3, pg,
 * mysql2) are optional peer dependencies, and drizzle's driver modules import theirs
 * themselves: a store imported statically without its driver fails while Node links the
 * modules, before any of ours runs, with a resolution error from deep inside drizzle-orm.
 * So a store's entry imports its driver first and everything else after, here.
 *
 * `entry` is the subpath the user imported (`webhook-inbox/stores/sqlite`). `importDriver`
 * is `() => import('pg')` with the name written out, so that bundlers (Next.js bundles
 * server routes) see which package to include; an import of a variable they cannot
 * follow. Only the driver itself missing gets the one-line message: a driver that is
 * installed but fails to load (better-sqlite3 without its compiled addon, or a package
 * it needs missing) keeps its own error.
 */
export async function loadWithDriver<T>(entry: string, driver: string, importDriver: () => Promise<unknown>, load: () => Promise<T>): Promise<T> {
  try {
    await importDriver()
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown }
    // Node names the package it could not find: "Cannot find package 'pg' imported from …".
    if (code !== 'ERR_MODULE_NOT_FOUND' || !String(message).includes(`'${driver}'`)) throw error
    // A plain Error, not WebhookError: no delivery is being answered, the install is incomplete.
    // The marker keeps Node from printing this source line above the message when nothing
    // catches it, so the first line of the crash says what to install.
    throw new Error(`${entry} needs ${driver}: npm install ${driver}`) /* node-do-not-add-exception-line */
  }
  return load()
}
