#!/usr/bin/env node
'use strict';
// Exit as soon as the command is done: a leftover timer or keep-alive socket must not keep the
// process alive. stdout is flushed first (the write callback runs once earlier writes are out).
require('../dist/main.js')
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
      process.stdout.write('', () => process.exit(code));
    },
    (err) => {
      process.stderr.write(`tokpipe: ${err && err.message ? err.message : err}\n`);
      process.exitCode = 1;
      process.stdout.write('', () => process.exit(1));
    },
  );
