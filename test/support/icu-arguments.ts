import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

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

/**
 * What keeps two catalogues from agreeing: keys only one has, messages that are not valid ICU,
 * messages using other arguments in one language. Empty when they agree.
 */
export function catalogueDifferences(english: Record<string, string>, french: Record<string, string>): string[] {
  const differences: string[] = [];
  for (const key of Object.keys(english)) if (!(key in french)) differences.push(`${key}: missing in French`);
  for (const key of Object.keys(french)) if (!(key in english)) differences.push(`${key}: missing in English`);
  for (const key of Object.keys(english).filter((k) => k in french)) {
    try {
      const en = [...argumentsOf(parse(english[key]!))].sort().join(', ');
      const fr = [...argumentsOf(parse(french[key]!))].sort().join(', ');
      if (en !== fr) differences.push(`${key}: English uses ${en || 'nothing'}, French ${fr || 'nothing'}`);
    } catch (error) {
      differences.push(`${key}: ${(error as Error).message}`);
    }
  }
  return differences;
}
