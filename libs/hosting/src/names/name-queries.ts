/** SQL LIKE pattern matching, on reverse(name), every name strictly below `name`. */
export function belowPattern(name: string): string {
  return `${[...name].reverse().join('').replace(/[\\%_]/g, '\\$&')}.%`;
}
