import { describe, expect, it } from 'vitest';
import { mariadbBatch, postgresBatch } from './statement-batch.js';

const HASH = '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9';

describe('a MariaDB batch', () => {
  const batch = mariadbBatch([['CREATE DATABASE `a_b`'], ["CREATE USER 'a_c'@'%' IDENTIFIED VIA mysql_native_password USING '" + HASH + "'", 'GRANT x'], ['DROP USER y']]);

  it('runs each block as one compound statement on a line of its own, out of the server’s logs', () => {
    expect(batch.script.split('\n')).toEqual([
      'SET SESSION sql_log_off = ON, SESSION long_query_time = 31536000, SESSION lock_wait_timeout = 60;',
      'DELIMITER $$',
      "BEGIN NOT ATOMIC CREATE DATABASE `a_b`; SELECT 'ruche-ok 0'; END$$",
      `BEGIN NOT ATOMIC CREATE USER 'a_c'@'%' IDENTIFIED VIA mysql_native_password USING '${HASH}'; GRANT x; SELECT 'ruche-ok 1'; END$$`,
      "BEGIN NOT ATOMIC DROP USER y; SELECT 'ruche-ok 2'; END$$",
      'DELIMITER ;',
      '',
    ]);
  });

  it('reads each block’s outcome: done, refused with the engine’s words (secrets cut), or nothing heard', () => {
    const stderr = [
      '--------------',
      `BEGIN NOT ATOMIC CREATE USER 'a_c'@'%' IDENTIFIED VIA mysql_native_password USING '${HASH}'; GRANT x; SELECT 'ruche-ok 1'; END`,
      '--------------',
      '',
      `ERROR 1064 (42000) at line 4: You have an error in your SQL syntax near '${HASH}' at line 1`,
    ].join('\n');
    expect(batch.read({ stdout: 'ruche-ok 0\n', stderr })).toEqual([
      { ok: true },
      { ok: false, message: "You have an error in your SQL syntax near '[hash]' at line 1" },
      null,
    ]);
  });

  it('does not blame a block for the client losing the server', () => {
    expect(batch.read({ stdout: '', stderr: 'ERROR 2013 (HY000) at line 3: Lost connection to server during query' })).toEqual([null, null, null]);
  });

  it('refuses a statement that does not fit on one line', () => {
    expect(() => mariadbBatch([['SELECT\n1']])).toThrow(/one line/);
  });
});

describe('a PostgreSQL batch', () => {
  const batch = postgresBatch([['CREATE ROLE a', '\\connect x', 'REASSIGN OWNED BY a TO b'], ['DROP ROLE c']]);

  it('runs a block’s statements while none failed, and says how the block ended', () => {
    expect(batch.script.split('\n')).toEqual([
      '\\set VERBOSITY terse',
      '\\set SHOW_CONTEXT never',
      '\\set ok true',
      'CREATE ROLE a;',
      '\\if :ERROR \\set ok false \\endif',
      '\\if :ok',
      '\\connect x',
      '\\endif',
      '\\if :ok',
      'REASSIGN OWNED BY a TO b;',
      '\\if :ERROR \\set ok false \\endif',
      '\\endif',
      '\\if :ok \\echo ruche-ok 0 \\else \\echo ruche-failed 0 :LAST_ERROR_MESSAGE \\endif',
      '\\set ok true',
      'DROP ROLE c;',
      '\\if :ERROR \\set ok false \\endif',
      '\\if :ok \\echo ruche-ok 1 \\else \\echo ruche-failed 1 :LAST_ERROR_MESSAGE \\endif',
      '',
    ]);
  });

  it('reads each block’s outcome', () => {
    expect(batch.read({ stdout: 'ruche-failed 0 role "a" already exists\nruche-ok 1\n', stderr: 'ERROR:  role "a" already exists' })).toEqual([
      { ok: false, message: 'role "a" already exists' },
      { ok: true },
    ]);
    expect(batch.read({ stdout: 'ruche-failed 0 syntax error at or near "SCRAM-SHA-256$4096:abc"\n', stderr: '' })).toEqual([
      { ok: false, message: 'syntax error at or near "[verifier]"' },
      null,
    ]);
  });
});
