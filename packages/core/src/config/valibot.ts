/**
 * The valibot functions core's configuration schema is built with, by name. Core loads this module when it validates
 * (not at import), and the build bundles only these functions, so that no app start-up parses the whole of valibot
 * to validate a few sections.
 */
export {
  array,
  boolean,
  check,
  finite,
  getDotPath,
  integer,
  maxValue,
  minValue,
  never,
  nonEmpty,
  nullable,
  number,
  object,
  objectWithRest,
  optional,
  parse,
  picklist,
  pipe,
  rawCheck,
  record,
  regex,
  safeParse,
  string,
  transform,
  trim,
  union,
  unknown,
  url,
} from "valibot";
