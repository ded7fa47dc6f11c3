import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { en } from './en-CA';
import { fr } from './fr-CA';

/** The arguments a message uses, with their kind (`count:plural`, `name:argument`…). */
function argumentsOf(elements: MessageFormatElement[], found = new Set<string>()): Set<string> {
  for (const element of elements) {
    if (element.type === TYPE.argument) found.add(`${element.value}:argument`);
    else if (element.type === TYPE.number || element.type === TYPE.date || element.type === TYPE.time) found.add(`${element.value}:${TYPE[element.type]}`);
    else if (element.type === TYPE.plural || element.type === TYPE.select) {
      found.add(`${element.value}:${TYPE[element.type]}`);
      for (const option of Object.values(element.options)) argumentsOf(option.value, found);
    } else if (element.type === TYPE.tag) argumentsOf(element.children, found);
  }
  return found;
}

describe('the panel’s message catalogues', () => {
  it('have the same keys in French and English', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it('are valid ICU messages using the same arguments in both languages', () => {
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      const english = argumentsOf(parse(en[key]));
      const french = argumentsOf(parse(fr[key]));
      expect([...french].sort(), key).toEqual([...english].sort());
    }
  });

  it('have no empty message and no ASCII apostrophe (ICU quoting) in French', () => {
    for (const [key, value] of Object.entries(fr)) {
      expect(value.trim(), key).not.toBe('');
      expect(value, key).not.toMatch(/'/);
    }
  });
});
