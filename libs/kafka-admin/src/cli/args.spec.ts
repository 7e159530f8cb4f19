import { UsageError, dateFlag, intFlag, parseCommandArgs, parseRecordRef } from './args';
import { renderTable, truncate } from './output';

describe('command-line arguments', () => {
  it('parses flags, positionals and --json', () => {
    const args = parseCommandArgs(['g1', '--topic', 't', '--json'], { topic: { type: 'string' } });
    expect(args).toEqual({ positionals: ['g1'], flags: { topic: 't', json: true } });
  });

  it('rejects unknown flags as usage errors', () => {
    expect(() => parseCommandArgs(['--nope'], {})).toThrow(UsageError);
  });

  it('validates integers, times and partition:offset references', () => {
    const args = parseCommandArgs(['--partitions', '6', '--since', 'yesterday'], {
      partitions: { type: 'string' },
      since: { type: 'string' },
    });
    expect(intFlag(args, 'partitions', 1)).toBe(6);
    expect(() => intFlag(args, 'partitions', 7)).toThrow(
      '--partitions must be an integer ≥ 7, got "6"',
    );
    expect(() => dateFlag(args, 'since')).toThrow('--since must be an ISO-8601 time');
    expect(parseRecordRef(' 2:17 ')).toEqual({ partition: 2, offset: '17' });
    expect(() => parseRecordRef('2-17')).toThrow('expected partition:offset');
  });

  it('renders aligned tables with - for missing values', () => {
    expect(
      renderTable(
        ['A', 'LONGER'],
        [
          ['x', null],
          ['yyy', 3],
        ],
      ),
    ).toBe('A    LONGER\nx    -\nyyy  3');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});
