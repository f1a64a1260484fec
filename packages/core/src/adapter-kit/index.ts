// Platform-neutral pieces every adapter needs beside the catalog: reading a platform's HTTP replies
// and failures, byte sources, a store over saved object data, what a platform does with a failure,
// and the records adapters output. Adapters translate with these; core decides.
export * from './http-reply';
export * from './byte-sources';
export * from './object-store';
export * from './platform-reaction';
export * from './records';
export * from './samples';
export * from './credentials';
export * from './follow';
export * from './webhook-delivery';
export * from './poll-plan';
export * from './reply-cases';
export * from './server-client';
export * from './server-records';
