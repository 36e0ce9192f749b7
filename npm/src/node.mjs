// Node ES-module entry point: the CommonJS implementation, re-exported.
import api from './node.cjs';

export const { load, AdaptivePoolError } = api;
