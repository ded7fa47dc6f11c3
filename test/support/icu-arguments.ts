import { TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

/**
 * The arguments an ICU message uses, with their kind (`count:plural`, `name:argument`…): two
 * catalogues agree when each message uses the same ones in both languages. Shared by the
 * panel's and the CLI's catalogue tests.
 */
export function argumentsOf(elements: MessageFormatElement[], found = new Set<string>()): Set<string> {
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
