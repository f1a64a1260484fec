/* global afterAll */
// zapier-platform-core's app tester patches http.request and https.request for its logging and never puts them
// back. Jest runs many test files in one worker, so later files would send through that two-argument wrapper,
// which drops the options of request(url, options, callback) (method, headers): playwright's request API and
// the peers bench were hit. The originals are kept from the first file and put back after each file.
const http = require('node:http');
const https = require('node:https');

for (const mod of [http, https]) {
  if (!mod.tokpipeOriginalRequest) mod.tokpipeOriginalRequest = mod.request;
}

afterAll(() => {
  for (const mod of [http, https]) {
    mod.request = mod.tokpipeOriginalRequest;
    delete mod.patchedByZapier;
  }
});
