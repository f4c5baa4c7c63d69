// Just enough Markdown for checking the docs: headings with GitHub's anchors, and links,
// outside fenced code and inline code.

export interface Link {
  /** 1-based line of the link in its file. */
  line: number
  target: string
}

/** Each line of prose, with its 1-based number; lines inside fenced code are left out. */
function proseLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = []
  let fence: string | undefined
  text.split('\n').forEach((content, index) => {
    const marker = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(content)
    if (fence === undefined) {
      if (marker) fence = marker[1]
      else lines.push({ line: index + 1, text: content })
    } else if (marker && marker[1]![0] === fence[0] && marker[1]!.length >= fence.length && marker[2]!.trim() === '') {
      fence = undefined
    }
  })
  return lines
}

/** A line without its inline code spans (`` `…` ``, ```` ``…`` ````). */
const withoutCode = (text: string) => text.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '')

/**
 * GitHub's anchor for a heading: the rendered text, lower-cased, with everything but
 * letters, digits, `_`, `-` and spaces dropped, and spaces turned into hyphens.
 */
export function slug(heading: string): string {
  const rendered = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // links keep their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, '') // code and emphasis marks
    .trim()
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** Every anchor the file's headings give, numbered as GitHub numbers repeated ones (`-1`, `-2`). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>()
  const result = new Set<string>()
  for (const { text: line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1]
    if (heading === undefined) continue
    const base = slug(heading)
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    result.add(count === 0 ? base : `${base}-${count}`)
  }
  return result
}

/** Every inline link and image target of the file, outside code. */
export function links(text: string): Link[] {
  return proseLines(text).flatMap(({ line, text: content }) =>
    [...withoutCode(content).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => ({ line, target: match[1]! })),
  )
}
