/**
 * Loads a Node store's modules once its driver is found. The drivers (better-sqlite3, pg,
 * mysql2) are optional peer dependencies, and drizzle's driver modules import theirs
 * themselves: a store imported statically without its driver fails while Node links the
 * modules, before any of ours runs, with a resolution error from deep inside drizzle-orm.
 * So a store's entry imports its driver first and everything else after, here.
 *
 * `entry` is the subpath the user imported (`webhook-inbox/stores/sqlite`). A driver that is
 * installed but fails to load (better-sqlite3 without its compiled addon) keeps its own error.
 */
export async function loadWithDriver<T>(entry: string, driver: string, load: () => Promise<T>): Promise<T> {
  try {
    await import(driver)
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error
    // A plain Error, not WebhookError: no delivery is being answered, the install is incomplete.
    // The marker keeps Node from printing this source line above the message when nothing
    // catches it, so the first line of the crash says what to install.
    throw new Error(`${entry} needs ${driver}: npm install ${driver}`) /* node-do-not-add-exception-line */
  }
  return load()
}
