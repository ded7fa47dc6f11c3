import { describe, expect, it } from 'vitest';
import { clean, renderTable, truncate, width } from './text.js';

describe('tables on a terminal', () => {
  it('measure wide and combining characters as the terminal draws them', () => {
    expect(width('abc')).toBe(3);
    expect(width('日本')).toBe(4);
    expect(width('école')).toBe(5);
    expect(width('e\u0301cole')).toBe(5);
    expect(width('👩‍💻')).toBe(2);
  });

  it('align columns by those widths', () => {
    const table = renderTable([{ header: 'NAME' }, { header: 'PHASE' }], [['日本.example', 'ready'], ['café.org', 'failed']], { color: false });
    const lines = table.split('\n');
    expect(lines).toEqual(['NAME          PHASE', '日本.example  ready', 'café.org      failed']);
    expect(new Set(lines.map((line) => width(line.slice(0, line.lastIndexOf(' ') + 1)))).size).toBe(1);
  });

  it('cut long cells on whole characters and fit the terminal by narrowing what may shrink', () => {
    expect(truncate('abcdefgh', 5)).toBe('abcd…');
    expect(truncate('日本語テキスト', 6)).toBe('日本…');
    const table = renderTable([{ header: 'ID' }, { header: 'ERROR', shrink: true }], [['1', 'x'.repeat(200)]], { color: false, terminalWidth: 40 });
    expect(Math.max(...table.split('\n').map(width))).toBeLessThanOrEqual(40);
    expect(table).toContain('…');
  });

  it('never pass a server’s control characters (escape sequences, new lines) to the terminal', () => {
    expect(clean('nginx: [emerg]\n\u001b[31mred\u001b[0m\r')).toBe('nginx: [emerg] [31mred [0m');
    const table = renderTable([{ header: 'ERROR' }], [['line one\nline two\u0007']], { color: false });
    expect(table.split('\n')).toEqual(['ERROR', 'line one line two']);
  });

  it('colour only when asked', () => {
    const coloured = renderTable([{ header: 'PHASE' }], [[{ text: 'failed', style: 'red' }]], { color: true });
    expect(coloured).toContain('\u001b[31mfailed');
    expect(renderTable([{ header: 'PHASE' }], [[{ text: 'failed', style: 'red' }]], { color: false })).not.toContain('\u001b');
  });
});
