/** Flex's bundle calls a global `Handlebars.compile` when it loads: provide it first. */
import Handlebars from 'handlebars';

Object.assign(globalThis, { Handlebars });
