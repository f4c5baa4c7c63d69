#!/usr/bin/env node
import { run } from './run.js'

// `webhook-inbox list --json | head` closes the pipe early: that is the reader being
// done, not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

let drawing = false
let lastProgress = ''
const endProgress = () => {
  if (drawing) process.stderr.write('\n')
  drawing = false
}
process.exitCode = await run(process.argv.slice(2), {
  out: (line) => {
    endProgress()
    process.stdout.write(`${line}\n`)
  },
  err: (line) => {
    endProgress()
    process.stderr.write(`${line}\n`)
  },
  progress: (line) => {
    // Not a terminal (CI, a log file): a line per change, so progress is seen as it happens.
    if (!process.stderr.isTTY) {
      if (line !== lastProgress) process.stderr.write(`${line}\n`)
      lastProgress = line
      return
    }
    process.stderr.write(`\r${line}`)
    drawing = true
  },
  env: process.env,
})
endProgress()
