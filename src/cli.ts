#!/usr/bin/env node
import { main } from './commands/program.js'

const code = await main(process.argv)
// `start` keeps running until a signal; every other command ends here.
if (code !== 0 || process.argv[2] !== 'start') process.exit(code)
