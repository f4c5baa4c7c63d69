// README.md is the front door: short, with a contents list into docs/. Every relative
// link between the pages, and every #anchor, must lead somewhere.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { anchors, links, slug } from './markdown.js'
import { docFiles } from './snippets.js'

const root = resolve(import.meta.dirname, '../..')
const read = (file: string) => readFileSync(join(root, file), 'utf8')
const readme = read('README.md')
const pages = docFiles(root)
const MAX_README_LINES = 250

/** The lines of one `## heading` section, up to the next heading of level 2 or above. */
function section(text: string, heading: string): string {
  const lines = text.split('\n')
  const start = lines.findIndex((line) => line === `## ${heading}`)
  if (start === -1) return ''
  const end = lines.findIndex((line, index) => index > start && /^#{1,2} /.test(line))
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n')
}

describe('README.md', () => {
  it(`has at most ${MAX_README_LINES} lines`, () => {
    expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(MAX_README_LINES)
  })

  it('has a "## Contents" list linking every page of docs/ and CHANGELOG.md', () => {
    const targets = links(section(readme, 'Contents')).map((link) => link.target.split('#')[0])
    const wanted = [...pages.filter((file) => file !== 'README.md'), 'CHANGELOG.md']
    expect(wanted.filter((file) => !targets.includes(file))).toEqual([])
  })
})

describe('links in README.md, docs/*.md and CHANGELOG.md', () => {
  const files = [...pages, 'CHANGELOG.md']

  it('every relative link names a file or folder that exists, and every #anchor a heading of its page', () => {
    const broken: string[] = []
    for (const file of files) {
      for (const { line, target } of links(read(file))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue // https:, mailto:
        const [path = '', anchor] = target.split('#')
        const resolved = path === '' ? join(root, file) : resolve(dirname(join(root, file)), decodeURI(path))
        const where = `${file}:${line}: ${target}`
        if (!existsSync(resolved)) {
          broken.push(`${where}: no such file (${relative(root, resolved)})`)
        } else if (anchor !== undefined) {
          if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) broken.push(`${where}: an #anchor into a file that is not Markdown`)
          else if (!anchors(readFileSync(resolved, 'utf8')).has(decodeURIComponent(anchor))) broken.push(`${where}: no heading in ${relative(root, resolved)} gives #${anchor}`)
        }
      }
    }
    expect(broken).toEqual([])
  })
})

describe('CHANGELOG.md', () => {
  it("names package.json's version in its first version heading", () => {
    const { version } = JSON.parse(read('package.json')) as { version: string }
    const first = read('CHANGELOG.md')
      .split('\n')
      .find((line) => line.startsWith('## '))
    expect(first).toMatch(new RegExp(`^## ${version.replaceAll('.', '\\.')}\\b`))
  })
})

describe('anchors() and slug(), as GitHub makes heading anchors', () => {
  it('slug() drops punctuation and code marks, keeps letters, digits, _ and -, and hyphenates spaces', () => {
    expect(slug('Effects that happen once: `ctx.transaction`')).toBe('effects-that-happen-once-ctxtransaction')
    expect(slug('What "duplicate" means')).toBe('what-duplicate-means')
    expect(slug("Answering inside the provider's deadline")).toBe('answering-inside-the-providers-deadline')
    expect(slug('`webhook-inbox/stores/sqlite`')).toBe('webhook-inboxstoressqlite')
    expect(slug('Express, Fastify, Next.js, Bun and Deno')).toBe('express-fastify-nextjs-bun-and-deno')
  })

  it('anchors() numbers a repeated heading -1, -2 and ignores # lines inside fenced code', () => {
    expect([...anchors('# A\n## Notes\n```sh\n# not a heading\n```\n### Notes\n## Notes')]).toEqual(['a', 'notes', 'notes-1', 'notes-2'])
  })
})
