export * from './key';
export * from './ledger';
