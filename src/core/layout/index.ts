export * from './names';
export * from './layout';
