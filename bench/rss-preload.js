// Preloaded into a measured `tokpipe` run: prints its peak RSS (KiB) to stderr on exit.
process.on('exit', () => process.stderr.write(`\nmaxrss_kib ${process.resourceUsage().maxRSS}\n`));
