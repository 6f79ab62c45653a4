/**
 * What text the system takes in may hold: any character but the control characters of Unicode
 * (C0, DEL, C1) other than tab and line feed. PostgreSQL refuses a NUL in text outright, and the
 * others (a carriage return, an escape sequence, a backspace) change what a person later sees in
 * a log, a screen or a spreadsheet. One definition for the API's schemas and the feeds' cells.
 */

/** The refused characters as a regular-expression character-class range (JSON Schema and JavaScript alike). */
export const CONTROL_CHARACTER_RANGE = '\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F';

const CONTROL_CHARACTER = new RegExp(`[${CONTROL_CHARACTER_RANGE}]`, 'u');

/** The index of the first refused character in `text`, or -1. */
export function controlCharacterIndex(text: string): number {
  const found = CONTROL_CHARACTER.exec(text);
  return found === null ? -1 : found.index;
}

/** A character as people look it up: U+0000. */
export function codePointName(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

const CONTROL_CHARACTERS = new RegExp(`[${CONTROL_CHARACTER_RANGE}]`, 'gu');

/** `text` with each refused character written as its name (<U+0000>), for quoting it in a message that is stored or shown. */
export function visible(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (character) => `<${codePointName(character)}>`);
}
